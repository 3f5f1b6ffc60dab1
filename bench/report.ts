import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { scimDerivations, scimSection } from './report-scim.js';
import type { Spread } from './stats.js';
import type { LoadSummary, PassSummary } from './summarize.js';
import { status, type TargetCheck } from './targets.js';

/** RESULTS.md: the same numbers as results.json, for people. */

export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  command: string;
  machine: MachineInfo;
  pinned: { gateway: number | null; rest: number | null };
  settings: Record<string, string | number>;
  options: BenchOptions;
  /** Passes left out, and why. */
  skipped: string[];
}

const num = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const range = (s: Spread | null | undefined, digits = 0, unit = '') =>
  !s ? 'n/a' : s.n === 1 || s.min === s.max ? `${num(s.median, digits)}${unit}` : `${num(s.median, digits)}${unit} (${num(s.min, digits)}-${num(s.max, digits)})`;
const ratio = (s: Spread | null | undefined, digits = 2) => (!s ? 'n/a' : `${range(s, digits)}x`);
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

function loadRow(name: string, connections: string, l: LoadSummary, withRatio: boolean): Array<string | number> {
  return [
    name,
    connections,
    range(l.rps),
    withRatio ? ratio(l.rpsRatio, 3) : '1',
    range(l.p50Ms),
    range(l.p99Ms),
    range(l.cpuMsPerRequest, 3),
    withRatio ? ratio(l.cpuRatio, 1) : '1',
    range(l.serverBusy, 2),
  ];
}

/** Demand control's estimates, distinct values in order (the first cold request's can differ: it ran before the gateway had seen the platform). */
const estimates = (calls: { estimates?: number[] }) => (calls.estimates?.length ? [...new Set(calls.estimates)].join(', ') : 'n/a');

function passSection(p: PassSummary): string {
  const out: string[] = [`## Pass: ${p.label}`, ''];
  if (p.scimOnly) {
    // --scim-only: the other scenarios were not run, so their tables are left out.
    out.push('Only the SCIM scenarios were run (`--scim-only`).', '', scimSection(p.scim));
    if (p.errors.length) out.push('### Errors', '', ...p.errors.map((e) => `- ${e}`), '');
    return out.join('\n');
  }
  out.push(`Rounds run: ${p.roundsRun}; kept: ${p.keptRounds.join(', ') || 'none'}${p.dropped.length ? `; dropped: ${p.dropped.map((d) => `round ${d.round} (${d.reason})`).join('; ')}` : ''}.`, '');

  out.push('### Upstream calls', '');
  out.push(table(
    ['Scenario', 'Data', 'Minimum', 'Cold, per request', 'Cold / minimum', 'Estimated before running', 'Warm, one request', 'Warm, during load'],
    [
      ...p.reads.map((r) => [
        r.id,
        r.subject,
        r.calls.minimum,
        r.calls.observed.length ? [...new Set(r.calls.observed)].join(', ') : 'n/a',
        r.calls.ratio === null ? 'n/a' : `${num(r.calls.ratio, 2)}`,
        estimates(r.calls),
        r.warmSingleCalls ?? '-',
        r.warmLoadCalls ?? '-',
      ]),
      ...(['first', 'rerun'] as const).map((w) => {
        const run = p.push[w];
        return [
          w === 'first' ? 'push-group' : 'push-group re-run',
          w === 'first' ? p.push.subject : 'the same push again',
          run.plan ? `${run.plan.minimum} (${run.plan.minimumWrites} writes)` : 'n/a',
          run.calls.observed.length ? [...new Set(run.calls.observed)].join(', ') : 'n/a',
          run.calls.ratio === null ? 'n/a' : `${num(run.calls.ratio, 2)}`,
          estimates(run.calls),
          '-',
          '-',
        ];
      }),
    ],
  ));
  out.push('');

  out.push('### Cold latency at 1 connection', '');
  out.push(
    '"Ideal" charges every call the configured latency; "measured ideal" charges each call the simulator\'s own measured mean time on its route in that cold request (arrival to response written, its latency included), in the same waves, and takes the median over the round\'s cold requests, as p50 does (bench/README.md, "Measured ideal"), so "p50 / measured ideal" is the gateway\'s own overhead. Both ratios are taken per round, then summarized.',
    '',
  );
  out.push(table(
    ['Scenario', 'Ideal', 'Measured ideal', 'p50, median of rounds (min-max)', 'p50 / ideal', 'p50 / measured ideal', 'Gateway CPU ms per request', 'Simulator CPU ms per request'],
    p.reads.map((r) => [
      r.id,
      `${num(r.idealMs, 0)} ms`,
      range(r.measuredIdealMs, 0, ' ms'),
      range(r.coldP50Ms, 0, ' ms'),
      ratio(r.coldRatio),
      ratio(r.measuredRatio),
      range(r.coldCpuMsPerRequest, 0),
      range(r.coldSimulatorCpuMsPerRequest, 0),
    ]),
  ));
  out.push('');
  const routes = [...new Set(p.reads.flatMap((r) => Object.keys(r.serviceMsPerCall)))].sort();
  if (routes.length) {
    out.push("The simulator's mean time per call (ms) by route, over each scenario's cold requests in the kept rounds:", '');
    out.push(table(['Route', ...p.reads.map((r) => r.id)], routes.map((route) => [`\`${route}\``, ...p.reads.map((r) => (r.serviceMsPerCall[route] === undefined ? '-' : num(r.serviceMsPerCall[route]!, 1)))])));
    out.push('');
  }

  if (p.baseline) {
    out.push('### Warm throughput', '');
    out.push(
      'Medians of rounds (min-max); ratios are taken within each round, then summarized. Latencies have autocannon\'s 1 ms resolution. "Server core busy" is the server\'s CPU time over the run\'s wall time: near 1 the server was the bottleneck, well below 1 something else was (the load generator, other work on the machine).',
      '',
    );
    const rows: Array<Array<string | number>> = [];
    for (const [c, l] of Object.entries(p.baseline)) rows.push(loadRow('baseline `{ hello }`', c, l, false));
    for (const r of p.reads) for (const [c, l] of Object.entries(r.warm)) rows.push(loadRow(r.id, c, l, true));
    for (const r of p.reads) for (const [c, l] of Object.entries(r.warmExecuted)) rows.push(loadRow(`${r.id}, executed (response cache off)`, c, l, true));
    out.push(table(['Scenario', 'Connections', 'Requests/s', 'x baseline', 'p50 ms', 'p99 ms', 'Server CPU ms/request', 'CPU x baseline', 'Server core busy'], rows));
    out.push('');
  }

  out.push('### pushGroup', '');
  out.push(table(
    ['Run', 'Calls (writes)', 'Wall time', 'Ideal', 'Wall / ideal', 'Measured ideal', 'Wall / measured ideal', 'Gateway CPU ms', 'Simulator CPU ms'],
    (['first', 'rerun'] as const).map((w) => {
      const run = p.push[w];
      const writes = run.writes.length ? [...new Set(run.writes)].join(', ') : 'n/a';
      const calls = run.calls.observed.length ? [...new Set(run.calls.observed)].join(', ') : 'n/a';
      return [w === 'first' ? 'first push' : 're-run', `${calls} (${writes})`, range(run.wallMs, 0, ' ms'), run.plan ? `${num(run.plan.idealMs, 0)} ms` : 'n/a', ratio(run.ratio), range(run.measuredIdealMs, 0, ' ms'), ratio(run.measuredRatio), range(run.cpuMs, 0), range(run.simulatorCpuMs, 0)];
    }),
  ));
  out.push('');

  out.push(scimSection(p.scim));

  out.push('### Memory', '');
  const mb = (v: number | null) => (v === null ? 'n/a' : `${num(v, 0)} MB`);
  out.push(
    `Gateway peak RSS (VmHWM): ${mb(p.gatewayPeakRssWarmedMb)} once every scenario's data was cached (before any concurrent load); ${mb(p.gatewayPeakRssMb)} over the whole pass, load included (read before the SCIM rounds)${p.baselinePeakRssMb === null ? '' : ` (the baseline's: ${mb(p.baselinePeakRssMb)})`}.`,
    '',
  );

  if (p.errors.length) out.push('### Errors', '', ...p.errors.map((e) => `- ${e}`), '');
  return out.join('\n');
}

export function renderResults(run: RunInfo, passes: PassSummary[], checks: TargetCheck[]): string {
  const m = run.machine;
  const fixed = passes[0];
  const out: string[] = [
    '# Benchmark results',
    '',
    `${run.options.quick ? '**Quick mode**: short runs, indicative only. ' : ''}Generated ${run.finishedAt} in ${Math.round(run.durationSeconds)} s by \`${run.command}\`.`,
    '',
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.platform}, kernel ${m.kernel}; load average at start ${m.loadAverageAtStart.join(' / ')} (numbers from a shared machine are noisy).`,
    `- Versions: Node ${m.node}, ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; commit ${m.commit ?? 'unknown'}${m.dirty ? ' with uncommitted changes' : ''}.`,
    `- Pinning: ${run.pinned.gateway === null ? 'none (taskset or a second core is missing)' : `gateway and baseline on core ${run.pinned.gateway}; simulator, load generator (autocannon) and orchestrator on core ${run.pinned.rest}`}.`,
    `- Settings: ${Object.entries(run.settings).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `- Rounds: ${passes.map((p) => `${p.label}: ${p.roundsRun}`).join(', ')}; warm runs of ${run.options.warmSeconds} s at ${run.options.connections.join(' and ')} connections; ${run.options.coldSamples} cold requests per scenario per round.`,
    ...run.skipped.map((s) => `- Not run: ${s}.`),
    '',
    '## Targets',
    '',
    table(['Target', 'Scope', 'Measured (median of rounds)', 'Status'], checks.map((c) => [c.target, c.scope, c.measured, status(c.met)])),
    '',
  ];
  for (const p of passes) out.push(passSection(p), '');
  if (fixed) {
    out.push('## Waves behind the minimums and ideals', '', 'Calls in one wave go out together; each wave waits for the one before (bench/README.md).', '');
    const gateway = fixed.scimOnly ? [] : [...fixed.reads.map((r) => [r.id, r.waves]), ['push-group', fixed.push.first.plan?.waves ?? 'n/a'], ['push-group re-run', fixed.push.rerun.plan?.waves ?? 'n/a']];
    out.push(table(['Scenario', 'Waves'], [...gateway, ...scimDerivations(fixed.scim)]));
    out.push('');
  }
  out.push(
    '## How to read this',
    '',
    '- Cold: each request sends `Cache-Control: no-cache`, so the gateway reads nothing from its cache but makes (and stores) every upstream call an empty cache would. The process stays warm, so cold latency is upstream waits plus the gateway\'s own work, without start-up or JIT costs.',
    '- Warm: plain requests right after the cold ones, within the cache TTL; the simulator\'s counters must show no upstream call during them. The gateway runs with its defaults, so a repeated query is answered by its response cache (README, "Settings"). Rows marked "executed (response cache off)" are the same load on a second gateway process with `RESPONSE_CACHE_MAX_MB=0` (same core, same simulator): every request executed, its data from the shared cache.',
    '- Upstream calls are counted by the simulator (the OAuth token route excluded), not reported by the gateway.',
    "- \"Estimated before running\" is the gateway's demand-control estimate of the same request (its x-upstream-calls-estimate header), made before it ran; a push's estimate bounds its writes as if every member changed.",
    '- CPU is the server process\'s user+system time from /proc (10 ms ticks), read before a run and again once the process is idle after it, divided by the requests sent. Cold CPU is per cold request, for the gateway and for the simulator.',
    '- Peak RSS is VmHWM: the most the process has held since it started, so a pass\'s figure covers everything before it in that pass.',
    '- The jitter pass measures only what depends on upstream latency (cold requests, pushGroup); warm requests make no upstream call. Its ideal is an expected value, so a lucky round can come in under it.',
    '',
  );
  return out.join('\n');
}
