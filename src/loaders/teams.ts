import DataLoader from 'dataloader';
import { getTeam, listAllTeamMembers, listAllTeamRoles, listAllTeams } from '../anypoint/accounts.js';
import type { AnypointTeam, AnypointTeamMember } from '../anypoint/types.js';
import { notFound } from '../errors.js';
import { isNotFound, type LoaderDeps } from './deps.js';
import type { OrganizationLoaders } from './organizations.js';

export interface TeamKey {
  id: string;
  orgId?: string;
}

export interface Membership {
  team: AnypointTeam;
  member: AnypointTeamMember;
}

/**
 * Teams, members and roles. A team's parent is the last of its ancestor_team_ids, and its
 * children are found by listing the org's teams (usually one page), not one call per team.
 */
export function createTeamLoaders(deps: LoaderDeps, orgs: OrganizationLoaders) {
  const { client, cache, call, rootOrgId } = deps;

  const teamsOfOrg = (orgId: string) => cache.get('teams', `org:${orgId}`, () => listAllTeams(client, orgId, call));

  const membersOfTeam = (orgId: string, teamId: string) =>
    cache.get('members', `team:${teamId}`, () => listAllTeamMembers(client, orgId, teamId, call));

  const rolesOfTeam = (orgId: string, teamId: string) =>
    cache.get('teams', `roles:${teamId}`, () => listAllTeamRoles(client, orgId, teamId, call));

  async function findInOrg(orgId: string, ids: string[]): Promise<Map<string, AnypointTeam>> {
    const found = new Map<string, AnypointTeam>();
    const listed = await cache.peek<AnypointTeam[]>('teams', `org:${orgId}`);
    if (listed || ids.length > 1) {
      const wanted = new Set(ids);
      for (const team of listed ?? (await teamsOfOrg(orgId))) if (wanted.has(team.team_id)) found.set(team.team_id, team);
      return found;
    }
    try {
      found.set(ids[0]!, await cache.get('teams', `id:${ids[0]}`, () => getTeam(client, orgId, ids[0]!, call)));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return found;
  }

  /**
   * Teams by id. Anypoint serves a team only under its organization (no GET by id alone in the
   * official spec). With an org (a hint, or the referencing team's) that org is asked, one GET or
   * its listing, and the team must belong to it or it is not found. Without one, the root org
   * first; then, for what is not there, the bounded sweep: the hierarchy and one listing of every
   * business group (cached, and shared by every team id in the batch).
   */
  const teamById = new DataLoader<TeamKey, AnypointTeam, string>(
    deps.measured('teams.teamById', async (keys) => {
      const byOrg = new Map<string, string[]>();
      for (const key of keys) byOrg.set(key.orgId ?? rootOrgId, [...(byOrg.get(key.orgId ?? rootOrgId) ?? []), key.id]);
      const inOrgs = new Map<string, Map<string, AnypointTeam>>();
      await Promise.all([...byOrg].map(async ([orgId, ids]) => void inOrgs.set(orgId, await findInOrg(orgId, [...new Set(ids)]))));
      const swept = new Map<string, AnypointTeam>();
      const unplaced = new Set(keys.filter((k) => !k.orgId && !inOrgs.get(rootOrgId)?.has(k.id)).map((k) => k.id));
      if (unplaced.size) {
        const others = (await orgs.orgNodes()).filter((n) => n.id !== rootOrgId);
        for (const teams of await Promise.all(others.map((n) => teamsOfOrg(n.id)))) {
          for (const team of teams) if (unplaced.has(team.team_id)) swept.set(team.team_id, team);
        }
      }
      return keys.map((k) => {
        const team = inOrgs.get(k.orgId ?? rootOrgId)?.get(k.id) ?? (k.orgId ? undefined : swept.get(k.id));
        // A team cached from its own org must not answer for another org's hint.
        return team && (!k.orgId || team.org_id === k.orgId) ? team : notFound('Team', k.id);
      });
    }),
    { batchScheduleFn: deps.batchScheduleFn, cacheKeyFn: (key) => `${key.orgId ?? ''}/${key.id}` },
  );

  /** userId -> the teams of `orgId` the user belongs to: the org's teams, then each team's members. */
  const membershipsInOrg = (orgId: string) =>
    cache.get('members', `byUser:${orgId}`, async () => {
      const teams = await teamsOfOrg(orgId);
      const lists = await Promise.all(teams.map((t) => membersOfTeam(orgId, t.team_id)));
      const byUser: Record<string, Membership[]> = {};
      teams.forEach((team, i) => {
        for (const member of lists[i]!) (byUser[member.id] ??= []).push({ team, member });
      });
      return byUser;
    });

  const rootTeamOf = async (orgId: string): Promise<AnypointTeam | null> =>
    (await teamsOfOrg(orgId)).find((t) => t.ancestor_team_ids.length === 0) ?? null;

  return { teamsOfOrg, membersOfTeam, rolesOfTeam, teamById, membershipsInOrg, rootTeamOf };
}

export type TeamLoaders = ReturnType<typeof createTeamLoaders>;
