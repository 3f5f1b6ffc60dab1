import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimStore } from '../../src/simulator/store.js';
import { expectBracketed } from '../abuse/cost-support.js';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * Lookups by id outside the root org (issue 15) use what they know before any sweep: the
 * platform's own GETs by id alone (GET /users/{id}, GET /environments/{id}, official Access
 * Management spec) and an org hint (an organizationId argument, or an organization { id } /
 * environment { id } key in a federation reference). Only a team or an API instance with no hint
 * at all still sweeps, bounded. Large preset (51 orgs, 230 environments), as the issue measured;
 * the minimum is worked out beside each figure, and "before" is what the same lookup cost until now.
 */
const USER_ANYWHERE = 'GET /accounts/api/users/{userId}';
const USERS = 'GET /accounts/api/organizations/{orgId}/users';
const USER_IN_ORG = 'GET /accounts/api/organizations/{orgId}/users/{userId}';
const ENV_ANYWHERE = 'GET /accounts/api/environments/{envId}';
const ORG_DETAIL = 'GET /accounts/api/organizations/{orgId}';
const HIERARCHY = 'GET /accounts/api/organizations/{orgId}/hierarchy';
const TEAM = 'GET /accounts/api/organizations/{orgId}/teams/{teamId}';
const TEAMS = 'GET /accounts/api/organizations/{orgId}/teams';
const API_LIST = 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';
const API_GET = 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on User { id username organization { id } }
  ... on Team { id name organization { id } }
  ... on Environment { id name organization { id } }
  ... on Api { id environment { id } organization { id } }
} }`;

describe('lookups by id outside the root org (large preset)', () => {
  let stack: Stack;
  let store: SimStore;
  let rootOrgId: string;
  /** A business group (not the root) and records of it. */
  let group: string;
  let orgs: number;

  beforeAll(async () => {
    stack = await startStack({ preset: 'large' });
    store = stack.sim.sim.store;
    rootOrgId = store.rootOrgId;
    group = store.orgChildIds(rootOrgId)[0]!;
    orgs = store.orgs.size;
    expect(orgs).toBe(51);
    expect(store.environments.size).toBe(230);
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetCounts());

  /** Cold (no shared cache): the answer and what it cost upstream. */
  async function measure(query: string, variables?: Record<string, unknown>) {
    const res = await stack.gw.gql(query, variables, { 'cache-control': 'no-cache' });
    return { ...res, calls: await stack.upstream() };
  }
  const codes = (errors: Array<{ extensions?: Record<string, unknown> }> | undefined) => (errors ?? []).map((e) => e.extensions?.code);

  describe('User', () => {
    const query = 'query($id: ID!, $org: ID) { user(id: $id, organizationId: $org) { id username organization { id } } }';

    it('by id alone: one GET /users/{id} (before: 52)', async () => {
      const user = store.usersOf(group)[0]!;
      const { data, errors, calls } = await measure(query, { id: user.id });
      expect(errors).toBeUndefined();
      expect(data!.user).toEqual({ id: user.id, username: user.username, organization: { id: group } });
      // minimum = 1: the platform's GET by id answers wherever the user is.
      // Before: 1 root GET (404) + 1 hierarchy + 50 business-group listings = 52.
      expect(calls.byRoute).toEqual({ [USER_ANYWHERE]: 1 });
    });

    it('with its org as a hint: one GET in that org', async () => {
      const user = store.usersOf(group)[0]!;
      const { data, errors, calls } = await measure(query, { id: user.id, org: group });
      expect(errors).toBeUndefined();
      expect(data!.user.organization.id).toBe(group);
      // minimum = 1 GET of the user in the hinted org.
      expect(calls.byRoute).toEqual({ [USER_IN_ORG]: 1 });
    });

    it('with a wrong org as a hint: NOT_FOUND after one GET, not the other org\'s user', async () => {
      const user = store.usersOf(group)[0]!;
      const { data, errors, calls } = await measure(query, { id: user.id, org: rootOrgId });
      expect(data!.user).toBeNull();
      expect(codes(errors)).toEqual(['NOT_FOUND']);
      expect(calls.total).toBe(1);
    });

    it('an id nobody has: NOT_FOUND after one GET (before: 52)', async () => {
      const { data, errors, calls } = await measure(query, { id: UNKNOWN });
      expect(data!.user).toBeNull();
      expect(codes(errors)).toEqual(['NOT_FOUND']);
      expect(calls.byRoute).toEqual({ [USER_ANYWHERE]: 1 });
    });

    it('a federation reference with and without its org: one GET each', async () => {
      const user = store.usersOf(group)[2]!;
      const plain = await measure(ENTITIES, { r: [{ __typename: 'User', id: user.id }] });
      expect(plain.errors).toBeUndefined();
      expect(plain.data!._entities).toEqual([{ id: user.id, username: user.username, organization: { id: group } }]);
      // minimum = 1 (before: 52).
      expect(plain.calls.byRoute).toEqual({ [USER_ANYWHERE]: 1 });
      await stack.resetCounts();
      const hinted = await measure(ENTITIES, { r: [{ __typename: 'User', id: user.id, organization: { id: group } }] });
      expect(hinted.data).toEqual(plain.data);
      expect(hinted.calls.byRoute).toEqual({ [USER_IN_ORG]: 1 });
      await stack.resetCounts();
      const wrong = await measure(ENTITIES, { r: [{ __typename: 'User', id: user.id, organization: { id: rootOrgId } }] });
      expect(wrong.data!._entities).toEqual([null]);
      expect(codes(wrong.errors)).toEqual(['NOT_FOUND']);
    });
  });

  it('a batch of 20 user references by id alone outside the root: the root listing, then a GET each (before: 55)', async () => {
    const users = store.usersOf(group).slice(0, 20);
    const rootPages = Math.ceil(store.usersOf(rootOrgId).length / 500);
    const { data, errors, calls } = await measure(ENTITIES, { r: users.map((u) => ({ __typename: 'User', id: u.id })) });
    expect(errors).toBeUndefined();
    expect(data!._entities).toEqual(users.map((u) => ({ id: u.id, username: u.username, organization: { id: group } })));
    // More than ANYPOINT_SINGLE_GET_LIMIT (10): the root org's listing first, where most users
    // are (4 pages of 2,000). The 20 not there are fewer than the sweep's 50 listings, so they are
    // 20 GETs by id, after the hierarchy that prices the sweep: 4 + 1 + 20 = 25.
    // Before: 4 + 1 hierarchy + 50 business-group listings = 55.
    expect(calls.byRoute).toEqual({ [USERS]: rootPages, [HIERARCHY]: 1, [USER_ANYWHERE]: 20 });
  });

  it('a batch of 60 user references outside the root spread over the business groups: the bounded sweep, fewer calls than 60 GETs', async () => {
    const groups = [...store.orgs.keys()].filter((id) => id !== rootOrgId);
    const users = groups.flatMap((org) => store.usersOf(org).slice(0, 2)).slice(0, 60);
    const { errors, calls, data } = await measure(ENTITIES, { r: users.map((u) => ({ __typename: 'User', id: u.id })) });
    expect(errors).toBeUndefined();
    expect(data!._entities.map((u: { id: string }) => u.id)).toEqual(users.map((u) => u.id));
    // 60 > 50 listings of one page each (no business group has more than 500 users): the sweep,
    // 4 root pages + 1 hierarchy + 50 = 55 calls instead of 4 + 1 + 60.
    expect(groups.every((org) => store.usersOf(org).length <= 500)).toBe(true);
    expect(calls.byRoute).toEqual({ [USERS]: 4 + orgs - 1, [HIERARCHY]: 1 });
  });

  describe('Team', () => {
    const query = 'query($id: ID!, $org: ID) { team(id: $id, organizationId: $org) { id name organization { id } } }';
    const teamOf = (org: string) => store.teamsOf(org).find((t) => t.parentId !== null) ?? store.teamsOf(org)[0]!;

    it('with its org as a hint: one GET in that org (before: 52)', async () => {
      const team = teamOf(group);
      const { data, errors, calls } = await measure(query, { id: team.team_id, org: group });
      expect(errors).toBeUndefined();
      expect(data!.team).toEqual({ id: team.team_id, name: team.team_name, organization: { id: group } });
      // minimum = 1 GET of the team in the hinted org.
      expect(calls.byRoute).toEqual({ [TEAM]: 1 });
    });

    it('with a wrong org as a hint: NOT_FOUND after one GET', async () => {
      const team = teamOf(group);
      const { data, errors, calls } = await measure(query, { id: team.team_id, org: rootOrgId });
      expect(data!.team).toBeNull();
      expect(codes(errors)).toEqual(['NOT_FOUND']);
      expect(calls.total).toBe(1);
    });

    it('by id alone: the root org, then the bounded sweep of the business groups (52)', async () => {
      const team = teamOf(group);
      const { data, errors, calls } = await measure(query, { id: team.team_id });
      expect(errors).toBeUndefined();
      expect(data!.team.organization.id).toBe(group);
      // The official spec serves teams only under their org (no GET by id alone), so without a
      // hint: 1 root GET (404) + 1 hierarchy + 1 teams listing per business group (one page each
      // here) = 2 + 50 = 52, the bound. Minimum without a hint: the same (every org may hold it).
      expect(store.teamsOf(group).length).toBeLessThanOrEqual(500);
      expect(calls.byRoute).toEqual({ [TEAM]: 1, [HIERARCHY]: 1, [TEAMS]: orgs - 1 });
    });

    it('a federation reference with its org: one GET', async () => {
      const team = teamOf(group);
      const { data, errors, calls } = await measure(ENTITIES, { r: [{ __typename: 'Team', id: team.team_id, organization: { id: group } }] });
      expect(errors).toBeUndefined();
      expect(data!._entities).toEqual([{ id: team.team_id, name: team.team_name, organization: { id: group } }]);
      expect(calls.byRoute).toEqual({ [TEAM]: 1 });
    });
  });

  describe('Environment', () => {
    const query = 'query($id: ID!, $org: ID) { environment(id: $id, organizationId: $org) { id name organization { id } } }';

    it('by id alone: one GET /environments/{id} (before: 52)', async () => {
      const env = store.environmentsOf(group)[0]!;
      const { data, errors, calls } = await measure(query, { id: env.id });
      expect(errors).toBeUndefined();
      expect(data!.environment).toEqual({ id: env.id, name: env.name, organization: { id: group } });
      // minimum = 1. Before: 1 root detail + 1 hierarchy + 50 business-group details = 52.
      expect(calls.byRoute).toEqual({ [ENV_ANYWHERE]: 1 });
    });

    it('with its org as a hint: that org\'s detail, one call', async () => {
      const env = store.environmentsOf(group)[0]!;
      const { data, errors, calls } = await measure(query, { id: env.id, org: group });
      expect(errors).toBeUndefined();
      expect(data!.environment.organization.id).toBe(group);
      expect(calls.byRoute).toEqual({ [ORG_DETAIL]: 1 });
    });

    it('with a wrong org as a hint, or an id nobody has: NOT_FOUND after one call', async () => {
      const env = store.environmentsOf(group)[0]!;
      const wrong = await measure(query, { id: env.id, org: rootOrgId });
      expect(wrong.data!.environment).toBeNull();
      expect(codes(wrong.errors)).toEqual(['NOT_FOUND']);
      expect(wrong.calls.total).toBe(1);
      await stack.resetCounts();
      const unknown = await measure(query, { id: UNKNOWN });
      expect(unknown.data!.environment).toBeNull();
      expect(codes(unknown.errors)).toEqual(['NOT_FOUND']);
      // Before: 52.
      expect(unknown.calls.byRoute).toEqual({ [ENV_ANYWHERE]: 1 });
    });

    it('a federation reference with and without its org: one call each', async () => {
      const env = store.environmentsOf(group)[1]!;
      const plain = await measure(ENTITIES, { r: [{ __typename: 'Environment', id: env.id }] });
      expect(plain.errors).toBeUndefined();
      expect(plain.data!._entities).toEqual([{ id: env.id, name: env.name, organization: { id: group } }]);
      expect(plain.calls.byRoute).toEqual({ [ENV_ANYWHERE]: 1 });
      await stack.resetCounts();
      const hinted = await measure(ENTITIES, { r: [{ __typename: 'Environment', id: env.id, organization: { id: group } }] });
      expect(hinted.data).toEqual(plain.data);
      expect(hinted.calls.byRoute).toEqual({ [ORG_DETAIL]: 1 });
    });
  });

  describe('Api', () => {
    const apiOf = () => [...store.apis.values()].find((a) => a.organizationId === group)!;
    const ref = (extra: Record<string, unknown> = {}) => ({ r: [{ __typename: 'Api', id: String(apiOf().id), ...extra }] });
    const expected = () => [{ id: String(apiOf().id), environment: { id: apiOf().environmentId }, organization: { id: group } }];

    it('by id alone: the bounded sweep of every environment (282, unchanged)', async () => {
      const { data, errors, calls } = await measure(ENTITIES, ref());
      expect(errors).toBeUndefined();
      expect(data!._entities).toEqual(expected());
      // API Manager serves instances only under org and environment, and no official spec has a
      // lookup by instance id alone (Exchange's search finds assets, not instances). So: the root
      // org's detail and environments first, then 1 hierarchy + each other org's detail + each
      // of its environments' listings: 1 + 51 + 230 = 282, the bound (the minimum without a hint
      // when the instance may be in any environment).
      expect(calls.byRoute).toEqual({ [HIERARCHY]: 1, [ORG_DETAIL]: orgs, [API_LIST]: store.environments.size });
    });

    it('with its org as a hint: that org\'s detail and its environments\' listings', async () => {
      const { data, errors, calls } = await measure(ENTITIES, ref({ organization: { id: group } }));
      expect(errors).toBeUndefined();
      expect(data!._entities).toEqual(expected());
      // minimum with only the org = 1 detail (its environments) + 1 listing per environment of it.
      expect(calls.byRoute).toEqual({ [ORG_DETAIL]: 1, [API_LIST]: store.environmentsOf(group).length });
    });

    it('with its environment as a hint: two calls', async () => {
      const { data, errors, calls } = await measure(ENTITIES, ref({ environment: { id: apiOf().environmentId } }));
      expect(errors).toBeUndefined();
      expect(data!._entities).toEqual(expected());
      // minimum = 1 environment GET (its org) + 1 instance GET.
      expect(calls.byRoute).toEqual({ [ENV_ANYWHERE]: 1, [API_GET]: 1 });
    });

    it('with a wrong org or environment as a hint: NOT_FOUND, not the instance of another one', async () => {
      const otherEnv = store.environmentsOf(rootOrgId)[0]!.id;
      const wrongOrg = await measure(ENTITIES, ref({ organization: { id: rootOrgId } }));
      expect(wrongOrg.data!._entities).toEqual([null]);
      expect(codes(wrongOrg.errors)).toEqual(['NOT_FOUND']);
      // Only the hinted org is listed: its detail and its environments, no sweep.
      expect(wrongOrg.calls.byRoute).toEqual({ [ORG_DETAIL]: 1, [API_LIST]: store.environmentsOf(rootOrgId).length });
      await stack.resetCounts();
      const wrongEnv = await measure(ENTITIES, ref({ environment: { id: otherEnv } }));
      expect(wrongEnv.data!._entities).toEqual([null]);
      expect(codes(wrongEnv.errors)).toEqual(['NOT_FOUND']);
      expect(wrongEnv.calls.total).toBe(2);
    });

    it('Query.api with its environment outside the root: two calls (before: 53)', async () => {
      const api = apiOf();
      const { data, errors, calls } = await measure('query($e: ID!, $id: ID!) { api(environmentId: $e, id: $id) { id organization { id } } }', {
        e: api.environmentId,
        id: String(api.id),
      });
      expect(errors).toBeUndefined();
      expect(data!.api).toEqual({ id: String(api.id), organization: { id: group } });
      // minimum = 1 environment GET + 1 instance GET. Before: the environment's sweep (52) + 1.
      expect(calls.byRoute).toEqual({ [ENV_ANYWHERE]: 1, [API_GET]: 1 });
    });
  });

  it('refuses a malformed hint rather than ignoring it (which would sweep)', async () => {
    const team = store.teamsOf(group)[0]!;
    const { data, errors, calls } = await measure(ENTITIES, { r: [{ __typename: 'Team', id: team.team_id, organization: { id: 42 } }] });
    expect(data!._entities).toEqual([null]);
    expect(codes(errors)).toEqual(['BAD_USER_INPUT']);
    expect(calls.total).toBe(0);
  });

  it('demand control brackets each of these lookups (estimate between the real count and three times it)', async () => {
    const user = store.usersOf(group)[0]!;
    const team = store.teamsOf(group)[0]!;
    const env = store.environmentsOf(group)[0]!;
    const api = [...store.apis.values()].find((a) => a.organizationId === group)!;
    const entity = (rep: Record<string, unknown>) => ({ query: ENTITIES, variables: { r: [rep] } });
    const seen = await expectBracketed(stack, [
      { name: 'user by id', query: `{ user(id: "${user.id}") { id } }` },
      { name: 'user in its org', query: `{ user(id: "${user.id}", organizationId: "${group}") { id } }` },
      { name: 'team in its org', query: `{ team(id: "${team.team_id}", organizationId: "${group}") { id } }` },
      { name: 'team by id (sweep)', query: `{ team(id: "${team.team_id}") { id } }` },
      { name: 'environment by id', query: `{ environment(id: "${env.id}") { id } }` },
      { name: 'environment in its org', query: `{ environment(id: "${env.id}", organizationId: "${group}") { id } }` },
      { name: 'api in its environment', query: `{ api(environmentId: "${api.environmentId}", id: "${api.id}") { id } }` },
      { name: 'user reference', ...entity({ __typename: 'User', id: user.id }) },
      // 20 by id alone: the first cold run teaches demand control that they live outside the root.
      { name: '20 user references outside the root', query: ENTITIES, variables: { r: store.usersOf(group).slice(0, 20).map((u) => ({ __typename: 'User', id: u.id })) } },
      { name: '20 user references with their org', query: ENTITIES, variables: { r: store.usersOf(group).slice(0, 20).map((u) => ({ __typename: 'User', id: u.id, organization: { id: group } })) } },
      { name: 'team reference with its org', ...entity({ __typename: 'Team', id: team.team_id, organization: { id: group } }) },
      { name: 'environment reference', ...entity({ __typename: 'Environment', id: env.id }) },
      { name: 'api reference with its org', ...entity({ __typename: 'Api', id: String(api.id), organization: { id: group } }) },
      { name: 'api reference with its environment', ...entity({ __typename: 'Api', id: String(api.id), environment: { id: api.environmentId } }) },
      // The sweeps: the first cold run teaches demand control where the team or instance lives.
      { name: 'team reference by id alone (sweep)', ...entity({ __typename: 'Team', id: team.team_id }) },
      { name: 'api reference by id alone (sweep)', ...entity({ __typename: 'Api', id: String(api.id) }) },
    ]);
    expect(seen).toHaveLength(16);
  });
});

describe('the new lookups under upstream faults', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function setFaults(rules: unknown[]) {
    const res = await fetch(`${stack!.sim.url}/__sim/faults`, { method: 'PUT', body: JSON.stringify({ latency: { minMs: 0, maxMs: 0 }, rules }) });
    expect(res.status).toBe(200);
  }

  it.each([
    ['GET /users/{id}', '/accounts/api/users/*', (s: SimStore, group: string) => `{ user(id: "${s.usersOf(group)[0]!.id}") { id } }`],
    ['GET /environments/{id}', '/accounts/api/environments/*', (s: SimStore, group: string) => `{ environment(id: "${s.environmentsOf(group)[0]!.id}") { id } }`],
  ])('a failing %s is a typed UPSTREAM_UNAVAILABLE, not NOT_FOUND', async (_, path, query) => {
    stack = await startStack({}, { ANYPOINT_MAX_ATTEMPTS: '2' });
    const store = stack.sim.sim.store;
    await setFaults([{ kind: '500', probability: 1, path }]);
    const { data, errors } = await stack.gw.gql(query(store, store.orgChildIds(store.rootOrgId)[0]!), undefined, { 'cache-control': 'no-cache' });
    expect(Object.values(data!)).toEqual([null]);
    expect(errors!.map((e) => e.extensions!.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(errors![0]!.extensions!.upstreamStatus).toBe(500);
  });

  it('a failing GET /users/{id} recovers within the retry budget', async () => {
    stack = await startStack({}, { ANYPOINT_MAX_ATTEMPTS: '4' });
    const store = stack.sim.sim.store;
    const user = store.usersOf(store.orgChildIds(store.rootOrgId)[0]!)[0]!;
    await setFaults([{ kind: '503', probability: 1, times: 2, path: '/accounts/api/users/*' }]);
    const { data, errors } = await stack.gw.gql(`{ user(id: "${user.id}") { id username } }`, undefined, { 'cache-control': 'no-cache' });
    expect(errors).toBeUndefined();
    expect(data!.user).toEqual({ id: user.id, username: user.username });
  });
});
