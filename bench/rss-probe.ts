import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/server/api-keys.js';
import { canPin, killAllNow, stopAll } from './children.js';
import { expectData, postGql } from './gql.js';
import { startLoadGenerator } from './load.js';
import { cpuPerRequest, memory, waitIdle } from './proc-stats.js';
import { planScenarios } from './scenarios.js';
import { SimControl } from './sim-control.js';
import { median } from './stats.js';
import { PlatformView, type SimState } from './sim-state.js';
import { CLI, simulatorInfo, startGatewayProcess, startSimulator } from './stack.js';

/**
 * Where the gateway's peak RSS comes from, and what a Node/V8 flag costs in throughput: one
 * simulator (large preset, 20 ms) and one load generator on core 1, and one gateway per variant
 * (its node options) on core 0, all running at once. Each is warmed (every read scenario cold,
 * then warm, then a 1 s burst of each); then, per pair, every scenario at every connection count
 * gets a burst of the same number of requests on each gateway, in alternating order (A B, then
 * B A), so a busy machine falls on all of them alike. Per gateway: VmHWM after start, after the
 * warm-up and after each scenario's bursts; median requests/s and CPU ms per request; and the
 * median over the bursts of its ratio to the first variant's. Not part of `npm run bench`.
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
    // Every variant's gateway at once (core 0), so a busy machine falls on all of them alike.
    const gateways = [];
    for (const [i, variant] of opts.variants.entries()) {
      const probeOut = join(dataDir, `memprobe-${i}.jsonl`);
      const gateway = await startGatewayProcess({
        cli: CLI,
        name: `gateway ${variant.name}`,
        simUrl: sim.url,
        info,
        provisionerKey: generateApiKey(),
        dataDir,
        core: cores.gateway,
        nodeArgs: [...(opts.memprobe ? ['--import', opts.memprobe] : []), ...variant.nodeArgs],
        extra: { ...opts.env, ...(opts.memprobe ? { MEMPROBE_OUT: probeOut } : {}) },
      });
      gateways.push({ variant, gateway, probeOut, started: mb(gateway.pid), warmed: null as ReturnType<typeof mb>, rps: {} as Record<string, number[]>, cpu: {} as Record<string, number[]>, peaks: {} as Record<string, number> });
    }
    for (const g of gateways) {
      for (const s of reads) {
        const body = { query: s.query, variables: s.variables };
        expectData(`${s.id} (cold)`, await postGql(g.gateway.url, body, { 'cache-control': 'no-cache' }));
        expectData(`${s.id} (warm)`, await postGql(g.gateway.url, body));
      }
      await waitIdle(g.gateway.pid);
      g.warmed = mb(g.gateway.pid);
    }
    // JIT warm-up, not recorded: a short burst of each scenario on each gateway.
    for (const g of gateways) {
      for (const s of reads) await load.run({ url: g.gateway.url, body: JSON.stringify({ query: s.query, variables: s.variables }), headers: {}, connections: 10, durationSeconds: 1, timeoutSeconds: 60 });
      await waitIdle(g.gateway.pid);
    }
    // Bursts of the same number of requests (sized from the first variant's first burst), in alternating order per pair.
    const amounts = new Map<string, number>();
    for (let pair = 0; pair < opts.pairs; pair += 1) {
      for (const s of reads) {
        for (const connections of opts.connections) {
          const key = `${s.id}@${connections}`;
          const order = pair % 2 === 0 ? gateways : [...gateways].reverse();
          for (const g of order) {
            const body = JSON.stringify({ query: s.query, variables: s.variables });
            const amount = amounts.get(key);
            const job = amount ? { amount } : { durationSeconds: opts.seconds };
            const { result, cpuMsPerRequest } = await cpuPerRequest(g.gateway.pid, () => load.run({ url: g.gateway.url, body, headers: {}, connections, timeoutSeconds: 300, ...job }), (r) => r.sent);
            if (result.non2xx || result.errors) throw new Error(`${key}: ${result.non2xx} non-2xx, ${result.errors} errors`);
            if (!amount) amounts.set(key, Math.max(connections * 3, result.requests));
            (g.rps[key] ??= []).push(result.requestsPerSecond);
            (g.cpu[key] ??= []).push(cpuMsPerRequest ?? NaN);
            g.peaks[key] = mb(g.gateway.pid)?.peak ?? NaN;
          }
        }
      }
    }
    const first = gateways[0]!;
    for (const g of gateways) {
      let probe: unknown = null;
      if (opts.memprobe) {
        process.kill(g.gateway.pid, 'SIGUSR2');
        await new Promise((r) => setTimeout(r, 500));
        try {
          probe = JSON.parse(readFileSync(g.probeOut, 'utf8').trim().split('\n').pop()!);
        } catch {
          probe = 'no memprobe output';
        }
      }
      // Per key and pair: this variant over the first one; then the median over keys and pairs.
      const ratios = (what: 'rps' | 'cpu') => Object.keys(g[what]).flatMap((key) => g[what][key]!.map((v, i) => v / first[what][key]![i]!));
      const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
      console.log(JSON.stringify({
        variant: g.variant.name,
        nodeArgs: g.variant.nodeArgs,
        started: g.started,
        warmed: g.warmed,
        end: mb(g.gateway.pid),
        peaksAfterLoad: g.peaks,
        rpsMedian: Object.fromEntries(Object.entries(g.rps).map(([k, v]) => [k, Math.round(median(v))])),
        cpuMsPerRequestMedian: Object.fromEntries(Object.entries(g.cpu).map(([k, v]) => [k, round(median(v))])),
        vsFirst: { rps: round(median(ratios('rps'))), cpu: round(median(ratios('cpu'))), n: ratios('rps').length },
        probe,
      }));
    }
    for (const g of gateways) await g.gateway.stop();
  } finally {
    await load.stop();
    await simulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));

main().then(
  () => stopAll(),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
    return stopAll();
  },
);
