import { beforeEach, describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { listUsersPage } from '../../src/anypoint/accounts.js';
import { EXCHANGE_SEARCH_ROUTE, USERS_ROUTE, anypointFailure, clientFor, resetCounts, rowsOf, setFaults, useSimClient } from './support.js';

const ctx = useSimClient({ client: 'manual' });
let retries: Array<{ attempt: number; delayMs: number; reason: string }>;

beforeEach(() => {
  retries = [];
});

/** A client whose token is already fetched, so the counts show only the call under test. */
async function readyClient(maxAttempts = 4): Promise<AnypointClient> {
  ctx.client = clientFor(ctx.h, { retryPolicy: { maxAttempts }, onRetry: (info) => retries.push(info) });
  await ctx.client.tokens.getToken();
  await resetCounts(ctx.h);
  return ctx.client;
}

const orgId = () => ctx.h.sim.store.rootOrgId;
const search = (c: AnypointClient) => c.request<unknown[]>({ route: EXCHANGE_SEARCH_ROUTE, query: { limit: 5 } });

describe('retrying reads', () => {
  it('succeeds on the third attempt after two injected 503s', async () => {
    const c = await readyClient();
    await setFaults(ctx.h, { rules: [{ kind: '503', probability: 1, times: 2, path: '/accounts/**' }] });
    const page = await listUsersPage(c, orgId(), 0, 5);
    expect(page.data).toHaveLength(5);
    expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({ '503': 2, '200': 1 });
    expect(retries.map((r) => r.reason)).toEqual(['503', '503']);
  });

  it('honours Retry-After on a 429 instead of its own backoff', async () => {
    const c = await readyClient();
    await setFaults(ctx.h, { rules: [{ kind: '429', probability: 1, times: 1, path: '/exchange/**' }] });
    const assets = await search(c);
    expect(assets).toHaveLength(5);
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ '429': 1, '200': 1 });
    // The simulator sends Retry-After: 1; the policy's own backoff would be at most 5 ms.
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, reason: '429', delayMs: 1000 })]);
  });

  it('retries a GET whose connection was reset, and succeeds', async () => {
    const c = await readyClient();
    await setFaults(ctx.h, { rules: [{ kind: 'reset', probability: 1, times: 1, path: '/exchange/**' }] });
    expect(await search(c)).toHaveLength(5);
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ reset: 1, '200': 1 });
    expect(retries.map((r) => r.reason)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('retries a GET answered with 500', async () => {
    const c = await readyClient();
    await setFaults(ctx.h, { rules: [{ kind: '500', probability: 1, times: 2, path: '/exchange/**' }] });
    expect(await search(c)).toHaveLength(5);
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ '500': 2, '200': 1 });
  });

  it('does not retry a 404', async () => {
    const c = await readyClient();
    const error = await anypointFailure(c.request({ route: '/accounts/api/organizations/{orgId}/users/{userId}', params: { orgId: orgId(), userId: 'no-such-user' } }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.attempts).toBe(1);
    expect(await rowsOf(ctx.h, 'GET', '/accounts/api/organizations/{orgId}/users/{userId}')).toEqual({ '404': 1 });
    expect(retries).toEqual([]);
  });
});

describe('the attempt budget', () => {
  it('gives up on persistent 429s after maxAttempts with RATE_LIMITED', async () => {
    const c = await readyClient(2);
    await setFaults(ctx.h, { rules: [{ kind: '429', probability: 1, path: '/exchange/**' }] });
    const error = await anypointFailure(search(c));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.attempts).toBe(2);
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ '429': 2 });
  });

  it('gives up on persistent Access Management 503s after maxAttempts with RATE_LIMITED', async () => {
    const c = await readyClient(2);
    await setFaults(ctx.h, { rules: [{ kind: '503', probability: 1, path: '/accounts/api/organizations/**' }] });
    const error = await anypointFailure(listUsersPage(c, orgId(), 0, 5));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(2);
    expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({ '503': 2 });
  });

  it('gives up on persistent 500s after maxAttempts with UPSTREAM_UNAVAILABLE', async () => {
    const c = await readyClient(3);
    await setFaults(ctx.h, { rules: [{ kind: '500', probability: 1, path: '/exchange/**' }] });
    const error = await anypointFailure(search(c));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(3);
    expect(error.upstreamMessage).toBe('Internal server error');
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ '500': 3 });
  });

  it('gives up on persistent connection resets after maxAttempts with UPSTREAM_UNAVAILABLE', async () => {
    const c = await readyClient(3);
    await setFaults(ctx.h, { rules: [{ kind: 'reset', probability: 1, path: '/exchange/**' }] });
    const error = await anypointFailure(search(c));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.status).toBeNull();
    expect(error.attempts).toBe(3);
    expect(error.outcomeUnknown).toBe(false);
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ reset: 3 });
  });
});
