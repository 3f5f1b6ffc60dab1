import { describe, expect, it } from 'vitest';
import type { AnypointClient, AnypointClientOptions } from '../../src/anypoint/client.js';
import { EXCHANGE_SEARCH_ROUTE, USERS_ROUTE, clientFor, resetCounts, setFaults, useSimClient } from './support.js';
import type { SimHarness } from '../helpers/simulator.js';

/**
 * The adaptive upstream concurrency (src/anypoint/concurrency.ts), over real HTTP against the
 * simulator: it climbs past the former fixed 16 when the platform's budget allows and there is
 * work, never past the ceiling, stays at 16 for a product that sends no rate-limit headers, and
 * under a tight budget draws no more refusals than the fixed 16 did.
 */

const ctx = useSimClient({ client: 'manual', resetEach: (h) => setWindow(h, 20_000, 60) });

async function setWindow(h: SimHarness, perWindow: number, windowSeconds: number): Promise<void> {
  const res = await fetch(`${h.url}/__sim/rate-limit`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perMinute: perWindow, windowSeconds }) });
  expect(res.status).toBe(200);
}

async function peakInFlight(h: SimHarness): Promise<number> {
  return ((await (await fetch(`${h.url}/__sim/in-flight`)).json()) as { peak: number }).peak;
}

async function resetPeak(h: SimHarness): Promise<void> {
  expect((await fetch(`${h.url}/__sim/in-flight`, { method: 'DELETE' })).status).toBe(204);
}

/** 429 and 503 answers the simulator sent, over every route (tokens excluded). */
async function refusals(h: SimHarness): Promise<number> {
  const { routes } = await h.counts();
  return routes.filter((r) => r.status === 429 || r.status === 503).reduce((n, r) => n + r.count, 0);
}

/** `n` distinct reads of one user page each (distinct paths: the client's GET sharing cannot merge them). */
const userReads = (client: AnypointClient, orgId: string, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => client.request<{ data: Array<{ id: string }> }>({ route: USERS_ROUTE, params: { orgId }, query: { offset: i % 10, limit: 1 + Math.floor(i / 10) } })));

/** A client whose highest reported limit and in-flight count (the gauge's feed) are recorded. */
function observedClient(h: SimHarness, options: Partial<AnypointClientOptions>) {
  const seen = { limit: 0, inFlight: 0 };
  const client = clientFor(h, {
    ...options,
    onConcurrency: (info) => {
      seen.limit = Math.max(seen.limit, info.limit);
      seen.inFlight = Math.max(seen.inFlight, info.inFlight);
    },
  });
  return { client, seen };
}

describe('adaptive upstream concurrency', () => {
  it('climbs above 16 calls in flight when the budget allows and there is work, and never past the ceiling', async () => {
    const { client, seen } = observedClient(ctx.h, { maxConnections: 40 });
    ctx.client = client;
    await client.tokens.getToken();
    await setFaults(ctx.h, { latency: { minMs: 40, maxMs: 40 } });
    await resetPeak(ctx.h);
    const pages = await userReads(client, ctx.h.sim.store.rootOrgId, 300);
    expect(pages).toHaveLength(300);
    const peak = await peakInFlight(ctx.h);
    expect(peak).toBeGreaterThan(16);
    expect(peak).toBeLessThanOrEqual(40);
    expect(seen.limit).toBeGreaterThan(16);
    expect(seen.limit).toBeLessThanOrEqual(40);
    expect(seen.inFlight).toBeLessThanOrEqual(40);
    expect(await refusals(ctx.h)).toBe(0);
  });

  it('keeps an operator who set ANYPOINT_MAX_CONNECTIONS=16 at 16 at most', async () => {
    const { client, seen } = observedClient(ctx.h, { maxConnections: 16 });
    ctx.client = client;
    await client.tokens.getToken();
    await setFaults(ctx.h, { latency: { minMs: 20, maxMs: 20 } });
    await resetPeak(ctx.h);
    await userReads(client, ctx.h.sim.store.rootOrgId, 200);
    expect(await peakInFlight(ctx.h)).toBeLessThanOrEqual(16);
    expect(await peakInFlight(ctx.h)).toBeGreaterThan(8);
    expect(seen.limit).toBe(16);
  });

  it('stays at 16 for a product that sends no rate-limit headers (Exchange), whatever the ceiling', async () => {
    const { client, seen } = observedClient(ctx.h, { maxConnections: 64 });
    ctx.client = client;
    await client.tokens.getToken();
    await setFaults(ctx.h, { latency: { minMs: 20, maxMs: 20 } });
    await resetPeak(ctx.h);
    await Promise.all(Array.from({ length: 150 }, (_, i) => client.request({ route: EXCHANGE_SEARCH_ROUTE, query: { offset: i, limit: 1 } })));
    expect(await peakInFlight(ctx.h)).toBeLessThanOrEqual(16);
    expect(seen.limit).toBe(16);
  });

  it('under a tight budget, a burst of reads draws no more 429/503s than the fixed 16, and every answer is right', async () => {
    const orgId = ctx.h.sim.store.rootOrgId;
    const reads = 90;
    // The answers as an unhurried client gets them, before any budget is tight.
    const reference = clientFor(ctx.h);
    const expected = await userReads(reference, orgId, reads);
    await reference.close();

    // 20 calls per 1-second window (the platform's window is a minute; the shorter one renews within the test).
    const run = async (mode: 'adaptive' | 'fixed') => {
      const client = clientFor(ctx.h, { maxConnections: mode === 'fixed' ? 16 : 64, concurrency: mode, retryPolicy: { maxAttempts: 10 } });
      ctx.client = client;
      await client.tokens.getToken();
      await setWindow(ctx.h, 20, 1);
      await resetCounts(ctx.h);
      const answers = await userReads(client, orgId, reads);
      const refused = await refusals(ctx.h);
      await client.close();
      return { answers, refused };
    };
    await setFaults(ctx.h, { latency: { minMs: 15, maxMs: 15 } });
    const fixed = await run('fixed');
    const adaptive = await run('adaptive');
    expect(adaptive.answers).toEqual(expected);
    expect(fixed.answers).toEqual(expected);
    expect(adaptive.refused).toBeLessThanOrEqual(fixed.refused);
    // Not only no more: the limiter never overdraws a budget it was told about.
    expect(adaptive.refused).toBe(0);
    console.info(`tight budget, ${reads} reads: fixed 16 drew ${fixed.refused} 429/503s, adaptive ${adaptive.refused}`);
  }, 30_000);
});
