import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { apisPath, usersPath } from './support.js';

let h: SimHarness;
let pool: Pool;

beforeAll(async () => {
  h = await startSimHarness();
  pool = new Pool(h.url, { connections: 64, pipelining: 1 });
});

afterAll(async () => {
  await pool?.close();
  await h?.close();
});

describe('concurrency', () => {
  it('serves 1,000 concurrent requests over 64 connections without an error', async () => {
    const token = await h.token();
    const { store } = h.sim;
    const env = [...store.environments.values()].find((e) => [...store.apis.values()].some((a) => a.environmentId === e.id))!;
    const paths = [
      `${usersPath(store.rootOrgId)}?limit=10`,
      `/accounts/api/organizations/${store.rootOrgId}/teams`,
      '/exchange/api/v2/assets?limit=5',
      apisPath(env.organizationId, env.id),
      `/accounts/api/organizations/${store.rootOrgId}`,
    ];
    const results = await Promise.all(
      Array.from({ length: 1_000 }, async (_, i) => {
        const path = paths[i % paths.length]!;
        const res = await pool.request({ origin: h.url, path, method: 'GET', headers: { authorization: `Bearer ${token}` } });
        const body = (await res.body.json()) as unknown;
        return { status: res.statusCode, path, ok: body !== null && typeof body === 'object' };
      }),
    );
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(results.every((r) => r.ok)).toBe(true);
    const { total, routes } = await h.counts();
    // 1,000 platform requests plus the token request, every one a 200.
    expect(total).toBe(1_001);
    expect(routes.every((r) => r.status === 200)).toBe(true);
  });
});
