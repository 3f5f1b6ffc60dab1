import type { CompareResult, CompareSummary } from './compare.js';
import type { MachineInfo } from './machine.js';
import type { Spread } from './stats.js';

/** COMPARE.md: an A/B run (bench/compare.ts) as tables, with its target checked. */

/** The regression target of the warm path: requests/s within 5% of the older commit's. */
export const WARM_REGRESSION_FLOOR = 0.95;

const ratio = (s: Spread | null) => (s ? `${s.median.toFixed(3)}x (${s.min.toFixed(3)}-${s.max.toFixed(3)}, ${s.n} pairs)` : 'n/a');
const rps = (s: Spread | null) => (s ? `${Math.round(s.median).toLocaleString('en-US')} (${Math.round(s.min).toLocaleString('en-US')}-${Math.round(s.max).toLocaleString('en-US')})` : 'n/a');

/** Met when the after/before throughput ratio's median over pairs clears the floor. */
export function compareMet(summary: CompareSummary): boolean | null {
  return summary.rpsRatio ? summary.rpsRatio.median >= WARM_REGRESSION_FLOOR : null;
}

export function renderCompare(result: CompareResult, run: { command: string; startedAt: string; durationSeconds: number; machine: MachineInfo; warmSeconds: number }): string {
  const lines = [
    '# A/B: warm org tree, this checkout against an older commit',
    '',
    `Command: \`${run.command}\`, started ${run.startedAt}, ${Math.round(run.durationSeconds)} s. Machine: ${run.machine.cpuModel}, ${run.machine.cores} cores, load average at start ${run.machine.loadAverageAtStart.join(' ')}.`,
    '',
    `- before: \`${result.before.describe}\` (dependencies ${result.before.dependencies})`,
    `- after: \`${run.machine.commit ?? 'unknown'}\`${run.machine.dirty ? ' with uncommitted changes' : ''}`,
    '',
    `Both gateways run on the same core over one simulator (large preset, 20 ms); the load generator on the other core. Each pair is one burst against each side, the same number of requests (about ${run.warmSeconds} s), in alternating order; a ratio is after / before within a pair. CPU per request is the gateway's user + system time from /proc over the burst and its drain, divided by the requests sent. Method and why: bench/compare.ts.`,
    '',
    '| Target | Connections | Requests/s after / before | CPU per request after / before | Requests/s before | Requests/s after | Status |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of result.summaries) {
    const met = compareMet(s);
    lines.push(`| ${s.label} | ${s.connections} | ${ratio(s.rpsRatio)} | ${ratio(s.cpuRatio)} | ${rps(s.beforeRps)} | ${rps(s.afterRps)} | ${met === null ? 'not measured' : met ? 'met' : '**MISSED**'} |`);
  }
  lines.push('', `Target: requests/s after >= ${WARM_REGRESSION_FLOOR} x before (the median of the pairs).`, '', '## Every pair', '', '| Mode | Connections | Pair | Before rps | After rps | Ratio | Before CPU ms/req | After CPU ms/req | Ratio |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of result.pairs) {
    const cpu = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
    lines.push(`| ${p.mode} | ${p.connections} | ${p.pair} | ${Math.round(p.before.requestsPerSecond)} | ${Math.round(p.after.requestsPerSecond)} | ${p.rpsRatio.toFixed(3)} | ${cpu(p.before.cpuMsPerRequest)} | ${cpu(p.after.cpuMsPerRequest)} | ${p.cpuRatio?.toFixed(3) ?? 'n/a'} |`);
  }
  return `${lines.join('\n')}\n`;
}
