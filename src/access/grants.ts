/**
 * Effective access, worked out from the pieces Anypoint keeps apart (GOVERNANCE.md §2): a user's
 * grants are its direct roles, the roles of its role groups, and for every team it is in (the
 * root team included) that team's roles and its ancestors' roles. Each grant keeps every path
 * that gives it, so a reviewer can see why, and what removing one path would leave.
 *
 * Pure: the loaders fetch, this composes, so a hand-worked expectation can test it directly.
 */

export interface RoleAssignment {
  roleId: string;
  roleName: string;
  orgId: string;
  envId: string | null;
}

export type AccessPathKind = 'DIRECT' | 'ROLE_GROUP' | 'TEAM' | 'INHERITED_TEAM' | 'ROOT_TEAM';

export interface AccessPath {
  kind: AccessPathKind;
  roleGroup: { id: string; name: string; externalNames: string[] } | null;
  /** The team the user is a member of. */
  team: { id: string; name: string } | null;
  /** For INHERITED_TEAM: the ancestor of `team` the role is assigned to. */
  inheritedFrom: { id: string; name: string } | null;
  membershipType: 'member' | 'maintainer' | null;
  assignedViaExternalGroups: boolean;
}

export interface Grant extends RoleAssignment {
  privileged: boolean;
  paths: AccessPath[];
}

export interface TeamInfo {
  id: string;
  name: string;
  /** Root first, down to the parent (Anypoint's ancestor_team_ids). */
  ancestorIds: string[];
}

export interface AccessInputs {
  direct: RoleAssignment[];
  roleGroups: Array<{ id: string; name: string; externalNames: string[]; roles: RoleAssignment[] }>;
  memberships: Array<{ team: TeamInfo; membershipType: 'member' | 'maintainer'; assignedViaExternalGroups: boolean }>;
  /** The roles assigned to a team itself (not inherited). */
  rolesOfTeam: (teamId: string) => RoleAssignment[];
  teamName: (teamId: string) => string;
}

/**
 * Roles that administer what they apply to: owners and administrators of an organization, of
 * API Manager, of a runtime or gateway product. Reviews flag these first.
 */
export const PRIVILEGED_ROLE = /\b(owner|administrator|admin)\b/i;

export const isPrivileged = (roleName: string): boolean => PRIVILEGED_ROLE.test(roleName);

const grantKey = (a: RoleAssignment) => `${a.roleId}|${a.orgId}|${a.envId ?? ''}`;

export function effectiveGrants(inputs: AccessInputs): Grant[] {
  const grants = new Map<string, Grant>();
  const add = (assignment: RoleAssignment, path: AccessPath) => {
    const key = grantKey(assignment);
    let grant = grants.get(key);
    if (!grant) {
      grant = { ...assignment, privileged: isPrivileged(assignment.roleName), paths: [] };
      grants.set(key, grant);
    }
    grant.paths.push(path);
  };
  const none = { roleGroup: null, team: null, inheritedFrom: null, membershipType: null, assignedViaExternalGroups: false } as const;

  for (const role of inputs.direct) add(role, { ...none, kind: 'DIRECT' });
  for (const group of inputs.roleGroups) {
    for (const role of group.roles) add(role, { ...none, kind: 'ROLE_GROUP', roleGroup: { id: group.id, name: group.name, externalNames: group.externalNames } });
  }
  // An ancestor the user is also a member of gives its roles through that membership already;
  // inheriting them again through a child team would only repeat the same reason.
  const memberOf = new Set(inputs.memberships.map((m) => m.team.id));
  for (const membership of inputs.memberships) {
    const { team } = membership;
    const base = { ...none, team: { id: team.id, name: team.name }, membershipType: membership.membershipType, assignedViaExternalGroups: membership.assignedViaExternalGroups };
    const kind: AccessPathKind = team.ancestorIds.length === 0 ? 'ROOT_TEAM' : 'TEAM';
    for (const role of inputs.rolesOfTeam(team.id)) add(role, { ...base, kind });
    for (const ancestorId of team.ancestorIds) {
      if (memberOf.has(ancestorId)) continue;
      const inheritedFrom = { id: ancestorId, name: inputs.teamName(ancestorId) };
      for (const role of inputs.rolesOfTeam(ancestorId)) add(role, { ...base, kind: 'INHERITED_TEAM', inheritedFrom });
    }
  }
  return [...grants.values()].sort(
    (a, b) => a.orgId.localeCompare(b.orgId) || a.roleName.localeCompare(b.roleName) || (a.envId ?? '').localeCompare(b.envId ?? '') || a.roleId.localeCompare(b.roleId),
  );
}

/** A team's roles: its own, then each ancestor's (nearest first), with where each comes from. */
export function effectiveTeamRoles(team: TeamInfo, rolesOfTeam: (teamId: string) => RoleAssignment[], teamName: (teamId: string) => string) {
  const own = rolesOfTeam(team.id).map((role) => ({ ...role, inheritedFrom: null as { id: string; name: string } | null }));
  const inherited = [...team.ancestorIds].reverse().flatMap((id) => rolesOfTeam(id).map((role) => ({ ...role, inheritedFrom: { id, name: teamName(id) } })));
  return [...own, ...inherited];
}
