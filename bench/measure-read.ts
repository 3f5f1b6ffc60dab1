import type { PassContext } from './context.js';
import { expectData, postGql } from './gql.js';
import { cpuMs, waitIdle } from './proc-stats.js';
import type { ReadScenario } from './scenarios.js';
import { percentile } from './stats.js';
import { measuredRun, type LoadRun } from './warm-load.js';

/**
 * One round of a read scenario: cold requests one at a time (upstream calls counted for each),
 * then warm: a single request that must cost no upstream call, then load at each connection
 * count with the gateway's CPU time read around it.
 *
 * Cold means `Cache-Control: no-cache`: the gateway skips reading its shared cache but makes and
 * stores every upstream call, exactly as an empty cache would (the call counts show it). A
 * restart per sample would also measure process start-up, JIT warm-up and the OAuth token
 * fetch, none of which is what a cold cache costs a running gateway.
 */

export interface ColdRound {
  samplesMs: number[];
  p50Ms: number;
  /** Upstream calls of each cold request (token route excluded). */
  calls: number[];
  /** The gateway's demand-control estimate for each cold request, made before it ran. */
  estimates: number[];
  /** Non-2xx upstream answers over the samples (should be 0). */
  failed: number;
  byRoute: Record<string, number>;
  /**
   * Each cold request's upstream calls and the simulator's summed service time on them
   * (arrival to response written, latency included), by route: its measured time per call.
   */
  service: Array<{ calls: Record<string, number>; serviceMs: Record<string, number> }>;
  /**
   * The median over the cold requests of each one's ideal with every call charged the
   * simulator's measured mean time on its route in that request (bench/README.md, "Measured
   * ideal"); set by the pass.
   */
  measuredIdealMs?: number | null;
  cpuMsPerRequest: number | null;
  /** The simulator's CPU per cold request (all its upstream calls together). */
  simulatorCpuMsPerRequest: number | null;
}

export interface WarmRound {
  /** Upstream calls of one plain request right after the cold ones. */
  singleCalls: number;
  /** Upstream calls during all the load runs. */
  loadCalls: number;
  /** Keyed by connection count. */
  runs: Record<string, LoadRun>;
  /**
   * The same load on the gateway with its response cache off (EXECUTED_SCENARIOS only): every
   * request executed, its data from the shared cache. Keyed by connection count.
   */
  executedRuns: Record<string, LoadRun> | null;
  /** Upstream calls during those runs. */
  executedLoadCalls: number | null;
}

/**
 * Scenarios also measured warm with the response cache off. The org tree is the one the
 * throughput target is about; the others would add minutes to a run for little more insight.
 */
export const EXECUTED_SCENARIOS = new Set(['org-tree']);
export const executedId = (id: string) => `${id} (executed)`;

export interface ReadRound {
  cold: ColdRound;
  warm: WarmRound | null;
}

const payload = (s: ReadScenario) => ({ query: s.query, variables: s.variables });

export async function measureCold(ctx: PassContext, s: ReadScenario): Promise<{ cold: ColdRound; data: unknown }> {
  const samplesMs: number[] = [];
  const calls: number[] = [];
  const estimates: number[] = [];
  let failed = 0;
  let byRoute: Record<string, number> = {};
  const service: ColdRound['service'] = [];
  let data: unknown = null;
  // Whatever an earlier load run left the gateway doing would be timed as this scenario's latency.
  await waitIdle(ctx.gatewayPid);
  const cpuBefore = cpuMs(ctx.gatewayPid);
  const simBefore = cpuMs(ctx.simulatorPid);
  for (let i = 0; i < ctx.coldSamples; i += 1) {
    await ctx.sim.reset();
    const response = await postGql(ctx.gatewayUrl, payload(s), { 'cache-control': 'no-cache' });
    data = expectData(`${s.id} (cold)`, response);
    const problem = s.check(data);
    if (problem) throw new Error(`${s.id} (cold): ${problem}`);
    const counts = await ctx.sim.counts();
    samplesMs.push(response.ms);
    calls.push(counts.total);
    if (response.estimate !== null) estimates.push(response.estimate);
    failed += counts.failed;
    byRoute = counts.byRoute;
    service.push({ calls: counts.byRoute, serviceMs: counts.serviceMsByRoute });
  }
  const perRequest = (before: number | null, after: number | null) => (before === null || after === null ? null : (after - before) / ctx.coldSamples);
  const cpuMsPerRequest = perRequest(cpuBefore, cpuMs(ctx.gatewayPid));
  const simulatorCpuMsPerRequest = perRequest(simBefore, cpuMs(ctx.simulatorPid));
  return { cold: { samplesMs, p50Ms: percentile(samplesMs, 50), calls, estimates, failed, byRoute, service, cpuMsPerRequest, simulatorCpuMsPerRequest }, data };
}

export async function measureWarm(ctx: PassContext, s: ReadScenario, coldData: unknown): Promise<WarmRound> {
  await ctx.sim.reset();
  const data = expectData(`${s.id} (warm)`, await postGql(ctx.gatewayUrl, payload(s)));
  // A cache that answers must answer the same as upstream did.
  if (JSON.stringify(data) !== JSON.stringify(coldData)) throw new Error(`${s.id}: the warm answer differs from the cold one`);
  const singleCalls = (await ctx.sim.counts()).total;

  await ctx.sim.reset();
  const runs: Record<string, LoadRun> = {};
  const target = { id: s.id, url: ctx.gatewayUrl, pid: ctx.gatewayPid, body: JSON.stringify(payload(s)) };
  for (const connections of ctx.connections) runs[connections] = await measuredRun(ctx, target, connections);
  const loadCalls = (await ctx.sim.counts()).total;

  if (!ctx.executing || !EXECUTED_SCENARIOS.has(s.id)) return { singleCalls, loadCalls, runs, executedRuns: null, executedLoadCalls: null };
  // Its shared cache was filled a round ago and would expire during the runs: one no-cache
  // request fills every entry afresh, so the runs (well under the TTL) read only from the cache.
  const filled = expectData(`${executedId(s.id)} (warm)`, await postGql(ctx.executing.url, payload(s), { 'cache-control': 'no-cache' }));
  if (JSON.stringify(filled) !== JSON.stringify(coldData)) throw new Error(`${executedId(s.id)}: the answer differs from the cold one`);
  await waitIdle(ctx.executing.pid);
  await ctx.sim.reset();
  const executedRuns: Record<string, LoadRun> = {};
  const executed = { id: executedId(s.id), url: ctx.executing.url, pid: ctx.executing.pid, body: target.body };
  for (const connections of ctx.connections) executedRuns[connections] = await measuredRun(ctx, executed, connections);
  return { singleCalls, loadCalls, runs, executedRuns, executedLoadCalls: (await ctx.sim.counts()).total };
}

export async function measureRead(ctx: PassContext, s: ReadScenario, warm: boolean): Promise<ReadRound> {
  const { cold, data } = await measureCold(ctx, s);
  return { cold, warm: warm ? await measureWarm(ctx, s, data) : null };
}
