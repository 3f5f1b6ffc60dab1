import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readConfig } from '../../src/config/config.js';
import { hashApiKey } from '../../src/server/api-keys.js';
import { createAuthenticator } from '../../src/server/auth.js';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** The value printed after "LABEL:" on its own line. */
function field(result: Run, label: string): string {
  const line = result.out.find((l) => l.startsWith(`${label}:`));
  if (!line) expect.fail(`no "${label}:" line in:\n${result.out.join('\n')}`);
  return line.slice(label.length + 1).trim();
}

describe('anypoint-graph hash-key', () => {
  it('prints a new key, its SHA-256 and the matching API_KEYS entry', async () => {
    const result = await run(['hash-key', '--name', 'okta', '--roles', 'provisioner,auditor']);
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    const key = field(result, 'Key');
    expect(key).toMatch(/^agk_[A-Za-z0-9_-]{43}$/);
    expect(field(result, 'SHA-256')).toBe(hashApiKey(key));
    expect(field(result, 'API_KEYS entry')).toBe(`okta:provisioner,auditor:${hashApiKey(key)}`);
  });

  it('generates a different key each time', async () => {
    const first = field(await run(['hash-key']), 'Key');
    const second = field(await run(['hash-key']), 'Key');
    expect(first).not.toBe(second);
  });

  it('prints an entry that readConfig accepts and that admits the key with those roles', async () => {
    const result = await run(['hash-key', '--name', 'portal.prod', '--roles', 'reader+auditor']);
    const key = field(result, 'Key');
    const config = readConfig({ API_KEYS: `other:reader:${'0'.repeat(64)};${field(result, 'API_KEYS entry')}` });
    expect(config.auth.apiKeys[1]).toEqual({ name: 'portal.prod', sha256: hashApiKey(key), roles: ['reader', 'auditor'] });
    const caller = await createAuthenticator(config.auth).authenticate({ 'x-api-key': key });
    expect(caller?.id).toBe('key:portal.prod');
    expect([...(caller?.roles ?? [])].sort()).toEqual(['auditor', 'reader']);
  });

  it('defaults to the name "client" and the reader role', async () => {
    const result = await run(['hash-key']);
    expect(field(result, 'API_KEYS entry')).toMatch(/^client:reader:[0-9a-f]{64}$/);
  });

  it('hashes a key given with --key instead of generating one', async () => {
    const given = 'my-existing-key-0123456789';
    const result = await run(['hash-key', '--key', given, '--roles', 'reader']);
    expect(result.code).toBe(0);
    expect(field(result, 'Key')).toBe(given);
    // Computed independently: printf %s my-existing-key-0123456789 | sha256sum
    expect(field(result, 'SHA-256')).toBe('49a8ee545795d89251c6687b8bc220e7e5ed974aef0dcc9030d9285d341b3224');
  });

  it('refuses an unknown role with exit code 2, naming it and the known roles', async () => {
    const result = await run(['hash-key', '--roles', 'reader,admin']);
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err.join('\n')).toContain('"admin"');
    expect(result.err.join('\n')).toContain('reader, provisioner, auditor');
  });

  it('refuses a name that API_KEYS could not hold, with exit code 2', async () => {
    expect((await run(['hash-key', '--name', 'has:colon'])).code).toBe(2);
  });

  it('refuses a short --key with exit code 2 and does not print it', async () => {
    const result = await run(['hash-key', '--key', 'hunter2']);
    expect(result.code).toBe(2);
    expect([...result.out, ...result.err].join('\n')).not.toContain('hunter2');
  });

  it('is listed in the top-level help and has its own', async () => {
    expect((await run(['--help'])).out.join('\n')).toContain('hash-key');
    const help = await run(['hash-key', '--help']);
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain('--roles');
  });
});
