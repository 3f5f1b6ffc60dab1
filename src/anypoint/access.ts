import type { AnypointClient } from './client.js';
import { listAllData, PAGE_SIZE } from './pagination.js';
import type {
  AnypointConnectedApp,
  AnypointRole,
  AnypointRoleGroup,
  AnypointRoleGroupRole,
  AnypointRoleGroupUser,
  AnypointRoleHolder,
  AnypointTeamRole,
  AnypointUserTeam,
  DataEnvelope,
} from './types.js';

/**
 * Who holds which role, as MuleSoft's official Access Management spec has it: role groups with
 * their roles and users, roles assigned straight to users (found with the role-assignment
 * search), a user's own roles, the role catalogue and an organization's connected apps.
 */

type Call = { signal?: AbortSignal; requestId?: string };

export const ACCESS_ROUTES = {
  roleGroups: '/accounts/api/organizations/{orgId}/rolegroups',
  roleGroupRoles: '/accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/roles',
  roleGroupUsers: '/accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users',
  userRoles: '/accounts/api/organizations/{orgId}/users/{userId}/roles',
  userRoleGroups: '/accounts/api/organizations/{orgId}/users/{userId}/rolegroups',
  userTeams: '/accounts/api/organizations/{orgId}/users/{userId}/teams',
  roleSearch: '/accounts/api/roles/users/search',
  roles: '/accounts/api/roles',
  connectedApps: '/accounts/api/organizations/{orgId}/connectedApplications',
} as const;

export const listRoleGroups = (client: AnypointClient, orgId: string, call: Call = {}) =>
  listAllData<AnypointRoleGroup>(client, { route: ACCESS_ROUTES.roleGroups, params: { orgId }, ...call });

export const listRoleGroupRoles = (client: AnypointClient, orgId: string, roleGroupId: string, call: Call = {}) =>
  listAllData<AnypointRoleGroupRole>(client, { route: ACCESS_ROUTES.roleGroupRoles, params: { orgId, roleGroupId }, ...call });

export const listRoleGroupUsers = (client: AnypointClient, orgId: string, roleGroupId: string, call: Call = {}) =>
  listAllData<AnypointRoleGroupUser>(client, { route: ACCESS_ROUTES.roleGroupUsers, params: { orgId, roleGroupId }, ...call });

/** The roles assigned straight to one user (no role_groups, no teams: those the gateway resolves itself, with their paths). */
export const listUserDirectRoles = (client: AnypointClient, orgId: string, userId: string, call: Call = {}) =>
  listAllData<AnypointTeamRole>(client, { route: ACCESS_ROUTES.userRoles, params: { orgId, userId }, ...call });

export const listUserRoleGroups = (client: AnypointClient, orgId: string, userId: string, call: Call = {}) =>
  listAllData<AnypointRoleGroup>(client, { route: ACCESS_ROUTES.userRoleGroups, params: { orgId, userId }, ...call });

/** The role catalogue, internal roles included (an assignment may name one). */
export const listRoles = (client: AnypointClient, call: Call = {}) =>
  listAllData<AnypointRole>(client, { route: ACCESS_ROUTES.roles, query: { include_internal: true }, ...call });

export const listConnectedApps = (client: AnypointClient, orgId: string, call: Call = {}) =>
  listAllData<AnypointConnectedApp>(client, { route: ACCESS_ROUTES.connectedApps, params: { orgId }, ...call });

/**
 * Every user holding a role straight in `orgId`, with those assignments: the role-assignment
 * search (POST, a read) with one operand matching the org, so an organization's direct grants
 * cost a page per 500 holders instead of one call per user. Pages after the first go together.
 */
export async function listDirectRoleHolders(client: AnypointClient, orgId: string, call: Call = {}): Promise<AnypointRoleHolder[]> {
  const expression = { name: 'expression', operator: 'OR', operands: [{ org_id: orgId, context_params: { org: orgId }, match_type: 'partial' }] };
  const page = (offset: number) =>
    client.request<DataEnvelope<AnypointRoleHolder>>({
      method: 'POST',
      route: ACCESS_ROUTES.roleSearch,
      body: [expression, { name: 'pagination', limit: PAGE_SIZE, offset }],
      readOnly: true,
      ...call,
    });
  const first = await page(0);
  const holders = [...first.data];
  const step = first.data.length;
  const offsets: number[] = [];
  for (let offset = step; offset < first.total && step > 0; offset += step) offsets.push(offset);
  for (const rest of await Promise.all(offsets.map(page))) holders.push(...rest.data);
  return holders;
}

/** The teams one user is in, with their ancestors and the membership (one call, not a sweep of every team's members). */
export const listUserTeams = (client: AnypointClient, orgId: string, userId: string, call: Call = {}) =>
  listAllData<AnypointUserTeam>(client, { route: ACCESS_ROUTES.userTeams, params: { orgId, userId }, ...call });
