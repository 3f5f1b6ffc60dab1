import { randomUUID } from 'node:crypto';
import type { PassContext } from './context.js';
import { expectData, postGql } from './gql.js';
import { cpuMs, waitIdle } from './proc-stats.js';
import type { PushScenario } from './scenarios.js';

/**
 * One round of pushGroup: a new group (fresh groupId and name, so every round creates a team),
 * then the identical push again, which must find nothing to write. A mutation has no warm
 * state worth loading: its plan always reads past the cache. Wall time, calls and writes are
 * what matter.
 */

export interface PushRun {
  wallMs: number;
  calls: number;
  /** The gateway's demand-control estimate, made before the mutation ran (an upper bound for writes). */
  estimate: number | null;
  writes: number;
  failed: number;
  byRoute: Record<string, number>;
  /** The simulator's summed service time by route (latency included). */
  serviceMsByRoute: Record<string, number>;
  /** The plan's ideal with each call charged the simulator's measured time on its route; set by the pass. */
  measuredIdealMs?: number | null;
  cpuMs: number | null;
  simulatorCpuMs: number | null;
  added: number;
  unchanged: number;
  skipped: number;
}

export interface PushRound {
  groupId: string;
  /** Teams of the root org before this round's push (each round adds one). */
  rootTeams: number;
  first: PushRun;
  rerun: PushRun;
}

async function push(ctx: PassContext, s: PushScenario, input: Record<string, unknown>, label: string): Promise<PushRun> {
  await waitIdle(ctx.gatewayPid);
  await ctx.sim.reset();
  const cpuBefore = cpuMs(ctx.gatewayPid);
  const simBefore = cpuMs(ctx.simulatorPid);
  const response = await postGql(ctx.gatewayUrl, { query: s.query, variables: { input } }, { 'x-api-key': ctx.provisionerKey });
  const cpuAfter = cpuMs(ctx.gatewayPid);
  const simAfter = cpuMs(ctx.simulatorPid);
  const data = expectData(`pushGroup (${label})`, response) as { pushGroup: any };
  const payload = data.pushGroup;
  if (payload.userErrors.length) throw new Error(`pushGroup (${label}): ${payload.userErrors[0].code}: ${payload.userErrors[0].message}`);
  const counts = await ctx.sim.counts();
  return {
    wallMs: response.ms,
    calls: counts.total,
    estimate: response.estimate,
    writes: counts.writes,
    failed: counts.failed,
    byRoute: counts.byRoute,
    serviceMsByRoute: counts.serviceMsByRoute,
    cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    simulatorCpuMs: simBefore === null || simAfter === null ? null : simAfter - simBefore,
    added: payload.diff.added.length,
    unchanged: payload.diff.unchanged.length,
    skipped: payload.diff.skipped.length,
  };
}

export async function measurePush(ctx: PassContext, s: PushScenario, label: string, rootTeams: number): Promise<PushRound> {
  const suffix = randomUUID().slice(0, 8);
  const groupId = `bench-${label}-${suffix}`;
  const input = { groupId, displayName: `Bench ${label} ${suffix}`, members: s.members };
  const first = await push(ctx, s, input, 'first push');
  if (first.added !== s.members.length) throw new Error(`pushGroup added ${first.added} members instead of ${s.members.length}`);
  const rerun = await push(ctx, s, input, 're-run');
  if (rerun.unchanged !== s.members.length) throw new Error(`the pushGroup re-run found ${rerun.unchanged} members unchanged instead of ${s.members.length}`);
  return { groupId, rootTeams, first, rerun };
}
