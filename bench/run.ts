import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { canPin, killAllNow, stopAll } from './children.js';
import { runCompare } from './compare.js';
import { runGovernance } from './governance.js';
import { governanceChecks, renderGovernance } from './report-governance.js';
import { exactCommand, machineInfo } from './machine.js';
import { HELP, readOptions, type BenchOptions } from './options.js';
import { runPass, type PassResult, type PassSpec } from './pass.js';
import { compareMet, renderCompare } from './report-compare.js';
import { renderResults, type RunInfo } from './report.js';
import { SINGLE_GET_LIMIT } from './scenarios.js';
import { CACHE_TTL_SECONDS, CLIENT_CAP, type Cores } from './stack.js';
import { summarizePass } from './summarize.js';
import { checkTargets, status } from './targets.js';

/**
 * `npm run bench`: the gateway against the simulator and a bare Apollo baseline, in interleaved
 * rounds; writes bench/results.json and bench/RESULTS.md. Missed targets are reported, never
 * turned into a failing exit code; only a harness that could not measure exits non-zero.
 */

const began = performance.now();
/** Quick mode's time limit, and what its jitter pass needs of it (seconds). */
const QUICK_BUDGET_SECONDS = 170;
// 45 s for its cold requests and pushGroup, 15 s for its SCIM round (200 users at 20-150 ms).
const JITTER_PASS_SECONDS = 60;
/** Progress lines carry the elapsed time, so a slow step shows. */
const log = (line: string) => {
  const seconds = Math.round((performance.now() - began) / 1000);
  process.stdout.write(`[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}] ${line}\n`);
};

/** Gateway on core 0; this process, the simulator and the load generator on core 1. */
function pinning(): Cores {
  if (!canPin(availableParallelism())) return { gateway: null, rest: null };
  try {
    // -a: every thread of this process, not only the main one.
    execFileSync('/usr/bin/taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    return { gateway: 0, rest: 1 };
  } catch {
    return { gateway: null, rest: null }; // e.g. this process is already confined to one core
  }
}

function passes(options: BenchOptions): PassSpec[] {
  const specs: PassSpec[] = [{ id: 'fixed', label: 'fixed 20 ms', latencyMs: '20', latency: { minMs: 20, maxMs: 20 }, rounds: options.rounds, warm: true }];
  if (!options.skipJitter) {
    specs.push({ id: 'jitter', label: 'jitter 20-150 ms', latencyMs: '20-150', latency: { minMs: 20, maxMs: 150 }, rounds: options.jitterRounds, warm: false });
  }
  return specs;
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = readOptions(argv, new URL('.', import.meta.url).pathname);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const cores = pinning();
  log(`bench: ${options.quick ? 'quick' : 'full'}${options.scimOnly ? ', SCIM only,' : ''} run on ${machine.cores} cores (${cores.gateway === null ? 'not pinned' : `gateway on core ${cores.gateway}, the rest on core ${cores.rest}`})`);

  if (options.compare !== null) return compare(options, cores, startedAt, machine);
  if (options.governance) return governance(options, cores, startedAt);

  const results: PassResult[] = [];
  const skipped: string[] = [];
  for (const spec of passes(options)) {
    const elapsed = (performance.now() - began) / 1000;
    // Quick mode promises CI under 3 minutes; on a slow or busy machine the jitter pass gives way.
    if (options.quick && spec.id === 'jitter' && elapsed > QUICK_BUDGET_SECONDS - JITTER_PASS_SECONDS) {
      skipped.push(`${spec.label} pass: skipped after ${Math.round(elapsed)} s to keep quick mode under ${QUICK_BUDGET_SECONDS} s`);
      log(`[${spec.label}] skipped: ${Math.round(elapsed)} s have gone, and quick mode must finish within ${QUICK_BUDGET_SECONDS} s`);
      continue;
    }
    results.push(await runPass(spec, options, cores, log));
  }

  const summaries = results.map((r) => summarizePass(r, options.connections));
  const checks = checkTargets(summaries);
  const finishedAt = new Date();
  const run: RunInfo = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    command: exactCommand(options.argv),
    machine,
    pinned: cores,
    settings: {
      'simulator preset': 'large (seed 42)',
      'ANYPOINT_MAX_CONNECTIONS': CLIENT_CAP,
      'ANYPOINT_SINGLE_GET_LIMIT': SINGLE_GET_LIMIT,
      'CACHE_TTL_SECONDS': CACHE_TTL_SECONDS,
      cache: 'in-memory',
      'simulator rate limit': 'off',
      'SCIM users per round': options.scimUsers,
      'SCIM rounds per pass': options.scimRounds,
    },
    options,
    skipped,
  };
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'results.json'), `${JSON.stringify({ run, targets: checks, summaries, passes: results }, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'RESULTS.md'), renderResults(run, summaries, checks));

  log('');
  log('Targets:');
  for (const c of checks) log(`  ${status(c.met).replace(/\*/g, '').padEnd(12)} ${c.target} [${c.scope}]: ${c.measured}`);
  const errors = summaries.flatMap((s) => s.errors.map((e) => `${s.label}: ${e}`));
  for (const e of errors) log(`ERROR ${e}`);
  log(`\nWrote ${join(options.outDir, 'results.json')} and ${join(options.outDir, 'RESULTS.md')} in ${Math.round(run.durationSeconds)} s.`);
  // Missed targets are results; scenarios that could not be measured are failures.
  return errors.length ? 1 : 0;
}

/** --governance: the exports and the incremental import; writes governance.json and GOVERNANCE.md. */
async function governance(options: BenchOptions, cores: Cores, startedAt: Date): Promise<number> {
  const result = await runGovernance(cores, log);
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'governance.json'), `${JSON.stringify({ command: exactCommand(options.argv), startedAt: startedAt.toISOString(), ...result }, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'GOVERNANCE.md'), renderGovernance(result, { command: exactCommand(options.argv), startedAt: startedAt.toISOString(), durationSeconds }));
  log('');
  for (const check of governanceChecks(result)) log(`  ${check.met ? 'met' : 'MISSED'}  ${check.target}: ${check.result}`);
  log(`\nWrote ${join(options.outDir, 'governance.json')} and ${join(options.outDir, 'GOVERNANCE.md')} in ${Math.round(durationSeconds)} s.`);
  return 0;
}

/** --compare: the A/B run alone; writes compare.json and COMPARE.md. */
async function compare(options: BenchOptions, cores: Cores, startedAt: Date, machine: ReturnType<typeof machineInfo>): Promise<number> {
  const result = await runCompare({ ref: options.compare!, pairs: options.pairs, warmSeconds: options.warmSeconds, connections: options.connections }, cores, log);
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'compare.json'), `${JSON.stringify({ machine, command: exactCommand(options.argv), startedAt: startedAt.toISOString(), ...result }, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'COMPARE.md'), renderCompare(result, { command: exactCommand(options.argv), startedAt: startedAt.toISOString(), durationSeconds, machine, warmSeconds: options.warmSeconds }));
  log('');
  for (const s of result.summaries) {
    const met = compareMet(s);
    log(`  ${met === null ? 'not measured' : met ? 'met' : 'MISSED'}  ${s.label} @${s.connections}: requests/s ${s.rpsRatio?.median.toFixed(3) ?? 'n/a'}x of ${result.before.describe.split(' ')[0]}, CPU/request ${s.cpuRatio?.median.toFixed(3) ?? 'n/a'}x`);
  }
  log(`\nWrote ${join(options.outDir, 'compare.json')} and ${join(options.outDir, 'COMPARE.md')} in ${Math.round(durationSeconds)} s.`);
  return 0;
}

// Children must never outlive the run, however it ends.
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping the child processes\n`);
    void stopAll().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => stopAll().then(() => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
