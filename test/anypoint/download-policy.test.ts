import { describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { nonPublicRange } from '../../src/anypoint/address-ranges.js';
import { checkedLookup, type ResolveHost } from '../../src/anypoint/checked-lookup.js';
import { DownloadError } from '../../src/anypoint/download-errors.js';
import { createDownloadPolicy, hostMatches, type DownloadPolicyOptions } from '../../src/anypoint/download-policy.js';

const CONTROL_PLANE = 'https://anypoint.mulesoft.com';
const policyOf = (overrides: Partial<DownloadPolicyOptions> = {}) =>
  createDownloadPolicy({ controlPlaneOrigin: CONTROL_PLANE, allowedHosts: ['*.s3.amazonaws.com', 'files.example.com', 'localhost', '10.0.0.1', '[::1]'], allowPrivateAddresses: false, ...overrides });

/** The DownloadError message admit() refuses `link` with; fails when it admits it. */
function refusal(link: string, policy = policyOf()): string {
  try {
    policy.admit(link);
  } catch (error) {
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).code).toBe('DOWNLOAD_REFUSED');
    return (error as Error).message;
  }
  throw new Error(`${link} was admitted`);
}

describe('hostMatches', () => {
  it.each([
    ['*.s3.amazonaws.com', 'bucket.s3.amazonaws.com', true],
    ['*.s3.amazonaws.com', 'a.b.s3.amazonaws.com', true],
    ['*.s3.amazonaws.com', 's3.amazonaws.com', false],
    ['*.s3.amazonaws.com', 'evil-s3.amazonaws.com', false],
    ['*.s3.amazonaws.com', 's3.amazonaws.com.evil.example', false],
    ['files.example.com', 'files.example.com', true],
    ['files.example.com', 'FILES.example.com.', true],
    ['files.example.com', 'x.files.example.com', false],
    ['*.0.0.1', '10.0.0.1', false],
  ])('%s names %s: %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});

describe('nonPublicRange', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['100.100.100.200', 'shared (carrier-grade NAT)'],
    ['not-an-address', 'unparseable'],
  ])('%s is %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each(['52.216.0.1', '172.32.0.1', '11.0.0.1', '2600:1f18::1'])('%s is public', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });
});

describe('the download policy', () => {
  it('always admits the control plane origin, with no address checks', () => {
    expect(policyOf({ allowedHosts: [] }).admit(`${CONTROL_PLANE}/exchange/files/x?sig=1`).onControlPlane).toBe(true);
    const local = createDownloadPolicy({ controlPlaneOrigin: 'http://127.0.0.1:8081', allowedHosts: [], allowPrivateAddresses: false });
    expect(local.admit('http://127.0.0.1:8081/__files/a.zip').onControlPlane).toBe(true);
  });

  it('does not extend the control plane exemption to other ports or schemes of its host', () => {
    const local = createDownloadPolicy({ controlPlaneOrigin: 'http://127.0.0.1:8081', allowedHosts: [], allowPrivateAddresses: false });
    expect(refusal('http://127.0.0.1:6379/', local)).toContain('127.0.0.1:6379, which is not the control plane and not on DOWNLOAD_ALLOWED_HOSTS');
    expect(refusal('http://anypoint.mulesoft.com/x', policyOf({ allowedHosts: [] }))).toContain('not on DOWNLOAD_ALLOWED_HOSTS');
  });

  it('admits https links to allowed hosts', () => {
    expect(policyOf().admit('https://bucket.s3.amazonaws.com/spec.zip?X-Amz-Signature=abc')).toMatchObject({ onControlPlane: false });
    expect(policyOf().admit('https://files.example.com/spec.yaml').onControlPlane).toBe(false);
  });

  it('refuses hosts off the list, naming the host but not the signed link', () => {
    const message = refusal('https://internal.example.net:8443/secret/path?signature=s3cr3t');
    expect(message).toContain('internal.example.net:8443');
    expect(message).not.toContain('signature');
    expect(message).not.toContain('/secret/path');
  });

  it('refuses plain http off loopback, and any other scheme', () => {
    expect(refusal('http://files.example.com/spec.yaml')).toContain('plain http');
    expect(refusal('file:///etc/passwd')).toContain('uses file; only https');
    expect(refusal('ftp://files.example.com/spec.yaml')).toContain('uses ftp');
    expect(refusal('not a url')).toContain('not a valid URL');
  });

  it('refuses IP literals in non-public ranges, however they are spelled', () => {
    const allowed = ['10.0.0.1', '169.254.169.254', '127.0.0.1', '[::ffff:a00:1]'];
    const policy = policyOf({ allowedHosts: allowed });
    expect(refusal('https://10.0.0.1/spec.yaml', policy)).toContain('10.0.0.1, which is a non-public address (private)');
    expect(refusal('https://169.254.169.254/latest/meta-data/', policy)).toContain('(link-local)');
    // WHATWG URL parsing canonicalises 0x0a.0.0.1 and 167772161 to 10.0.0.1 before the check sees them.
    expect(refusal('https://0x0a.0.0.1/', policy)).toContain('(private)');
    expect(refusal('https://167772161/', policy)).toContain('(private)');
    expect(refusal('https://[::ffff:10.0.0.1]/', policy)).toContain('(private)');
    expect(refusal('http://127.0.0.1:9/', policy)).toContain('(loopback)');
  });

  it('admits non-public literals when private addresses are allowed', () => {
    const policy = policyOf({ allowPrivateAddresses: true });
    expect(policy.admit('https://10.0.0.1/spec.yaml').onControlPlane).toBe(false);
    expect(policy.admit('http://[::1]:8080/spec.yaml').onControlPlane).toBe(false);
  });

  it('follows redirects only where a link could go (the subject names the hop)', () => {
    expect(() => policyOf().admit(new URL('https://metadata.internal/'), 'The redirect from files.example.com')).toThrow(
      'The redirect from files.example.com points at metadata.internal',
    );
  });
});

describe('checkedLookup', () => {
  const lookupOnce = (resolve: ResolveHost, options: { all?: boolean; family?: number } = { all: true }, policy = policyOf()) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((done) => {
      checkedLookup(policy, resolve)('files.example.com', options, (error, address, family) => done({ error, address, family }));
    });

  it('hands the socket exactly the addresses it checked', async () => {
    const addresses = [{ address: '52.216.0.1', family: 4 }, { address: '2600:1f18::1', family: 6 }];
    expect(await lookupOnce(async () => addresses)).toEqual({ error: null, address: addresses, family: undefined });
    expect(await lookupOnce(async () => addresses, { family: 6 })).toEqual({ error: null, address: '2600:1f18::1', family: 6 });
    expect(await lookupOnce(async () => addresses, {})).toEqual({ error: null, address: '52.216.0.1', family: 4 });
  });

  it('refuses a name when any of its addresses is not public, before any socket is opened', async () => {
    const { error } = await lookupOnce(async () => [{ address: '52.216.0.1', family: 4 }, { address: '10.0.0.7', family: 4 }]);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error!.message).toBe('The file link\'s host files.example.com resolves to a non-public address (private), and DOWNLOAD_ALLOW_PRIVATE_ADDRESSES is off');
  });

  it('resolves once per connection, so a rebinding answer is never used unchecked', async () => {
    // A rebinding resolver: public the first time, metadata endpoint afterwards.
    const answers = ['52.216.0.1', '169.254.169.254'];
    let calls = 0;
    const rebinding: ResolveHost = async () => [{ address: answers[Math.min(calls++, 1)]!, family: 4 }];
    expect((await lookupOnce(rebinding)).address).toEqual([{ address: '52.216.0.1', family: 4 }]);
    expect(calls).toBe(1);
    expect((await lookupOnce(rebinding)).error).toBeInstanceOf(DownloadError);
    expect(calls).toBe(2);
  });

  it('passes resolver failures through', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND files.example.com'), { code: 'ENOTFOUND' });
    expect((await lookupOnce(async () => Promise.reject(failure))).error).toBe(failure);
  });
});
