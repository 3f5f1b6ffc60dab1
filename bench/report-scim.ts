import { IDP_CONCURRENCY, IMPORT_PAGE, PATCH_BATCH } from './scim-scenarios.js';
import type { Spread } from './stats.js';
import type { ScimSummary } from './summarize-scim.js';

/** RESULTS.md's SCIM section of a pass, in the tables' format of the other scenarios. */

const num = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const range = (s: Spread | null | undefined, digits = 0, unit = '') =>
  !s ? 'n/a' : s.n === 1 || s.min === s.max ? `${num(s.median, digits)}${unit}` : `${num(s.median, digits)}${unit} (${num(s.min, digits)}-${num(s.max, digits)})`;
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: Array<Array<string | number>>) => [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
const distinct = (values: Array<string | number>) => (values.length ? [...new Set(values)].join(', ') : 'n/a');

export function scimSection(scim: ScimSummary): string {
  const out: string[] = ['### SCIM', ''];
  out.push(
    `${scim.rounds} round(s) after the interleaved ones, each: a sync of ${num(scim.users, 0)} new users (${IDP_CONCURRENCY} requests in flight), an import of the SCIM org (pages of ${IMPORT_PAGE}), a group push of the same users (PATCHes of ${PATCH_BATCH}). Minimums and ideals: bench/README.md, "SCIM". "Ideal" charges the configured latency per call; "measured ideal" charges the simulator's own measured time per call instead (its summed service time over the run's calls, latency included), so "wall / measured ideal" is the gateway's own overhead. One call to the simulator measured ${scim.simulatorCallMs === null ? 'n/a' : `${num(scim.simulatorCallMs, 1)} ms`} from the orchestrator (sequential, a route that does no work).`,
    '',
  );
  out.push(table(
    ['Scenario', 'Calls (writes)', 'Minimum', 'Wall time', 'Ideal', 'Wall / ideal', 'Measured ideal', 'Wall / measured ideal', 'Gateway CPU ms', 'Simulator CPU ms', 'One IdP request, median'],
    scim.scenarios.map((s) => [
      s.id,
      s.calls.length ? `${distinct(s.calls.map((c) => c.counted))} (${distinct(s.calls.map((c) => c.writes))})` : 'n/a',
      s.calls.length ? distinct(s.calls.map((c) => c.minimum)) : 'n/a',
      range(s.wallMs, 0, ' ms'),
      s.plan ? `${num(s.plan.idealMs, 0)} ms` : 'n/a',
      s.ratio ? `${range(s.ratio, 2)}x` : 'n/a',
      s.measuredIdealMs === null ? 'n/a' : `${num(s.measuredIdealMs, 0)} ms`,
      s.measuredRatio ? `${range(s.measuredRatio, 2)}x` : 'n/a',
      range(s.cpuMs, 0),
      range(s.simulatorCpuMs, 0),
      Object.entries(s.requestMs).map(([k, v]) => `${k} ${num(v, 0)} ms`).join(', ') || 'n/a',
    ]),
  ));
  out.push('', 'Upstream calls by route (the first round; a search and a listing page share the users route):', '');
  const rows: Array<Array<string | number>> = [];
  for (const s of scim.scenarios) {
    if (!s.plan || !s.byRoute) continue;
    for (const route of [...new Set([...Object.keys(s.plan.byRoute), ...Object.keys(s.byRoute)])].sort()) {
      const counted = s.byRoute[route] ?? 0;
      const minimum = s.plan.byRoute[route] ?? 0;
      rows.push([s.id, `\`${route}\``, counted, minimum, counted === minimum ? '' : `**${counted > minimum ? '+' : ''}${counted - minimum}**`]);
    }
  }
  out.push(table(['Scenario', 'Route', 'Counted', 'Minimum', 'Difference'], rows), '');
  const failures = scim.scenarios.reduce((n, s) => n + s.upstreamFailures, 0);
  if (failures) out.push(`Non-2xx upstream answers during the SCIM rounds: ${failures}.`, '');
  return out.join('\n');
}

/** The derivation of each SCIM minimum and ideal, for the "waves" table. */
export const scimDerivations = (scim: ScimSummary): Array<[string, string]> => scim.scenarios.map((s) => [s.id, s.plan?.derivation ?? 'n/a']);
