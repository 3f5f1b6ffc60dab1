import { describe, expect, it } from 'vitest';
import { getMe, getOrganization } from '../../src/anypoint/accounts.js';
import {
  ME_ROUTE,
  ORG_ROUTE,
  USERS_ROUTE,
  anypointFailure,
  awayFromMinuteBoundary,
  clientFor,
  resetCounts,
  rowsOf,
  setFaults,
  setRateLimit,
  useSimClient,
} from './support.js';

const ctx = useSimClient({ client: 'manual', resetEach: (h) => setRateLimit(h, 20_000) });

describe('the Access Management rate-limit window', () => {
  it('fails fast with RATE_LIMITED when the overflow 503 asks for a wait longer than maxWaitMs', async () => {
    // The simulator's window is a fixed minute; stay clear of its edge so it cannot reset mid-test.
    await awayFromMinuteBoundary();
    ctx.client = clientFor(ctx.h, { retryPolicy: { maxAttempts: 4, maxWaitMs: 500 } });
    await ctx.client.tokens.getToken();
    await setRateLimit(ctx.h, 3);
    await resetCounts(ctx.h);
    const orgId = ctx.h.sim.store.rootOrgId;
    for (let i = 0; i < 3; i += 1) await getOrganization(ctx.client, orgId);
    // The third answer said X-RateLimit-Remaining: 0 with a reset seconds away (> maxWaitMs), so the
    // client does not sit out the window: it sends, gets the overflow 503, and stops there.
    const error = await anypointFailure(getMe(ctx.client));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(1);
    expect(error.route).toBe(ME_ROUTE);
    expect(error.upstreamMessage).toMatch(/wait \d+ s/);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 3 });
    expect(await rowsOf(ctx.h, 'GET', ME_ROUTE)).toEqual({ '503': 1 });
  });

  it('waits for a near reset announced with X-RateLimit-Remaining: 0 instead of spending the call', async () => {
    ctx.client = clientFor(ctx.h);
    await ctx.client.tokens.getToken();
    await resetCounts(ctx.h);
    // An injected 500 on a write is not retried, but its answer carries X-RateLimit-Remaining: 0
    // and a reset one to two seconds after the simulator received it; the next call must wait for it.
    await setFaults(ctx.h, { rules: [{ kind: '500', probability: 1, times: 1, method: 'POST', path: '/accounts/**' }] });
    const before = Date.now();
    const failed = await anypointFailure(
      ctx.client.request({ method: 'POST', route: USERS_ROUTE, params: { orgId: ctx.h.sim.store.rootOrgId }, body: {} }),
    );
    expect(failed.status).toBe(500);
    expect(failed.attempts).toBe(1);
    const me = await getMe(ctx.client);
    expect(me.client?.client_id).toBe(ctx.h.sim.demoApp.clientId);
    // Lower bound only: the reset was announced as ceil(now s) + 1, at least a second after `before`.
    expect(Date.now() - before).toBeGreaterThanOrEqual(990);
    expect(await rowsOf(ctx.h, 'GET', ME_ROUTE)).toEqual({ '200': 1 });
  });
});
