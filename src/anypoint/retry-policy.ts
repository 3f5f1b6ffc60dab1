/**
 * Retry policy as data (STYLE.md habit 2): which statuses are retried, for which methods, and
 * how long to wait. Anypoint signals overflow with 429 or 503 (and sometimes 500 on Exchange),
 * so those are treated alike.
 */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After or reset further away than this is not waited for: the call fails instead. */
  maxWaitMs: number;
  retryStatuses: ReadonlySet<number>;
  idempotentMethods: ReadonlySet<string>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  maxWaitMs: 30_000,
  retryStatuses: new Set([429, 500, 502, 503, 504]),
  idempotentMethods: new Set(['GET', 'HEAD', 'OPTIONS']),
};

/** Full-jitter exponential backoff, capped. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * How long the server asked us to wait: Retry-After (seconds or an HTTP date) first, then
 * X-RateLimit-Reset (epoch seconds) when the window is spent. Null when it said nothing.
 */
export function serverRequestedDelayMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | null {
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const remaining = headerValue(headers, 'x-ratelimit-remaining');
  const reset = headerValue(headers, 'x-ratelimit-reset');
  if (remaining === '0' && reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return null;
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
