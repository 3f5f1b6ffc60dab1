import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/gateway.js';

/** Every field resolves to the simulator's data; pagination, filters and not-found behave. */
describe('the read graph', () => {
  let stack: Stack;
  let rootOrgId: string;
  const store = () => stack.sim.sim.store;

  beforeAll(async () => {
    stack = await startStack();
    rootOrgId = stack.sim.sim.demoApp.orgId;
  });
  afterAll(() => stack.close());

  it('resolves the viewer to the connected app and its root organization', async () => {
    const { data } = await stack.gw.gql('{ viewer { clientId organization { id name isRoot parent { id } } } }');
    expect(data!.viewer).toEqual({
      clientId: stack.sim.sim.demoApp.clientId,
      organization: { id: rootOrgId, name: store().orgs.get(rootOrgId)!.name, isRoot: true, parent: null },
    });
  });

  it('resolves every organization field from the platform', async () => {
    const child = [...store().orgs.values()].find((o) => o.parentId && store().orgChildIds(o.id).length > 0)!;
    const { data, errors } = await stack.gw.gql(
      `query($id: ID!) { organization(id: $id) { id name isRoot parent { id } ancestors { id } children { id }
         environments { id name type isProduction } production: environments(type: PRODUCTION) { id }
         owner { id username } createdAt entitlements rootTeam { id name } } }`,
      { id: child.id },
    );
    expect(errors).toBeUndefined();
    const org = data!.organization;
    expect(org.name).toBe(child.name);
    expect(org.isRoot).toBe(false);
    expect(org.parent.id).toBe(child.parentId);
    expect(org.ancestors.map((a: any) => a.id)).toEqual(store().orgAncestorIds(child.id));
    expect(org.children.map((c: any) => c.id)).toEqual(store().orgChildIds(child.id));
    expect(org.environments.map((e: any) => e.id).sort()).toEqual(store().environmentsOf(child.id).map((e) => e.id).sort());
    expect(org.production).toHaveLength(store().environmentsOf(child.id).filter((e) => e.type === 'production').length);
    expect(org.owner.id).toBe(child.ownerId);
    expect(org.createdAt).toBe(child.createdAt);
    expect(org.entitlements).toEqual(child.entitlements);
    expect(org.rootTeam.id).toBe(store().rootTeamOf(child.id)!.team_id);
  });

  it('flattens the business-group tree and filters it by name and subtree', async () => {
    const { data } = await stack.gw.gql('{ all: organizations { id } retail: organizations(filter: { search: "retail" }) { name } }');
    expect(data!.all).toHaveLength(store().orgs.size);
    expect(data!.all[0].id).toBe(rootOrgId);
    const retail = [...store().orgs.values()].filter((o) => o.name.toLowerCase().includes('retail'));
    expect(data!.retail.map((o: any) => o.name).sort()).toEqual(retail.map((o) => o.name).sort());
    const parent = [...store().orgs.values()].find((o) => o.parentId && store().orgChildIds(o.id).length > 0)!;
    const under = await stack.gw.gql('query($id: ID!) { organizations(filter: { underId: $id }) { id } }', { id: parent.id });
    expect(under.data!.organizations.map((o: any) => o.id).sort()).toEqual([parent.id, ...store().orgChildIds(parent.id)].sort());
  });

  it('resolves a user with profile, organization and team memberships', async () => {
    const user = [...store().users.values()].find((u) => u.phoneNumber && u.lastLogin)!;
    const { data, errors } = await stack.gw.gql(
      `query($id: ID!) { user(id: $id) { id username firstName lastName email phoneNumber enabled createdAt updatedAt lastLogin
         identityProvider organization { id } teams { team { id } membershipType assignedViaExternalGroups } } }`,
      { id: user.id },
    );
    expect(errors).toBeUndefined();
    const expectedTeams = [...store().members.entries()].filter(([, m]) => m.has(user.id)).map(([teamId]) => teamId).sort();
    expect(data!.user).toMatchObject({
      id: user.id,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
      email: user.email,
      phoneNumber: user.phoneNumber,
      enabled: user.enabled,
      createdAt: user.createdAt,
      lastLogin: user.lastLogin,
      identityProvider: 'mulesoft',
      organization: { id: user.organizationId },
    });
    expect(data!.user.teams.map((t: any) => t.team.id).sort()).toEqual(expectedTeams);
  });

  it('finds a user by username, in the root org or a business group', async () => {
    const inGroup = [...store().users.values()].find((u) => u.organizationId !== rootOrgId)!;
    const { data } = await stack.gw.gql('query($u: String!) { userByUsername(username: $u) { id organization { id } } }', { u: inGroup.username });
    expect(data!.userByUsername).toEqual({ id: inGroup.id, organization: { id: inGroup.organizationId } });
  });

  it('pages users with cursors and filters them by enabled and search', async () => {
    const all = store().usersOf(rootOrgId);
    const first = await stack.gw.gql('{ users(first: 7) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }');
    expect(first.data!.users.totalCount).toBe(all.length);
    expect(first.data!.users.nodes.map((u: any) => u.id)).toEqual(all.slice(0, 7).map((u) => u.id));
    const second = await stack.gw.gql('query($after: String) { users(first: 7, after: $after) { pageInfo { hasPreviousPage } nodes { id } } }', {
      after: first.data!.users.pageInfo.endCursor,
    });
    expect(second.data!.users.nodes.map((u: any) => u.id)).toEqual(all.slice(7, 14).map((u) => u.id));
    expect(second.data!.users.pageInfo.hasPreviousPage).toBe(true);
    const disabled = await stack.gw.gql('{ users(first: 500, filter: { enabled: false }) { totalCount } }');
    expect(disabled.data!.users.totalCount).toBe(all.filter((u) => !u.enabled).length);
    const needle = all[3]!.lastName.toLowerCase();
    const search = await stack.gw.gql('query($s: String) { users(first: 500, filter: { search: $s }) { nodes { id } } }', { s: needle.toUpperCase() });
    const expected = all.filter((u) => [u.username, u.firstName, u.lastName, u.email].some((f) => f.toLowerCase().includes(needle)));
    expect(search.data!.users.nodes.map((u: any) => u.id)).toEqual(expected.map((u) => u.id));
  });

  it('rejects a page size over the limit and a cursor it did not issue as BAD_USER_INPUT', async () => {
    const { data, errors } = await stack.gw.gql('{ users(first: 100000) { totalCount } }');
    expect(data!.users).toBeNull();
    expect(errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const bad = await stack.gw.gql('{ users(first: 1, after: "not-a-cursor") { totalCount } }');
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('resolves a team with parent, ancestors, children, members and roles', async () => {
    const team = [...store().teams.values()].find((t) => store().teamAncestorIds(t.team_id).length >= 2 && store().teamRoles.some((r) => r.teamId === t.team_id))
      ?? [...store().teams.values()].find((t) => store().teamAncestorIds(t.team_id).length >= 2)!;
    const { data, errors } = await stack.gw.gql(
      `query($id: ID!) { team(id: $id) { id name type organization { id } parent { id } ancestors { id } children { id }
         members { totalCount nodes { user { id } membershipType assignedViaExternalGroups } }
         maintainers: members(membershipType: MAINTAINER) { totalCount }
         roles { roleId name organization { id } environment { id } } createdAt } }`,
      { id: team.team_id },
    );
    expect(errors).toBeUndefined();
    const t = data!.team;
    const ancestors = store().teamAncestorIds(team.team_id);
    expect(t.name).toBe(team.team_name);
    expect(t.type).toBe('INTERNAL');
    expect(t.parent.id).toBe(team.parentId);
    expect(t.ancestors.map((a: any) => a.id)).toEqual(ancestors);
    expect(t.children.map((c: any) => c.id).sort()).toEqual([...store().teams.values()].filter((c) => c.parentId === team.team_id).map((c) => c.team_id).sort());
    const members = [...store().membersOf(team.team_id).values()];
    expect(t.members.totalCount).toBe(members.length);
    expect(t.members.nodes.map((m: any) => m.user.id).sort()).toEqual(members.map((m) => m.userId).sort());
    expect(t.maintainers.totalCount).toBe(members.filter((m) => m.membership_type === 'maintainer').length);
    const roles = store().teamRoles.filter((r) => r.teamId === team.team_id);
    expect(t.roles.map((r: any) => [r.roleId, r.environment?.id ?? null])).toEqual(roles.map((r) => [r.role_id, r.context_params.envId ?? null]));
  });

  it('lists and filters teams', async () => {
    const teams = [...store().teams.values()].filter((t) => t.org_id === rootOrgId);
    const root = store().rootTeamOf(rootOrgId)!;
    const { data } = await stack.gw.gql('query($p: ID) { all: teams(first: 500) { totalCount } top: teams(first: 500, filter: { parentId: $p }) { nodes { id } } dev: teams(filter: { search: "DEVELOPER" }) { totalCount } }', { p: root.team_id });
    expect(data!.all.totalCount).toBe(teams.length);
    expect(data!.top.nodes.map((n: any) => n.id).sort()).toEqual(teams.filter((t) => t.parentId === root.team_id).map((t) => t.team_id).sort());
    expect(data!.dev.totalCount).toBe(teams.filter((t) => t.team_name.toLowerCase().includes('developer')).length);
  });

  it('resolves an API with its environment, Exchange asset and specification content', async () => {
    const api = [...store().apis.values()].find((a) => store().assets.get(`${a.groupId}/${a.assetId}/${a.assetVersion}`)?.specFormat === 'raml')!;
    const asset = store().assets.get(`${api.groupId}/${api.assetId}/${api.assetVersion}`)!;
    const { data, errors } = await stack.gw.gql(
      `query($env: ID!, $id: ID!) { api(environmentId: $env, id: $id) { id assetId groupId assetVersion productVersion instanceLabel name
         description isPublic status technology apiType endpointUri deprecated lastActiveDate environment { id } organization { id }
         exchangeAsset { name version type status labels categories { key values } files { classifier packaging downloadUrl } }
         specification { format mainFile downloadUrl content } } }`,
      { env: api.environmentId, id: String(api.id) },
    );
    expect(errors).toBeUndefined();
    const a = data!.api;
    expect(a).toMatchObject({
      id: String(api.id),
      assetId: api.assetId,
      assetVersion: api.assetVersion,
      name: asset.name,
      status: api.status.toUpperCase(),
      apiType: asset.type,
      environment: { id: api.environmentId },
      organization: { id: api.organizationId },
    });
    expect(a.exchangeAsset.labels).toEqual(asset.labels);
    expect(a.specification.format).toBe('RAML');
    expect(a.specification.mainFile).toBe(asset.mainFile);
    // RAML comes zipped from Exchange; the gateway hands back the main file's text.
    expect(a.specification.content).toMatch(/^#%RAML 1\.0/);
    expect(a.specification.content).toContain(`title: ${asset.name}`);
  });

  it('lists APIs of one environment, every environment of an org, or every org, with filters', async () => {
    const env = store().environmentsOf(rootOrgId).find((e) => e.type === 'production')!;
    const everywhere = [...store().apis.values()];
    const inEnv = everywhere.filter((a) => a.environmentId === env.id);
    const inOrg = everywhere.filter((a) => a.organizationId === rootOrgId);
    const { data } = await stack.gw.gql(
      `query($env: ID!, $org: ID!) { env: apis(environmentId: $env, first: 500) { totalCount } org: apis(organizationId: $org, first: 500) { totalCount }
         all: apis(first: 500) { totalCount }
         active: apis(organizationId: $org, first: 500, filter: { status: ACTIVE }) { nodes { status } } mule4: apis(first: 500, filter: { technology: MULE4 }) { totalCount } }`,
      { env: env.id, org: rootOrgId },
    );
    expect(data!.env.totalCount).toBe(inEnv.length);
    expect(data!.org.totalCount).toBe(inOrg.length);
    // No organization: every business group's, not only the root's.
    expect(data!.all.totalCount).toBe(everywhere.length);
    expect(inOrg.length).toBeLessThan(everywhere.length);
    expect(data!.active.nodes.length).toBe(inOrg.filter((a) => a.status === 'active').length);
    expect(data!.mule4.totalCount).toBe(everywhere.filter((a) => a.technology === 'mule4').length);
  });

  it('answers null plus a typed NOT_FOUND error for missing entities, keeping the rest of the query', async () => {
    const { data, errors } = await stack.gw.gql(
      '{ organization(id: "00000000-0000-4000-8000-000000000000") { name } user(id: "missing") { id } team(id: "missing") { id } viewer { clientId } }',
    );
    expect(data!.organization).toBeNull();
    expect(data!.user).toBeNull();
    expect(data!.team).toBeNull();
    expect(data!.viewer.clientId).toBe(stack.sim.sim.demoApp.clientId);
    expect(errors!.map((e) => e.extensions!.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect(JSON.stringify(errors)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('rejects a malformed API id as BAD_USER_INPUT and a too-deep query before it runs', async () => {
    const bad = await stack.gw.gql('{ api(environmentId: "x", id: "12a") { id } }');
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const deep = 'children { '.repeat(13) + 'id' + ' }'.repeat(13);
    const tooDeep = await stack.gw.gql(`{ organizations { ${deep} } }`);
    expect(tooDeep.status).toBe(400);
    // The limit's own code survives Apollo's validation wrapper, with what it measured.
    expect(tooDeep.errors![0]!.extensions).toEqual(expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12 }));
  });
});
