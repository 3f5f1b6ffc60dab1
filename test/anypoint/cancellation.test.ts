import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { getMe } from '../../src/anypoint/accounts.js';
import { ME_ROUTE, USERS_ROUTE, anypointFailure, rowsOf, setFaults, useSimClient } from './support.js';

const ctx = useSimClient();

describe('cancellation', () => {
  it('rejects an in-flight GET with ABORTED when its signal aborts', async () => {
    await setFaults(ctx.h, { latency: { minMs: 300, maxMs: 300 } });
    const controller = new AbortController();
    const call = getMe(ctx.client, { signal: controller.signal });
    await sleep(50);
    controller.abort();
    const error = await anypointFailure(call);
    expect(error.code).toBe('ABORTED');
    expect(error.status).toBeNull();
    expect(error.route).toBe(ME_ROUTE);
  });

  it('rejects an in-flight POST with ABORTED and does not retry it', async () => {
    await setFaults(ctx.h, { latency: { minMs: 300, maxMs: 300 } });
    const controller = new AbortController();
    const call = ctx.client.request({ method: 'POST', route: USERS_ROUTE, params: { orgId: ctx.h.sim.store.rootOrgId }, body: {}, signal: controller.signal });
    await sleep(50);
    controller.abort();
    const error = await anypointFailure(call);
    expect(error.code).toBe('ABORTED');
    expect(error.method).toBe('POST');
    expect(error.attempts).toBe(1);
    // Wait for the simulator to finish the one request it did receive.
    await sleep(400);
    const rows = await rowsOf(ctx.h, 'POST', USERS_ROUTE);
    expect(Object.values(rows).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('never sends a GET whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await anypointFailure(getMe(ctx.client, { signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    await sleep(50);
    expect(await rowsOf(ctx.h, 'GET', ME_ROUTE)).toEqual({});
  });

  it('never sends a POST whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await anypointFailure(
      ctx.client.request({ method: 'POST', route: USERS_ROUTE, params: { orgId: ctx.h.sim.store.rootOrgId }, body: {}, signal: controller.signal }),
    );
    expect(error.code).toBe('ABORTED');
    await sleep(50);
    expect(await rowsOf(ctx.h, 'POST', USERS_ROUTE)).toEqual({});
  });

  it('stops waiting out a retry delay when aborted', async () => {
    // Retry-After: 1 s; the abort lands during that wait.
    await setFaults(ctx.h, { rules: [{ kind: '429', probability: 1, path: '/exchange/**' }] });
    const controller = new AbortController();
    const call = ctx.client.request({ route: '/exchange/api/v2/assets', signal: controller.signal });
    await sleep(200);
    controller.abort();
    const error = await anypointFailure(call);
    expect(error.code).toBe('ABORTED');
    // Past the moment the retry would have gone out: the shared upstream call was abandoned too.
    await sleep(1200);
    expect(await rowsOf(ctx.h, 'GET', '/exchange/api/v2/assets')).toEqual({ '429': 1 });
  });
});
