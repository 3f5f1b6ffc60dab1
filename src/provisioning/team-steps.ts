import { getTeam, listAllTeams } from '../anypoint/accounts.js';
import { createTeam, deleteTeam, findTeamMember, removeTeamMember, renameTeam } from '../anypoint/accounts-writes.js';
import type { AnypointTeam } from '../anypoint/types.js';
import type { CacheKind } from '../loaders/read-through.js';
import { memberEntries, teamEntries, type OperationDeps } from './deps.js';
import { PlannedStep, step, type Step, type Verified } from './steps.js';
import { parentOf } from './plans.js';

/** The write steps of group pushes, each with the read-back that reconciles a lost response. */


/** The child of `parentId` called `name`: sibling names are unique, so this finds a team made by a lost create. */
export async function findChildTeam(deps: OperationDeps, orgId: string, parentId: string, name: string): Promise<AnypointTeam | undefined> {
  return (await listAllTeams(deps.client, orgId)).find((t) => parentOf(t) === parentId && t.team_name === name);
}

/**
 * `claim` runs before each send: it records, durably, that the team about to exist is this push's
 * own, so that a re-run after a crash between the create and the link takes it back without
 * being told to (see GroupLinkStore.claimTeam). If it fails, nothing is sent.
 */
export function createTeamStep(deps: OperationDeps, orgId: string, parentId: string, name: string, phase: number, claim: () => Promise<void>): Step<AnypointTeam> {
  const created = (team: AnypointTeam | undefined) => (team ? { done: true as const, value: team } : { done: false as const });
  return step<AnypointTeam>({
    action: 'CREATE_TEAM',
    target: `team:${name}`,
    description: `create team ${name} under the root team`,
    phase,
    run: async (requestId) => {
      await claim();
      return createTeam(deps.client, orgId, { team_name: name, parent_team_id: parentId, team_type: 'internal' }, { requestId });
    },
    verify: async () => created(await findChildTeam(deps, orgId, parentId, name)),
    evicts: [['teams', `org:${orgId}`]],
  });
}

export function renameTeamStep(deps: OperationDeps, orgId: string, team: AnypointTeam, name: string, phase: number): Step<AnypointTeam> {
  return step<AnypointTeam>({
    action: 'RENAME_TEAM',
    target: `team:${team.team_id}`,
    description: `rename team ${team.team_name} to ${name}`,
    phase,
    run: (requestId) => renameTeam(deps.client, orgId, team.team_id, name, { requestId }),
    verify: async () => {
      const now = await getTeam(deps.client, orgId, team.team_id);
      return now.team_name === name ? { done: true, value: now } : { done: false };
    },
    evicts: teamEntries(orgId, team.team_id),
  });
}

export function deleteTeamStep(deps: OperationDeps, orgId: string, team: AnypointTeam, phase: number): Step<null> {
  return step<null>({
    action: 'DELETE_TEAM',
    target: `team:${team.team_id}`,
    description: `delete team ${team.team_name}`,
    phase,
    run: async (requestId) => {
      await deleteTeam(deps.client, orgId, team.team_id, { requestId });
      return null;
    },
    verify: async () => {
      try {
        await getTeam(deps.client, orgId, team.team_id);
        return { done: false };
      } catch (error) {
        if ((error as { code?: string }).code === 'NOT_FOUND') return { done: true, value: null };
        throw error;
      }
    },
    evicts: teamEntries(orgId, team.team_id),
  });
}

export function removeMemberStep(deps: OperationDeps, orgId: string, teamId: () => string, userId: string, labels: { team: string; user: string }, phase: number): Step<null> {
  return new RemoveMemberStep(deps, orgId, teamId, userId, labels, phase);
}

/** A class, not step(): a group push plans one per member (see PlannedStep). */
class RemoveMemberStep extends PlannedStep<null> {
  constructor(
    private readonly deps: OperationDeps,
    private readonly orgId: string,
    private readonly teamId: () => string,
    private readonly userId: string,
    labels: { team: string; user: string },
    phase: number,
  ) {
    super('REMOVE_MEMBER', `team:${labels.team}`, `remove ${labels.user} from team ${labels.team}`, phase);
  }

  override async run(requestId: string): Promise<null> {
    await removeTeamMember(this.deps.client, this.orgId, this.teamId(), this.userId, { requestId });
    return null;
  }

  override async verify(): Promise<Verified<null>> {
    return (await findTeamMember(this.deps.client, this.orgId, this.teamId(), this.userId)) ? { done: false } : { done: true, value: null };
  }

  override get evicts(): Array<[CacheKind, string]> {
    return memberEntries(this.orgId, this.teamId());
  }
}
