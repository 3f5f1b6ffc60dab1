import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { listAllUsers } from '../../src/anypoint/accounts.js';
import { listAllApis, listAllBare, listAllData } from '../../src/anypoint/pagination.js';
import type { AnypointExchangeAsset, AnypointUser } from '../../src/anypoint/types.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { APIS_ROUTE, EXCHANGE_SEARCH_ROUTE, USERS_ROUTE, clientFor, resetCounts, rowsOf, useSimClient } from './support.js';

const ctx = useSimClient({ resetFaults: false });
let orgId: string;

beforeAll(() => {
  orgId = ctx.h.sim.store.rootOrgId;
});

/** The environment of the root org with the most API instances, and its instance ids. */
function busiestEnvironment(): { envId: string; apiIds: number[] } {
  const envs = [...ctx.h.sim.store.environments.values()].filter((e) => e.organizationId === orgId);
  const withApis = envs.map((e) => ({ envId: e.id, apiIds: [...ctx.h.sim.store.apis.values()].filter((a) => a.environmentId === e.id).map((a) => a.id) }));
  withApis.sort((a, b) => b.apiIds.length - a.apiIds.length);
  return withApis[0]!;
}

const rootAssets = () => [...ctx.h.sim.store.assets.values()].filter((a) => a.organizationId === orgId);

describe('listAllData over a {data, total} list', () => {
  it('returns every user of the root org exactly once with ceil(total / 7) calls', async () => {
    const expected = ctx.h.sim.store.usersOf(orgId).map((u) => u.id);
    expect(expected.length).toBeGreaterThan(7);
    const users = await listAllData<AnypointUser>(ctx.client, { route: USERS_ROUTE, params: { orgId } }, 7);
    const ids = users.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...expected].sort());
    expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({ '200': Math.ceil(expected.length / 7) });
  });

  it('makes a single call when the first page holds everything', async () => {
    const users = await listAllUsers(ctx.client, orgId);
    expect(users).toHaveLength(ctx.h.sim.store.usersOf(orgId).length);
    expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({ '200': 1 });
  });

  it('keeps the caller query on every page', async () => {
    const hosts = ctx.h.sim.store.usersOf(orgId).filter((u) => u.type === 'host');
    const users = await listAllData<AnypointUser>(ctx.client, { route: USERS_ROUTE, params: { orgId }, query: { type: 'host' } }, 7);
    expect(users).toHaveLength(hosts.length);
    expect(users.every((u) => u.type === 'host')).toBe(true);
  });
});

describe('listAllApis over the API Manager {total, assets: [{apis}]} envelope', () => {
  it('flattens the asset groups into every instance, exactly once, with ceil(total / 3) calls', async () => {
    const { envId, apiIds } = busiestEnvironment();
    expect(apiIds.length).toBeGreaterThan(3);
    const { apis, assetNames } = await listAllApis(ctx.client, { route: APIS_ROUTE, params: { orgId, envId } }, 3);
    const ids = apis.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual([...apiIds].sort((a, b) => a - b));
    expect(apis.every((a) => a.environmentId === envId && typeof a.assetId === 'string')).toBe(true);
    expect(await rowsOf(ctx.h, 'GET', APIS_ROUTE)).toEqual({ '200': Math.ceil(apiIds.length / 3) });
    // Each group's Exchange name is collected by groupId/assetId.
    for (const api of apis) expect(assetNames.get(`${api.groupId}/${api.assetId}`)).toEqual(expect.any(String));
  });
});

describe('listAllBare over the Exchange search bare array', () => {
  it('stops at the first page shorter than asked for', async () => {
    const expected = rootAssets();
    expect(expected.length % 3).not.toBe(0);
    const assets = await listAllBare<AnypointExchangeAsset>(ctx.client, { route: EXCHANGE_SEARCH_ROUTE, query: { organizationId: orgId } }, 3);
    expect(assets.map((a) => `${a.groupId}/${a.assetId}/${a.version}`).sort()).toEqual(expected.map((a) => `${a.groupId}/${a.assetId}/${a.version}`).sort());
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ '200': Math.ceil(expected.length / 3) });
  });

  it('asks for one empty page when the total is an exact multiple of the page size', async () => {
    const expected = rootAssets();
    const pageSize = expected.length / 2;
    expect(Number.isInteger(pageSize)).toBe(true);
    const assets = await listAllBare<AnypointExchangeAsset>(ctx.client, { route: EXCHANGE_SEARCH_ROUTE, query: { organizationId: orgId } }, pageSize);
    expect(assets).toHaveLength(expected.length);
    expect(await rowsOf(ctx.h, 'GET', EXCHANGE_SEARCH_ROUTE)).toEqual({ '200': 3 });
  });
});

describe('a platform that caps the page size below the one asked for', () => {
  let large: SimHarness;
  let largeClient: AnypointClient;

  beforeAll(async () => {
    large = await startSimHarness({ preset: 'large' });
    largeClient = clientFor(large);
    await largeClient.tokens.getToken();
  });

  afterAll(async () => {
    await largeClient?.close();
    await large?.close();
  });

  it('still returns every user exactly once, paging by the size the platform honoured', async () => {
    const rootId = large.sim.store.rootOrgId;
    const expected = large.sim.store.usersOf(rootId).map((u) => u.id);
    // The simulator serves at most 500 per page; asking for 600 must not leave gaps between pages.
    expect(expected.length).toBeGreaterThan(600);
    await resetCounts(large);
    const users = await listAllData<AnypointUser>(largeClient, { route: USERS_ROUTE, params: { orgId: rootId } }, 600);
    const ids = users.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(expected.length);
    expect(await rowsOf(large, 'GET', USERS_ROUTE)).toEqual({ '200': Math.ceil(expected.length / 500) });
  });
});
