import { isIpLiteral, nonPublicRange } from './address-ranges.js';
import { downloadRefused } from './download-errors.js';

/**
 * Which file links the gateway may fetch. Exchange hands out signed links that point at object
 * storage; the links come from upstream data, so without a policy any of them could make the
 * gateway fetch an internal service or a cloud metadata endpoint on the caller's behalf (SSRF).
 *
 * - A link on the control plane's own origin is always allowed: the client talks to it anyway.
 * - Any other link needs a host on the allow-list (`*.` matches subdomains), https (plain http
 *   only to loopback), and an address on the public internet unless private addresses are
 *   allowed. IP literals are checked here; host names where they are resolved
 *   (checked-lookup.ts), so the address checked is the address connected to.
 */
export interface DownloadPolicyOptions {
  controlPlaneOrigin: string;
  allowedHosts: readonly string[];
  allowPrivateAddresses: boolean;
}

export interface AdmittedLink {
  url: URL;
  /** On the control plane's origin: fetched like any other platform call, without address checks. */
  onControlPlane: boolean;
}

export interface DownloadPolicy {
  /** The link parsed, or DOWNLOAD_REFUSED saying why not. `subject` names the link in that message. */
  admit(link: string | URL, subject?: string): AdmittedLink;
  /** DOWNLOAD_REFUSED when any address `host` resolved to is not public (and that is not allowed). */
  checkResolved(host: string, addresses: readonly string[]): void;
}

/** Lower case, no trailing dot, IP literals in their canonical spelling (as URL.hostname gives them). */
function canonicalHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (lower.startsWith('*.')) return lower;
  try {
    return new URL(`http://${lower}/`).hostname;
  } catch {
    return lower;
  }
}

/** Whether `hostname` (as URL.hostname spells it) is named by `pattern`; `*.example.com` matches subdomains only. */
export function hostMatches(pattern: string, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return host === pattern;
  // A wildcard names domains, never IP addresses (`*.0.0.1` must not match 10.0.0.1).
  if (isIpLiteral(host)) return false;
  const suffix = pattern.slice(1);
  return host.length > suffix.length && host.endsWith(suffix);
}

/** Loopback, where plain http is allowed: localhost, 127.0.0.0/8 and ::1. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || (isIpLiteral(hostname) && nonPublicRange(hostname) === 'loopback');
}

export function createDownloadPolicy(options: DownloadPolicyOptions): DownloadPolicy {
  const patterns = options.allowedHosts.map(canonicalHost);

  /** `what` leads into "a non-public address (loopback)", e.g. "The file link points at 10.0.0.1, which is". */
  const checkAddresses = (what: string, addresses: readonly string[]) => {
    if (options.allowPrivateAddresses) return;
    for (const address of addresses) {
      const range = nonPublicRange(address);
      if (range) throw downloadRefused(`${what} a non-public address (${range}), and DOWNLOAD_ALLOW_PRIVATE_ADDRESSES is off`);
    }
  };

  return {
    admit(link, subject = 'The file link') {
      let url: URL;
      try {
        url = typeof link === 'string' ? new URL(link) : link;
      } catch {
        throw downloadRefused(`${subject} is not a valid URL`);
      }
      if (url.origin === options.controlPlaneOrigin) return { url, onControlPlane: true };
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw downloadRefused(`${subject} uses ${url.protocol.replace(/:$/, '')}; only https is allowed`);
      if (!patterns.some((pattern) => hostMatches(pattern, url.hostname))) {
        throw downloadRefused(`${subject} points at ${url.host}, which is not the control plane and not on DOWNLOAD_ALLOWED_HOSTS`);
      }
      if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw downloadRefused(`${subject} to ${url.host} is plain http; only https is allowed off loopback`);
      if (isIpLiteral(url.hostname)) checkAddresses(`${subject} points at ${url.host}, which is`, [url.hostname]);
      return { url, onControlPlane: false };
    },
    checkResolved(host, addresses) {
      checkAddresses(`The file link's host ${host} resolves to`, addresses);
    },
  };
}
