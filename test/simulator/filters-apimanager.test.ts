import { describe, expect, it } from 'vitest';
import type { ApiInstanceRecord, EnvironmentRecord } from '../../src/simulator/model.js';
import { apisPath, getJson, readJson, useSimHarness, type ApiListBody } from './support.js';

const ctx = useSimHarness();

const flatten = (body: ApiListBody) => body.assets.flatMap((a) => a.apis);
const idSet = (apis: Array<{ id: number }>) => new Set(apis.map((a) => a.id));

function envApis(env: EnvironmentRecord): ApiInstanceRecord[] {
  return [...ctx.h.sim.store.apis.values()].filter((a) => a.environmentId === env.id);
}

/** An environment where `predicate` selects some but not all instances, so a filter visibly narrows. */
function envWhere(predicate: (api: ApiInstanceRecord) => boolean): { env: EnvironmentRecord; apis: ApiInstanceRecord[]; expected: ApiInstanceRecord[] } {
  for (const env of ctx.h.sim.store.environments.values()) {
    const apis = envApis(env);
    const expected = apis.filter(predicate);
    if (expected.length > 0 && expected.length < apis.length) return { env, apis, expected };
  }
  throw new Error('no environment where the predicate narrows the list');
}

/** The environment with the most instances. */
function busiestEnv(): { env: EnvironmentRecord; apis: ApiInstanceRecord[] } {
  const envs = [...ctx.h.sim.store.environments.values()].map((env) => ({ env, apis: envApis(env) }));
  envs.sort((a, b) => b.apis.length - a.apis.length);
  return envs[0]!;
}

async function list(env: EnvironmentRecord, query: string): Promise<ApiListBody> {
  return getJson<ApiListBody>(ctx.h, `${apisPath(env.organizationId, env.id)}?limit=100&${query}`, ctx.token);
}

const assetName = (api: ApiInstanceRecord) =>
  ctx.h.sim.store.assets.get(ctx.h.sim.store.assetKey(api.groupId, api.assetId, api.assetVersion))!.name;

describe('API Manager list filters', () => {
  it('matches query fuzzily and case-insensitively on the asset name, description, label and tags', async () => {
    const { env, expected } = envWhere((a) => assetName(a).toLowerCase().includes('orders'));
    const body = await list(env, 'query=ORDERS');
    const matches = (a: ApiInstanceRecord) =>
      [assetName(a), a.description ?? '', a.instanceLabel ?? '', ...a.tags].some((s) => s.toLowerCase().includes('orders'));
    const all = envApis(env).filter(matches);
    expect(all.length).toBeGreaterThanOrEqual(expected.length);
    expect(all.length).toBeLessThan(envApis(env).length);
    expect(idSet(flatten(body))).toEqual(idSet(all));
    expect(body.total).toBe(all.length);
  });

  /** An environment and a value of `field` held by some but not all of its instances (groupId: by all, see below). */
  function narrowingValue(field: 'groupId' | 'assetId' | 'assetVersion' | 'productVersion' | 'instanceLabel') {
    let fallback: { env: EnvironmentRecord; value: string; expected: ApiInstanceRecord[] } | undefined;
    for (const env of ctx.h.sim.store.environments.values()) {
      const apis = envApis(env);
      for (const value of new Set(apis.map((a) => a[field]).filter((v): v is string => typeof v === 'string'))) {
        const expected = apis.filter((a) => a[field] === value);
        if (expected.length < apis.length) return { env, value, expected };
        fallback ??= { env, value, expected };
      }
    }
    return fallback!;
  }

  for (const field of ['groupId', 'assetId', 'assetVersion', 'productVersion', 'instanceLabel'] as const) {
    it(`filters exactly by ${field}`, async () => {
      const { env, value, expected } = narrowingValue(field);
      const body = await list(env, `${field}=${encodeURIComponent(value)}`);
      expect(idSet(flatten(body))).toEqual(idSet(expected));
      expect(body.total).toBe(expected.length);
      expect(flatten(body).every((a) => a[field] === value)).toBe(true);
      // Exact, not partial: a prefix of the value matches nothing.
      expect((await list(env, `${field}=${encodeURIComponent(value.slice(0, -1))}`)).total).toBe(0);
    });
  }

  it('filters by groupId down to nothing for another organization\'s group', async () => {
    const { env, apis } = busiestEnv();
    const otherOrg = [...ctx.h.sim.store.orgs.values()].find((o) => o.id !== env.organizationId)!;
    expect(apis.some((a) => a.groupId === otherOrg.id)).toBe(false);
    expect(await list(env, `groupId=${otherOrg.id}`)).toEqual({ total: 0, assets: [] });
  });

  it('filters exactly by autodiscoveryInstanceName', async () => {
    const { env, apis } = busiestEnv();
    const target = apis[apis.length - 1]!;
    const everything = await list(env, '');
    const name = flatten(everything).find((a) => a.id === target.id)!.autodiscoveryInstanceName;
    const body = await list(env, `autodiscoveryInstanceName=${encodeURIComponent(name)}`);
    expect(flatten(body).map((a) => a.id)).toEqual([target.id]);
    expect(body.total).toBe(1);
    expect((await list(env, 'autodiscoveryInstanceName=v0:1')).total).toBe(0);
  });

  it('filters by filters=active and filters=pinned, alone and combined', async () => {
    const active = envWhere((a) => a.status === 'active');
    const activeBody = await list(active.env, 'filters=active');
    expect(idSet(flatten(activeBody))).toEqual(idSet(active.expected));

    const pinned = envWhere((a) => a.pinned);
    const pinnedBody = await list(pinned.env, 'filters=pinned');
    expect(idSet(flatten(pinnedBody))).toEqual(idSet(pinned.expected));
    expect(flatten(pinnedBody).every((a) => a.pinned)).toBe(true);

    const both = await list(pinned.env, 'filters=active,pinned');
    expect(idSet(flatten(both))).toEqual(idSet(pinned.apis.filter((a) => a.pinned && a.status === 'active')));
    const repeated = await list(pinned.env, 'filters=active&filters=pinned');
    expect(idSet(flatten(repeated))).toEqual(idSet(flatten(both)));
  });

  it('sorts by id both ways, deciding which instances land on the first page', async () => {
    const { env, apis } = busiestEnv();
    const ids = apis.map((a) => a.id).sort((a, b) => a - b);
    const k = Math.floor(ids.length / 2);
    const up = await getJson<ApiListBody>(ctx.h, `${apisPath(env.organizationId, env.id)}?sort=id&limit=${k}`, ctx.token);
    expect(idSet(flatten(up))).toEqual(new Set(ids.slice(0, k)));
    const down = await getJson<ApiListBody>(ctx.h, `${apisPath(env.organizationId, env.id)}?sort=id&ascending=false&limit=${k}`, ctx.token);
    expect(idSet(flatten(down))).toEqual(new Set(ids.slice(-k)));
  });

  it('sorts by createdDate and by asset name', async () => {
    const { env, apis } = busiestEnv();
    const k = Math.floor(apis.length / 2);
    const byCreated = [...apis].sort((a, b) => a.createdDate.localeCompare(b.createdDate));
    const newest = await getJson<ApiListBody>(ctx.h, `${apisPath(env.organizationId, env.id)}?sort=createdDate&ascending=false&limit=${k}`, ctx.token);
    expect(idSet(flatten(newest))).toEqual(idSet(byCreated.slice(-k)));

    const byName = await list(env, 'sort=name');
    const names = byName.assets.map((g) => g.exchangeAssetName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    const bad = await ctx.h.get(`${apisPath(env.organizationId, env.id)}?sort=popularity`, ctx.token);
    expect(bad.status).toBe(400);
    expect(((await readJson<{ errors: unknown[] }>(bad)).errors).length).toBe(1);
  });
});
