import type { AnypointTeam, AnypointTeamMember } from '../anypoint/types.js';
import type { OperationDeps } from './deps.js';
import { groupTarget, lockKey, MAX_GROUP_MEMBERS } from './groups.js';
import type { Operation } from './runner.js';
import type { Step } from './steps.js';
import { removeMemberStep, renameTeamStep } from './team-steps.js';
import { addMemberStep } from './user-steps.js';
import { userError } from './user-errors.js';
import { checkGroupId, checkName, quote } from './validate.js';
import { parentOf, runOptions, settled } from './plans.js';
import type { PushedMember, PushedState } from './group-links.js';
import { largeRemoval, mayBeLarge } from './removal-guard.js';

/**
 * Changes to a linked group's team as deltas, the way SCIM PATCHes them: add these users, remove
 * those, or (`clear`) start from nobody. Run under the group's lock and applied to the team's
 * members as they are then, so twenty concurrent one-member PATCHes end with all twenty members
 * (the classic SCIM bug is a stale read-modify-write that keeps only the last). Adds and clears
 * read the members once, under the lock; a remove-only delta reads nothing; a rename reads the
 * team, and its siblings only when the name really changes.
 */
export type MemberDelta = { kind: 'add'; userIds: string[] } | { kind: 'remove'; userIds: string[] } | { kind: 'clear' };

export interface PatchGroupInput {
  organizationId?: string | null;
  groupId: string;
  displayName?: string | null;
  /** In the order sent; user ids are Anypoint user ids. */
  members: MemberDelta[];
  /** Let through a removal larger than the removal guard allows (SCIM never sets it). */
  allowLargeRemoval?: boolean | null;
  dryRun?: boolean | null;
  idempotencyKey?: string | null;
}

export interface PatchGroupResult {
  team: AnypointTeam | null;
  added: number;
  removed: number;
}

const summary = (r: PatchGroupResult | null) => r && { teamId: r.team?.team_id ?? null, added: r.added, removed: r.removed };

/** The net effect of the deltas: who to add, who to remove, and whether everyone else goes too. */
function netChanges(deltas: MemberDelta[]) {
  let clear = false;
  const add = new Set<string>();
  const remove = new Set<string>();
  for (const delta of deltas) {
    if (delta.kind === 'clear') {
      clear = true;
      add.clear();
      remove.clear();
      continue;
    }
    const [into, outOf] = delta.kind === 'add' ? [add, remove] : [remove, add];
    for (const id of delta.userIds) {
      into.add(id);
      outOf.delete(id);
    }
  }
  return { clear, add, remove };
}

export function patchGroupOperation(deps: OperationDeps, input: PatchGroupInput): Operation<PatchGroupResult> {
  const orgId = input.organizationId ?? deps.rootOrgId;
  const displayName = input.displayName?.trim();
  return {
    action: 'patchGroup',
    input: { ...input },
    target: groupTarget(orgId, input.groupId),
    lockKey: lockKey(orgId, input.groupId),
    ...runOptions(input),
    async plan() {
      const errors = [...checkGroupId(input.groupId), ...(input.displayName != null ? checkName(input.displayName, 'displayName', true) : [])];
      const { clear, add, remove } = netChanges(input.members);
      if (add.size > MAX_GROUP_MEMBERS) errors.push(userError('TOO_MANY_MEMBERS', 'members', `A group change adds at most ${MAX_GROUP_MEMBERS} members`));
      if (errors.length) return settled(errors, null, summary);
      const link = await deps.links.get(orgId, input.groupId);
      if (!link) return settled([userError('GROUP_NOT_LINKED', 'groupId', `No team was pushed for group ${quote(input.groupId)}`)], null, summary);
      const loaders = deps.fresh();
      const teamId = link.teamId;
      // A link from before pushes were recorded has no last push to apply the delta to: the team
      // and its members are read once, and become it.
      const baseline = link.pushed;
      const needsTeam = displayName !== undefined || !baseline;
      // Adds read who is in the team: a member already there is not written again (a PUT would
      // make a maintainer added by hand a plain member). A remove-only delta needs no read,
      // unless it removes enough that the removal guard may refuse it.
      const guarded = !input.allowLargeRemoval && mayBeLarge(deps.removalGuard, remove.size);
      const needsMembers = clear || add.size > 0 || guarded || !baseline;
      const gone = () => settled<PatchGroupResult>([userError('GROUP_NOT_LINKED', 'groupId', `The team of group ${quote(input.groupId)} no longer exists`)], null, summary);
      const [team, current] = await Promise.all([
        needsTeam ? loaders.teams.teamById.load({ id: teamId, orgId }).catch(() => null) : Promise.resolve(null),
        needsMembers ? loaders.teams.membersOfTeam(orgId, teamId).catch(notFoundAsNull) : Promise.resolve(undefined),
      ]);
      if ((needsTeam && !team) || current === null) return gone();

      const steps: Step[] = [];
      const label = team?.team_name ?? displayName ?? teamId;
      if (team && displayName !== undefined && team.team_name !== displayName) {
        const siblings = (await loaders.teams.teamsOfOrg(orgId)).filter((t) => parentOf(t) === parentOf(team) && t.team_id !== team.team_id);
        if (siblings.some((t) => t.team_name === displayName)) {
          return settled([userError('GROUP_NAME_CONFLICT', 'displayName', `Another team under the root team is already called ${quote(displayName)}`)], null, summary);
        }
        steps.push(renameTeamStep(deps, orgId, team, displayName, 0));
      }
      const members = current ? new Set(current.map((m) => m.id)) : null;
      if (current && clear) for (const member of current) if (!add.has(member.id)) remove.add(member.id);
      const labels = (userId: string) => ({ team: label, user: userId });
      for (const userId of add) if (!members?.has(userId)) steps.push(addMemberStep(deps, orgId, () => teamId, () => userId, 'member', labels(userId), 1));
      // Without the listing a remove may name a non-member: the platform's 404 is read back as done.
      for (const userId of remove) if (!members || members.has(userId)) steps.push(removeMemberStep(deps, orgId, () => teamId, userId, labels(userId), 1));

      const counts = { added: steps.filter((s) => s.write.action === 'ADD_MEMBER').length, removed: steps.filter((s) => s.write.action === 'REMOVE_MEMBER').length };
      if (current && !input.allowLargeRemoval) {
        const tooMany = largeRemoval(deps.removalGuard, current.length, counts.removed);
        if (tooMany) return settled([tooMany], null, summary);
      }
      const renamed = team && displayName !== undefined ? { ...team, team_name: displayName } : team;
      const pushed = pushedAfter(baseline, current ?? undefined, clear, add, remove, displayName ?? team?.team_name ?? baseline?.teamName ?? teamId, team ? parentOf(team) : null);
      return {
        userErrors: [],
        steps,
        preview: () => ({ team: renamed, ...counts }),
        finish: async () => {
          await deps.links.recordPush(orgId, input.groupId, pushed);
          return { team: renamed, ...counts };
        },
        summary,
      };
    },
  };
}

/**
 * The group as the delta leaves it, for drift: the last push's members (or, with none recorded,
 * the team's members now), less the removed, plus the added (with the type they already have in
 * the team, else member); everyone out first on a clear.
 */
function pushedAfter(
  baseline: PushedState | undefined,
  current: AnypointTeamMember[] | undefined,
  clear: boolean,
  add: Set<string>,
  remove: Set<string>,
  teamName: string,
  parentTeamId: string | null,
): Omit<PushedState, 'at'> {
  const members = new Map<string, PushedMember['membershipType']>();
  if (!clear) {
    const start = baseline?.members ?? (current ?? []).map((m) => ({ userId: m.id, membershipType: m.membership_type }));
    for (const m of start) members.set(m.userId, m.membershipType);
  }
  for (const id of remove) members.delete(id);
  const typeNow = new Map((current ?? []).map((m) => [m.id, m.membership_type]));
  for (const id of add) members.set(id, typeNow.get(id) ?? members.get(id) ?? 'member');
  return {
    members: [...members].map(([userId, membershipType]) => ({ userId, membershipType })),
    teamName,
    parentTeamId: parentTeamId ?? baseline?.parentTeamId ?? null,
  };
}

/** A team deleted by hand answers its member listing with 404: the group's team is gone. */
function notFoundAsNull(error: unknown): null {
  if ((error as { code?: string }).code === 'NOT_FOUND') return null;
  throw error;
}
