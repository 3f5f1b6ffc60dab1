import { describe, expect, it } from 'vitest';
import type { ApiInstanceRecord } from '../../src/simulator/model.js';
import { apisPath, getJson, useSimHarness } from './support.js';

/** The per-instance API Manager lists the inventory counts read: SLA tiers (paged, with a total) and policies (fullInfo). */
const ctx = useSimHarness();

const pathOf = (api: ApiInstanceRecord, what: string) => `${apisPath(api.organizationId, api.environmentId)}/${api.id}/${what}`;

interface TierPage {
  total: number;
  tiers: Array<{ id: number; apiId: number; status: string }>;
}

describe('SLA tiers of an API instance', () => {
  it('pages them with limit and offset, the total counting every tier of the instance', async () => {
    const store = ctx.h.sim.store;
    const api = [...store.apis.values()].find((a) => store.tiers.filter((t) => t.apiId === a.id).length >= 2)!;
    const own = store.tiers.filter((t) => t.apiId === api.id);
    const first = await getJson<TierPage>(ctx.h, `${pathOf(api, 'tiers')}?limit=1`, ctx.token);
    expect(first.total).toBe(own.length);
    expect(first.tiers.map((t) => t.id)).toEqual([own[0]!.id]);
    const rest = await getJson<TierPage>(ctx.h, `${pathOf(api, 'tiers')}?offset=1&limit=50`, ctx.token);
    expect(rest.tiers.map((t) => t.id)).toEqual(own.slice(1).map((t) => t.id));
    expect(rest.tiers.every((t) => t.apiId === api.id)).toBe(true);
  });

  it('answers an empty page with total 0 for an instance without tiers, and 404 for an unknown instance', async () => {
    const store = ctx.h.sim.store;
    const api = [...store.apis.values()].find((a) => !store.tiers.some((t) => t.apiId === a.id))!;
    expect(await getJson<TierPage>(ctx.h, pathOf(api, 'tiers'), ctx.token)).toEqual({ total: 0, tiers: [] });
    const res = await ctx.h.get(`${apisPath(api.organizationId, api.environmentId)}/1/tiers`, ctx.token);
    expect(res.status).toBe(404);
  });
});

describe('policies of an API instance', () => {
  it('lists the disabled ones too with fullInfo=false, only the active ones by default (the official spec)', async () => {
    const store = ctx.h.sim.store;
    const policy = store.policies[0]!;
    const api = store.apis.get(policy.apiId)!;
    const own = store.policies.filter((p) => p.apiId === api.id);
    policy.disabled = true;
    try {
      const all = await getJson<Array<{ id: number }>>(ctx.h, `${pathOf(api, 'policies')}?fullInfo=false`, ctx.token);
      expect(all.map((p) => p.id)).toEqual(own.map((p) => p.id));
      const active = await getJson<Array<{ id: number }>>(ctx.h, pathOf(api, 'policies'), ctx.token);
      expect(active.map((p) => p.id)).toEqual(own.filter((p) => p !== policy).map((p) => p.id));
    } finally {
      policy.disabled = false;
    }
  });
});
