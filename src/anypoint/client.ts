import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { AdaptiveLimiter, DEFAULT_CEILING } from './concurrency.js';
import { createDownloader, DEFAULT_DOWNLOAD_LIMITS, type DownloadLimits } from './download.js';
import { AnypointError } from './errors.js';
import { withRetry, type RetryHooks } from './retry.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { createTokenProvider, type TokenProvider } from './token-provider.js';
import { send, type TransportRequest, type TransportResponse } from './transport.js';

/**
 * The Anypoint REST client: one request() with auth, rate-limit awareness, retry, timeouts,
 * cancellation and GET de-duplication composed around undici (STYLE.md habit 1). API families
 * (users.ts, teams.ts, ...) are thin functions over it. This module never imports graphql.
 */

export type QueryValue = string | number | boolean | readonly string[] | undefined | null;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Route template, e.g. /accounts/api/organizations/{orgId}/users; {names} filled from params. */
  route: string;
  params?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** Propagated as X-Request-Id so a gateway request can be traced upstream. */
  requestId?: string;
  /** A POST that only reads (a search): retried on overflow like a GET. */
  readOnly?: boolean;
}

export interface UpstreamCall {
  method: string;
  route: string;
  status: number | null;
  durationMs: number;
  requestId: string;
  /** 1 for the first try of a request, 2 for its first retry, ... */
  attempt: number;
}

/** One upstream send as tracing sees it: headers to add (traceparent) and a call when it ends. */
export interface TracedCall {
  headers: Record<string, string>;
  end(status: number | null): void;
}

export interface AnypointClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /**
   * Ceiling of the adaptive concurrency (concurrency.ts): open connections (one request each) to
   * the control plane, and the most calls in flight at once. 64 by default.
   */
  maxConnections?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  retryPolicy?: Partial<RetryPolicy>;
  onRetry?: (info: Parameters<NonNullable<RetryHooks['onRetry']>>[0] & { requestId: string }) => void;
  /** Called once per completed upstream attempt, for logs and metrics. */
  onCall?: (call: UpstreamCall) => void;
  /** Called before waiting for a spent rate-limit window to reset (metrics). */
  onRateLimitWait?: (info: { method: string; route: string; waitMs: number }) => void;
  /** 'fixed': the former fixed cap of maxConnections, for comparisons in tests (concurrency.ts). */
  concurrency?: 'adaptive' | 'fixed';
  /** A product's concurrency limit or calls in flight changed (metrics). */
  onConcurrency?: (info: { product: string; limit: number; inFlight: number }) => void;
  /** Wraps each send (tracing): its headers go out with the request; end() runs when it settles. */
  traceCall?: (call: { method: string; route: string; requestId: string; attempt: number }) => TracedCall | undefined;
  /** Extra headers per call (e.g. traceparent), computed at send time. */
  headers?: () => Record<string, string>;
  /** What download() may fetch and how much (download.ts); only the control plane, 10 MB, by default. */
  downloads?: Partial<DownloadLimits>;
  dispatcher?: Dispatcher;
}

export interface AnypointClient {
  /** Control plane origin + client id: partitions caches so two credentials never share entries. */
  readonly identity: string;
  readonly origin: string;
  readonly tokens: TokenProvider;
  request<T>(options: RequestOptions): Promise<T>;
  /**
   * GETs a signed absolute URL (Exchange file links) without the bearer token, if the download
   * policy admits it; DownloadError (DOWNLOAD_REFUSED, DOWNLOAD_TOO_LARGE) when not.
   */
  download(url: string, options?: { signal?: AbortSignal; requestId?: string }): Promise<{ body: unknown; contentType: string }>;
  /** Waits for calls in flight; `force` aborts them instead (a shutdown that ran out of time). */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Each route template split once into literal text and parameter names ([text, name, text, ...,
 * text]): a call's path is then a join, not a regex replace per call. Templates are the fixed
 * set of the API modules (they are metric labels too), so this stays small.
 */
const routeParts = new Map<string, string[]>();

/** A lone surrogate cannot be percent-encoded (URIError); as U+FFFD it names nothing, and the platform says so. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (text: string): string => text.replace(LONE_SURROGATE, '\uFFFD');

export function expandRoute(route: string, params: Record<string, string | number> = {}): string {
  let parts = routeParts.get(route);
  if (!parts) {
    parts = route.split(/\{(\w+)\}/);
    routeParts.set(route, parts);
  }
  let path = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`Missing path parameter ${name} for ${route}`);
    path += encodeURIComponent(wellFormed(String(value))) + parts[i + 1]!;
  }
  return path;
}

export function queryString(query: Record<string, QueryValue> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Shares one upstream GET between identical concurrent callers. The shared call is aborted only
 * when every caller waiting on it has aborted.
 */
class InflightGets {
  private readonly entries = new Map<string, { promise: Promise<unknown>; controller: AbortController; waiting: number }>();

  run<T>(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const aborted = () => new AnypointError({ status: null, code: 'ABORTED', method: 'GET', route: key.split(' ')[0]!, upstreamMessage: 'The request was cancelled' });
    // Already cancelled: neither start nor join a shared call (starting one would leave its rejection unhandled).
    if (signal?.aborted) return Promise.reject(aborted());
    let entry = this.entries.get(key);
    if (!entry) {
      const controller = new AbortController();
      const created: { promise: Promise<unknown>; controller: AbortController; waiting: number } = { promise: Promise.resolve(), controller, waiting: 0 };
      created.promise = start(controller.signal).finally(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      // Each waiter observes the outcome through its own chain; this only keeps an abandoned call's rejection handled.
      created.promise.catch(() => undefined);
      entry = created;
      this.entries.set(key, entry);
    }
    const shared = entry;
    shared.waiting += 1;
    if (!signal) return shared.promise as Promise<T>;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        shared.waiting -= 1;
        if (shared.waiting === 0) {
          shared.controller.abort(signal.reason);
          // An abandoned call must not be handed to a later caller of the same GET.
          if (this.entries.get(key) === shared) this.entries.delete(key);
        }
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      (shared.promise as Promise<T>).then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

export function createAnypointClient(options: AnypointClientOptions): AnypointClient {
  const origin = new URL(options.baseUrl).origin;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
  const ceiling = options.maxConnections ?? DEFAULT_CEILING;
  const dispatcher =
    options.dispatcher ??
    new Agent({
      // The pool allows the limiter's ceiling; the limiter decides how much of it is used.
      connections: ceiling,
      pipelining: 1,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      headersTimeout: options.headersTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 30_000,
      keepAliveTimeout: 30_000,
    });
  const tokens = createTokenProvider({ dispatcher, origin, clientId: options.clientId, clientSecret: options.clientSecret, retryPolicy: policy });
  const inflight = new InflightGets();
  let closed = false;
  // How many calls run at once, adapted to the platform's rate-limit headers and refusals; it also
  // waits out a spent per-minute window instead of burning a 503 (concurrency.ts has the rule).
  const limiter = new AdaptiveLimiter({ ceiling, mode: options.concurrency, maxWaitMs: policy.maxWaitMs, onChange: options.onConcurrency, onRateLimitWait: options.onRateLimitWait });

  /** One send, reported to onCall and traced; a 401 replay is a second send of the same attempt. */
  async function observedSend(request: TransportRequest, requestId: string, attempt: number): Promise<TransportResponse> {
    const { method, route } = request;
    const traced = options.traceCall?.({ method, route, requestId, attempt });
    const started = performance.now();
    let status: number | null = null;
    try {
      const response = await send(dispatcher, origin, traced ? { ...request, headers: { ...request.headers, ...traced.headers } } : request);
      status = response.status;
      return response;
    } finally {
      traced?.end(status);
      options.onCall?.({ method, route, status, durationMs: performance.now() - started, requestId, attempt });
    }
  }

  async function attemptOnce(method: string, route: string, path: string, body: string | undefined, requestId: string, attempt: number, signal?: AbortSignal): Promise<TransportResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': requestId, ...options.headers?.() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // The slot first: a call that waited in the queue (a spent window, say) then sends with the current token.
    const slot = await limiter.acquire(method, route, signal);
    let response: TransportResponse | null = null;
    try {
      const token = await tokens.getToken();
      headers.authorization = `Bearer ${token}`;
      response = await observedSend({ method, path, route, headers, body, signal }, requestId, attempt);
      if (response.status === 401) {
        // The token died early (revoked, expired at the platform): refresh once and replay.
        tokens.invalidate(token);
        headers.authorization = `Bearer ${await tokens.getToken()}`;
        response = await observedSend({ method, path, route, headers, body, signal }, requestId, attempt);
      }
      return response;
    } finally {
      slot.release(response);
    }
  }

  /** onRetry with the request id, so a retry can be found in the logs next to its calls. */
  const retryHooks = (requestId: string): RetryHooks => ({ onRetry: options.onRetry && ((info) => options.onRetry!({ ...info, requestId })) });

  const downloads = createDownloader({
    controlPlaneOrigin: origin,
    controlPlane: dispatcher,
    limits: { ...DEFAULT_DOWNLOAD_LIMITS, ...options.downloads },
    retryPolicy: policy,
    retryHooks,
    onCall: options.onCall,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
  });

  async function perform(opts: RequestOptions, path: string, signal: AbortSignal | undefined): Promise<unknown> {
    const method = opts.method ?? 'GET';
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const requestId = opts.requestId ?? randomUUID();
    let attempt = 0;
    const response = await withRetry(
      policy,
      { method, route: opts.route, idempotent: opts.readOnly === true || policy.idempotentMethods.has(method), signal },
      () => attemptOnce(method, opts.route, path, body, requestId, ++attempt, signal),
      retryHooks(requestId),
    );
    return response.body;
  }

  return {
    identity: `${origin}|${options.clientId}`,
    origin,
    tokens,
    request<T>(opts: RequestOptions): Promise<T> {
      const method = opts.method ?? 'GET';
      let path: string;
      try {
        path = expandRoute(opts.route, opts.params) + queryString(opts.query);
      } catch (error) {
        return Promise.reject(error);
      }
      if (method !== 'GET') return perform(opts, path, opts.signal) as Promise<T>;
      return inflight.run(`${opts.route} ${path}`, opts.signal, (shared) => perform(opts, path, shared)) as Promise<T>;
    },
    download: (url, downloadOptions) => downloads.download(url, downloadOptions),
    async close({ force = false } = {}) {
      // Idempotent: shutdown paths may overlap (a signal during a failed start, tests' cleanup).
      if (closed) return;
      closed = true;
      // Calls still queued for a slot go out first (the pool refuses requests once closed); forced, they fail.
      limiter.close(force);
      await limiter.drain();
      await downloads.close(force);
      // An injected dispatcher belongs to whoever injected it.
      if (!options.dispatcher) await (force ? dispatcher.destroy() : dispatcher.close());
    },
  };
}
