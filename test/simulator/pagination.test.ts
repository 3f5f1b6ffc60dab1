import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../src/simulator/http.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import {
  apisPath,
  getJson,
  readJson,
  teamsPath,
  usersPath,
  useSimHarness,
  type ApiListBody,
  type AssetSummaryBody,
  type Page,
} from './support.js';

const ctx = useSimHarness();

/** Access Management list endpoints that share the {data, total} envelope and offset/limit. */
function dataLists(): Array<{ name: string; path: string; expectedTotal: number }> {
  const { store } = ctx.h.sim;
  const team = [...store.teams.values()].find((t) => t.org_id === ctx.rootOrgId && t.parentId === null)!;
  const withRoles = store.teamRoles[0]!;
  return [
    { name: 'users', path: usersPath(ctx.rootOrgId), expectedTotal: store.usersOf(ctx.rootOrgId).length },
    { name: 'teams', path: teamsPath(ctx.rootOrgId), expectedTotal: [...store.teams.values()].filter((t) => t.org_id === ctx.rootOrgId).length },
    { name: 'members', path: `${teamsPath(ctx.rootOrgId)}/${team.team_id}/members`, expectedTotal: store.membersOf(team.team_id).size },
    {
      name: 'team roles',
      path: `${teamsPath(store.teams.get(withRoles.teamId)!.org_id)}/${withRoles.teamId}/roles`,
      expectedTotal: store.teamRoles.filter((r) => r.teamId === withRoles.teamId).length,
    },
    { name: 'roles', path: '/accounts/api/roles', expectedTotal: [...store.roles.values()].filter((r) => !r.internal).length },
  ];
}

describe('{data, total} list paging', () => {
  it('reports the full total on every list and an empty page when the offset is past the end', async () => {
    for (const list of dataLists()) {
      expect(list.expectedTotal, list.name).toBeGreaterThan(0);
      const page = await getJson<Page<unknown>>(ctx.h, `${list.path}?offset=${list.expectedTotal + 5}`, ctx.token);
      expect(page, list.name).toEqual({ data: [], total: list.expectedTotal });
    }
  });

  it('returns no items but the real total for limit 0', async () => {
    for (const list of dataLists()) {
      const page = await getJson<Page<unknown>>(ctx.h, `${list.path}?limit=0`, ctx.token);
      expect(page, list.name).toEqual({ data: [], total: list.expectedTotal });
    }
  });

  it('serves the last items when the offset lands inside the final page', async () => {
    for (const list of dataLists()) {
      const all = await getJson<Page<unknown>>(ctx.h, `${list.path}?limit=${MAX_PAGE_SIZE}`, ctx.token);
      const tail = await getJson<Page<unknown>>(ctx.h, `${list.path}?offset=${list.expectedTotal - 1}&limit=10`, ctx.token);
      expect(tail.data, list.name).toEqual(all.data.slice(-1));
    }
  });

  it('defaults the users page size to 25', async () => {
    const total = ctx.h.sim.store.usersOf(ctx.rootOrgId).length;
    expect(total).toBeGreaterThan(25);
    const page = await getJson<Page<{ id: string }>>(ctx.h, usersPath(ctx.rootOrgId), ctx.token);
    expect(page.data).toHaveLength(25);
    expect(page.total).toBe(total);
  });

  it('walks every user exactly once with offset and limit', async () => {
    const total = ctx.h.sim.store.usersOf(ctx.rootOrgId).length;
    const seen: string[] = [];
    for (let offset = 0; offset < total; offset += 7) {
      const page = await getJson<Page<{ id: string }>>(ctx.h, `${usersPath(ctx.rootOrgId)}?offset=${offset}&limit=7`, ctx.token);
      expect(page.data.length).toBe(Math.min(7, total - offset));
      seen.push(...page.data.map((u) => u.id));
    }
    expect(new Set(seen).size).toBe(total);
    expect(new Set(seen)).toEqual(new Set(ctx.h.sim.store.usersOf(ctx.rootOrgId).map((u) => u.id)));
  });

  it('answers an invalid offset or limit with a 400 in the list product\'s error shape', async () => {
    for (const list of dataLists()) {
      for (const query of ['offset=-1', 'offset=abc', 'limit=-5', 'limit=1.5', 'limit=ten']) {
        const res = await ctx.h.get(`${list.path}?${query}`, ctx.token);
        expect(res.status, `${list.name} ${query}`).toBe(400);
        const body = await readJson<Record<string, unknown>>(res);
        if (list.name === 'members' || list.name === 'teams' || list.name === 'team roles') {
          expect(Array.isArray(body.errors), `${list.name} ${query}`).toBe(true);
        } else {
          expect(body, `${list.name} ${query}`).toMatchObject({ status: 400, message: expect.any(String) });
        }
      }
    }
  });
});

describe('page size cap', () => {
  let large: SimHarness;
  let largeToken: string;

  beforeAll(async () => {
    large = await startSimHarness({ preset: 'large' });
    largeToken = await large.token();
  });

  afterAll(async () => {
    await large?.close();
  });

  it(`caps a huge limit at MAX_PAGE_SIZE (${MAX_PAGE_SIZE}) while total stays exact`, async () => {
    const orgId = large.sim.store.rootOrgId;
    const total = large.sim.store.usersOf(orgId).length;
    expect(total).toBeGreaterThan(MAX_PAGE_SIZE);
    const page = await getJson<Page<{ id: string }>>(large, `${usersPath(orgId)}?limit=1000000`, largeToken);
    expect(page.data).toHaveLength(MAX_PAGE_SIZE);
    expect(page.total).toBe(total);
  });

  it('returns everything when a huge limit exceeds a small list', async () => {
    const page = await getJson<Page<unknown>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?limit=999999`, ctx.token);
    expect(page.data).toHaveLength(page.total);
    expect(page.total).toBe([...ctx.h.sim.store.teams.values()].filter((t) => t.org_id === ctx.rootOrgId).length);
  });
});

describe('API Manager {total, assets:[{apis}]} paging', () => {
  /** The environment with the most API instances, so paging has several pages. */
  function busiestEnv() {
    const { store } = ctx.h.sim;
    const counts = [...store.environments.values()].map((env) => ({
      env,
      ids: [...store.apis.values()].filter((a) => a.environmentId === env.id).map((a) => a.id),
    }));
    counts.sort((a, b) => b.ids.length - a.ids.length);
    return counts[0]!;
  }

  const flatten = (body: ApiListBody) => body.assets.flatMap((a) => a.apis);

  it('counts instances in total and pages instances across asset groups', async () => {
    const { env, ids } = busiestEnv();
    expect(ids.length).toBeGreaterThan(3);
    const seen: number[] = [];
    for (let offset = 0; offset < ids.length; offset += 3) {
      const body = await getJson<ApiListBody>(ctx.h, `${apisPath(env.organizationId, env.id)}?offset=${offset}&limit=3`, ctx.token);
      expect(body.total).toBe(ids.length);
      const apis = flatten(body);
      expect(apis.length).toBe(Math.min(3, ids.length - offset));
      for (const group of body.assets) {
        expect(group.totalApis).toBe(group.apis.length);
        for (const api of group.apis) expect([api.groupId, api.assetId]).toEqual([group.groupId, group.assetId]);
      }
      seen.push(...apis.map((a) => a.id));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
  });

  it('returns no asset groups past the end or for limit 0, with the real total', async () => {
    const { env, ids } = busiestEnv();
    const base = apisPath(env.organizationId, env.id);
    expect(await getJson<ApiListBody>(ctx.h, `${base}?offset=${ids.length}`, ctx.token)).toEqual({ total: ids.length, assets: [] });
    expect(await getJson<ApiListBody>(ctx.h, `${base}?limit=0`, ctx.token)).toEqual({ total: ids.length, assets: [] });
  });

  it('rejects an invalid offset with the validation error shape', async () => {
    const { env } = busiestEnv();
    const res = await ctx.h.get(`${apisPath(env.organizationId, env.id)}?offset=-3`, ctx.token);
    expect(res.status).toBe(400);
    const body = await readJson<{ errors: Array<{ dataPath: string }> }>(res);
    expect(body.errors[0]?.dataPath).toBe('.offset');
  });
});

describe('Exchange bare-array paging', () => {
  it('pages a bare array until a short page and then an empty one', async () => {
    const total = ctx.h.sim.store.assets.size;
    const limit = 7;
    expect(total % limit).not.toBe(0);
    const seen: string[] = [];
    let offset = 0;
    let page: AssetSummaryBody[];
    do {
      const res = await ctx.h.get(`/exchange/api/v2/assets?offset=${offset}&limit=${limit}`, ctx.token);
      expect(res.status).toBe(200);
      page = await readJson<AssetSummaryBody[]>(res);
      expect(Array.isArray(page)).toBe(true);
      seen.push(...page.map((a) => a.id));
      offset += limit;
    } while (page.length === limit);
    // The last page is short (total is not a multiple of the limit).
    expect(page.length).toBe(total % limit);
    expect(new Set(seen).size).toBe(total);
    const after = await getJson<AssetSummaryBody[]>(ctx.h, `/exchange/api/v2/assets?offset=${total}&limit=${limit}`, ctx.token);
    expect(after).toEqual([]);
  });

  it('returns an empty array, not an envelope, for limit 0', async () => {
    expect(await getJson<unknown>(ctx.h, '/exchange/api/v2/assets?limit=0', ctx.token)).toEqual([]);
  });

  it('rejects a non-numeric limit with a {status, message} 400', async () => {
    const res = await ctx.h.get('/exchange/api/v2/assets?limit=lots', ctx.token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, message: expect.any(String) });
  });
});
