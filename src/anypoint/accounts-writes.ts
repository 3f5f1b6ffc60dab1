import type { AnypointClient } from './client.js';
import { ROUTES } from './accounts.js';
import type { AnypointTeam, AnypointUser } from './types.js';

/**
 * Access Management writes (API.md §4, §5): the calls provisioning is built on. They are never
 * retried blindly (the client retries a write only when the platform refused it with 429/503);
 * a write whose response was lost surfaces as outcomeUnknown for the caller to reconcile.
 */

type Call = { signal?: AbortSignal; requestId?: string };

export interface NewUser {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string;
  /** When omitted the platform e-mails the user a password-reset link. */
  password?: string;
}

export const createUser = (client: AnypointClient, orgId: string, user: NewUser, call: Call = {}) =>
  client.request<AnypointUser>({ method: 'POST', route: ROUTES.users, params: { orgId }, body: user, ...call });

export interface UserChanges {
  firstName?: string;
  lastName?: string;
  phoneNumber?: string | null;
  enabled?: boolean;
}

export const updateUser = (client: AnypointClient, orgId: string, userId: string, changes: UserChanges, call: Call = {}) =>
  client.request<AnypointUser>({ method: 'PUT', route: ROUTES.user, params: { orgId, userId }, body: changes, ...call });

export const deleteUser = (client: AnypointClient, orgId: string, userId: string, call: Call = {}) =>
  client.request<void>({ method: 'DELETE', route: ROUTES.user, params: { orgId, userId }, ...call });

export const createTeam = (client: AnypointClient, orgId: string, team: { team_name: string; parent_team_id: string; team_type?: string }, call: Call = {}) =>
  client.request<AnypointTeam>({ method: 'POST', route: ROUTES.teams, params: { orgId }, body: team, ...call });

export const renameTeam = (client: AnypointClient, orgId: string, teamId: string, teamName: string, call: Call = {}) =>
  client.request<AnypointTeam>({ method: 'PATCH', route: ROUTES.team, params: { orgId, teamId }, body: { team_name: teamName }, ...call });

export const deleteTeam = (client: AnypointClient, orgId: string, teamId: string, call: Call = {}) =>
  client.request<void>({ method: 'DELETE', route: ROUTES.team, params: { orgId, teamId }, ...call });

export const putTeamMember = (
  client: AnypointClient,
  orgId: string,
  teamId: string,
  userId: string,
  membershipType: 'member' | 'maintainer',
  call: Call = {},
) => client.request<unknown>({ method: 'PUT', route: ROUTES.teamMember, params: { orgId, teamId, userId }, body: { membership_type: membershipType }, ...call });

export const removeTeamMember = (client: AnypointClient, orgId: string, teamId: string, userId: string, call: Call = {}) =>
  client.request<void>({ method: 'DELETE', route: ROUTES.teamMember, params: { orgId, teamId, userId }, ...call });

/** One user's membership of a team, or undefined: the members listing filtered to that user. */
export async function findTeamMember(client: AnypointClient, orgId: string, teamId: string, userId: string, call: Call = {}) {
  const page = await client.request<{ data: Array<{ id: string; membership_type: 'member' | 'maintainer' }> }>({
    route: ROUTES.teamMembers,
    params: { orgId, teamId },
    query: { member_ids: userId, limit: 1 },
    ...call,
  });
  return page.data.find((m) => m.id === userId);
}
