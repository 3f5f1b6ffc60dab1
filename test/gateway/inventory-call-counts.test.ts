import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXCHANGE_PAGE_SIZE } from '../../src/anypoint/exchange.js';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * Upstream calls of the whole-platform API inventory (Query.apis with no organization), as a
 * scanner asks for it, on the demo preset. Each expected figure is the minimum for the query's
 * shape, worked out in the comment beside it from the simulator's own data.
 */
const APIS = 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';

describe('upstream call counts of the API inventory across every business group', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetCounts());

  /** Cold (Cache-Control: no-cache skips the shared cache, as a fresh gateway would), then a plain warm repeat. */
  async function measure(query: string) {
    const cold = await stack.gw.gql(query, undefined, { 'cache-control': 'no-cache' });
    expect(cold.errors).toBeUndefined();
    const coldCalls = await stack.upstream();
    await stack.resetCounts();
    const warm = await stack.gw.gql(query);
    expect(warm.data).toEqual(cold.data);
    return { cold: coldCalls, warm: await stack.upstream(), data: cold.data as any };
  }

  it('lists every environment of every org once for the all-orgs listing, in org tree order', async () => {
    const store = stack.sim.sim.store;
    const orgs = store.orgs.size;
    const envs = store.environments.size;
    // minimum = 1 (GET /hierarchy: which orgs there are) + orgs (GET /organizations/{id}: each
    //         embeds its environments) + envs (one API Manager listing per environment; each fits
    //         one 500-item page) = 1 + 5 + 15 = 21 on the demo preset. `name` costs nothing: the
    //         listing names each asset group.
    const { cold, warm, data } = await measure('{ apis(first: 500) { totalCount nodes { id name environment { id } } } }');
    expect(cold.total).toBe(1 + orgs + envs);
    expect(cold.byRoute[APIS]).toBe(envs);
    expect(warm.total).toBe(0);
    expect(data.apis.totalCount).toBe(store.apis.size);

    // The same instances as each org's own listing, in the order `organizations` lists the orgs.
    const perOrg = await stack.gw.gql('{ organizations { id apis(first: 500) { nodes { id } } } }');
    const expected = (perOrg.data as any).organizations.flatMap((o: any) => o.apis.nodes.map((n: any) => n.id));
    expect(data.apis.nodes.map((n: any) => n.id)).toEqual(expected);
  });

  it('pages the all-orgs listing with cursors: the pages add up to the one-page list, each id once', async () => {
    const whole = await stack.gw.gql('{ apis(first: 500) { totalCount nodes { id } } }');
    const all = (whole.data as any).apis;
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const res: { data?: unknown; errors?: unknown } = await stack.gw.gql('query($after: String) { apis(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }', { after });
      expect(res.errors).toBeUndefined();
      const conn: any = (res.data as any).apis;
      expect(conn.totalCount).toBe(all.totalCount);
      ids.push(...conn.nodes.map((n: any) => n.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(ids).toEqual(all.nodes.map((n: any) => n.id));
    expect(new Set(ids).size).toBe(all.totalCount);
  });

  it('adds one policies, one tiers and one contracts call per instance for the scanner inventory, plus one Exchange search per org', async () => {
    const store = stack.sim.sim.store;
    const orgs = store.orgs.size;
    const envs = store.environments.size;
    const apis = [...store.apis.values()];
    // Exchange (type, spec format and link): each org's instances name several of its assets, so
    // one search of the org's assets (pages of EXCHANGE_PAGE_SIZE, until a short one) instead of
    // a GET per asset.
    const groups = [...new Set(apis.map((a) => a.groupId))];
    const searches = groups.reduce((sum, g) => sum + Math.floor([...store.assets.values()].filter((a) => a.groupId === g).length / EXCHANGE_PAGE_SIZE) + 1, 0);
    // minimum = 21 (hierarchy, org details, one listing per environment: as above)
    //         + searches (one Exchange search per org: 5 on the demo preset)
    //         + 3 x apis (policies as a bare array, tiers and contracts as a one-item page for the
    //           total: Anypoint counts one instance at a time) = 21 + 5 + 3 x 40 = 146
    //         environment and organization cost nothing more: the org details are loaded already.
    const { cold, warm, data } = await measure(`{
      apis(first: 500) {
        totalCount
        nodes {
          id groupId assetId name description isPublic assetVersion productVersion status technology apiType endpointUri
          organization { id } environment { id name type }
          specification { format downloadUrl }
          policyCount slaTierCount contractCount
        }
      }
    }`);
    expect(cold.total).toBe(1 + orgs + envs + searches + 3 * apis.length);
    expect(cold.byRoute['GET /exchange/api/v2/assets']).toBe(searches);
    expect(cold.byRoute[`${APIS}/{apiId}/policies`]).toBe(apis.length);
    expect(cold.byRoute[`${APIS}/{apiId}/tiers`]).toBe(apis.length);
    expect(cold.byRoute[`${APIS}/{apiId}/contracts`]).toBe(apis.length);
    expect(warm.total).toBe(0);

    // The counts are the simulator's own.
    const byId = new Map<string, any>(data.apis.nodes.map((n: any) => [n.id, n]));
    for (const api of apis) {
      const node = byId.get(String(api.id));
      expect(node, `API ${api.id}`).toMatchObject({
        organization: { id: api.organizationId },
        environment: { id: api.environmentId },
        policyCount: store.policies.filter((p) => p.apiId === api.id).length,
        slaTierCount: store.tiers.filter((t) => t.apiId === api.id).length,
        contractCount: store.contracts.filter((c) => c.apiId === api.id).length,
      });
    }
    // The seed gives some instances each count and some none, so the figures above are not all zero.
    expect(data.apis.nodes.some((n: any) => n.slaTierCount > 0 && n.policyCount > 0 && n.contractCount > 0)).toBe(true);
  });
});
