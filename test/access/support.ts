import { startProvisioningStack, type ProvisioningStack } from '../provisioning/support.js';

/**
 * A clean organization (the empty preset) with one user whose grants come by every path, set up
 * the way an admin would in Anypoint (the simulator's REST routes):
 *
 *   root team (Monitoring Viewer, seeded)
 *   ├── Alpha        role "Manage Policies"                      (org)
 *   │   └── Beta     role "View API Configuration"               (Production)
 *   │       └── Gamma   role "Deploy API proxies"  <- the user is a maintainer here
 *   └── Delta        role "Read Applications"     <- the user is a member, assigned via external groups
 *
 * plus the role group "API Viewers" (seeded: "View API Configuration" on Production and
 * "Business Group Viewer") and a direct "Design Center Developer".
 */
export interface AccessFixture {
  stack: ProvisioningStack;
  userId: string;
  username: string;
  teams: Record<'root' | 'alpha' | 'beta' | 'gamma' | 'delta', string>;
  roleIds: Record<string, string>;
  productionEnvId: string;
  roleGroupId: string;
  close(): Promise<void>;
}

export async function accessFixture(): Promise<AccessFixture> {
  const stack = await startProvisioningStack({}, 'empty');
  const { sim, store, rootOrgId, rootTeamId } = stack;
  const token = await sim.token();
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await sim.send(method, `/accounts/api/organizations/${rootOrgId}${path}`, token, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  const roleId = (name: string) => [...store.roles.values()].find((r) => r.name === name)!.role_id;
  const roleIds = Object.fromEntries(
    ['Manage Policies', 'View API Configuration', 'Deploy API proxies', 'Read Applications', 'Design Center Developer', 'Monitoring Viewer', 'Business Group Viewer'].map((n) => [n, roleId(n)]),
  );
  const productionEnvId = store.environmentsOf(rootOrgId).find((e) => e.isProduction)!.id;

  const username = 'access_fixture_user';
  const user = await send('POST', '/users', { username, firstName: 'Ada', lastName: 'Access', email: 'ada.access@example.test' });
  const team = async (name: string, parent: string) => (await send('POST', '/teams', { team_name: name, parent_team_id: parent, team_type: 'internal' })).team_id as string;
  const alpha = await team('Alpha', rootTeamId);
  const beta = await team('Beta', alpha);
  const gamma = await team('Gamma', beta);
  const delta = await team('Delta', rootTeamId);
  await send('POST', `/teams/${alpha}/roles`, [{ role_id: roleIds['Manage Policies'], context_params: { org: rootOrgId } }]);
  await send('POST', `/teams/${beta}/roles`, [{ role_id: roleIds['View API Configuration'], context_params: { org: rootOrgId, envId: productionEnvId } }]);
  await send('POST', `/teams/${gamma}/roles`, [{ role_id: roleIds['Deploy API proxies'], context_params: { org: rootOrgId } }]);
  await send('POST', `/teams/${delta}/roles`, [{ role_id: roleIds['Read Applications'], context_params: { org: rootOrgId } }]);
  await send('PUT', `/teams/${gamma}/members/${user.id}`, { membership_type: 'maintainer' });
  await send('PUT', `/teams/${delta}/members/${user.id}`, { membership_type: 'member' });
  // What an identity provider's group sync marks; Anypoint's API does not set it by hand.
  store.membersOf(delta).get(user.id)!.is_assigned_via_external_groups = true;
  const roleGroupId = [...store.roleGroups.values()].find((g) => g.org_id === rootOrgId && g.name === 'API Viewers')!.role_group_id;
  await send('POST', `/rolegroups/${roleGroupId}/users/${user.id}`);
  await send('POST', `/users/${user.id}/roles`, { [roleIds['Design Center Developer']!]: { org: rootOrgId } });
  await stack.resetCounts();
  return {
    stack,
    userId: user.id,
    username,
    teams: { root: rootTeamId, alpha, beta, gamma, delta },
    roleIds,
    productionEnvId,
    roleGroupId,
    close: () => stack.close(),
  };
}
