import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/server/api-keys.js';
import { canPin } from './children.js';
import { expectData, postGql } from './gql.js';
import { startLoadGenerator } from './load.js';
import { memory, waitIdle } from './proc-stats.js';
import { planScenarios } from './scenarios.js';
import { SimControl } from './sim-control.js';
import { PlatformView, type SimState } from './sim-state.js';
import { CLI, simulatorInfo, startGatewayProcess, startSimulator } from './stack.js';

/**
 * Where the gateway's peak RSS comes from, and what a Node/V8 flag costs in throughput: one
 * simulator (large preset, 20 ms) and one load generator on core 1, then gateways on core 0 one
 * after another, each started with one variant's node options, in alternating order (A B, B A,
 * ...). Per gateway: VmHWM after the warm-up (every read scenario cold, then warm) and after a
 * load run of every scenario; requests/s of each load run. Not part of `npm run bench`.
 *
 *   node --import tsx bench/rss-probe.ts --seconds 3 --pairs 2 --connections 50 \
 *     --variant default= --variant semi4=--max-semi-space-size=4 --variant size=--optimize-for-size
 *
 * A variant is `name=flag flag ...` (empty: none). `--env NAME=VALUE` adds a gateway setting to
 * every variant (e.g. RESPONSE_CACHE_MAX_MB=0); `--memprobe FILE` preloads that module
 * (MEMPROBE_OUT=<tmp>): sampled process.memoryUsage() at its peak, written on SIGUSR2.
 */

interface Variant {
  name: string;
  nodeArgs: string[];
}

function parseArgs(argv: string[]) {
  const variants: Variant[] = [];
  const env: Record<string, string> = {};
  let seconds = 3;
  let pairs = 1;
  let connections = [50];
  let memprobe: string | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const value = argv[i + 1] ?? '';
    switch (argv[i]) {
      case '--variant': {
        const [name, flags = ''] = value.split(/=(.*)/s);
        variants.push({ name: name!, nodeArgs: flags.split(' ').filter(Boolean) });
        i += 1;
        break;
      }
      case '--env': {
        const [name, v = ''] = value.split(/=(.*)/s);
        env[name!] = v;
        i += 1;
        break;
      }
      case '--seconds':
        seconds = Number(value);
        i += 1;
        break;
      case '--pairs':
        pairs = Number(value);
        i += 1;
        break;
      case '--connections':
        connections = value.split(',').map(Number);
        i += 1;
        break;
      case '--memprobe':
        memprobe = value;
        i += 1;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!variants.length) variants.push({ name: 'default', nodeArgs: [] });
  return { variants, env, seconds, pairs, connections, memprobe };
}

const mb = (pid: number) => {
  const m = memory(pid);
  return m ? { peak: Math.round(m.peakRssMb), rss: Math.round(m.rssMb) } : null;
};

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pinned = canPin(2);
  const cores = { gateway: pinned ? 0 : null, rest: pinned ? 1 : null };
  const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-rss-'));
  const simulator = await startSimulator('20', cores.rest);
  const load = await startLoadGenerator(cores.rest);
  try {
    const sim = new SimControl(simulator.url);
    const info = await simulatorInfo(sim.url);
    const view = new PlatformView(await sim.state<SimState>());
    const reads = planScenarios(view).reads;
    const order: Variant[] = [];
    for (let p = 0; p < opts.pairs; p += 1) order.push(...(p % 2 === 0 ? opts.variants : [...opts.variants].reverse()));
    for (const [run, variant] of order.entries()) {
      const probeOut = join(dataDir, `memprobe-${run}.jsonl`);
      const nodeArgs = [...(opts.memprobe ? ['--import', opts.memprobe] : []), ...variant.nodeArgs];
      const gateway = await startGatewayProcess({
        cli: CLI,
        name: `gateway ${variant.name}`,
        simUrl: sim.url,
        info,
        provisionerKey: generateApiKey(),
        dataDir,
        core: cores.gateway,
        nodeArgs,
        extra: { ...opts.env, ...(opts.memprobe ? { MEMPROBE_OUT: probeOut } : {}) },
      });
      try {
        const started = mb(gateway.pid);
        for (const s of reads) {
          const body = { query: s.query, variables: s.variables };
          expectData(`${s.id} (cold)`, await postGql(gateway.url, body, { 'cache-control': 'no-cache' }));
          expectData(`${s.id} (warm)`, await postGql(gateway.url, body));
        }
        await waitIdle(gateway.pid);
        const warmed = mb(gateway.pid);
        const rps: Record<string, number> = {};
        const peaks: Record<string, number> = {};
        for (const s of reads) {
          for (const connections of opts.connections) {
            const result = await load.run({ url: gateway.url, body: JSON.stringify({ query: s.query, variables: s.variables }), headers: {}, connections, durationSeconds: opts.seconds, timeoutSeconds: 120 });
            if (result.non2xx || result.errors) throw new Error(`${s.id}: ${result.non2xx} non-2xx, ${result.errors} errors`);
            await waitIdle(gateway.pid);
            rps[`${s.id}@${connections}`] = Math.round(result.requestsPerSecond);
            peaks[`${s.id}@${connections}`] = mb(gateway.pid)?.peak ?? NaN;
          }
        }
        let probe: unknown = null;
        if (opts.memprobe) {
          process.kill(gateway.pid, 'SIGUSR2');
          await new Promise((r) => setTimeout(r, 500));
          try {
            probe = JSON.parse((await import('node:fs')).readFileSync(probeOut, 'utf8').trim().split('\n').pop()!);
          } catch {
            probe = 'no memprobe output';
          }
        }
        console.log(JSON.stringify({ run, variant: variant.name, nodeArgs: variant.nodeArgs, started, warmed, peaksAfterLoad: peaks, end: mb(gateway.pid), rps, probe }));
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await load.stop();
    await simulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
