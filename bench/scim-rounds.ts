import { randomUUID } from 'node:crypto';
import type { PassContext } from './context.js';
import { measureGroupPush, measureImport, measureSync, type ScimRun, type SyncedUser } from './measure-scim.js';
import { scimBaseOf } from './scim-http.js';
import { groupPushPlan, importPlan, syncPlan, usernames, type ScimPlan } from './scim-scenarios.js';
import type { SimState } from './sim-state.js';
import { CLIENT_CAP } from './stack.js';
import type { Latency } from './waves.js';

/**
 * The SCIM rounds of a pass: each round syncs N new users, imports the org, then pushes the N
 * users as a group. They run after the pass's interleaved rounds, not among them: every sync adds
 * N users to the root organization (the SCIM org), which would change what the read scenarios and
 * pushGroup list there (team-subtree, entities-users and push-group read the root org's users)
 * and so their minimums.
 *
 * Order within a round: the import follows the sync because the sync's last create evicts the
 * org's user listing from the gateway's cache, so the import starts cold, as it must be measured;
 * the push comes last (its create reads past the cache and stores what it reads, which would warm
 * the import). A warm-up round of WARMUP_USERS (not recorded) comes first: JIT, and the root
 * team id the gateway reads once per process.
 */

export const WARMUP_USERS = 20;

export type Failed = { error: string };

export interface ScimRoundResult {
  round: number;
  sync: (ScimRun & { plan: ScimPlan; users: number }) | Failed;
  import: (ScimRun & { plan: ScimPlan; pages: number; totalResults: number }) | Failed;
  push: (ScimRun & { plan: ScimPlan; groupId: string }) | Failed;
  seconds: Record<string, number>;
}

/** What the org looks like, carried from round to round (each round adds users and a team). */
export interface ScimOrgState {
  orgUsers: number;
  rootTeams: number;
  /** Whether the gateway has read the root team id already (its first create does). */
  rootTeamKnown: boolean;
}

export interface ScimRoundsSpec {
  passId: string;
  latency: Latency;
  rounds: number;
  users: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Counts from the simulator itself, after a failure left the org in an unknown state. */
async function recount(ctx: PassContext, state: ScimOrgState): Promise<void> {
  const s = await ctx.sim.state<SimState>();
  state.orgUsers = s.users.filter((u) => u.organizationId === s.rootOrgId && !u.deleted).length;
  state.rootTeams = s.teams.filter((t) => t.org_id === s.rootOrgId).length;
}

async function one(ctx: PassContext, spec: ScimRoundsSpec, state: ScimOrgState, label: string, users: number, seconds: Record<string, number>): Promise<Omit<ScimRoundResult, 'round' | 'seconds'>> {
  const base = scimBaseOf(ctx.gatewayUrl);
  const suffix = randomUUID().slice(0, 8);
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      seconds[step] = Math.round(performance.now() - started) / 1000;
    }
  };
  const failed = (error: unknown): Failed => ({ error: message(error) });

  const plannedSync = syncPlan(users, !state.rootTeamKnown, spec.latency);
  const created: SyncedUser[] = [];
  const sync = await timed('scim-sync', () => measureSync(ctx, base, usernames(label, users, suffix), created)).then(
    (run) => ({ ...run, plan: plannedSync, users: run.users.length }),
    failed,
  );
  state.orgUsers += created.length;
  if (created.length) state.rootTeamKnown = true;
  if ('error' in sync) await recount(ctx, state);

  const plannedImport = importPlan(state.orgUsers, CLIENT_CAP, spec.latency);
  const imported = await timed('scim-import', () => measureImport(ctx, base, state.orgUsers)).then((run) => ({ ...run, plan: plannedImport }), failed);

  let push: ScimRoundResult['push'] = { error: 'not run: the sync failed' };
  if (!('error' in sync)) {
    const plannedPush = groupPushPlan(users, state.rootTeams, CLIENT_CAP, spec.latency);
    push = await timed('scim-group-push', () => measureGroupPush(ctx, base, `Bench SCIM ${label} ${suffix}`, created)).then((run) => ({ ...run, plan: plannedPush }), failed);
    if ('error' in push) await recount(ctx, state);
    else state.rootTeams += 1;
  }
  return { sync, import: imported, push };
}

export async function runScimRounds(ctx: PassContext, spec: ScimRoundsSpec, state: ScimOrgState, log: (line: string) => void): Promise<{ rounds: ScimRoundResult[]; errors: string[] }> {
  const errors: string[] = [];
  const warm = await one(ctx, spec, state, `${spec.passId}_warm`, WARMUP_USERS, {});
  for (const [step, r] of Object.entries(warm)) if ('error' in r) log(`  SCIM warm-up ${step}: ${r.error}`);
  const rounds: ScimRoundResult[] = [];
  for (let round = 1; round <= spec.rounds; round += 1) {
    const seconds: Record<string, number> = {};
    const result: ScimRoundResult = { round, ...(await one(ctx, spec, state, `${spec.passId}_r${round}`, spec.users, seconds)), seconds };
    for (const [step, r] of [['scim-sync', result.sync], ['scim-import', result.import], ['scim-group-push', result.push]] as const) {
      if ('error' in r) {
        errors.push(`SCIM round ${round}, ${step}: ${r.error}`);
        log(`  ERROR ${step}: ${r.error}`);
      }
    }
    rounds.push(result);
    log(`SCIM round ${round}/${spec.rounds}: ${describe(result)}`);
  }
  return { rounds, errors };
}

function describe(r: ScimRoundResult): string {
  const part = (id: string, run: ScimRoundResult['sync' | 'import' | 'push']) =>
    'error' in run ? `${id} ERROR` : `${id} ${Math.round(run.wallMs)} ms (ideal ${Math.round(run.plan.idealMs)})/${run.calls} calls (minimum ${run.plan.minimum})`;
  return [part('sync', r.sync), part('import', r.import), part('push', r.push)].join('; ');
}
