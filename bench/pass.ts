import type { Child } from './children.js';
import type { PassContext } from './context.js';
import { expectData, postGql } from './gql.js';
import { BASELINE_QUERY, measureBaseline } from './measure-baseline.js';
import { measurePush, type PushRound } from './measure-push.js';
import { EXECUTED_SCENARIOS, executedId, measureRead, type ReadRound } from './measure-read.js';
import type { LoadRun } from './warm-load.js';
import type { BenchOptions } from './options.js';
import { memory, waitIdle, type MemoryStats } from './proc-stats.js';
import { planScenarios } from './scenarios.js';
import { median } from './stats.js';
import { runScimRounds, type ScimRoundResult } from './scim-rounds.js';
import { measureCallMs } from './sim-latency.js';
import { PlatformView, type SimState } from './sim-state.js';
import { CLIENT_CAP, startStack, type Cores } from './stack.js';
import { describeWaves, idealMs, measuredIdealMs, serviceTimes, totalCalls, totalWrites, type Latency, type Wave } from './waves.js';

/**
 * One pass: a fresh simulator at one latency setting, a fresh gateway, and interleaved rounds.
 * Each round measures the baseline first and then every scenario (in a rotated order, so no
 * scenario always runs first or last), so ratios compare numbers taken minutes apart at most.
 */

export interface PassSpec {
  id: 'fixed' | 'jitter';
  label: string;
  /** As given to `simulate --latency-ms`. */
  latencyMs: string;
  latency: Latency;
  rounds: number;
  /** Whether warm load runs (and the baseline) are measured: they never touch upstream, so once is enough. */
  warm: boolean;
}

export interface WavePlan {
  minimum: number;
  minimumWrites: number;
  idealMs: number;
  waves: string;
}

export interface ScenarioPlan extends WavePlan {
  id: string;
  title: string;
  subject: string;
}

export type Failed = { error: string };

export interface RoundResult {
  round: number;
  baseline: Record<string, LoadRun> | Failed | null;
  reads: Record<string, ReadRound | Failed>;
  push: (PushRound & { firstPlan: WavePlan; rerunPlan: WavePlan }) | Failed;
  /** Seconds each step of the round took, to see where the run's time goes. */
  seconds: Record<string, number>;
}

export interface PassResult {
  spec: PassSpec;
  scenarios: ScenarioPlan[];
  push: { id: string; title: string; subject: string };
  rounds: RoundResult[];
  /** Only the SCIM scenarios ran (--scim-only): no reads, pushGroup or baseline. */
  scimOnly: boolean;
  /** The SCIM rounds, after the interleaved ones (bench/scim-rounds.ts). */
  scim: { users: number; rounds: ScimRoundResult[]; simulatorCallMs: number | null };
  /** After every scenario ran once cold and (warm passes) sequentially warm, before any load. */
  gatewayMemoryWarmed: MemoryStats | null;
  /** At the end of the pass (VmHWM: the peak over the whole pass, load included). */
  gatewayMemory: MemoryStats | null;
  baselineMemory: MemoryStats | null;
  errors: string[];
}

const plan = (waves: Wave[], latency: Latency): WavePlan => ({
  minimum: totalCalls(waves),
  minimumWrites: totalWrites(waves),
  idealMs: idealMs(waves, CLIENT_CAP, latency),
  waves: describeWaves(waves),
});

/**
 * The waves' ideal with each call charged the simulator's measured mean time on its route over
 * the given calls (bench/README.md, "Measured ideal"); null when nothing was counted.
 */
export function measuredIdeal(waves: Wave[], latency: Latency, calls: Record<string, number>, serviceMs: Record<string, number>): number | null {
  const service = serviceTimes(calls, serviceMs);
  return service ? measuredIdealMs(waves, CLIENT_CAP, latency, service) : null;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function assertAlive(child: Child): void {
  if (child.process.exitCode !== null || child.process.signalCode !== null) {
    throw new Error(`the ${child.name} exited (code ${child.process.exitCode}, signal ${child.process.signalCode})`);
  }
}

export async function runPass(spec: PassSpec, options: BenchOptions, cores: Cores, log: (line: string) => void): Promise<PassResult> {
  // --scim-only: no warm load runs, so neither the baseline nor the load generator is started.
  const warm = spec.warm && !options.scimOnly;
  log(`[${spec.label}] starting the simulator (large preset, ${spec.latencyMs} ms), the gateway${warm ? ', the baseline and the load generator' : ''}`);
  const stack = await startStack({ latencyMs: spec.latencyMs, cores, warm });
  log(`[${spec.label}] processes ready; warming up`);
  try {
    const ctx: PassContext = {
      sim: stack.sim,
      gatewayUrl: `${stack.gatewayUrl}`,
      gatewayPid: stack.gateway.pid,
      executing: stack.executing ? { url: stack.executing.url, pid: stack.executing.pid } : null,
      simulatorPid: stack.simulator.pid,
      provisionerKey: stack.provisionerKey,
      load: stack.load,
      connections: options.connections,
      warmSeconds: options.warmSeconds,
      coldSamples: options.coldSamples,
      expectedRps: new Map(),
      // Quick mode: one request per connection is enough for an indication, and keeps it short.
      minRequestsPerConnection: options.quick ? 1 : 3,
      log,
    };
    const view = new PlatformView(await stack.sim.state<SimState>());
    const planned = planScenarios(view);
    const { push } = planned;
    const reads = options.scimOnly ? [] : planned.reads;
    let rootTeams = view.teamsOf(view.rootOrgId).length;

    // Warm-up, not recorded: the first requests of a process pay for JIT compilation, and the
    // first load on a server for growing its heap and sockets.
    for (const s of reads) {
      expectData(`${s.id} (warm-up)`, await postGql(ctx.gatewayUrl, { query: s.query, variables: s.variables }, { 'cache-control': 'no-cache' }));
      if (warm) expectData(`${s.id} (warm-up)`, await postGql(ctx.gatewayUrl, { query: s.query, variables: s.variables }));
    }
    // Every scenario's data is cached now, before any concurrent load.
    const memoryWarmed = memory(stack.gateway.pid);
    if (stack.load && stack.baseline) {
      // Also the first estimate of each target's throughput, which sizes its measured runs.
      const warmupLoad = async (id: string, url: string, pid: number, body: unknown, seconds: number) => {
        const run = await stack.load!.run({ url, body: JSON.stringify(body), headers: {}, connections: options.connections[0]!, durationSeconds: seconds, timeoutSeconds: 120 });
        await waitIdle(pid);
        ctx.expectedRps.set(id, run.requestsPerSecond);
      };
      // The baseline gets longer: thousands of requests/s keep tiering up V8 (its own and the
      // load generator's) for a while, and an unfinished warm-up shows as a slow first round.
      await warmupLoad('baseline', stack.baseline.url, stack.baseline.pid, BASELINE_QUERY, options.quick ? 2 : 5);
      for (const s of reads) await warmupLoad(s.id, ctx.gatewayUrl, ctx.gatewayPid, { query: s.query, variables: s.variables }, options.quick ? 0.5 : 3);
      for (const s of reads.filter((r) => ctx.executing && EXECUTED_SCENARIOS.has(r.id))) {
        expectData(`${executedId(s.id)} (warm-up)`, await postGql(ctx.executing!.url, { query: s.query, variables: s.variables }));
        await warmupLoad(executedId(s.id), ctx.executing!.url, ctx.executing!.pid, { query: s.query, variables: s.variables }, options.quick ? 0.5 : 3);
      }
    }
    log(`[${spec.label}] warmed up`);

    const result: PassResult = {
      spec,
      scenarios: reads.map((s) => ({ id: s.id, title: s.title, subject: s.subject, ...plan(s.waves, spec.latency) })),
      push: { id: push.id, title: push.title, subject: push.subject },
      rounds: [],
      scimOnly: options.scimOnly,
      scim: { users: options.scimUsers, rounds: [], simulatorCallMs: null },
      gatewayMemoryWarmed: memoryWarmed,
      gatewayMemory: null,
      baselineMemory: null,
      errors: [],
    };
    const fail = (what: string, error: unknown): Failed => {
      result.errors.push(`round ${result.rounds.length + 1}, ${what}: ${message(error)}`);
      log(`  ERROR ${what}: ${message(error)}`);
      return { error: message(error) };
    };

    for (let round = 1; round <= (options.scimOnly ? 0 : spec.rounds); round += 1) {
      assertAlive(stack.gateway);
      assertAlive(stack.simulator);
      const entry: RoundResult = { round, baseline: null, reads: {}, push: { error: 'not run' }, seconds: {} };
      const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        try {
          return await work();
        } finally {
          entry.seconds[step] = Math.round(performance.now() - started) / 1000;
        }
      };
      if (stack.baseline) {
        entry.baseline = await timed('baseline', () => measureBaseline(ctx, stack.baseline!.url, stack.baseline!.pid)).catch((e: unknown) => fail('baseline', e));
      }
      const order = reads.map((_, i) => reads[(i + round - 1) % reads.length]!);
      for (const s of order) {
        const read = await timed(s.id, () => measureRead(ctx, s, warm)).catch((e: unknown) => fail(s.id, e));
        if (!('error' in read)) {
          // One per cold request, from its own counters; their median goes with the requests' p50.
          const ideals = read.cold.service.map((one) => measuredIdeal(s.waves, spec.latency, one.calls, one.serviceMs)).filter((v): v is number => v !== null);
          read.cold.measuredIdealMs = ideals.length ? median(ideals) : null;
        }
        entry.reads[s.id] = read;
      }
      const firstWaves = push.firstWaves(rootTeams);
      const rerunWaves = push.rerunWaves(rootTeams + 1);
      const firstPlan = plan(firstWaves, spec.latency);
      const rerunPlan = plan(rerunWaves, spec.latency);
      const pushed = await timed('push-group', () => measurePush(ctx, push, `${spec.id}-r${round}`, rootTeams)).catch((e: unknown) => fail('push-group', e));
      // Each push adds a team. One that failed half-way may or may not have: ask the simulator.
      rootTeams = 'error' in pushed ? view.teamsOf(view.rootOrgId).length + (await countBenchTeams(ctx)) : rootTeams + 1;
      if (!('error' in pushed)) {
        pushed.first.measuredIdealMs = measuredIdeal(firstWaves, spec.latency, pushed.first.byRoute, pushed.first.serviceMsByRoute);
        pushed.rerun.measuredIdealMs = measuredIdeal(rerunWaves, spec.latency, pushed.rerun.byRoute, pushed.rerun.serviceMsByRoute);
      }
      entry.push = 'error' in pushed ? pushed : { ...pushed, firstPlan, rerunPlan };
      result.rounds.push(entry);
      log(progress(spec, round, entry));
    }
    // Read before the SCIM rounds: the RSS target is the large preset's, not 1,000s of users more.
    result.gatewayMemory = memory(stack.gateway.pid);
    result.baselineMemory = stack.baseline ? memory(stack.baseline.pid) : null;

    log(`[${spec.label}] SCIM: warm-up, then ${options.scimRounds} round(s) of a ${options.scimUsers}-user sync, an import and a group push`);
    assertAlive(stack.gateway);
    result.scim.simulatorCallMs = await measureCallMs(stack.sim.url, view.usersOf(view.rootOrgId)[0]!.username).catch(() => null);
    const scimState = { orgUsers: view.usersOf(view.rootOrgId).length, rootTeams, rootTeamKnown: false };
    const scim = await runScimRounds(ctx, { passId: spec.id, latency: spec.latency, rounds: options.scimRounds, users: options.scimUsers }, scimState, (line) => log(`[${spec.label}] ${line}`));
    result.scim.rounds = scim.rounds;
    result.errors.push(...scim.errors);
    return result;
  } finally {
    await stack.stop();
  }
}

/** Teams the benchmark's pushes have added so far (the seeded ones are known from the snapshot). */
async function countBenchTeams(ctx: PassContext): Promise<number> {
  const state = await ctx.sim.state<SimState>();
  return state.teams.filter((t) => t.org_id === state.rootOrgId && t.team_name.startsWith('Bench ')).length;
}

function progress(spec: PassSpec, round: number, entry: RoundResult): string {
  const parts: string[] = [];
  if (entry.baseline && !('error' in entry.baseline)) {
    parts.push(`baseline ${Object.entries(entry.baseline).map(([c, r]) => `${Math.round(r.requestsPerSecond)} rps@${c}`).join(' ')}`);
  }
  for (const [id, r] of Object.entries(entry.reads)) {
    if ('error' in r) parts.push(`${id} ERROR`);
    else {
      const rates = (runs: Record<string, LoadRun>) => Object.entries(runs).map(([c, run]) => `${Math.round(run.requestsPerSecond)} rps@${c}`).join(' ');
      const warm = r.warm ? `, warm ${rates(r.warm.runs)}${r.warm.executedRuns ? ` (executed ${rates(r.warm.executedRuns)})` : ''}` : '';
      parts.push(`${id} cold ${Math.round(r.cold.p50Ms)} ms/${r.cold.calls[0]} calls${warm}`);
    }
  }
  if ('error' in entry.push) parts.push('push-group ERROR');
  else parts.push(`push-group ${Math.round(entry.push.first.wallMs)} ms/${entry.push.first.writes} writes, re-run ${entry.push.rerun.writes} writes`);
  return `[${spec.label}] round ${round}/${spec.rounds}: ${parts.join('; ')}`;
}
