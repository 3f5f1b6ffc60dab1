import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { newUserBody, uniqueUsername, usersPath } from './support.js';

let h: SimHarness;
let token: string;
let rootOrgId: string;

const USERS_TEMPLATE = '/accounts/api/organizations/{orgId}/users';
const USER_TEMPLATE = '/accounts/api/organizations/{orgId}/users/{userId}';

beforeAll(async () => {
  h = await startSimHarness();
  token = await h.token();
  rootOrgId = h.sim.store.rootOrgId;
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await setFaults({});
  expect((await fetch(`${h.url}/__sim/counts`, { method: 'DELETE' })).status).toBe(204);
});

function setFaults(body: unknown): Promise<Response> {
  return fetch(`${h.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function countOf(method: string, route: string, status: number | string): Promise<number> {
  const { routes } = await h.counts();
  return routes.find((r) => r.method === method && r.route === route && r.status === status)?.count ?? 0;
}

describe('request counters', () => {
  it('counts requests by method, route template and status', async () => {
    const someone = h.sim.store.usersOf(rootOrgId)[1]!;
    await h.get(usersPath(rootOrgId), token);
    await h.get(usersPath(rootOrgId), token);
    await h.get(`${usersPath(rootOrgId)}/${someone.id}`, token);
    await h.get(`${usersPath(rootOrgId)}/00000000-0000-4000-8000-000000000000`, token);
    await h.send('POST', usersPath(rootOrgId), token, newUserBody(uniqueUsername('counted')));
    await h.get(usersPath(rootOrgId), 'bad-token');

    const snapshot = await h.counts();
    expect(snapshot.routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: USERS_TEMPLATE, status: 200, count: 2, serviceMs: expect.any(Number) },
        { method: 'GET', route: USERS_TEMPLATE, status: 401, count: 1, serviceMs: expect.any(Number) },
        { method: 'GET', route: USER_TEMPLATE, status: 200, count: 1, serviceMs: expect.any(Number) },
        { method: 'GET', route: USER_TEMPLATE, status: 404, count: 1, serviceMs: expect.any(Number) },
        { method: 'POST', route: USERS_TEMPLATE, status: 201, count: 1, serviceMs: expect.any(Number) },
      ]),
    );
    expect(snapshot.total).toBe(6);
    expect(snapshot.total).toBe(snapshot.routes.reduce((sum, r) => sum + r.count, 0));
  });

  it('counts the token endpoint, unknown paths and wrong methods', async () => {
    await h.token();
    await h.get('/accounts/api/nothing-here', token);
    await h.send('DELETE', `/accounts/api/organizations/${rootOrgId}`, token);
    expect(await countOf('POST', '/accounts/api/v2/oauth2/token', 200)).toBe(1);
    expect(await countOf('GET', 'unmatched', 404)).toBe(1);
    expect(await countOf('DELETE', 'unmatched', 405)).toBe(1);
  });

  it('counts resets as "reset" and dropped writes as "dropped"', async () => {
    await setFaults({ spec: `reset:1x1@GET /accounts/**,drop:1x1@POST ${usersPath(rootOrgId)}` });
    await expect(h.get(usersPath(rootOrgId), token)).rejects.toThrow();
    await expect(h.send('POST', usersPath(rootOrgId), token, newUserBody(uniqueUsername('lost')))).rejects.toThrow();
    expect(await countOf('GET', USERS_TEMPLATE, 'reset')).toBe(1);
    expect(await countOf('POST', USERS_TEMPLATE, 'dropped')).toBe(1);
    // A dropped write is not also counted as its would-be success.
    expect(await countOf('POST', USERS_TEMPLATE, 201)).toBe(0);
  });

  it('counts injected status faults under their status', async () => {
    await setFaults({ spec: '503:1x2@/accounts/**' });
    await h.get(usersPath(rootOrgId), token);
    await h.get(usersPath(rootOrgId), token);
    await h.get(usersPath(rootOrgId), token);
    expect(await countOf('GET', USERS_TEMPLATE, 503)).toBe(2);
    expect(await countOf('GET', USERS_TEMPLATE, 200)).toBe(1);
  });

  it('sums the time it spent on each route, injected latency included (what a benchmark ideal counts)', async () => {
    await setFaults({ latency: { minMs: 30, maxMs: 30 }, rules: [] });
    try {
      await h.get(usersPath(rootOrgId), token);
      await h.get(usersPath(rootOrgId), token);
    } finally {
      await setFaults({ latency: { minMs: 0, maxMs: 0 }, rules: [] });
    }
    const row = (await h.counts()).routes.find((r) => r.route === USERS_TEMPLATE && r.status === 200)!;
    expect(row.count).toBe(2);
    expect(row.serviceMs).toBeGreaterThanOrEqual(59);
    expect(row.serviceMs).toBeLessThan(2 * 30 + 1000);
  });

  it('resets to zero on DELETE /__sim/counts and POST /__sim/counts/reset', async () => {
    await h.get(usersPath(rootOrgId), token);
    expect((await h.counts()).total).toBe(1);
    expect((await fetch(`${h.url}/__sim/counts`, { method: 'DELETE' })).status).toBe(204);
    expect(await h.counts()).toEqual({ total: 0, routes: [] });
    await h.get(usersPath(rootOrgId), token);
    expect((await fetch(`${h.url}/__sim/counts/reset`, { method: 'POST' })).status).toBe(204);
    expect(await h.counts()).toEqual({ total: 0, routes: [] });
  });

  it('does not count control-plane requests', async () => {
    for (const path of ['/__sim/info', '/__sim/state', '/__sim/faults', '/__sim/routes', '/__sim/counts', '/__sim/nope']) {
      await (await fetch(`${h.url}${path}`)).arrayBuffer();
    }
    await fetch(`${h.url}/__sim/tokens/expire`, { method: 'POST' });
    expect(await h.counts()).toEqual({ total: 0, routes: [] });
    token = await h.token();
  });
});
