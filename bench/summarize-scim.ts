import type { ScimRun } from './measure-scim.js';
import type { ScimRoundResult } from './scim-rounds.js';
import { routeDifferences, type RouteDifference, type ScimPlan } from './scim-scenarios.js';
import { spread, type Spread } from './stats.js';

/**
 * The SCIM rounds of a pass as medians (min-max). Minimums can differ from round to round (each
 * round adds users to the org, so the import's listing has more pages), so calls are kept per
 * round beside that round's minimum, and the route-by-route differences are listed.
 */

export type ScimScenarioId = 'scim-sync' | 'scim-import' | 'scim-group-push';

export interface ScimScenarioSummary {
  id: ScimScenarioId;
  title: string;
  /** The first measured round's plan (its derivation and by-route minimum). */
  plan: ScimPlan | null;
  wallMs: Spread | null;
  /** Wall time over the round's ideal (configured latency per call). */
  ratio: Spread | null;
  /**
   * Wall time over the ideal at the simulator's measured time per call instead: the ideal scaled
   * by (the run's summed service time / its calls) / the configured latency. What is left over
   * is the gateway's own overhead.
   */
  measuredRatio: Spread | null;
  /** The measured ideal of the first measured round. */
  measuredIdealMs: number | null;
  /** Each round's counted calls and its minimum. */
  calls: Array<{ round: number; counted: number; minimum: number; writes: number; differences: RouteDifference[] }>;
  /** Counted calls by route, of the first measured round. */
  byRoute: Record<string, number> | null;
  cpuMs: Spread | null;
  simulatorCpuMs: Spread | null;
  /** Median time of one IdP request, by kind (medians over rounds). */
  requestMs: Record<string, number>;
  /** Upstream answers that were not 2xx, over all rounds (should be 0). */
  upstreamFailures: number;
  errors: number;
}

export interface ScimSummary {
  users: number;
  /** The simulator's measured time per call (bench/sim-latency.ts), beside the configured latency. */
  simulatorCallMs: number | null;
  rounds: number;
  scenarios: ScimScenarioSummary[];
}

const TITLES: Record<ScimScenarioId, string> = {
  'scim-sync': 'IdP first sync (Okta: lookup by userName, then POST /Users)',
  'scim-import': 'IdP import (GET /Users, pages of 100, cold cache at the start)',
  'scim-group-push': 'Group push (POST /Groups, then PATCHes of 100 members)',
};

/** The ideal at the simulator's measured time per call (its own service time, latency included). */
export function measuredIdealMs(run: ScimRun, plan: ScimPlan): number {
  if (!run.calls || !plan.latencyMs || !run.serviceMs) return plan.idealMs;
  return plan.idealMs * (run.serviceMs / run.calls / plan.latencyMs);
}

const pick = (r: ScimRoundResult, id: ScimScenarioId) => (id === 'scim-sync' ? r.sync : id === 'scim-import' ? r.import : r.push);

function scenario(rounds: ScimRoundResult[], id: ScimScenarioId): ScimScenarioSummary {
  const ok = rounds.flatMap((r) => {
    const run = pick(r, id);
    return 'error' in run ? [] : [{ round: r.round, run: run as ScimRun & { plan: ScimPlan } }];
  });
  const kinds = [...new Set(ok.flatMap((x) => Object.keys(x.run.requestMs)))];
  return {
    id,
    title: TITLES[id],
    plan: ok[0]?.run.plan ?? null,
    wallMs: spread(ok.map((x) => x.run.wallMs)),
    ratio: spread(ok.map((x) => x.run.wallMs / x.run.plan.idealMs)),
    measuredRatio: spread(ok.map((x) => x.run.wallMs / measuredIdealMs(x.run, x.run.plan))),
    measuredIdealMs: ok[0] ? measuredIdealMs(ok[0].run, ok[0].run.plan) : null,
    calls: ok.map((x) => ({ round: x.round, counted: x.run.calls, minimum: x.run.plan.minimum, writes: x.run.writes, differences: routeDifferences(x.run.byRoute, x.run.plan.byRoute) })),
    byRoute: ok[0]?.run.byRoute ?? null,
    cpuMs: spread(ok.map((x) => x.run.cpuMs)),
    simulatorCpuMs: spread(ok.map((x) => x.run.simulatorCpuMs)),
    requestMs: Object.fromEntries(kinds.map((k) => [k, spread(ok.map((x) => x.run.requestMs[k]))?.median ?? NaN])),
    upstreamFailures: ok.reduce((n, x) => n + x.run.failed, 0),
    errors: rounds.length - ok.length,
  };
}

export function summarizeScim(users: number, rounds: ScimRoundResult[], simulatorCallMs: number | null): ScimSummary {
  return { users, simulatorCallMs, rounds: rounds.length, scenarios: (['scim-sync', 'scim-group-push', 'scim-import'] as const).map((id) => scenario(rounds, id)) };
}
