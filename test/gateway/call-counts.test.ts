import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * Upstream call counts for representative queries against the demo preset. Each expected
 * figure is the minimum for the query's shape, worked out by hand in the comment beside it and
 * computed from the simulator's own data, and a repeat within the TTL costs nothing.
 */
describe('upstream call counts', () => {
  let stack: Stack;
  let rootOrgId: string;

  beforeAll(async () => {
    stack = await startStack();
    rootOrgId = stack.sim.sim.demoApp.orgId;
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetCounts());

  /** Cold: Cache-Control: no-cache skips the shared cache, as a fresh gateway would; warm: a plain repeat. */
  async function measure(query: string, variables?: Record<string, unknown>) {
    const cold = await stack.gw.gql(query, variables, { 'cache-control': 'no-cache' });
    expect(cold.errors).toBeUndefined();
    const coldCalls = await stack.upstream();
    await stack.resetCounts();
    const warm = await stack.gw.gql(query, variables);
    expect(warm.errors).toBeUndefined();
    expect(warm.data).toEqual(cold.data);
    const warmCalls = await stack.upstream();
    return { cold: coldCalls, warm: warmCalls, data: cold.data as any };
  }

  it('costs one hierarchy call, one org detail per org and one count per environment for the org tree', async () => {
    const store = stack.sim.sim.store;
    const orgs = store.orgs.size;
    const envs = store.environments.size;
    // minimum = 1 (GET /hierarchy) + orgs (GET /organizations/{id}, which embeds environments)
    //         + envs (GET .../apis?limit=1 for each total) = 1 + 5 + 15 = 21 on the demo preset
    const { cold, warm, data } = await measure('{ organizations { name environments { name apiCount } } }');
    expect(cold.total).toBe(1 + orgs + envs);
    expect(cold.byRoute['GET /accounts/api/organizations/{orgId}/hierarchy']).toBe(1);
    expect(cold.byRoute['GET /accounts/api/organizations/{orgId}']).toBe(orgs);
    expect(cold.byRoute['GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis']).toBe(envs);
    expect(warm.total).toBe(0);
    const counted = data.organizations.flatMap((o: any) => o.environments).reduce((sum: number, e: any) => sum + e.apiCount, 0);
    expect(counted).toBe(store.apis.size);
  });

  it('costs one users listing, one teams listing and one members listing per team for users with their teams', async () => {
    const store = stack.sim.sim.store;
    const teams = [...store.teams.values()].filter((t) => t.org_id === rootOrgId).length;
    // minimum = 1 (hierarchy: does the org exist) + 1 (users, one page of <= 500)
    //         + 1 (teams of the org) + teams (members of each; Anypoint has no "teams of a user") = 3 + 12
    const { cold, warm, data } = await measure(
      'query($id: ID!) { organization(id: $id) { users(first: 100) { nodes { username teams { team { name } membershipType } } } } }',
      { id: rootOrgId },
    );
    expect(cold.total).toBe(3 + teams);
    expect(cold.byRoute['GET /accounts/api/organizations/{orgId}/teams/{teamId}/members']).toBe(teams);
    expect(warm.total).toBe(0);
    expect(data.organization.users.nodes).toHaveLength(store.usersOf(rootOrgId).length);
  });

  it('costs one teams listing, one members listing per team and one users listing for a team tree with members', async () => {
    const store = stack.sim.sim.store;
    const rootTeam = store.rootTeamOf(rootOrgId)!;
    const depth1 = [...store.teams.values()].filter((t) => t.parentId === rootTeam.team_id);
    const depth2 = [...store.teams.values()].filter((t) => depth1.some((p) => p.team_id === t.parentId));
    // minimum = 1 (hierarchy) + 1 (teams of the org: parents and children come from one listing)
    //         + depth1 + depth2 (members of each team shown) + 1 (users of the org: more members
    //         than ANYPOINT_SINGLE_GET_LIMIT, so one listing instead of one GET per member)
    const member = 'members { nodes { membershipType user { username } } }';
    const { cold, warm, data } = await measure(
      `query($id: ID!) { organization(id: $id) { rootTeam { name children { name ${member} children { name ${member} } } } } }`,
      { id: rootOrgId },
    );
    expect(cold.total).toBe(3 + depth1.length + depth2.length);
    expect(cold.byRoute['GET /accounts/api/organizations/{orgId}/users']).toBe(1);
    expect(cold.byRoute['GET /accounts/api/organizations/{orgId}/users/{userId}']).toBeUndefined();
    expect(warm.total).toBe(0);
    expect(data.organization.rootTeam.children).toHaveLength(depth1.length);
  });

  it('costs one API listing per environment and one Exchange search for an API inventory', async () => {
    const store = stack.sim.sim.store;
    const envs = store.environmentsOf(rootOrgId).length;
    // minimum = 1 (hierarchy) + 1 (org detail: its environments) + envs (API Manager list per environment)
    //         + 1 (Exchange search of the org's assets, instead of one GET per asset) = 3 + 3
    const { cold, warm, data } = await measure(
      'query($id: ID!) { organization(id: $id) { apis(first: 200) { totalCount nodes { name status exchangeAsset { name type status } specification { format } } } } }',
      { id: rootOrgId },
    );
    expect(cold.total).toBe(3 + envs);
    expect(cold.byRoute['GET /exchange/api/v2/assets']).toBe(1);
    expect(warm.total).toBe(0);
    const expected = [...store.apis.values()].filter((a) => a.organizationId === rootOrgId).length;
    expect(data.organization.apis.totalCount).toBe(expected);
  });

  it('fetches three users of a large org one by one', async () => {
    const users = stack.sim.sim.store.usersOf(rootOrgId).slice(0, 3);
    // minimum = 3 single GETs: listing the org would cost at least as many pages once it is large.
    // By id alone, so the GET by id whatever the org (GET /users/{userId}, official spec).
    const { cold } = await measure(`{ ${users.map((u, i) => `u${i}: user(id: "${u.id}") { username }`).join(' ')} }`);
    expect(cold.total).toBe(3);
    expect(cold.byRoute['GET /accounts/api/users/{userId}']).toBe(3);
  });

  it('lists the org once for many users instead of one GET each', async () => {
    const users = stack.sim.sim.store.usersOf(rootOrgId).slice(0, 20);
    // minimum = 1 users listing (20 ids > ANYPOINT_SINGLE_GET_LIMIT = 10, and the org fits one page)
    const { cold, data } = await measure(`{ ${users.map((u, i) => `u${i}: user(id: "${u.id}") { username }`).join(' ')} }`);
    expect(cold.total).toBe(1);
    expect(Object.values(data).map((u: any) => u.username)).toEqual(users.map((u) => u.username));
  });
});
