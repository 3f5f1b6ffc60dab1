import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { checkedLookup, type ResolveHost } from './checked-lookup.js';
import { DownloadError, downloadRefused } from './download-errors.js';
import { createDownloadPolicy, type AdmittedLink } from './download-policy.js';
import { AnypointError } from './errors.js';
import { ResponseTooLargeError } from './http-exchange.js';
import { withRetry, type RetryHooks } from './retry.js';
import { headerValue, type RetryPolicy } from './retry-policy.js';
import { send, type TransportResponse } from './transport.js';

/**
 * Spec file downloads from the signed links Exchange hands out: each link (and each redirect
 * hop) admitted by the download policy, every body capped, and links off the control plane
 * fetched through an agent of their own whose DNS lookups are checked. No bearer token and no
 * traceparent go out: a signed link may point outside Anypoint.
 */
export interface DownloadLimits {
  /** Body bytes one download may transfer. */
  maxBytes: number;
  /** Hosts (a leading `*.` matches subdomains) links may point at besides the control plane. */
  allowedHosts: readonly string[];
  /** Allow hosts on the list that are, or resolve to, private, link-local or loopback addresses. */
  allowPrivateAddresses: boolean;
  /** How host names are resolved (tests); the system resolver by default. */
  resolveHost?: ResolveHost;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { maxBytes: 10 * 1_048_576, allowedHosts: [], allowPrivateAddresses: false };

/** Redirect hops followed, each one admitted like the link itself (S3 answers 307 for a bucket's region). */
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface DownloaderOptions {
  controlPlaneOrigin: string;
  /** The client's own dispatcher, for links on the control plane. */
  controlPlane: Dispatcher;
  limits: DownloadLimits;
  retryPolicy: RetryPolicy;
  retryHooks: (requestId: string) => RetryHooks;
  onCall?: (call: { method: string; route: string; status: number | null; durationMs: number; requestId: string; attempt: number }) => void;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface Downloader {
  download(link: string, options?: { signal?: AbortSignal; requestId?: string }): Promise<{ body: unknown; contentType: string }>;
  close(force: boolean): Promise<void>;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1_048_576) * 10) / 10} MB`;

export function createDownloader(options: DownloaderOptions): Downloader {
  const { limits } = options;
  const policy = createDownloadPolicy({ controlPlaneOrigin: options.controlPlaneOrigin, allowedHosts: limits.allowedHosts, allowPrivateAddresses: limits.allowPrivateAddresses });
  // Created on the first link off the control plane; most gateways never need it.
  let outside: Agent | null = null;
  const dispatcherFor = (link: AdmittedLink): Dispatcher =>
    link.onControlPlane
      ? options.controlPlane
      : (outside ??= new Agent({
          connections: 4,
          connect: { timeout: options.connectTimeoutMs, lookup: checkedLookup(policy, limits.resolveHost) },
          headersTimeout: options.headersTimeoutMs,
          bodyTimeout: options.bodyTimeoutMs,
        }));

  /** One hop, retried like any idempotent read; a body over the cap ends it at once. */
  async function fetchHop(link: AdmittedLink, requestId: string, signal: AbortSignal | undefined): Promise<TransportResponse> {
    const { url } = link;
    const route = `${url.origin}/<signed file link>`;
    let attempt = 0;
    return withRetry(
      options.retryPolicy,
      { method: 'GET', route, idempotent: true, signal },
      async () => {
        attempt += 1;
        const started = performance.now();
        let status: number | null = null;
        try {
          const response = await send(dispatcherFor(link), url.origin, {
            method: 'GET',
            path: `${url.pathname}${url.search}`,
            route,
            headers: { 'x-request-id': requestId },
            signal,
            maxBodyBytes: limits.maxBytes,
          });
          status = response.status;
          return response;
        } catch (error) {
          if (error instanceof ResponseTooLargeError) {
            throw new DownloadError('DOWNLOAD_TOO_LARGE', `The file at ${url.host} is larger than ${megabytes(limits.maxBytes)} (DOWNLOAD_MAX_MB); the download was stopped`);
          }
          throw error;
        } finally {
          options.onCall?.({ method: 'GET', route, status, durationMs: performance.now() - started, requestId, attempt });
        }
      },
      options.retryHooks(requestId),
    );
  }

  return {
    async download(rawLink, { signal, requestId = randomUUID() } = {}) {
      let link = policy.admit(rawLink);
      for (let hop = 0; ; hop += 1) {
        const response = await fetchHop(link, requestId, signal);
        if (!REDIRECT_STATUSES.has(response.status)) {
          return { body: response.body, contentType: String(headerValue(response.headers, 'content-type') ?? '') };
        }
        const location = headerValue(response.headers, 'location');
        if (!location) {
          throw new AnypointError({ status: response.status, code: 'UPSTREAM_UNAVAILABLE', method: 'GET', route: `${link.url.origin}/<signed file link>`, upstreamMessage: 'A redirect without a Location' });
        }
        if (hop === MAX_REDIRECTS) throw downloadRefused(`The file link at ${link.url.host} redirected more than ${MAX_REDIRECTS} times`);
        let next: URL;
        try {
          next = new URL(location, link.url);
        } catch {
          throw downloadRefused(`The file link at ${link.url.host} redirected to an invalid URL`);
        }
        link = policy.admit(next, `The redirect from ${link.url.host}`);
      }
    },
    async close(force) {
      if (outside) await (force ? outside.destroy() : outside.close());
    },
  };
}
