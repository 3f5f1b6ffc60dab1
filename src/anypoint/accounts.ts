import type { AnypointClient } from './client.js';
import { AnypointError } from './errors.js';
import { listAllData } from './pagination.js';
import type {
  AnypointEnvironment,
  AnypointHierarchyNode,
  AnypointMe,
  AnypointOrganization,
  AnypointTeam,
  AnypointTeamMember,
  AnypointTeamRole,
  AnypointUser,
  DataEnvelope,
} from './types.js';

/**
 * Access Management reads (API.md §1-§5): organizations, environments, users, teams.
 * Each function is one route; the loaders decide which to call.
 */

type Call = { signal?: AbortSignal; requestId?: string };

export const ROUTES = {
  me: '/accounts/api/me',
  organization: '/accounts/api/organizations/{orgId}',
  hierarchy: '/accounts/api/organizations/{orgId}/hierarchy',
  environments: '/accounts/api/organizations/{orgId}/environments',
  environment: '/accounts/api/organizations/{orgId}/environments/{envId}',
  /** An environment by id alone, whatever its organization (official spec: getEnvironments). */
  environmentAnywhere: '/accounts/api/environments/{envId}',
  users: '/accounts/api/organizations/{orgId}/users',
  user: '/accounts/api/organizations/{orgId}/users/{userId}',
  /** A user by id alone, whatever its organization (official spec: getUserById). */
  userAnywhere: '/accounts/api/users/{userId}',
  teams: '/accounts/api/organizations/{orgId}/teams',
  team: '/accounts/api/organizations/{orgId}/teams/{teamId}',
  teamMembers: '/accounts/api/organizations/{orgId}/teams/{teamId}/members',
  teamMember: '/accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}',
  teamRoles: '/accounts/api/organizations/{orgId}/teams/{teamId}/roles',
} as const;

export const getMe = (client: AnypointClient, call: Call = {}) => client.request<AnypointMe>({ route: ROUTES.me, ...call });

export const getOrganization = (client: AnypointClient, orgId: string, call: Call = {}) =>
  client.request<AnypointOrganization>({ route: ROUTES.organization, params: { orgId }, ...call });

export const getHierarchy = (client: AnypointClient, orgId: string, call: Call = {}) =>
  client.request<AnypointHierarchyNode>({ route: ROUTES.hierarchy, params: { orgId }, ...call });

export async function listEnvironments(client: AnypointClient, orgId: string, call: Call = {}): Promise<AnypointEnvironment[]> {
  // The environments list has no paging parameters (API.md §3).
  return (await client.request<DataEnvelope<AnypointEnvironment>>({ route: ROUTES.environments, params: { orgId }, ...call })).data;
}

export const getEnvironment = (client: AnypointClient, orgId: string, envId: string, call: Call = {}) =>
  client.request<AnypointEnvironment>({ route: ROUTES.environment, params: { orgId, envId }, ...call });

export const getUser = (client: AnypointClient, orgId: string, userId: string, call: Call = {}) =>
  client.request<AnypointUser>({ route: ROUTES.user, params: { orgId, userId }, ...call });

/** An environment by id alone (one call, any organization); its body names its organizationId. */
export const getEnvironmentAnywhere = (client: AnypointClient, envId: string, call: Call = {}) =>
  client.request<AnypointEnvironment>({ route: ROUTES.environmentAnywhere, params: { envId }, ...call });

/**
 * A user by id alone (one call, any organization). That answer embeds the user's organization
 * (`organization`, required by the spec) and need not carry organizationId, so it is taken from there.
 */
export async function getUserAnywhere(client: AnypointClient, userId: string, call: Call = {}): Promise<AnypointUser> {
  const user = await client.request<AnypointUser & { organization?: { id?: string } | null }>({ route: ROUTES.userAnywhere, params: { userId }, ...call });
  const organizationId = user.organizationId ?? user.organization?.id;
  // An answer that does not say whose user it is cannot be placed: a malformed response, typed as such.
  if (!organizationId) throw new AnypointError({ status: 200, code: 'UPSTREAM_UNAVAILABLE', method: 'GET', route: ROUTES.userAnywhere, upstreamMessage: 'the user names no organization' });
  // The embedded organization is a full detail (entitlements and all): kept out of the cached user.
  const { organization: _organization, ...rest } = user;
  return { ...rest, organizationId };
}

export const listUsersPage = (client: AnypointClient, orgId: string, offset: number, limit: number, call: Call = {}) =>
  client.request<DataEnvelope<AnypointUser>>({ route: ROUTES.users, params: { orgId }, query: { offset, limit }, ...call });

export const listAllUsers = (client: AnypointClient, orgId: string, call: Call = {}) =>
  listAllData<AnypointUser>(client, { route: ROUTES.users, params: { orgId }, ...call });

/**
 * Every user of the org whose username, firstName, lastName or email contains `text`, ignoring
 * case (the list's `search` parameter, MuleSoft's Access Management spec). Same route as
 * listAllUsers, so it is counted and paged the same way. An empty text matches every user.
 */
export const searchUsers = (client: AnypointClient, orgId: string, text: string, call: Call = {}) =>
  listAllData<AnypointUser>(client, { route: ROUTES.users, params: { orgId }, query: { search: text }, ...call });

/**
 * The user with exactly this username (case-sensitive, as usernames are), or null: one search
 * call instead of listing the whole org (more only if over 500 users contain the username). The
 * search matches substrings in any case, so the exact match is picked here. No username is
 * empty, so an empty one is not worth a call.
 */
export async function findUserByUsername(client: AnypointClient, orgId: string, username: string, call: Call = {}): Promise<AnypointUser | null> {
  if (username === '') return null;
  const candidates = await searchUsers(client, orgId, username, call);
  return candidates.find((user) => user.username === username) ?? null;
}

export const getTeam = (client: AnypointClient, orgId: string, teamId: string, call: Call = {}) =>
  client.request<AnypointTeam>({ route: ROUTES.team, params: { orgId, teamId }, ...call });

export const listAllTeams = (client: AnypointClient, orgId: string, call: Call = {}) =>
  listAllData<AnypointTeam>(client, { route: ROUTES.teams, params: { orgId }, query: { sort: 'team_name' }, ...call });

export const listAllTeamMembers = (client: AnypointClient, orgId: string, teamId: string, call: Call = {}) =>
  listAllData<AnypointTeamMember>(client, { route: ROUTES.teamMembers, params: { orgId, teamId }, ...call });

export const listAllTeamRoles = (client: AnypointClient, orgId: string, teamId: string, call: Call = {}) =>
  listAllData<AnypointTeamRole>(client, { route: ROUTES.teamRoles, params: { orgId, teamId }, ...call });
