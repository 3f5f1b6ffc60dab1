import type { AnypointTeam, AnypointTeamMember } from '../anypoint/types.js';
import { isNotFound } from '../loaders/deps.js';
import type { Loaders } from '../loaders/index.js';
import type { GroupLink, GroupLinkStore, PushedMembershipType, PushedState } from './group-links.js';
import { parentOf } from './plans.js';

/**
 * Drift: what differs between the last push of a linked group (kept on its link, see
 * GroupLink.pushed) and its team now, the way Terraform's plan shows drift against its state.
 * Hand changes in Anypoint (members added or removed, a membership type changed, the team
 * renamed, moved or deleted) and members Anypoint's own IdP group mappings put there each show
 * as one typed item. Reads only: the team (one GET, or the org's team listing for many groups)
 * and its member listing, through the request's loaders (as fresh as the read cache).
 */
export type DriftKind =
  /** In the team, not pushed: added by hand as a member. */
  | 'MEMBER_ADDED'
  /** In the team as a maintainer, not pushed: added by hand; pushes keep it unless removeUnlistedMaintainers. */
  | 'MAINTAINER_ADDED'
  /** In the team, not pushed, marked is_assigned_via_external_groups: Anypoint's own IdP group mapping put it there. */
  | 'ASSIGNED_VIA_EXTERNAL_GROUPS'
  /** Pushed, no longer in the team: removed by hand. */
  | 'MEMBER_REMOVED'
  /** Pushed and still there, with another membership type. */
  | 'MEMBERSHIP_TYPE_CHANGED'
  | 'TEAM_RENAMED'
  /** The team's parent is no longer the one it had when pushed. */
  | 'TEAM_MOVED'
  /** The team is gone (Anypoint answers 404 for it). */
  | 'TEAM_DELETED';

export interface DriftItem {
  kind: DriftKind;
  /** The member concerned; null for the team's own items. */
  userId: string | null;
  /** Membership kinds: the membership type; TEAM_RENAMED: the name; TEAM_MOVED: the parent team's id. Null: not there. */
  before: string | null;
  after: string | null;
}

export interface GroupDriftResult {
  orgId: string;
  groupId: string;
  teamId: string;
  /** The team now; null when it was deleted. */
  team: AnypointTeam | null;
  /** The last push; undefined on a link from before pushes were recorded (only TEAM_DELETED can then be told). */
  pushed: PushedState | undefined;
  items: DriftItem[];
}

const ORDER: DriftKind[] = ['TEAM_DELETED', 'TEAM_RENAMED', 'TEAM_MOVED', 'MEMBER_ADDED', 'MAINTAINER_ADDED', 'ASSIGNED_VIA_EXTERNAL_GROUPS', 'MEMBER_REMOVED', 'MEMBERSHIP_TYPE_CHANGED'];
const typeName = (type: PushedMembershipType | string) => type.toUpperCase();

/** The differences between a last push and the team now (`team` null: deleted), team items first, then by user id. */
export function compareDrift(pushed: PushedState | undefined, team: AnypointTeam | null, members: AnypointTeamMember[] | null): DriftItem[] {
  if (!team || !members) return [{ kind: 'TEAM_DELETED', userId: null, before: pushed?.teamName ?? null, after: null }];
  if (!pushed) return [];
  const items: DriftItem[] = [];
  if (team.team_name !== pushed.teamName) items.push({ kind: 'TEAM_RENAMED', userId: null, before: pushed.teamName, after: team.team_name });
  const parent = parentOf(team);
  if (pushed.parentTeamId !== null && parent !== pushed.parentTeamId) items.push({ kind: 'TEAM_MOVED', userId: null, before: pushed.parentTeamId, after: parent });
  const before = new Map(pushed.members.map((m) => [m.userId, m.membershipType]));
  const now = new Map(members.map((m) => [m.id, m]));
  for (const member of members) {
    const was = before.get(member.id);
    const type = typeName(member.membership_type);
    if (was === undefined) {
      const kind: DriftKind = member.is_assigned_via_external_groups ? 'ASSIGNED_VIA_EXTERNAL_GROUPS' : member.membership_type === 'maintainer' ? 'MAINTAINER_ADDED' : 'MEMBER_ADDED';
      items.push({ kind, userId: member.id, before: null, after: type });
    } else if (was !== member.membership_type) {
      items.push({ kind: 'MEMBERSHIP_TYPE_CHANGED', userId: member.id, before: typeName(was), after: type });
    }
  }
  for (const [userId, was] of before) if (!now.has(userId)) items.push({ kind: 'MEMBER_REMOVED', userId, before: typeName(was), after: null });
  const rank = (item: DriftItem) => ORDER.indexOf(item.kind);
  return items.sort((a, b) => rank(a) - rank(b) || ((a.userId ?? '') < (b.userId ?? '') ? -1 : (a.userId ?? '') > (b.userId ?? '') ? 1 : 0));
}

/** The team's members, or null when the team is gone (404). */
const membersOrGone = (loaders: Loaders, orgId: string, teamId: string): Promise<AnypointTeamMember[] | null> =>
  loaders.teams.membersOfTeam(orgId, teamId).catch((error: unknown) => {
    if (isNotFound(error)) return null;
    throw error;
  });

const result = (link: GroupLink, team: AnypointTeam | null, members: AnypointTeamMember[] | null): GroupDriftResult => ({
  orgId: link.orgId,
  groupId: link.groupId,
  teamId: link.teamId,
  team: members ? team : null,
  pushed: link.pushed,
  items: compareDrift(link.pushed, team, members),
});

/** The drift of one linked group; null when the group has no link. One team GET and its member listing. */
export async function groupDrift(links: GroupLinkStore, loaders: Loaders, orgId: string, groupId: string): Promise<GroupDriftResult | null> {
  const link = await links.get(orgId, groupId);
  if (!link) return null;
  const [team, members] = await Promise.all([
    loaders.teams.teamById.load({ id: link.teamId, orgId }).catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw error;
    }),
    membersOrGone(loaders, orgId, link.teamId),
  ]);
  return result(link, team, members);
}

/**
 * The drift of every linked group of the org, by groupId: the org's team listing once, then the
 * member listing of each linked team that still exists. `onLinks` is told how many groups are
 * linked (demand control learns it, to price the next such query).
 */
export async function orgDrifts(links: GroupLinkStore, loaders: Loaders, orgId: string, onLinks?: (count: number) => void): Promise<GroupDriftResult[]> {
  const all = await links.list(orgId);
  onLinks?.(all.length);
  if (!all.length) return [];
  const teams = new Map((await loaders.teams.teamsOfOrg(orgId)).map((t) => [t.team_id, t]));
  const members = await Promise.all(all.map((link) => (teams.has(link.teamId) ? membersOrGone(loaders, orgId, link.teamId) : Promise.resolve(null))));
  return all.map((link, i) => result(link, teams.get(link.teamId) ?? null, members[i]!));
}
