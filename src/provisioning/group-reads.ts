import type { AnypointTeam, AnypointTeamMember, AnypointUser } from '../anypoint/types.js';
import { orgExists, type OperationDeps } from './deps.js';
import type { GroupLink } from './group-links.js';

/**
 * What a group push reads before it plans, all started at once instead of one after another:
 * each upstream read then waits only for what it really needs (a listing's later pages for its
 * first), so the plan costs as many round trips as its longest chain of reads, not their sum.
 * The org's existence, its teams, its users and the group's link need nothing but the ids. The
 * stored link names the team, so a re-run lists the team's members alongside them too, before
 * the teams listing has confirmed that the team is still there.
 */
export interface GroupReads {
  orgExists: Promise<boolean>;
  teams: Promise<AnypointTeam[]>;
  link: Promise<GroupLink | undefined>;
  /** Everyone a member may be, by id or username: the org's users and the root org's. */
  users: Promise<AnypointUser[]>;
  /**
   * Who is in the team now: the linked team's listing is already under way, any other starts
   * here. Marked handled, so it may be started before something else that is awaited first.
   */
  membersOf(teamId: string): Promise<AnypointTeamMember[]>;
}

/**
 * `withUsers`: false when the push names no members, which then need no lookup: an empty group
 * (how Okta and Entra create every group) costs no listing of the org's users.
 */
export function startGroupReads(deps: OperationDeps, orgId: string, groupId: string, withUsers = true): GroupReads {
  const loaders = deps.fresh();
  const link = deps.links.get(orgId, groupId);
  const none = Promise.resolve([]);
  const ownUsers = withUsers ? loaders.users.usersOfOrg(orgId) : none;
  // Users of the root org may be in any org's team.
  const rootUsers = orgId === deps.rootOrgId || !withUsers ? none : loaders.users.usersOfOrg(deps.rootOrgId);
  // Possibly wasted: the link may name a team deleted since (then the listing fails and is not used).
  const linkedMembers = link.then((l) => l && { teamId: l.teamId, members: quiet(loaders.teams.membersOfTeam(orgId, l.teamId)) });
  const reads: GroupReads = {
    orgExists: orgExists(loaders, orgId),
    teams: loaders.teams.teamsOfOrg(orgId),
    link,
    users: Promise.all([ownUsers, rootUsers]).then(([own, root]) => [...own, ...root]),
    membersOf: (teamId) =>
      quiet(linkedMembers.then((linked) => (linked?.teamId === teamId ? linked.members : loaders.teams.membersOfTeam(orgId, teamId)))),
  };
  // A plan that stops early (an org that does not exist, a name conflict) leaves reads it never
  // awaits, whose failures (listings of a missing org) are nobody's error.
  for (const read of [reads.orgExists, reads.teams, link, reads.users, linkedMembers] as Array<Promise<unknown>>) quiet(read);
  return reads;
}

/** `promise` itself, with its failure marked handled: whoever awaits it still gets the error. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
