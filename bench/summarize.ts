import type { ReadRound } from './measure-read.js';
import type { LoadRun } from './warm-load.js';
import type { PushRound } from './measure-push.js';
import type { Failed, PassResult, RoundResult, WavePlan } from './pass.js';
import { median, spread, strays, type Spread } from './stats.js';
import { summarizeScim, type ScimSummary } from './summarize-scim.js';

/**
 * Turns a pass's rounds into medians with min-max. Ratios to the baseline are taken within each
 * round first (the baseline and the scenario ran minutes apart on the same machine), and only
 * then summarized across rounds. A round whose baseline strays from the median baseline by more
 * than 15% was run on a machine busy with something else: it is dropped, and reported.
 */

export const BASELINE_TOLERANCE = 0.15;

export interface LoadSummary {
  rps: Spread | null;
  p50Ms: Spread | null;
  p99Ms: Spread | null;
  cpuMsPerRequest: Spread | null;
  serverBusy: Spread | null;
  /** Scenario over baseline, per round. */
  rpsRatio?: Spread | null;
  cpuRatio?: Spread | null;
}

export interface CallSummary {
  minimum: number;
  /** Every cold request's calls across the kept rounds. */
  observed: number[];
  /** Worst (largest) observed over the minimum. */
  ratio: number | null;
  /** Demand control's estimates of the same requests (before each ran). */
  estimates: number[];
}

export interface ReadSummary {
  id: string;
  title: string;
  subject: string;
  idealMs: number;
  waves: string;
  calls: CallSummary;
  /** Largest upstream call count of a warm request / of all warm load runs of a round. */
  warmSingleCalls: number | null;
  warmLoadCalls: number | null;
  upstreamFailures: number;
  coldP50Ms: Spread | null;
  /** p50 over the configured-latency ideal, per round. */
  coldRatio: Spread | null;
  /** The ideal with each call charged the simulator's measured time on its route, per round. */
  measuredIdealMs: Spread | null;
  /** p50 over that round's measured ideal: the gateway's own overhead. */
  measuredRatio: Spread | null;
  /** The simulator's mean time per call on each route over the kept rounds' cold requests. */
  serviceMsPerCall: Record<string, number>;
  coldCpuMsPerRequest: Spread | null;
  coldSimulatorCpuMsPerRequest: Spread | null;
  warm: Record<string, LoadSummary>;
  /** The same with the response cache off (EXECUTED_SCENARIOS only; empty otherwise). */
  warmExecuted: Record<string, LoadSummary>;
  warmExecutedLoadCalls: number | null;
  errors: number;
}

export interface PushRunSummary {
  plan: WavePlan | null;
  wallMs: Spread | null;
  ratio: Spread | null;
  measuredIdealMs: Spread | null;
  measuredRatio: Spread | null;
  calls: CallSummary;
  writes: number[];
  cpuMs: Spread | null;
  simulatorCpuMs: Spread | null;
}

export interface PassSummary {
  id: string;
  label: string;
  roundsRun: number;
  keptRounds: number[];
  dropped: Array<{ round: number; reason: string }>;
  baseline: Record<string, LoadSummary> | null;
  reads: ReadSummary[];
  push: { title: string; subject: string; first: PushRunSummary; rerun: PushRunSummary; errors: number };
  /** Only the SCIM scenarios ran (--scim-only). */
  scimOnly: boolean;
  scim: ScimSummary;
  gatewayPeakRssMb: number | null;
  /** Peak once the cache was fully warmed, before any concurrent load. */
  gatewayPeakRssWarmedMb: number | null;
  baselinePeakRssMb: number | null;
  errors: string[];
}

const ok = <T extends object>(value: T | Failed | null | undefined): value is T => value != null && !('error' in value);

/** A round's baseline as one number: its mean requests/s over the connection counts. */
const baselineRps = (r: RoundResult, connections: string[]) =>
  connections.reduce((sum, c) => sum + (r.baseline as Record<string, LoadRun>)[c]!.requestsPerSecond, 0) / connections.length;

function dropRounds(rounds: RoundResult[], connections: string[]): { kept: RoundResult[]; dropped: PassSummary['dropped'] } {
  if (rounds.every((r) => r.baseline === null)) return { kept: rounds, dropped: [] };
  const dropped: PassSummary['dropped'] = rounds.filter((r) => !ok(r.baseline)).map((r) => ({ round: r.round, reason: 'the baseline failed' }));
  const measured = rounds.filter((r) => ok(r.baseline));
  const rps = measured.map((r) => baselineRps(r, connections));
  const mid = median(rps);
  strays(rps, BASELINE_TOLERANCE).forEach((stray, i) => {
    if (stray) dropped.push({ round: measured[i]!.round, reason: `baseline ${Math.round(rps[i]!)} rps is ${Math.round((rps[i]! / mid - 1) * 100)}% off the median ${Math.round(mid)} rps` });
  });
  const out = new Set(dropped.map((d) => d.round));
  return { kept: rounds.filter((r) => !out.has(r.round)), dropped };
}

function loadSummary(runs: LoadRun[], baselines?: LoadRun[]): LoadSummary {
  return {
    rps: spread(runs.map((r) => r.requestsPerSecond)),
    p50Ms: spread(runs.map((r) => r.p50Ms)),
    p99Ms: spread(runs.map((r) => r.p99Ms)),
    cpuMsPerRequest: spread(runs.map((r) => r.cpuMsPerRequest)),
    serverBusy: spread(runs.map((r) => r.serverBusy)),
    ...(baselines
      ? {
          rpsRatio: spread(runs.map((r, i) => r.requestsPerSecond / baselines[i]!.requestsPerSecond)),
          cpuRatio: spread(runs.map((r, i) => (r.cpuMsPerRequest !== null && baselines[i]!.cpuMsPerRequest ? r.cpuMsPerRequest / baselines[i]!.cpuMsPerRequest! : null))),
        }
      : {}),
  };
}

const callSummary = (minimum: number, observed: number[], estimates: number[] = []): CallSummary => ({
  minimum,
  observed,
  estimates,
  ratio: observed.length && minimum > 0 ? Math.max(...observed) / minimum : null,
});

/** Mean service time per call by route, over several requests' counters. */
function perCall(services: Array<{ calls: Record<string, number>; serviceMs: Record<string, number> }>): Record<string, number> {
  const calls: Record<string, number> = {};
  const ms: Record<string, number> = {};
  for (const service of services) {
    if (!service) continue;
    for (const [route, n] of Object.entries(service.calls)) calls[route] = (calls[route] ?? 0) + n;
    for (const [route, t] of Object.entries(service.serviceMs)) ms[route] = (ms[route] ?? 0) + t;
  }
  return Object.fromEntries(Object.entries(calls).filter(([route, n]) => n > 0 && ms[route] !== undefined).map(([route, n]) => [route, ms[route]! / n]));
}

const maxOf = (values: number[]) => (values.length ? Math.max(...values) : null);

function pushRun(rounds: Array<PushRound & { firstPlan: WavePlan; rerunPlan: WavePlan }>, which: 'first' | 'rerun'): PushRunSummary {
  const planOf = (r: (typeof rounds)[number]) => (which === 'first' ? r.firstPlan : r.rerunPlan);
  const plan = rounds[0] ? planOf(rounds[0]) : null;
  return {
    plan,
    wallMs: spread(rounds.map((r) => r[which].wallMs)),
    ratio: spread(rounds.map((r) => r[which].wallMs / planOf(r).idealMs)),
    measuredIdealMs: spread(rounds.map((r) => r[which].measuredIdealMs ?? null)),
    measuredRatio: spread(rounds.map((r) => (r[which].measuredIdealMs ? r[which].wallMs / r[which].measuredIdealMs! : null))),
    calls: callSummary(plan?.minimum ?? 0, rounds.map((r) => r[which].calls), rounds.flatMap((r) => (r[which].estimate === null || r[which].estimate === undefined ? [] : [r[which].estimate!]))),
    writes: rounds.map((r) => r[which].writes),
    cpuMs: spread(rounds.map((r) => r[which].cpuMs)),
    simulatorCpuMs: spread(rounds.map((r) => r[which].simulatorCpuMs)),
  };
}

type WarmRoundOf = { round: RoundResult; read: ReadRound };

/** Each connection count's load runs over the rounds, with their ratios to the same round's baseline. */
function warmLoads(rounds: WarmRoundOf[], conns: string[], runsOf: (w: NonNullable<ReadRound['warm']>) => Record<string, LoadRun>): Record<string, LoadSummary> {
  if (!rounds.length) return {};
  return Object.fromEntries(
    conns.map((c) => [
      c,
      loadSummary(
        rounds.map((x) => runsOf(x.read.warm!)[c]!),
        rounds.map((x) => (x.round.baseline as Record<string, LoadRun>)[c]!),
      ),
    ]),
  );
}

export function summarizePass(pass: PassResult, connections: number[]): PassSummary {
  const conns = connections.map(String);
  const { kept, dropped } = dropRounds(pass.rounds, conns);
  const baselineRounds = kept.filter((r) => ok(r.baseline));
  const baseline = pass.spec.warm
    ? Object.fromEntries(conns.map((c) => [c, loadSummary(baselineRounds.map((r) => (r.baseline as Record<string, LoadRun>)[c]!))]))
    : null;

  const reads = pass.scenarios.map((s): ReadSummary => {
    const rounds = kept.filter((r) => ok(r.reads[s.id])).map((r) => ({ round: r, read: r.reads[s.id] as ReadRound }));
    const warmRounds = rounds.filter((x) => x.read.warm && ok(x.round.baseline));
    return {
      id: s.id,
      title: s.title,
      subject: s.subject,
      idealMs: s.idealMs,
      waves: s.waves,
      calls: callSummary(s.minimum, rounds.flatMap((x) => x.read.cold.calls), rounds.flatMap((x) => x.read.cold.estimates ?? [])),
      warmSingleCalls: maxOf(rounds.filter((x) => x.read.warm).map((x) => x.read.warm!.singleCalls)),
      warmLoadCalls: maxOf(rounds.filter((x) => x.read.warm).map((x) => x.read.warm!.loadCalls)),
      upstreamFailures: rounds.reduce((sum, x) => sum + x.read.cold.failed, 0),
      coldP50Ms: spread(rounds.map((x) => x.read.cold.p50Ms)),
      coldRatio: spread(rounds.map((x) => x.read.cold.p50Ms / s.idealMs)),
      measuredIdealMs: spread(rounds.map((x) => x.read.cold.measuredIdealMs ?? null)),
      measuredRatio: spread(rounds.map((x) => (x.read.cold.measuredIdealMs ? x.read.cold.p50Ms / x.read.cold.measuredIdealMs : null))),
      serviceMsPerCall: perCall(rounds.flatMap((x) => x.read.cold.service ?? [])),
      coldCpuMsPerRequest: spread(rounds.map((x) => x.read.cold.cpuMsPerRequest)),
      coldSimulatorCpuMsPerRequest: spread(rounds.map((x) => x.read.cold.simulatorCpuMsPerRequest)),
      warm: pass.spec.warm ? warmLoads(warmRounds, conns, (w) => w.runs) : {},
      warmExecuted: pass.spec.warm ? warmLoads(warmRounds.filter((x) => x.read.warm!.executedRuns), conns, (w) => w.executedRuns!) : {},
      warmExecutedLoadCalls: maxOf(rounds.flatMap((x) => (x.read.warm?.executedLoadCalls == null ? [] : [x.read.warm.executedLoadCalls]))),
      errors: pass.rounds.filter((r) => !ok(r.reads[s.id])).length,
    };
  });

  const pushes = kept.map((r) => r.push).filter(ok);
  return {
    id: pass.spec.id,
    label: pass.spec.label,
    roundsRun: pass.rounds.length,
    keptRounds: kept.map((r) => r.round),
    dropped,
    baseline,
    reads,
    push: { title: pass.push.title, subject: pass.push.subject, first: pushRun(pushes, 'first'), rerun: pushRun(pushes, 'rerun'), errors: pass.rounds.filter((r) => !ok(r.push)).length },
    scimOnly: pass.scimOnly,
    scim: summarizeScim(pass.scim.users, pass.scim.rounds, pass.scim.simulatorCallMs),
    gatewayPeakRssMb: pass.gatewayMemory?.peakRssMb ?? null,
    gatewayPeakRssWarmedMb: pass.gatewayMemoryWarmed?.peakRssMb ?? null,
    baselinePeakRssMb: pass.baselineMemory?.peakRssMb ?? null,
    errors: pass.errors,
  };
}
