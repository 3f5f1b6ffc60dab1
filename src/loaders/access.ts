import DataLoader from 'dataloader';
import {
  listConnectedApps,
  listDirectRoleHolders,
  listRoleGroupRoles,
  listRoleGroups,
  listRoleGroupUsers,
  listRoles,
  listUserDirectRoles,
  listUserRoleGroups,
  listUserTeams,
} from '../anypoint/access.js';
import type { AnypointContextParams, AnypointTeam, AnypointUser } from '../anypoint/types.js';
import { effectiveGrants, effectiveTeamRoles, type AccessInputs, type Grant, type RoleAssignment, type TeamInfo } from '../access/grants.js';
import type { LoaderDeps } from './deps.js';
import type { TeamLoaders } from './teams.js';
import type { UserLoaders } from './index.js';

/**
 * Effective access, two ways. For a few users, each user's own routes: its direct roles, its role
 * groups (and their roles), its teams with their ancestors (and those teams' roles). For many
 * users of one organization (a users page, an access review), the organization's: its role
 * groups with their roles and users, one role search for every direct grant, the team listing
 * with every team's members and roles. The second costs a fixed number of calls per organization
 * whatever the number of users; the first, a few calls per user.
 */

/** From this many users of one org in a batch, the organization's routes are cheaper than each user's. */
export const ORG_INDEX_FROM_USERS = 4;

export interface UserAccessKey {
  id: string;
  orgId: string;
}

const assignment = (roleId: string, roleName: string, context: AnypointContextParams): RoleAssignment => ({
  roleId,
  roleName,
  orgId: context.org,
  envId: context.envId ?? null,
});

const teamInfo = (team: AnypointTeam): TeamInfo => ({ id: team.team_id, name: team.team_name, ancestorIds: team.ancestor_team_ids ?? [] });

export interface RoleGroupWithRoles {
  id: string;
  name: string;
  externalNames: string[];
  roles: RoleAssignment[];
  userIds: string[];
}

/** What an access review of one organization reads, indexed. */
export interface OrgAccess {
  orgId: string;
  users: AnypointUser[];
  roleGroups: RoleGroupWithRoles[];
  grantsOf(userId: string): Grant[];
  /** Whether the user is a member of any team but the root team. */
  inNonRootTeam(userId: string): boolean;
}

export function createAccessLoaders(deps: LoaderDeps, teams: TeamLoaders, users: UserLoaders, sharedRoleNames?: () => Promise<Record<string, string>>) {
  const { client, cache, call } = deps;

  /** Role id -> name, for the role search's assignments (which carry ids only): one catalogue for the platform. */
  const roleNames =
    sharedRoleNames ??
    (() => cache.get('teams', 'roleCatalogue:all', async () => Object.fromEntries((await listRoles(client, call)).map((r) => [r.role_id, r.name])) as Record<string, string>));

  const roleGroupRoles = (orgId: string, roleGroupId: string) =>
    cache.get('teams', `roleGroupRoles:${roleGroupId}`, async () =>
      (await listRoleGroupRoles(client, orgId, roleGroupId, call)).map((r) => assignment(r.role_id, r.name, r.context_params)),
    );

  /** The org's role groups, each with its roles and users. */
  const roleGroupsOf = (orgId: string) =>
    cache.get('teams', `roleGroups:${orgId}`, async (): Promise<RoleGroupWithRoles[]> => {
      const groups = await listRoleGroups(client, orgId, call);
      return Promise.all(
        groups.map(async (group) => {
          const [roles, members] = await Promise.all([roleGroupRoles(orgId, group.role_group_id), listRoleGroupUsers(client, orgId, group.role_group_id, call)]);
          return { id: group.role_group_id, name: group.name, externalNames: group.external_names ?? [], roles, userIds: members.map((u) => u.id) };
        }),
      );
    });

  /** userId -> the roles assigned straight to the user in `orgId` (one role search for the whole org). */
  const directGrantsOf = (orgId: string) =>
    cache.get('users', `directRoles:${orgId}`, async () => {
      const [holders, names] = await Promise.all([listDirectRoleHolders(client, orgId, call), roleNames()]);
      const byUser: Record<string, RoleAssignment[]> = {};
      for (const holder of holders) {
        byUser[holder.id] = holder.assignments.map((a) => assignment(a.role_id, names[a.role_id] ?? a.role_id, a.context_params));
      }
      return byUser;
    });

  const teamRoles = async (orgId: string, teamId: string) =>
    (await teams.rolesOfTeam(orgId, teamId)).map((r) => assignment(r.role_id, r.name, r.context_params));

  /** Every team of the org with its roles, by id (the team listing, then each team's roles). */
  const teamsWithRoles = async (orgId: string, teamIds?: readonly string[]) => {
    const listed = await teams.teamsOfOrg(orgId);
    const wanted = teamIds ? new Set(teamIds) : null;
    const picked = wanted ? listed.filter((t) => wanted.has(t.team_id)) : listed;
    const roles = await Promise.all(picked.map((t) => teamRoles(orgId, t.team_id)));
    const rolesById = new Map(picked.map((t, i) => [t.team_id, roles[i]!]));
    const names = new Map(listed.map((t) => [t.team_id, t.team_name]));
    return { rolesOf: (id: string) => rolesById.get(id) ?? [], nameOf: (id: string) => names.get(id) ?? id, byId: new Map(listed.map((t) => [t.team_id, t])) };
  };

  const orgAccessMemo = new Map<string, Promise<OrgAccess>>();

  /** The organization's whole access picture, once per request. */
  const orgAccess = (orgId: string): Promise<OrgAccess> => {
    let pending = orgAccessMemo.get(orgId);
    if (!pending) {
      pending = buildOrgAccess(orgId);
      orgAccessMemo.set(orgId, pending);
      pending.catch(() => orgAccessMemo.delete(orgId));
    }
    return pending;
  };

  async function buildOrgAccess(orgId: string): Promise<OrgAccess> {
    const [userList, groups, direct, memberships, teamIndex] = await Promise.all([
      users.usersOfOrg(orgId),
      roleGroupsOf(orgId),
      directGrantsOf(orgId),
      teams.membershipsInOrg(orgId),
      teamsWithRoles(orgId),
    ]);
    const groupsOfUser = new Map<string, RoleGroupWithRoles[]>();
    for (const group of groups) for (const id of group.userIds) groupsOfUser.set(id, [...(groupsOfUser.get(id) ?? []), group]);
    const grants = new Map<string, Grant[]>();
    return {
      orgId,
      users: userList,
      roleGroups: groups,
      grantsOf(userId) {
        let known = grants.get(userId);
        if (!known) {
          known = effectiveGrants({
            direct: direct[userId] ?? [],
            roleGroups: groupsOfUser.get(userId) ?? [],
            memberships: (memberships[userId] ?? []).map((m) => ({
              team: teamInfo(m.team),
              membershipType: m.member.membership_type,
              assignedViaExternalGroups: m.member.is_assigned_via_external_groups ?? false,
            })),
            rolesOfTeam: teamIndex.rolesOf,
            teamName: teamIndex.nameOf,
          });
          grants.set(userId, known);
        }
        return known;
      },
      inNonRootTeam: (userId) => (memberships[userId] ?? []).some((m) => (m.team.ancestor_team_ids ?? []).length > 0),
    };
  }

  /** One user's grants from its own routes: direct roles, role groups, teams (3 calls, then what its groups and teams need). */
  async function userGrants(key: UserAccessKey): Promise<Grant[]> {
    const { id, orgId } = key;
    const [direct, groups, userTeams] = await Promise.all([
      cache.get('users', `userDirectRoles:${id}`, () => listUserDirectRoles(client, orgId, id, call)),
      cache.get('users', `userRoleGroups:${id}`, () => listUserRoleGroups(client, orgId, id, call)),
      cache.get('members', `userTeams:${id}`, () => listUserTeams(client, orgId, id, call)),
    ]);
    const neededTeams = new Set(userTeams.flatMap((t) => [t.team_id, ...(t.ancestor_team_ids ?? [])]));
    const [groupRoles, teamIndex] = await Promise.all([Promise.all(groups.map((g) => roleGroupRoles(orgId, g.role_group_id))), teamsWithRoles(orgId, [...neededTeams])]);
    const inputs: AccessInputs = {
      direct: direct.map((r) => assignment(r.role_id, r.name, r.context_params)),
      roleGroups: groups.map((g, i) => ({ id: g.role_group_id, name: g.name, externalNames: g.external_names ?? [], roles: groupRoles[i]! })),
      memberships: userTeams.map((t) => ({ team: teamInfo(t), membershipType: t.membership_type, assignedViaExternalGroups: t.is_assigned_via_external_groups ?? false })),
      rolesOfTeam: teamIndex.rolesOf,
      teamName: teamIndex.nameOf,
    };
    return effectiveGrants(inputs);
  }

  const userAccess = new DataLoader<UserAccessKey, Grant[], string>(
    deps.measured('access.userAccess', async (keys) => {
      const byOrg = new Map<string, UserAccessKey[]>();
      for (const key of keys) byOrg.set(key.orgId, [...(byOrg.get(key.orgId) ?? []), key]);
      const found = new Map<string, Grant[] | Error>();
      await Promise.all(
        [...byOrg].map(async ([orgId, orgKeys]) => {
          if (orgKeys.length >= ORG_INDEX_FROM_USERS || orgAccessMemo.has(orgId)) {
            const index = await orgAccess(orgId);
            for (const key of orgKeys) found.set(key.id, index.grantsOf(key.id));
          } else {
            await Promise.all(orgKeys.map(async (key) => found.set(key.id, await userGrants(key).catch((error: Error) => error))));
          }
        }),
      );
      return keys.map((key) => found.get(key.id) ?? []);
    }),
    { batchScheduleFn: deps.batchScheduleFn, cacheKeyFn: (key) => `${key.orgId}/${key.id}` },
  );

  /** A team's own and inherited roles (the team listing for its ancestors, then each of their roles). */
  async function teamEffectiveRoles(orgId: string, teamId: string) {
    const listed = await teams.teamsOfOrg(orgId);
    const team = listed.find((t) => t.team_id === teamId);
    if (!team) return [];
    const info = teamInfo(team);
    const index = await teamsWithRoles(orgId, [info.id, ...info.ancestorIds]);
    return effectiveTeamRoles(info, index.rolesOf, index.nameOf);
  }

  const connectedAppsOf = (orgId: string) => cache.get('organizations', `apps:${orgId}`, () => listConnectedApps(client, orgId, call));

  return { userAccess, orgAccess, teamEffectiveRoles, connectedAppsOf, roleGroupsOf, roleNames };
}

export type AccessLoaders = ReturnType<typeof createAccessLoaders>;
