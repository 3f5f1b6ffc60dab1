import { parseArgs } from 'node:util';

/**
 * Command-line options. `--quick` trades precision for time so CI can run the whole harness in
 * under three minutes; the full run is what RESULTS.md is meant to be regenerated from.
 */
export interface BenchOptions {
  quick: boolean;
  /** Interleaved rounds of the fixed-latency pass (baseline + every scenario each round). */
  rounds: number;
  /** Rounds of the jitter pass, which measures only what depends on upstream latency. */
  jitterRounds: number;
  /** Seconds of each warm load run. */
  warmSeconds: number;
  /** Sequential cold requests per scenario per round. */
  coldSamples: number;
  /** Connection counts of the warm load runs. */
  connections: number[];
  /** Where results.json and RESULTS.md go. */
  outDir: string;
  /** Skip the 20-150 ms jitter pass. */
  skipJitter: boolean;
  /** Only the SCIM scenarios: no baseline, read scenarios or pushGroup (and no load generator). */
  scimOnly: boolean;
  /** Users of the SCIM sync (and members of the SCIM group push) per round. */
  scimUsers: number;
  /** SCIM rounds per pass (sync, import, group push), after the interleaved rounds. */
  scimRounds: number;
  /** --compare REF: an A/B run of the warm org tree against that commit instead of the passes. */
  compare: string | null;
  /** Alternating burst pairs of the A/B run. */
  pairs: number;
  /** --governance: the exports and the incremental import instead of the passes. */
  governance: boolean;
  /** The arguments as given, for the report's "exact command". */
  argv: string[];
}

export const HELP = `Usage: npm run bench [-- options]

Benchmarks the gateway against the Anypoint simulator (large preset) and a bare Apollo server.

Options:
  --quick              short run for CI (finishes in under 3 minutes)
  --rounds N           interleaved rounds of the fixed-latency pass (default 5; quick 3)
  --jitter-rounds N    rounds of the 20-150 ms jitter pass (default 3; quick 1)
  --warm-seconds S     seconds per warm load run (default 10; quick 1)
  --cold-samples N     cold requests per scenario per round (default 7; quick 3)
  --no-jitter          skip the jitter pass
  --scim-only          only the SCIM scenarios (sync, import, group push), in both passes
  --scim-users N       users synced and pushed per SCIM round (default 1000; quick 200)
  --scim-rounds N      SCIM rounds per pass (default 3; quick 1)
  --compare REF        instead of the passes: the warm org tree A/B against the commit REF,
                       both gateways on one core, in alternating bursts (writes COMPARE.md)
  --pairs N            burst pairs of --compare (default 8; quick 2)
  --governance         instead of the passes: the access review and API inventory exports and
                       the incremental import, large preset (writes GOVERNANCE.md)
  --out DIR            where to write results.json and RESULTS.md (default bench/)
  -h, --help           show this help`;

export class OptionsError extends Error {}

function positive(raw: string | undefined, name: string, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new OptionsError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

export function readOptions(argv: string[], defaultOutDir: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'jitter-rounds': { type: 'string' },
      'warm-seconds': { type: 'string' },
      'cold-samples': { type: 'string' },
      'no-jitter': { type: 'boolean', default: false },
      'scim-only': { type: 'boolean', default: false },
      'scim-users': { type: 'string' },
      'scim-rounds': { type: 'string' },
      compare: { type: 'string' },
      pairs: { type: 'string' },
      governance: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const rounds = positive(values.rounds, '--rounds', quick ? 3 : 5);
  // Fewer than three rounds cannot give a median that a single odd round does not decide.
  if (rounds < 3) throw new OptionsError('--rounds must be at least 3');
  return {
    quick,
    rounds,
    jitterRounds: positive(values['jitter-rounds'], '--jitter-rounds', quick ? 1 : 3),
    warmSeconds: positive(values['warm-seconds'], '--warm-seconds', quick ? 1 : 10, false),
    coldSamples: positive(values['cold-samples'], '--cold-samples', quick ? 3 : 7),
    connections: [10, 50],
    outDir: values.out ?? defaultOutDir,
    skipJitter: values['no-jitter'] ?? false,
    scimOnly: values['scim-only'] ?? false,
    // Quick mode keeps its rounds, like every other scenario, but not the full sync's size: 1,000
    // users at 5 in flight are 12 s at 20 ms and 51 s at 20-150 ms of upstream waits alone, more
    // than the jitter pass's whole share of CI's three minutes. 200 users (two PATCHes of 100)
    // still show the per-user cost and the PATCH path.
    scimUsers: positive(values['scim-users'], '--scim-users', quick ? 200 : 1000),
    scimRounds: positive(values['scim-rounds'], '--scim-rounds', quick ? 1 : 3),
    compare: values.compare ?? null,
    pairs: positive(values.pairs, '--pairs', quick ? 2 : 8),
    governance: values.governance ?? false,
    argv,
  };
}
