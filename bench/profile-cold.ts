import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '../src/server/api-keys.js';
import { canPin } from './children.js';
import { runScript, runsArg } from './script.js';
import { expectData, postGql } from './gql.js';
import { cpuMs } from './proc-stats.js';
import { planScenarios } from './scenarios.js';
import { SimControl } from './sim-control.js';
import { PlatformView, type SimState } from './sim-state.js';
import { CLI, START_NODE_FLAGS, simulatorInfo, startGatewayProcess, startSimulator } from './stack.js';

/**
 * Where a cold read spends the gateway's own time (issue 15: "each miss explained with a
 * profile"). One simulator (large preset, 20 ms) on core 1; per read scenario, two gateways on
 * core 0 under `--cpu-prof`, each started, warmed with 3 cold runs and stopped, the second after
 * `--runs` more cold runs (`Cache-Control: no-cache`) one after another. The second profile less
 * the first is those runs alone (start-up and warm-up cancel). Printed per scenario: wall ms and
 * gateway CPU ms per request (/proc), and where that CPU went, grouped by package or source file.
 * Not part of `npm run bench`:
 *
 *   node --import tsx bench/profile-cold.ts --runs 30
 */

interface ProfileNode { id: number; callFrame: { functionName: string; url: string } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** A sample's place: the package, the gateway's source file, or V8's pseudo-frames. */
function where(url: string, fn: string): string {
  if (fn.startsWith('(')) return fn;
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const own = /\/(?:dist\/)?((?:src|resolvers)\/.+)$/.exec(url);
  return own ? own[1]! : url;
}

/** Self time (µs) by place in one profile file, idle excluded. */
function selfTimes(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    const key = where(frame.url, frame.functionName);
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  return out;
}

async function main(dataDir: string) {
  const runs = runsArg(30);
  const pinned = canPin(2);
  const simulator = await startSimulator('20', pinned ? 1 : null);
  const sim = new SimControl(simulator.url);
  const info = await simulatorInfo(sim.url);
  const reads = planScenarios(new PlatformView(await sim.state<SimState>())).reads;
  const profiled = async (s: (typeof reads)[number], measured: number) => {
    const dir = mkdtempSync(join(dataDir, 'p-'));
    const gateway = await startGatewayProcess({
      cli: CLI, name: `gateway ${s.id}`, simUrl: sim.url, info, provisionerKey: generateApiKey(), dataDir, core: pinned ? 0 : null,
      nodeArgs: [...START_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    const cold = () => postGql(gateway.url, { query: s.query, variables: s.variables }, { 'cache-control': 'no-cache' });
    for (let i = 0; i < 3; i += 1) expectData(s.id, await cold());
    const cpuBefore = cpuMs(gateway.pid)!;
    const from = performance.now();
    for (let i = 0; i < measured; i += 1) expectData(s.id, await cold());
    const wallMs = performance.now() - from;
    const cpu = cpuMs(gateway.pid)! - cpuBefore;
    await gateway.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the gateway wrote no profile (did it exit on SIGTERM?)');
    return { wallMs, cpu, self: selfTimes(join(dir, file)) };
  };
  for (const s of reads) {
    const base = await profiled(s, 0);
    const run = await profiled(s, runs);
    const diff = new Map([...run.self].map(([k, us]) => [k, us - (base.self.get(k) ?? 0)]));
    const busy = [...diff.values()].reduce((a, b) => a + Math.max(0, b), 0);
    console.log(`\n### ${s.id}: ${(run.wallMs / runs).toFixed(1)} ms wall, ${(run.cpu / runs).toFixed(1)} ms gateway CPU per cold request (${runs} runs)\n`);
    console.log('| where | share of the gateway\'s CPU |\n| --- | --- |');
    for (const [k, us] of [...diff].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`| ${k} | ${((100 * us) / busy).toFixed(1)}% |`);
  }
}

runScript('anypoint-graph-prof-', main);
