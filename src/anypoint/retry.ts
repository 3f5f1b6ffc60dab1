import { setTimeout as sleep } from 'node:timers/promises';
import { AnypointError, codeForStatus, upstreamMessageOf } from './errors.js';
import { backoffDelay, serverRequestedDelayMs, type RetryPolicy } from './retry-policy.js';
import type { TransportResponse } from './transport.js';

export interface RetryHooks {
  /** Called before each wait, for metrics and logs. */
  onRetry?: (info: { method: string; route: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface RetryTarget {
  method: string;
  route: string;
  /** Writes are retried only when the platform provably did not act (e.g. a 429/503 answer). */
  idempotent: boolean;
  signal?: AbortSignal;
}

async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted while waiting: the next attempt sees the aborted signal and fails as ABORTED.
  }
}

/**
 * Runs an attempt until it succeeds or the policy says stop. Non-2xx responses become
 * AnypointErrors here; 401 handling lives in the auth layer, below this one.
 */
export async function withRetry(
  policy: RetryPolicy,
  target: RetryTarget,
  attempt: () => Promise<TransportResponse>,
  hooks: RetryHooks = {},
): Promise<TransportResponse> {
  const { method, route, signal } = target;
  for (let n = 1; ; n += 1) {
    if (signal?.aborted) {
      throw new AnypointError({ status: null, code: 'ABORTED', method, route, upstreamMessage: 'The request was cancelled', attempts: n - 1 });
    }
    let response: TransportResponse | undefined;
    let failure: AnypointError | undefined;
    try {
      response = await attempt();
    } catch (error) {
      if (!(error instanceof AnypointError)) throw error;
      failure = error;
    }
    if (response && response.status < 400) return response;

    const status = response?.status ?? null;
    // A connection reset on a write leaves its outcome unknown; only reads are safe to resend.
    const retriableFailure = failure ? failure.code === 'UPSTREAM_UNAVAILABLE' || failure.code === 'TIMEOUT' : false;
    // An overflow answer (429/503) means the platform refused the request, so even writes may retry.
    const refused = status === 429 || status === 503;
    const retriable =
      n < policy.maxAttempts &&
      ((status !== null && policy.retryStatuses.has(status) && (target.idempotent || refused)) || (retriableFailure && target.idempotent));

    if (!retriable) {
      if (failure) {
        throw new AnypointError(
          {
            status: failure.status,
            code: failure.code,
            method,
            route,
            upstreamMessage: failure.upstreamMessage,
            attempts: n,
            outcomeUnknown: !target.idempotent && (failure.code === 'UPSTREAM_UNAVAILABLE' || failure.code === 'TIMEOUT'),
          },
          { cause: failure.cause ?? failure },
        );
      }
      const code = status === 503 && refused ? 'RATE_LIMITED' : codeForStatus(status!);
      throw new AnypointError({ status, code, method, route, upstreamMessage: upstreamMessageOf(response!.body), attempts: n });
    }

    const requested = response ? serverRequestedDelayMs(response.headers) : null;
    if (requested !== null && requested > policy.maxWaitMs) {
      throw new AnypointError({ status, code: 'RATE_LIMITED', method, route, upstreamMessage: `The platform asked to wait ${Math.ceil(requested / 1000)} s`, attempts: n });
    }
    const delayMs = requested ?? backoffDelay(policy, n);
    // Cancelled meanwhile: no retry (and none reported); the check at the top ends it as ABORTED.
    if (signal?.aborted) continue;
    hooks.onRetry?.({ method, route, attempt: n, delayMs, reason: status !== null ? String(status) : (failure?.code ?? 'error') });
    await wait(delayMs, signal);
  }
}
