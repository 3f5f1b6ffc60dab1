import { jsonOf, type ProbeContext } from '../fixtures.js';
import { createUser, orgPath, type Probe } from './probe.js';

/** Success probes for role groups, user roles, a user's teams and identities, and the role search. */

const roleGroupId = async (ctx: ProbeContext): Promise<string> => {
  const page = await jsonOf<{ data: Array<{ role_group_id: string }> }>(await ctx.get(`${orgPath(ctx)}/rolegroups`), 200);
  return page.data[0]!.role_group_id;
};

export const accessProbes: Probe[] = [
  { route: 'GET /accounts/api/organizations/{orgId}/rolegroups', name: 'lists the role groups', status: 200, run: (ctx) => ctx.get(`${orgPath(ctx)}/rolegroups`) },
  {
    route: 'GET /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}',
    name: 'returns one role group',
    status: 200,
    run: async (ctx) => ctx.get(`${orgPath(ctx)}/rolegroups/${await roleGroupId(ctx)}`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/roles',
    name: 'lists the roles of a role group',
    status: 200,
    run: async (ctx) => ctx.get(`${orgPath(ctx)}/rolegroups/${await roleGroupId(ctx)}/roles`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users',
    name: 'lists the users of a role group',
    status: 200,
    run: async (ctx) => ctx.get(`${orgPath(ctx)}/rolegroups/${await roleGroupId(ctx)}/users`),
  },
  {
    route: 'POST /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users/{userId}',
    name: 'adds a user to a role group',
    status: 200,
    run: async (ctx) => ctx.send('POST', `${orgPath(ctx)}/rolegroups/${await roleGroupId(ctx)}/users/${await createUser(ctx)}`),
  },
  {
    route: 'DELETE /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users/{userId}',
    name: 'removes a user from a role group',
    status: 200,
    run: async (ctx) => {
      const path = `${orgPath(ctx)}/rolegroups/${await roleGroupId(ctx)}/users/${await createUser(ctx)}`;
      await ctx.send('POST', path);
      return ctx.send('DELETE', path);
    },
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/users/{userId}/roles',
    name: 'lists a user\'s roles with those of its role groups and teams',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/users/${ctx.ids.userId}/roles?role_groups=true&teams=true`),
  },
  {
    route: 'POST /accounts/api/organizations/{orgId}/users/{userId}/roles',
    name: 'assigns a role straight to a user',
    status: 200,
    run: async (ctx) => ctx.send('POST', `${orgPath(ctx)}/users/${await createUser(ctx)}/roles`, { [ctx.ids.roleId]: { org: ctx.ids.orgId } }),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/users/{userId}/rolegroups',
    name: 'lists a user\'s role groups',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/users/${ctx.ids.userId}/rolegroups`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/users/{userId}/teams',
    name: 'lists a user\'s teams',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/users/${ctx.ids.userId}/teams`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/users/{userId}/identityProviderProfiles',
    name: 'lists a user\'s federated identities',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/users/${ctx.ids.userId}/identityProviderProfiles`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/groupmappings',
    name: 'lists the identity-provider groups mapped onto a team',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/teams/${ctx.ids.teamId}/groupmappings`),
  },
  {
    route: 'POST /accounts/api/roles/users/search',
    name: 'finds the users holding roles in an organization',
    status: 200,
    run: (ctx) =>
      ctx.send('POST', '/accounts/api/roles/users/search', [
        { name: 'expression', operator: 'OR', operands: [{ org_id: ctx.ids.orgId, context_params: { org: ctx.ids.orgId }, match_type: 'partial' }] },
        { name: 'pagination', limit: 500, offset: 0 },
      ]),
  },
  {
    route: 'GET /accounts/api/roles/{roleId}/users',
    name: 'lists the users holding a role',
    status: 200,
    run: (ctx) => ctx.get('/accounts/api/roles/d74ef94a-4292-4896-b860-b05bd7f90d6d/users'),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/connectedApplications',
    name: 'lists an organization\'s connected apps with their scopes',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/connectedApplications`),
  },
];
