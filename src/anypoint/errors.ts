/**
 * The one error type of the Anypoint client. It carries what a caller or an operator needs
 * (status, stable code, method, route template, upstream message) and nothing secret: no
 * headers, no bearer token, no client secret, no request body.
 */
export const ANYPOINT_ERROR_CODES = [
  'BAD_REQUEST', // 400: the platform rejected the input
  'UNAUTHENTICATED', // 401 even after one token refresh, or the token request itself failed
  'FORBIDDEN', // 403: the connected app lacks a scope
  'NOT_FOUND', // 404
  'CONFLICT', // 409
  'RATE_LIMITED', // 429/503 still failing after the retry budget
  'UPSTREAM_UNAVAILABLE', // other 5xx, connection resets, unparseable responses
  'TIMEOUT', // connect, headers or body timeout
  'ABORTED', // the caller cancelled
] as const;
export type AnypointErrorCode = (typeof ANYPOINT_ERROR_CODES)[number];

export interface AnypointErrorDetails {
  status: number | null;
  code: AnypointErrorCode;
  method: string;
  /** The route template, e.g. /accounts/api/organizations/{orgId}/users: ids stay out of logs. */
  route: string;
  upstreamMessage?: string;
  attempts?: number;
  /** Whether a write may have reached the platform (its response was lost). */
  outcomeUnknown?: boolean;
}

export class AnypointError extends Error {
  readonly status: number | null;
  readonly code: AnypointErrorCode;
  readonly method: string;
  readonly route: string;
  readonly upstreamMessage: string | undefined;
  readonly attempts: number;
  readonly outcomeUnknown: boolean;

  constructor(details: AnypointErrorDetails, options?: { cause?: unknown }) {
    const suffix = details.upstreamMessage ? `: ${details.upstreamMessage}` : '';
    super(`Anypoint ${details.method} ${details.route} failed with ${details.status ?? details.code}${suffix}`, options);
    this.name = 'AnypointError';
    this.status = details.status;
    this.code = details.code;
    this.method = details.method;
    this.route = details.route;
    this.upstreamMessage = details.upstreamMessage;
    this.attempts = details.attempts ?? 1;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }

  toJSON() {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      method: this.method,
      route: this.route,
      upstreamMessage: this.upstreamMessage,
      attempts: this.attempts,
    };
  }
}

export function codeForStatus(status: number): AnypointErrorCode {
  if (status === 400 || status === 422) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  return 'UPSTREAM_UNAVAILABLE';
}

/** The platform's error bodies differ by product (API.md §0); pull out one readable sentence. */
export function upstreamMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (typeof record.message === 'string') return record.message;
    const first = Array.isArray(record.errors) ? (record.errors[0] as Record<string, unknown> | undefined) : undefined;
    if (first && typeof first.message === 'string') return first.message;
  }
  return undefined;
}
