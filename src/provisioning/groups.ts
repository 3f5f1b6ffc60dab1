import type { AnypointTeam, AnypointUser } from '../anypoint/types.js';
import type { OperationDeps } from './deps.js';
import { startGroupReads } from './group-reads.js';
import type { Operation } from './runner.js';
import { step, type Step } from './steps.js';
import { createTeamStep, deleteTeamStep, removeMemberStep, renameTeamStep } from './team-steps.js';
import { addMemberStep } from './user-steps.js';
import { userError, type UserError } from './user-errors.js';
import { checkGroupId, checkName, mayBeAnId, quote } from './validate.js';
import { settled, runOptions, parentOf } from './plans.js';
import type { PushedMember } from './group-links.js';
import { largeRemoval } from './removal-guard.js';

/**
 * Identity-provider groups as Anypoint teams (the Okta "push groups" behaviour): each group is a
 * team under the org's root team, found again through a stored groupId-to-team link, named after
 * the group (never a description), with exactly the group's existing, enabled members.
 */

export const MAX_GROUP_MEMBERS = 10_000;

export interface PushGroupInput {
  organizationId?: string | null;
  groupId: string;
  displayName: string;
  /** Usernames or user ids. */
  members: string[];
  /** Maintainers added by hand in Anypoint stay unless this is true. */
  removeUnlistedMaintainers?: boolean | null;
  /** Take over a root child of the same name that no group is linked to (else TEAM_EXISTS). */
  adoptExistingTeam?: boolean | null;
  /** Let through a removal larger than the removal guard allows (Okta's safeguard). */
  allowLargeRemoval?: boolean | null;
  dryRun?: boolean | null;
  idempotencyKey?: string | null;
}

export interface GroupInput {
  organizationId?: string | null;
  groupId: string;
  dryRun?: boolean | null;
  idempotencyKey?: string | null;
}

export type SkipReason = 'NOT_FOUND' | 'DISABLED';

export interface GroupDiff {
  added: AnypointUser[];
  removed: AnypointUser[];
  unchanged: AnypointUser[];
  skipped: Array<{ member: string; reason: SkipReason }>;
  /** Maintainers not in the group, kept because they were added by hand. */
  keptMaintainers: AnypointUser[];
}

export interface PushGroupResult {
  team: AnypointTeam | null;
  diff: GroupDiff;
}

export interface GroupResult {
  groupId: string;
  /** The team, when it was kept (unlinked only). */
  team: AnypointTeam | null;
  deletedTeamId: string | null;
}

export const groupTarget = (orgId: string, groupId: string) => `group:${orgId}/${groupId}`;
/** Every write to one group's team takes this lock (across replicas with Redis). */
export const lockKey = (orgId: string, groupId: string) => `group:${orgId}:${groupId}`;


const pushSummary = (r: PushGroupResult | null) =>
  r && {
    teamId: r.team?.team_id ?? null,
    added: r.diff.added.length,
    removed: r.diff.removed.length,
    unchanged: r.diff.unchanged.length,
    skipped: r.diff.skipped.length,
    keptMaintainers: r.diff.keptMaintainers.length,
  };

/** A step that changes only the gateway's link store. */
function linkStep(deps: OperationDeps, orgId: string, groupId: string, teamId: (() => string) | null, phase: number): Step<null> {
  const unlink = teamId === null;
  return step<null>({
    action: unlink ? 'UNLINK_GROUP' : 'LINK_GROUP',
    target: groupTarget(orgId, groupId),
    description: unlink ? `forget the link of group ${groupId}` : `link group ${groupId} to its team`,
    phase,
    upstream: false,
    run: async () => {
      if (teamId === null) await deps.links.delete(orgId, groupId);
      else await deps.links.set({ orgId, groupId, teamId: teamId() });
      return null;
    },
    verify: async () => ({ done: false }),
  });
}

export function pushGroupOperation(deps: OperationDeps, input: PushGroupInput): Operation<PushGroupResult> {
  const orgId = input.organizationId ?? deps.rootOrgId;
  const displayName = input.displayName.trim();
  return {
    action: 'pushGroup',
    input: { ...input },
    target: groupTarget(orgId, input.groupId),
    lockKey: lockKey(orgId, input.groupId),
    ...runOptions(input),
    async plan() {
      const errors = [...checkGroupId(input.groupId), ...checkName(input.displayName, 'displayName', true)];
      if (input.members.length > MAX_GROUP_MEMBERS) errors.push(userError('TOO_MANY_MEMBERS', 'members', `A group push takes at most ${MAX_GROUP_MEMBERS} members`));
      if (errors.length) return settled(errors, null, pushSummary);
      if (!mayBeAnId(orgId)) return settled([userError('ORGANIZATION_NOT_FOUND', 'organizationId')], null, pushSummary);
      const reads = startGroupReads(deps, orgId, input.groupId, input.members.length > 0);
      if (!(await reads.orgExists)) return settled([userError('ORGANIZATION_NOT_FOUND', 'organizationId')], null, pushSummary);

      const [teams, link] = await Promise.all([reads.teams, reads.link]);
      const root = teams.find((t) => t.ancestor_team_ids.length === 0);
      if (!root) throw new Error(`Organization ${orgId} has no root team`);
      const siblingNamed = (name: string) => teams.find((t) => parentOf(t) === root.team_id && t.team_name === name);
      let team = link ? teams.find((t) => t.team_id === link.teamId) : undefined;
      if (!team) {
        // No linked team (a first push, or its team was deleted by hand): a root child with the
        // group's name is someone's. Another group's stays theirs; a push stopped between creating
        // its team and linking it takes its own back (its claim says so); any other is a team made
        // by hand, whose members the push would replace, so it is taken only when asked to.
        const candidate = siblingNamed(displayName);
        if (candidate) {
          const owner = await deps.links.findByTeam(orgId, candidate.team_id);
          if (owner && owner.groupId !== input.groupId) {
            return settled([userError('GROUP_NAME_CONFLICT', 'displayName', `Team ${quote(displayName)} already belongs to group ${quote(owner.groupId)}`)], null, pushSummary);
          }
          const ours = (await deps.links.claimedTeamName(orgId, input.groupId)) === displayName;
          if (!ours && !input.adoptExistingTeam) {
            const message = `A team called ${quote(displayName)} (${candidate.team_id}) already exists under the root team and no group is linked to it; push with adoptExistingTeam: true to take it over (its members then become exactly the group's)`;
            return settled([userError('TEAM_EXISTS', 'displayName', message)], null, pushSummary);
          }
        }
        team = candidate;
      } else if (team.team_name !== displayName && siblingNamed(displayName)) {
        return settled([userError('GROUP_NAME_CONFLICT', 'displayName', `Another team under the root team is already called ${quote(displayName)}`)], null, pushSummary);
      }

      // Started before the users are awaited, so an adopted team's listing shares their round
      // trip (a linked team's began with the other reads).
      const members = team ? reads.membersOf(team.team_id) : Promise.resolve([]);
      // Members: by id or username, among the org's users (and the root org's, who may be in any team).
      const users = await reads.users;
      const byId = new Map(users.map((u) => [u.id, u]));
      const byUsername = new Map(users.map((u) => [u.username, u]));
      const wanted = new Map<string, AnypointUser>();
      const diff: GroupDiff = { added: [], removed: [], unchanged: [], skipped: [], keptMaintainers: [] };
      for (const member of new Set(input.members)) {
        const user = byId.get(member) ?? byUsername.get(member);
        if (!user) diff.skipped.push({ member, reason: 'NOT_FOUND' });
        else if (!user.enabled) diff.skipped.push({ member, reason: 'DISABLED' });
        else wanted.set(user.id, user);
      }
      const current = await members;
      const currentIds = new Set(current.map((m) => m.id));
      for (const user of wanted.values()) (currentIds.has(user.id) ? diff.unchanged : diff.added).push(user);
      const gone: AnypointUser[] = [];
      for (const member of current) {
        if (wanted.has(member.id)) continue;
        const user = byId.get(member.id) ?? ({ id: member.id, username: member.name ?? member.id } as AnypointUser);
        if (member.membership_type === 'maintainer' && !input.removeUnlistedMaintainers) diff.keptMaintainers.push(user);
        else gone.push(user);
      }
      diff.removed = gone;
      // Okta's safeguard: refused before any write, audited as REJECTED, a dry run told the same.
      const tooMany = input.allowLargeRemoval ? null : largeRemoval(deps.removalGuard, current.length, gone.length);
      if (tooMany) return settled([tooMany], null, pushSummary);
      // What the push leaves the group as, recorded once it succeeded (drift compares against it).
      const typeOf = new Map(current.map((m) => [m.id, m.membership_type]));
      const pushedMembers: PushedMember[] = [...diff.unchanged, ...diff.added].map((u) => ({ userId: u.id, membershipType: typeOf.get(u.id) ?? 'member' }));

      const steps: Step[] = [];
      const claim = () => deps.links.claimTeam({ orgId, groupId: input.groupId, teamName: displayName });
      const create = team ? null : createTeamStep(deps, orgId, root.team_id, displayName, 0, claim);
      if (create) steps.push(create);
      const rename = team && team.team_name !== displayName ? renameTeamStep(deps, orgId, team, displayName, 0) : null;
      if (rename) steps.push(rename);
      const teamId = () => team?.team_id ?? create!.result!.team_id;
      if (!link || link.teamId !== team?.team_id) steps.push(linkStep(deps, orgId, input.groupId, teamId, 1));
      for (const user of diff.added) steps.push(addMemberStep(deps, orgId, teamId, () => user.id, 'member', { team: displayName, user: user.username }, 2));
      for (const user of diff.removed) steps.push(removeMemberStep(deps, orgId, teamId, user.id, { team: displayName, user: user.username }, 2));

      const preview = team ? { ...team, team_name: displayName } : null;
      return {
        userErrors: [],
        steps,
        preview: () => ({ team: preview, diff }),
        // The team as the platform last answered for it: no read after the writes.
        finish: async () => {
          const now = create?.result ?? rename?.result ?? team ?? null;
          await deps.links.recordPush(orgId, input.groupId, { members: pushedMembers, teamName: displayName, parentTeamId: now ? parentOf(now) : root.team_id });
          return { team: now, diff };
        },
        summary: pushSummary,
      };
    },
  };
}

/** The identity provider deleted the group: delete its team, or (keepTeam) only forget the link. */
export function removeGroupOperation(deps: OperationDeps, input: GroupInput, keepTeam: boolean, action: 'unlinkGroup' | 'deleteGroup'): Operation<GroupResult> {
  const orgId = input.organizationId ?? deps.rootOrgId;
  const summary = (r: GroupResult | null) => r && { groupId: r.groupId, teamId: r.team?.team_id ?? null, deletedTeamId: r.deletedTeamId };
  return {
    action,
    input: { ...input },
    target: groupTarget(orgId, input.groupId),
    lockKey: lockKey(orgId, input.groupId),
    ...runOptions(input),
    async plan() {
      const errors = checkGroupId(input.groupId);
      if (errors.length) return settled(errors, null, summary);
      const link = await deps.links.get(orgId, input.groupId);
      if (!link) return settled([userError('GROUP_NOT_LINKED', 'groupId', `No team was pushed for group ${quote(input.groupId)}`)], null, summary);
      const teams = await deps.fresh().teams.teamsOfOrg(orgId);
      const team = teams.find((t) => t.team_id === link.teamId) ?? null;
      const steps: Step[] = [];
      if (team && !keepTeam) {
        if (teams.some((t) => parentOf(t) === team.team_id)) return settled([userError('TEAM_HAS_CHILDREN', 'groupId')], null, summary);
        steps.push(deleteTeamStep(deps, orgId, team, 0));
      }
      steps.push(linkStep(deps, orgId, input.groupId, null, 1));
      const result: GroupResult = { groupId: input.groupId, team: keepTeam ? team : null, deletedTeamId: !keepTeam && team ? team.team_id : null };
      return { userErrors: [], steps, preview: () => result, finish: async () => result, summary };
    },
  };
}
