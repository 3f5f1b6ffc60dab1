import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Kind, parse, type ConstDirectiveNode, type ObjectTypeDefinitionNode, type SchemaExtensionNode } from 'graphql';
import { generateApiKey, hashApiKey } from '../../src/server/api-keys.js';
import type { ApiInstanceRecord, UserRecord } from '../../src/simulator/model.js';
import type { SimStore } from '../../src/simulator/store.js';
import { startStack, type Stack } from '../helpers/gateway.js';
import { startPortalSubgraph, type PortalEmployee, type PortalSubgraph } from './portal-subgraph.js';
import { EXPECTED_ENTITIES } from './expected-entities.js';
import { composeSupergraph, fetchServiceSdl, postGraphql, startRouter, supergraphEntities, type GqlResponse, type RouterHarness } from './router.js';

/**
 * The gateway as one subgraph of a federated supergraph, next to a second subgraph (an employee
 * portal, portal-subgraph.ts): its published SDL, composition of both, a router serving queries
 * that cross both, and what entity batches cost upstream.
 */


const directiveArg = (d: ConstDirectiveNode, name: string): string | undefined => {
  const arg = d.arguments?.find((a) => a.name.value === name);
  return arg && (arg.value.kind === Kind.STRING || arg.value.kind === Kind.BOOLEAN) ? String(arg.value.value) : undefined;
};

/** The teams of the user's org the user is a member of, in the order Anypoint lists teams (by name). */
function teamNamesOf(store: SimStore, user: UserRecord): string[] {
  return [...store.teams.values()]
    .filter((t) => t.org_id === user.organizationId && store.membersOf(t.team_id).has(user.id))
    .map((t) => t.team_name)
    .sort((a, b) => a.localeCompare(b));
}

const assetName = (store: SimStore, api: ApiInstanceRecord) => store.assets.get(store.assetKey(api.groupId, api.assetId, api.assetVersion))!.name;

describe('the gateway as a subgraph of a supergraph with a portal subgraph', () => {
  const apiKey = generateApiKey();
  const withKey = { 'x-api-key': apiKey };
  let stack: Stack;
  let store: SimStore;
  let rootOrgId: string;
  let portal: PortalSubgraph;
  let router: RouterHarness;
  let anypointSdl: string;
  let supergraphSdl: string;
  let employees: Array<PortalEmployee & { user: UserRecord | null }>;

  beforeAll(async () => {
    // As in production: no anonymous reads, so the router has to send the gateway's API key.
    stack = await startStack({}, { ANONYMOUS_READS: 'false', API_KEYS: `router:reader:${hashApiKey(apiKey)}` });
    store = stack.sim.sim.store;
    rootOrgId = stack.sim.sim.demoApp.orgId;
    const rootUsers = store.usersOf(rootOrgId);
    const subOrg = [...store.orgs.values()].find((o) => o.parentId !== null)!;
    const subOrgUser = store.usersOf(subOrg.id)[0]!;
    const rootApis = [...store.apis.values()].filter((a) => a.organizationId === rootOrgId).sort((a, b) => a.id - b.id);
    const subOrgApi = [...store.apis.values()].find((a) => a.organizationId === subOrg.id)!;
    employees = [
      { id: 'e1', name: 'Ada Lovelace', user: rootUsers[0]!, apiIds: [String(rootApis[0]!.id), String(subOrgApi.id)] },
      { id: 'e2', name: 'Grace Hopper', user: rootUsers[7]!, apiIds: [String(rootApis[1]!.id)] },
      { id: 'e3', name: 'Alan Turing', user: subOrgUser, apiIds: [] },
      { id: 'e4', name: 'Contractor Without Account', user: null, apiIds: [] },
      { id: 'e5', name: 'Edsger Dijkstra', user: rootUsers[rootUsers.length - 1]!, apiIds: [] },
    ].map((e) => ({ ...e, username: e.user?.username ?? null }));
    portal = await startPortalSubgraph(employees.map(({ user: _, ...e }) => e));
    anypointSdl = await fetchServiceSdl(stack.gw.gateway.graphqlUrl, withKey);
    const composed = composeSupergraph([
      { name: 'anypoint', url: stack.gw.gateway.graphqlUrl, sdl: anypointSdl },
      { name: 'portal', url: portal.url, sdl: portal.typeDefs },
    ]);
    if (!composed.supergraphSdl) throw new Error(`composition failed: ${(composed.errors ?? []).map((e) => e.message).join('\n')}`);
    supergraphSdl = composed.supergraphSdl;
    router = await startRouter(supergraphSdl, { anypoint: { insert: withKey } });
  });
  afterAll(async () => {
    await router?.close();
    await portal?.close();
    await stack?.close();
  });
  beforeEach(() => {
    router.fetches.length = 0;
  });

  it('refuses its _service SDL to a caller without an API key when anonymous reads are off', async () => {
    const res = await postGraphql(stack.gw.gateway.graphqlUrl, '{ _service { sdl } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('publishes a _service SDL that links federation v2 and keys each entity', () => {
    const doc = parse(anypointSdl);
    const links = doc.definitions
      .filter((d): d is SchemaExtensionNode => d.kind === Kind.SCHEMA_EXTENSION)
      .flatMap((d) => d.directives ?? [])
      .filter((d) => d.name.value === 'link')
      .map((d) => directiveArg(d, 'url'));
    expect(links).toContain('https://specs.apollo.dev/federation/v2.5');
    expect(anypointSdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])');

    const keys: Record<string, string[]> = {};
    for (const def of doc.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION)) {
      const fields = (def.directives ?? []).filter((d) => d.name.value === 'key').map((d) => directiveArg(d, 'fields')!);
      const resolvable = (def.directives ?? []).filter((d) => d.name.value === 'key').map((d) => directiveArg(d, 'resolvable') ?? 'true');
      if (fields.length) keys[def.name.value] = fields;
      expect(resolvable.every((r) => r === 'true'), `${def.name.value} keys are resolvable`).toBe(true);
    }
    // The org (or, for an API, environment) beside the id is a hint that narrows the lookup (issue 15).
    expect(keys).toEqual({
      Api: ['id', 'id organization { id }', 'id environment { id }'],
      Environment: ['id', 'id organization { id }'],
      Organization: ['id'],
      Team: ['id', 'id organization { id }'],
      User: ['id', 'id organization { id }', 'username'],
    });
    // Every keyed type can be fetched through _entities.
    expect(anypointSdl).toContain('union _Entity = Api | Environment | Organization | Team | User');
  });

  it('keys API instances by a plain integer id, so the id alone finds an instance in any environment', async () => {
    const res = await stack.gw.gql('{ apis(first: 200) { totalCount nodes { id } } }', undefined, withKey);
    expect(res.errors).toBeUndefined();
    const ids = res.data!.apis.nodes.map((n: { id: string }) => n.id);
    expect(ids.length).toBe(res.data!.apis.totalCount);
    for (const id of ids) expect(id).toMatch(/^\d{1,15}$/);
  });

  it('composes with the portal subgraph without errors or hints into the expected entities and keys', () => {
    const composed = composeSupergraph([
      { name: 'anypoint', url: stack.gw.gateway.graphqlUrl, sdl: anypointSdl },
      { name: 'portal', url: portal.url, sdl: portal.typeDefs },
    ]);
    expect(composed.errors).toBeUndefined();
    expect(composed.hints?.map((h) => h.toString())).toEqual([]);
    expect(supergraphEntities(composed.supergraphSdl!)).toEqual(EXPECTED_ENTITIES);
    expect(composed.supergraphSdl).toContain(`@join__graph(name: "anypoint", url: "${stack.gw.gateway.graphqlUrl}")`);
    expect(composed.supergraphSdl).toContain(`@join__graph(name: "portal", url: "${portal.url}")`);
  });

  it('resolves every entity of the gateway from a reference by each of its keys', async () => {
    const user = store.usersOf(rootOrgId)[3]!;
    const team = [...store.teams.values()].find((t) => t.org_id === rootOrgId && t.parentId !== null)!;
    const env = store.environmentsOf(rootOrgId)[0]!;
    const api = [...store.apis.values()].find((a) => a.organizationId !== rootOrgId)!;
    const representations = [
      { __typename: 'User', id: user.id },
      { __typename: 'User', username: user.username },
      { __typename: 'Team', id: team.team_id },
      { __typename: 'Organization', id: rootOrgId },
      { __typename: 'Environment', id: env.id },
      { __typename: 'Api', id: String(api.id) },
      { __typename: 'User', id: user.id, organization: { id: rootOrgId } },
      { __typename: 'Team', id: team.team_id, organization: { id: rootOrgId } },
      { __typename: 'Environment', id: env.id, organization: { id: rootOrgId } },
      { __typename: 'Api', id: String(api.id), organization: { id: api.organizationId } },
      { __typename: 'Api', id: String(api.id), environment: { id: api.environmentId } },
    ];
    const res = await stack.gw.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        __typename
        ... on User { id username email }
        ... on Team { id name }
        ... on Organization { id name isRoot }
        ... on Environment { id name }
        ... on Api { id name environment { id } }
      } }`,
      { r: representations },
      withKey,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      { __typename: 'User', id: user.id, username: user.username, email: user.email },
      { __typename: 'User', id: user.id, username: user.username, email: user.email },
      { __typename: 'Team', id: team.team_id, name: team.team_name },
      { __typename: 'Organization', id: rootOrgId, name: store.orgs.get(rootOrgId)!.name, isRoot: true },
      { __typename: 'Environment', id: env.id, name: env.name },
      { __typename: 'Api', id: String(api.id), name: assetName(store, api), environment: { id: api.environmentId } },
      { __typename: 'User', id: user.id, username: user.username, email: user.email },
      { __typename: 'Team', id: team.team_id, name: team.team_name },
      { __typename: 'Environment', id: env.id, name: env.name },
      { __typename: 'Api', id: String(api.id), name: assetName(store, api), environment: { id: api.environmentId } },
      { __typename: 'Api', id: String(api.id), name: assetName(store, api), environment: { id: api.environmentId } },
    ]);
  });

  it('answers an unknown user reference with null and NOT_FOUND for that entity only', async () => {
    const known = store.usersOf(rootOrgId)[1]!;
    const res = await stack.gw.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { username } } }',
      { r: [{ __typename: 'User', username: 'no_such_user_anywhere' }, { __typename: 'User', username: known.username }] },
      withKey,
    );
    expect(res.data!._entities).toEqual([null, { username: known.username }]);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['_entities', 0]);
    expect(res.errors![0]!.extensions?.code).toBe('NOT_FOUND');
  });

  it("resolves portal employees' Anypoint accounts by username through the router, teams included", async () => {
    const res = await router.gql('{ employees { name account { id firstName email teams { team { name } } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.employees).toEqual(
      employees.map((e) => ({
        name: e.name,
        account: e.user && {
          id: e.user.id,
          firstName: e.user.firstName,
          email: e.user.email,
          teams: teamNamesOf(store, e.user).map((name) => ({ team: { name } })),
        },
      })),
    );
    // One portal fetch, then one _entities batch for every account (the sub-org user included).
    expect(router.fetches.map((f) => f.subgraph)).toEqual(['portal', 'anypoint']);
    const [, entities] = router.fetches;
    expect(entities!.query).toContain('_entities');
    expect(entities!.variables?.representations).toEqual(
      employees.filter((e) => e.username).map((e) => ({ __typename: 'User', username: e.username })),
    );
  });

  it("adds the portal's owner of record to API instances listed by the gateway", async () => {
    const res = await router.gql('{ apis(first: 200) { totalCount nodes { id name status portalOwner } } }');
    expect(res.errors).toBeUndefined();
    // No organization: every business group's instances, the sub-org one Ada owns included.
    const allApis = [...store.apis.values()];
    const owners = new Map(employees.flatMap((e) => e.apiIds.map((id) => [id, e.name] as const)));
    const nodes = res.data!.apis.nodes as Array<{ id: string }>;
    expect(res.data!.apis.totalCount).toBe(allApis.length);
    expect(nodes.map((n) => n.id).sort()).toEqual(allApis.map((a) => String(a.id)).sort());
    expect(nodes).toEqual(
      nodes.map(({ id }) => {
        const api = store.apis.get(Number(id))!;
        return { id, name: assetName(store, api), status: api.status.toUpperCase(), portalOwner: owners.get(id) ?? null };
      }),
    );
    expect(nodes.filter((n: any) => n.portalOwner !== null).length).toBe(owners.size);
    expect(router.fetches.map((f) => f.subgraph)).toEqual(['anypoint', 'portal']);
  });

  it('resolves API instances the portal references by id, in any organization, through the router', async () => {
    const res = await router.gql('{ employees { name ownedApis { id name portalOwner environment { name organization { name } } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.employees).toEqual(
      employees.map((e) => ({
        name: e.name,
        ownedApis: e.apiIds.map((id) => {
          const api = store.apis.get(Number(id))!;
          const env = store.environments.get(api.environmentId)!;
          return { id, name: assetName(store, api), portalOwner: e.name, environment: { name: env.name, organization: { name: store.orgs.get(env.organizationId)!.name } } };
        }),
      })),
    );
    expect(router.fetches.map((f) => f.subgraph)).toEqual(['portal', 'anypoint']);
  });

  it('fails the anypoint part of a routed query when the router does not send the API key', async () => {
    const keyless = await startRouter(supergraphSdl);
    try {
      const res = await keyless.gql('{ employees { name account { email } } }');
      // The portal part still answers; what the anypoint subgraph was to give is null (User.email
      // is nullable, so the account the portal named stays, with a null e-mail), with the
      // subgraph's refusal in errors.
      expect(res.data!.employees.map((e: { name: string }) => e.name)).toEqual(employees.map((e) => e.name));
      expect(res.data!.employees.map((e: { account: unknown }) => e.account)).toEqual(employees.map((e) => (e.username === null ? null : { email: null })));
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
      expect((res.errors![0]!.extensions?.response as { status: number }).status).toBe(401);
      // Only the anypoint fetch was refused: the portal answered.
      expect(keyless.fetches.map((f) => f.subgraph)).toEqual(['portal', 'anypoint']);
    } finally {
      await keyless.close();
    }
  });
});

/**
 * What entity batches cost upstream. The large preset has 2,000 users in the root org (the demo
 * preset only 40), so 100 users by id are well over ANYPOINT_SINGLE_GET_LIMIT (10): the users
 * loader lists the org (pages of 500) instead of 100 single GETs, exactly as the list query does.
 */
describe('upstream calls of entity batches (large preset)', () => {
  const N = 100;
  let stack: Stack;
  let store: SimStore;
  let rootOrgId: string;
  let users: UserRecord[];
  let portal: PortalSubgraph;
  let router: RouterHarness;
  /** Pages of the root org's user listing: the cost of any wave of more than 10 of its users. */
  let listingPages: number;

  beforeAll(async () => {
    stack = await startStack({ preset: 'large' });
    store = stack.sim.sim.store;
    rootOrgId = stack.sim.sim.demoApp.orgId;
    const rootUsers = store.usersOf(rootOrgId);
    expect(rootUsers.length).toBe(2_000);
    listingPages = Math.ceil(rootUsers.length / 500);
    users = rootUsers.slice(0, N);
    portal = await startPortalSubgraph(users.map((u, i) => ({ id: `emp-${i}`, name: `Employee ${i}`, username: u.username, apiIds: [] })));
    const anypointSdl = await fetchServiceSdl(stack.gw.gateway.graphqlUrl);
    const composed = composeSupergraph([
      { name: 'anypoint', url: stack.gw.gateway.graphqlUrl, sdl: anypointSdl },
      { name: 'portal', url: portal.url, sdl: portal.typeDefs },
    ]);
    if (!composed.supergraphSdl) throw new Error(`composition failed: ${(composed.errors ?? []).map((e) => e.message).join('\n')}`);
    // Cache-Control passes through, so a cold run through the router skips the gateway's cache too.
    router = await startRouter(composed.supergraphSdl, { anypoint: { propagate: ['cache-control'] } });
  });
  afterAll(async () => {
    await router?.close();
    await portal?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    router.fetches.length = 0;
    await stack.resetCounts();
  });

  /** Cold (Cache-Control: no-cache skips the shared cache, as a fresh gateway would), then a warm plain repeat. */
  async function measure(send: (headers: Record<string, string>) => Promise<GqlResponse>) {
    const cold = await send({ 'cache-control': 'no-cache' });
    expect(cold.errors).toBeUndefined();
    const coldCalls = await stack.upstream();
    await stack.resetCounts();
    const warm = await send({});
    expect(warm.errors).toBeUndefined();
    expect(warm.data).toEqual(cold.data);
    return { cold: coldCalls, warm: await stack.upstream(), data: cold.data as any };
  }

  const USERS_LISTING = 'GET /accounts/api/organizations/{orgId}/users';
  const expectedUsers = () => users.map((u) => ({ id: u.id, username: u.username, email: u.email }));
  const entitiesQuery = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id username email } } }';

  it('costs one paged listing of the root org for the list query of 100 users', async () => {
    // minimum = ceil(2,000 / 500) = 4 pages of the users listing; the root org needs no hierarchy call
    const { cold, warm, data } = await measure((h) => stack.gw.gql(`{ users(first: ${N}) { nodes { id username email } } }`, undefined, h));
    expect(cold.total).toBe(listingPages);
    expect(cold.byRoute).toEqual({ [USERS_LISTING]: listingPages });
    expect(warm.total).toBe(0);
    expect(data.users.nodes).toEqual(expectedUsers());
  });

  it('costs the same as the list query for an _entities batch of 100 users by id', async () => {
    const r = users.map((u) => ({ __typename: 'User', id: u.id }));
    const { cold, warm, data } = await measure((h) => stack.gw.gql(entitiesQuery, { r }, h));
    // 100 ids > ANYPOINT_SINGLE_GET_LIMIT: one listing of the root org instead of 100 GETs
    expect(cold.total).toBe(listingPages);
    expect(cold.byRoute).toEqual({ [USERS_LISTING]: listingPages });
    expect(warm.total).toBe(0);
    expect(data._entities).toEqual(expectedUsers());
  });

  it('costs the same as the list query for an _entities batch of 100 users by username', async () => {
    const r = users.map((u) => ({ __typename: 'User', username: u.username }));
    const { cold, warm, data } = await measure((h) => stack.gw.gql(entitiesQuery, { r }, h));
    // usernames are found by listing the root org; all are there, so no other org is listed
    expect(cold.total).toBe(listingPages);
    expect(cold.byRoute).toEqual({ [USERS_LISTING]: listingPages });
    expect(warm.total).toBe(0);
    expect(data._entities).toEqual(expectedUsers());
  });

  it('costs the same as the list query for 100 portal employees resolved through the router', async () => {
    const { cold, warm, data } = await measure((h) => router.gql('{ employees { name account { id username email } } }', undefined, h));
    expect(cold.total).toBe(listingPages);
    expect(cold.byRoute).toEqual({ [USERS_LISTING]: listingPages });
    expect(warm.total).toBe(0);
    expect(data.employees).toEqual(users.map((u, i) => ({ name: `Employee ${i}`, account: { id: u.id, username: u.username, email: u.email } })));
    // Each run: one portal fetch and one _entities fetch of 100 representations.
    expect(router.fetches.map((f) => f.subgraph)).toEqual(['portal', 'anypoint', 'portal', 'anypoint']);
    expect(router.fetches[1]!.variables?.representations).toHaveLength(N);
  });

  it('fetches a small _entities batch of users one by one instead of listing the org', async () => {
    const few = users.slice(0, 3);
    const r = few.map((u) => ({ __typename: 'User', id: u.id }));
    const { cold, warm, data } = await measure((h) => stack.gw.gql(entitiesQuery, { r }, h));
    // 3 ids <= ANYPOINT_SINGLE_GET_LIMIT: 3 single GETs (by id alone, any org) beat 4 listing pages
    expect(cold.total).toBe(3);
    expect(cold.byRoute).toEqual({ 'GET /accounts/api/users/{userId}': 3 });
    expect(warm.total).toBe(0);
    expect(data._entities).toEqual(few.map((u) => ({ id: u.id, username: u.username, email: u.email })));
  });

  it('finds a user referenced by id outside the root org with one GET, without sweeping the orgs', async () => {
    const user = store.usersOf([...store.orgs.values()].find((o) => o.parentId !== null)!.id)[0]!;
    const { cold, warm, data } = await measure((h) => stack.gw.gql(entitiesQuery, { r: [{ __typename: 'User', id: user.id }] }, h));
    // minimum = 1: GET /users/{userId} (official spec) answers wherever the user is.
    // Before issue 15: 1 root GET (404) + 1 hierarchy + 50 business-group listings = 52.
    expect(cold.total).toBe(1);
    expect(cold.byRoute).toEqual({ 'GET /accounts/api/users/{userId}': 1 });
    expect(warm.total).toBe(0);
    expect(data._entities).toEqual([{ id: user.id, username: user.username, email: user.email }]);
  });

  it("finds a root-org API instance referenced by id in the root org's environments, without sweeping the others", async () => {
    const api = [...store.apis.values()].find((a) => a.organizationId === rootOrgId)!;
    const rootEnvs = [...store.environments.values()].filter((e) => e.organizationId === rootOrgId).length;
    const { cold, warm, data } = await measure((h) =>
      stack.gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Api { id name } } }', { r: [{ __typename: 'Api', id: String(api.id) }] }, h),
    );
    // 1 root org detail (its environments) + 1 API listing per root environment.
    expect(cold.byRoute).toEqual({
      'GET /accounts/api/organizations/{orgId}': 1,
      'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis': rootEnvs,
    });
    expect(warm.total).toBe(0);
    expect(data._entities).toEqual([{ id: String(api.id), name: assetName(store, api) }]);
  });

  it('sweeps every environment of every org for an API instance referenced by id outside the root org', async () => {
    const api = [...store.apis.values()].find((a) => a.organizationId !== rootOrgId)!;
    const { cold, warm, data } = await measure((h) =>
      stack.gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Api { id name } } }', { r: [{ __typename: 'Api', id: String(api.id) }] }, h),
    );
    // The key has no environment and API Manager reads need one: 1 hierarchy + 1 org detail per
    // org (its environments) + 1 API listing per environment = 1 + 51 + 230 = 282 on the large preset
    expect(cold.total).toBe(1 + store.orgs.size + store.environments.size);
    expect(cold.byRoute).toEqual({
      'GET /accounts/api/organizations/{orgId}/hierarchy': 1,
      'GET /accounts/api/organizations/{orgId}': store.orgs.size,
      'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis': store.environments.size,
    });
    expect(warm.total).toBe(0);
    expect(data._entities).toEqual([{ id: String(api.id), name: assetName(store, api) }]);
  });
});
