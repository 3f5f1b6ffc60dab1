import type { Loaders } from '../loaders/index.js';
import type { ScimDeps } from './context.js';
import type { GroupRef } from './user-resource.js';

/**
 * A user's `groups`: the linked groups whose team the user is in. One read of each linked team's
 * members (through the cache), which is why it is returned only when asked for.
 */
export async function userGroups(deps: ScimDeps, loaders: Loaders, anypointUserId: string): Promise<GroupRef[]> {
  const orgId = deps.settings.orgId;
  const [links, teams] = await Promise.all([deps.links.list(orgId), loaders.teams.teamsOfOrg(orgId)]);
  const byId = new Map(teams.map((t) => [t.team_id, t]));
  const linked = links.filter((l) => byId.has(l.teamId));
  const members = await Promise.all(linked.map((l) => loaders.teams.membersOfTeam(orgId, l.teamId)));
  return linked.filter((_, i) => members[i]!.some((m) => m.id === anypointUserId)).map((l) => ({ id: l.groupId, displayName: byId.get(l.teamId)!.team_name }));
}
