import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS } from '../provisioning/support.js';
import { accessFixture, type AccessFixture } from './support.js';

/**
 * Effective access against a hand-worked expectation (support.ts draws the tree): every path, an
 * inheritance three levels deep, the root team, a role group, a direct role, an externally
 * assigned membership. The same answer two ways: a user on its own (its own routes) and an
 * access review (the organization's routes).
 */

let f: AccessFixture;
beforeAll(async () => {
  f = await accessFixture();
});
afterAll(() => f.close());

const auditor = { 'x-api-key': KEYS.auditor };

/** The hand-worked answer: role name, environment, and how (kind, team, inherited from, role group). */
function expected(f: AccessFixture) {
  const prod = f.productionEnvId;
  return [
    { role: 'Business Group Viewer', env: null, paths: [{ kind: 'ROLE_GROUP', roleGroup: 'API Viewers' }] },
    { role: 'Deploy API proxies', env: null, paths: [{ kind: 'TEAM', team: 'Gamma', membershipType: 'MAINTAINER' }] },
    { role: 'Design Center Developer', env: null, paths: [{ kind: 'DIRECT' }] },
    { role: 'Manage Policies', env: null, paths: [{ kind: 'INHERITED_TEAM', team: 'Gamma', inheritedFrom: 'Alpha', membershipType: 'MAINTAINER' }] },
    { role: 'Monitoring Viewer', env: null, paths: [{ kind: 'ROOT_TEAM', team: 'Acme', membershipType: 'MEMBER' }] },
    { role: 'Read Applications', env: null, paths: [{ kind: 'TEAM', team: 'Delta', membershipType: 'MEMBER', external: true }] },
    // Beta's role and the role group's are the same grant (same role, same environment): one grant, two paths.
    {
      role: 'View API Configuration',
      env: prod,
      paths: [
        { kind: 'ROLE_GROUP', roleGroup: 'API Viewers' },
        { kind: 'INHERITED_TEAM', team: 'Gamma', inheritedFrom: 'Beta', membershipType: 'MAINTAINER' },
      ],
    },
  ];
}

const ACCESS = `query($id: ID!) { user(id: $id) { access { roleName privileged environment { id } organization { id }
  paths { kind description membershipType assignedViaExternalGroups team { name } inheritedFrom { name } roleGroup { name externalNames } } } } }`;

describe('User.access', () => {
  it('gives every grant with every path, inheritance three levels deep included', async () => {
    const { data, errors } = await f.stack.gw.gql(ACCESS, { id: f.userId });
    expect(errors).toBeUndefined();
    const grants = data!.user.access.map((g: any) => ({
      role: g.roleName,
      env: g.environment?.id ?? null,
      paths: g.paths.map((p: any) => ({
        kind: p.kind,
        ...(p.team ? { team: p.team.name } : {}),
        ...(p.inheritedFrom ? { inheritedFrom: p.inheritedFrom.name } : {}),
        ...(p.roleGroup ? { roleGroup: p.roleGroup.name } : {}),
        ...(p.membershipType ? { membershipType: p.membershipType } : {}),
        ...(p.assignedViaExternalGroups ? { external: true } : {}),
      })),
    }));
    expect(grants).toEqual(expected(f));
    expect(data!.user.access.every((g: any) => g.organization.id === f.stack.rootOrgId)).toBe(true);
    const inherited = data!.user.access.find((g: any) => g.roleName === 'Manage Policies').paths[0];
    expect(inherited.description).toBe('team Gamma, inherited from Alpha');
  });

  it('reads the user\'s own routes: 3 for the user, then its role group\'s roles and its teams\' roles (minimum 11 with the user)', async () => {
    await f.stack.gw.gql('{ organizations { id } }'); // the tree, cached: not part of what access costs
    await f.stack.resetCounts();
    const { errors } = await f.stack.gw.gql(ACCESS, { id: f.userId }, { 'cache-control': 'no-cache' });
    expect(errors).toBeUndefined();
    const { byRoute } = await f.stack.upstream();
    const org = '/accounts/api/organizations/{orgId}';
    expect(byRoute).toEqual({
      'GET /accounts/api/users/{userId}': 1, // the user, by id alone (any org)
      [`GET ${org}/users/{userId}/roles`]: 1, // direct roles
      [`GET ${org}/users/{userId}/rolegroups`]: 1, // its role groups
      [`GET ${org}/users/{userId}/teams`]: 1, // its teams, with their ancestors
      [`GET ${org}/rolegroups/{roleGroupId}/roles`]: 1, // API Viewers' roles
      [`GET ${org}/teams`]: 1, // the team listing: the ancestors' names, and the teams resolved by id
      [`GET ${org}/teams/{teamId}/roles`]: 5, // root, Alpha, Beta, Gamma, Delta
      [`GET ${org}`]: 1, // the org's environments (Production, for the environment field)
    });
  });
});

describe('Team.effectiveRoles', () => {
  it('lists a team\'s own role, then what it inherits, nearest ancestor first', async () => {
    const { data, errors } = await f.stack.gw.gql('query($id: ID!) { team(id: $id) { effectiveRoles { name inheritedFrom { name } environment { id } } } }', { id: f.teams.gamma });
    expect(errors).toBeUndefined();
    expect(data!.team.effectiveRoles).toEqual([
      { name: 'Deploy API proxies', inheritedFrom: null, environment: null },
      { name: 'View API Configuration', inheritedFrom: { name: 'Beta' }, environment: { id: f.productionEnvId } },
      { name: 'Manage Policies', inheritedFrom: { name: 'Alpha' }, environment: null },
      { name: 'Monitoring Viewer', inheritedFrom: { name: 'Acme' }, environment: null },
    ]);
  });
});

const REVIEW = `query($filter: AccessReviewFilter, $first: Int) { accessReview(filter: $filter, first: $first) { totalCount
  nodes { principalType principalName enabled stale roleName privileged organizationName environmentId environmentName via viaName inheritedFromName membershipType assignedViaExternalGroups externalGroups }
  summary { rows principals privilegedPrincipals staleDays staleAccountsWithAccess disabledUsersWithAccess disabledUsersInTeams connectedApps appsWithAdminScopes } } }`;

describe('accessReview', () => {
  it('gives the same grants and paths for the user as User.access, one row per path', async () => {
    const { data, errors } = await f.stack.gw.gql(REVIEW, { first: 500 }, auditor);
    expect(errors).toBeUndefined();
    const mine = data!.accessReview.nodes.filter((r: any) => r.principalName === f.username);
    const fromRows = mine.map((r: any) => `${r.roleName}|${r.environmentId ?? ''}|${r.via}|${r.viaName ?? ''}|${r.inheritedFromName ?? ''}`).sort();
    const fromExpectation = expected(f)
      .flatMap((g) => g.paths.map((p: any) => `${g.role}|${g.env ?? ''}|${p.kind}|${p.team ?? p.roleGroup ?? ''}|${p.inheritedFrom ?? ''}`))
      .sort();
    expect(fromRows).toEqual(fromExpectation);
    const viaGroup = mine.find((r: any) => r.via === 'ROLE_GROUP');
    expect(viaGroup.externalGroups).toEqual(['okta-api-viewers']);
    expect(mine.find((r: any) => r.viaName === 'Delta').assignedViaExternalGroups).toBe(true);
    expect(mine.find((r: any) => r.environmentId === f.productionEnvId).environmentName).toBe('Production');
  });

  it('reads the organization\'s routes once, whatever the number of users (the minimum, route by route)', async () => {
    await f.stack.resetCounts();
    const { errors } = await f.stack.gw.gql(REVIEW, { first: 500 }, { ...auditor, 'cache-control': 'no-cache' });
    expect(errors).toBeUndefined();
    const { byRoute } = await f.stack.upstream();
    const store = f.stack.store;
    const org = '/accounts/api/organizations/{orgId}';
    const teams = store.teamsOf(f.stack.rootOrgId).length;
    const groups = [...store.roleGroups.values()].filter((g) => g.org_id === f.stack.rootOrgId).length;
    expect({ teams, groups }).toEqual({ teams: 5, groups: 2 });
    expect(byRoute).toEqual({
      [`GET ${org}/hierarchy`]: 1, // the business groups in scope, and their names
      [`GET ${org}`]: 1, // environment names
      [`GET ${org}/users`]: 1, // every user: one page of 500
      [`GET ${org}/teams`]: 1, // the team tree
      [`GET ${org}/teams/{teamId}/members`]: teams, // who is in each team
      [`GET ${org}/teams/{teamId}/roles`]: teams, // what each team grants
      [`GET ${org}/rolegroups`]: 1,
      [`GET ${org}/rolegroups/{roleGroupId}/roles`]: groups,
      [`GET ${org}/rolegroups/{roleGroupId}/users`]: groups,
      ['POST /accounts/api/roles/users/search']: 1, // every direct grant of the org at once
      ['GET /accounts/api/roles']: 1, // role names for the search's role ids
      [`GET ${org}/connectedApplications`]: 1,
    });
  });

  it('lists connected apps as principals, one row per scope, admin scopes privileged', async () => {
    const { data } = await f.stack.gw.gql(REVIEW, { first: 500, filter: { principalType: 'APP' } }, auditor);
    const rows = data!.accessReview.nodes;
    const deployer = rows.filter((r: any) => r.principalName === 'ci-deployer');
    expect(deployer.map((r: any) => r.roleName).sort()).toEqual(['admin:api_manager', 'edit:organization', 'read:organization']);
    expect(deployer.find((r: any) => r.roleName === 'admin:api_manager').environmentName).toBe('Production');
    expect(deployer.filter((r: any) => r.privileged).map((r: any) => r.roleName).sort()).toEqual(['admin:api_manager', 'edit:organization']);
    expect(rows.every((r: any) => r.principalType === 'APP' && r.via === 'APP_SCOPE')).toBe(true);
  });

  it('filters by role, environment, privilege, staleness and disabled users; the summary counts the whole scope', async () => {
    const all = (await f.stack.gw.gql(REVIEW, { first: 500 }, auditor)).data!.accessReview;
    const byRole = (await f.stack.gw.gql(REVIEW, { first: 500, filter: { role: 'view api configuration' } }, auditor)).data!.accessReview;
    expect(byRole.totalCount).toBeGreaterThan(0);
    expect(byRole.nodes.every((r: any) => r.roleName === 'View API Configuration')).toBe(true);
    expect(byRole.summary).toEqual(all.summary);
    const prod = (await f.stack.gw.gql(REVIEW, { first: 500, filter: { environmentId: f.productionEnvId } }, auditor)).data!.accessReview;
    expect(prod.nodes.every((r: any) => r.environmentId === f.productionEnvId)).toBe(true);
    expect(prod.totalCount).toBe(all.nodes.filter((r: any) => r.environmentId === f.productionEnvId).length);
    const privileged = (await f.stack.gw.gql(REVIEW, { first: 500, filter: { privilegedOnly: true } }, auditor)).data!.accessReview;
    expect(privileged.nodes.map((r: any) => r.roleName)).toContain('Organization Owner');
    expect(privileged.nodes.every((r: any) => r.privileged)).toBe(true);
    // The fixture user never signed in: stale for any period.
    const stale = (await f.stack.gw.gql(REVIEW, { first: 500, filter: { staleForDays: 30 } }, auditor)).data!.accessReview;
    expect(stale.nodes.some((r: any) => r.principalName === f.username)).toBe(true);
    expect(stale.nodes.every((r: any) => r.principalType === 'USER' && r.stale)).toBe(true);
    expect(all.summary.staleAccountsWithAccess).toBeGreaterThanOrEqual(1);
    expect(all.summary.rows).toBe(all.totalCount);
    expect(all.summary.appsWithAdminScopes).toBeGreaterThanOrEqual(1);
  });

  it('counts a disabled user still in a team, and its grants', async () => {
    await f.stack.gw.gql(
      'mutation($id: ID!) { deactivateUser(input: { id: $id }) { userErrors { code } } }',
      { id: f.userId },
      { 'x-api-key': KEYS.provisioner },
    );
    const review = (await f.stack.gw.gql(REVIEW, { first: 500, filter: { disabledWithGrants: true } }, { ...auditor, 'cache-control': 'no-cache' })).data!.accessReview;
    expect(review.nodes.length).toBeGreaterThan(0);
    expect(review.nodes.every((r: any) => r.principalName === f.username && !r.enabled)).toBe(true);
    expect(review.summary.disabledUsersInTeams).toBe(1);
    expect(review.summary.disabledUsersWithAccess).toBe(1);
  });

  it('needs the auditor role', async () => {
    // Without credentials, UNAUTHENTICATED (what to send); with credentials lacking the role, FORBIDDEN.
    for (const [headers, code] of [[{}, 'UNAUTHENTICATED'], [{ 'x-api-key': KEYS.reader }, 'FORBIDDEN'], [{ 'x-api-key': KEYS.provisioner }, 'FORBIDDEN']] as Array<[Record<string, string>, string]>) {
      const { data, errors } = await f.stack.gw.gql('{ accessReview { totalCount } }', {}, headers);
      expect(errors?.[0]?.extensions?.code).toBe(code);
      expect(data ?? null).toBeNull();
    }
    const apps = await f.stack.gw.gql('{ viewer { organization { connectedApps { name } } } }', {}, { 'x-api-key': KEYS.reader });
    expect(apps.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a stale period out of range and an unknown organization', async () => {
    const bad = await f.stack.gw.gql('{ accessReview(filter: { staleForDays: -1 }) { totalCount } }', {}, auditor);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await f.stack.gw.gql('{ accessReview(organizationId: "nope") { totalCount } }', {}, auditor);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
