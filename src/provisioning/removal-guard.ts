import { userError, type UserError } from './user-errors.js';

/**
 * Okta's safeguard: a group push that would take more than a share of a large team's members out
 * is refused unless the caller says it is meant (allowLargeRemoval). An identity provider whose
 * group came back empty (a broken directory sync, a mistyped filter) then cannot wipe a team.
 */
export interface RemovalGuard {
  /** PROVISIONING_MAX_REMOVAL_SHARE: the largest share of the members one push may remove (1: no guard). */
  maxShare: number;
  /** PROVISIONING_LARGE_TEAM_MEMBERS: teams of at most this many members are never guarded. */
  largeTeamMembers: number;
}

export const DEFAULT_REMOVAL_GUARD: RemovalGuard = { maxShare: 0.2, largeTeamMembers: 20 };

/** The refusal of removing `removals` of a team's `members`, or null when the guard lets it through. */
export function largeRemoval(guard: RemovalGuard, members: number, removals: number): UserError | null {
  if (members <= guard.largeTeamMembers || removals <= guard.maxShare * members) return null;
  const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
  return userError(
    'LARGE_REMOVAL_REFUSED',
    'members',
    `This would remove ${removals} of the team's ${members} members (${percent(removals / members)}), more than the ${percent(guard.maxShare)} allowed for a team of more than ${guard.largeTeamMembers} members (PROVISIONING_MAX_REMOVAL_SHARE, PROVISIONING_LARGE_TEAM_MEMBERS); nothing was changed. If it is meant, push the group with GraphQL pushGroup and allowLargeRemoval: true`,
  );
}

/**
 * Whether `removals` could be refused in any team: a refused one has more than largeTeamMembers
 * members, so at most maxShare x (largeTeamMembers + 1) removals never are. A SCIM PATCH removing
 * a few members then needs no member listing for the guard.
 */
export const mayBeLarge = (guard: RemovalGuard, removals: number): boolean => removals > guard.maxShare * (guard.largeTeamMembers + 1);
