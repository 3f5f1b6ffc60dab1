import type { Dispatcher } from 'undici';
import { AnypointError, upstreamMessageOf } from './errors.js';
import { withRetry } from './retry.js';
import type { RetryPolicy } from './retry-policy.js';
import { send } from './transport.js';

/**
 * Connected-app client credentials -> bearer token (API.md §1.1). The token is cached until a
 * little before it expires, concurrent callers share one refresh, and the token request goes
 * straight to the transport: it never passes through the auth layer it feeds.
 */
export interface TokenProviderOptions {
  dispatcher: Dispatcher;
  origin: string;
  clientId: string;
  clientSecret: string;
  retryPolicy: RetryPolicy;
  /** Refresh this long before expiry, so a token never dies mid-flight. */
  refreshMarginMs?: number;
  now?: () => number;
}

export interface TokenProvider {
  /** A valid token, fetching one when none is cached. */
  getToken(): Promise<string>;
  /** Drops `token` if it is still the cached one (after a 401), so the next call refreshes. */
  invalidate(token: string): void;
  /** How many tokens were fetched; for tests and metrics. */
  readonly fetchCount: number;
}

export const TOKEN_ROUTE = '/accounts/api/v2/oauth2/token';

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: { token: string; refreshAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  let fetchCount = 0;

  async function fetchToken(): Promise<string> {
    fetchCount += 1;
    const response = await withRetry(options.retryPolicy, { method: 'POST', route: TOKEN_ROUTE, idempotent: true }, () =>
      send(options.dispatcher, options.origin, {
        method: 'POST',
        path: TOKEN_ROUTE,
        route: TOKEN_ROUTE,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret }),
      }),
    ).catch((error: unknown) => {
      if (error instanceof AnypointError && error.status === 401) {
        throw new AnypointError({ status: 401, code: 'UNAUTHENTICATED', method: 'POST', route: TOKEN_ROUTE, upstreamMessage: 'The connected app credentials were refused' });
      }
      throw error;
    });
    const body = (response.body ?? {}) as Record<string, unknown>;
    if (typeof body.access_token !== 'string') {
      throw new AnypointError({ status: response.status, code: 'UPSTREAM_UNAVAILABLE', method: 'POST', route: TOKEN_ROUTE, upstreamMessage: upstreamMessageOf(body) ?? 'The token response had no access_token' });
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    // Short-lived tokens still get half their life, so a tiny lifetime never means "always stale".
    cached = { token: body.access_token, refreshAt: now() + Math.max(lifetimeMs - margin, lifetimeMs / 2) };
    return body.access_token;
  }

  return {
    async getToken() {
      if (cached && now() < cached.refreshAt) return cached.token;
      inflight ??= fetchToken().finally(() => {
        inflight = null;
      });
      return inflight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
    get fetchCount() {
      return fetchCount;
    },
  };
}
