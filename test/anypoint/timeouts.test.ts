import { describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { getMe } from '../../src/anypoint/accounts.js';
import { ME_ROUTE, anypointFailure, clientFor, setFaults, useSimClient } from './support.js';

const ctx = useSimClient({ client: 'manual' });

/**
 * A client with a short headers timeout whose token is fetched before the latency is switched on.
 * undici runs its headers timer on a coarse (about one second) clock, so the latency has to be
 * well past a second for a 100 ms timeout to fire before the answer.
 */
async function slowPlatformClient(maxAttempts: number): Promise<AnypointClient> {
  ctx.client = clientFor(ctx.h, { headersTimeoutMs: 100, retryPolicy: { maxAttempts } });
  await ctx.client.tokens.getToken();
  await setFaults(ctx.h, { latency: { minMs: 2500, maxMs: 2500 } });
  return ctx.client;
}

describe('timeouts', () => {
  it('reports a platform slower than headersTimeoutMs as TIMEOUT', async () => {
    const c = await slowPlatformClient(1);
    const error = await anypointFailure(getMe(c));
    expect(error.code).toBe('TIMEOUT');
    expect(error.status).toBeNull();
    expect(error.attempts).toBe(1);
    expect(error.method).toBe('GET');
    expect(error.route).toBe(ME_ROUTE);
  });

  it('retries a timed-out GET up to maxAttempts', async () => {
    const c = await slowPlatformClient(2);
    const error = await anypointFailure(getMe(c));
    expect(error.code).toBe('TIMEOUT');
    expect(error.attempts).toBe(2);
  });

  it('reports a timed-out token request as TIMEOUT too', async () => {
    await setFaults(ctx.h, { latency: { minMs: 2500, maxMs: 2500 } });
    ctx.client = clientFor(ctx.h, { headersTimeoutMs: 100, retryPolicy: { maxAttempts: 1 } });
    const error = await anypointFailure(getMe(ctx.client));
    expect(error.code).toBe('TIMEOUT');
  });
});
