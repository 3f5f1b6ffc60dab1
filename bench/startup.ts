/**
 * Startup time and memory of `anypoint-graph serve` (demo mode: the embedded simulator), run two
 * ways: compiled (bin/anypoint-graph.js, which runs dist/) and through tsx (what the bin did
 * before the compiled build: tsx's ESM loader registered, then src/cli/main.ts imported).
 *
 *   node --import tsx bench/startup.ts [--runs N] [--burst N] [--concurrency N] [--json]
 *
 * For each run, measured from just before spawn: when `/healthz` first answers 200 (the gateway
 * logs its URL once it listens, and the probe follows at once) and when the first GraphQL query
 * (bench/queries/org-tree.graphql) answers, and the gateway's CPU time (user + system, /proc) at
 * the first of those, which a busy machine disturbs far less than the wall time; RSS (VmRSS, /proc) after that first answer, and after
 * a burst of queries (org-tree and api-inventory alternately, response cache off so each one
 * executes), plus the peak (VmHWM). "tsx, warm" reuses tsx's transform cache (in os.tmpdir(), as a
 * restarted server would); "tsx, cold" gives each run an empty one (the first start after
 * install or an upgrade). Runs interleave the modes so a machine's drift hits all of them alike.
 * Needs dist/ (`npm run build`) and Linux's /proc for the memory figures. Prints a Markdown table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMs, memory } from './proc-stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const query = (file: string) => readFileSync(new URL(`./queries/${file}`, import.meta.url), 'utf8');

/** The launcher bin/anypoint-graph.js was before the compiled build, as an -e script. */
const TSX_LAUNCHER = `import { register } from 'tsx/esm/api';
process.env.NODE_ENV ??= 'production';
register();
const { main } = await import(${JSON.stringify(new URL('../src/cli/main.ts', import.meta.url).href)});
process.exitCode = await main(process.argv.slice(1));`;

type Mode = 'dist' | 'tsx-warm' | 'tsx-cold';
const MODES: Mode[] = ['dist', 'tsx-warm', 'tsx-cold'];
const LABEL: Record<Mode, string> = { dist: 'dist (compiled)', 'tsx-warm': 'tsx, warm cache', 'tsx-cold': 'tsx, cold cache' };

interface Sample {
  healthzMs: number;
  /** The gateway's own CPU time (user + system) when /healthz first answered: less at the mercy of a busy machine than the wall time. */
  startupCpuMs: number;
  firstGraphqlMs: number;
  rssAfterStartMb: number;
  rssAfterBurstMb: number;
  peakRssMb: number;
  burstMs: number;
}

const SETTINGS = ['ANYPOINT_BASE_URL', 'ANYPOINT_CLIENT_ID', 'ANYPOINT_CLIENT_SECRET', 'ANYPOINT_ORG_ID', 'REDIS_URL', 'DATABASE_URL', 'API_KEYS', 'PORT', 'NODE_OPTIONS', 'NODE_ENV'];

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data?: unknown; errors?: unknown };
  if (!res.ok || json.errors) throw new Error(`GraphQL answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
  return json.data;
}

async function measure(mode: Mode, burst: number, concurrency: number): Promise<Sample> {
  const env: Record<string, string | undefined> = { ...process.env, RESPONSE_CACHE_MAX_MB: '0' };
  for (const name of SETTINGS) delete env[name];
  let cacheDir: string | null = null;
  if (mode === 'tsx-cold') {
    cacheDir = mkdtempSync(join(tmpdir(), 'startup-tsx-cache-'));
    env.TMPDIR = cacheDir;
  }
  const args = mode === 'dist' ? [join(ROOT, 'bin', 'anypoint-graph.js'), 'serve', '--port', '0'] : ['--input-type=module', '-e', TSX_LAUNCHER, 'serve', '--port', '0'];
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const graphqlUrl = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const m = /serving (http:\/\/\S+\/graphql)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`${mode}: serve exited (${code}) before listening: ${stderr}`)));
      setTimeout(() => reject(new Error(`${mode}: serve did not listen within 60 s: ${stderr}`)), 60_000).unref();
    });
    const origin = new URL(graphqlUrl).origin;
    const health = await fetch(`${origin}/healthz`);
    if (health.status !== 200) throw new Error(`${mode}: /healthz answered ${health.status}`);
    await health.arrayBuffer();
    const healthzMs = performance.now() - started;
    const startupCpuMs = cpuMs(child.pid!) ?? NaN;
    const data = await post(graphqlUrl, { query: query('org-tree.graphql') });
    const firstGraphqlMs = performance.now() - started;
    const afterStart = memory(child.pid!);

    const orgId = (data as { organizations: Array<{ id: string }> }).organizations[0]!.id;
    const documents = [{ query: query('org-tree.graphql') }, { query: query('api-inventory.graphql'), variables: { orgId } }];
    const burstStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < burst) {
          const i = next++;
          await post(graphqlUrl, documents[i % documents.length]);
        }
      }),
    );
    const burstMs = performance.now() - burstStarted;
    const afterBurst = memory(child.pid!);
    return {
      healthzMs,
      startupCpuMs,
      firstGraphqlMs,
      rssAfterStartMb: afterStart?.rssMb ?? NaN,
      rssAfterBurstMb: afterBurst?.rssMb ?? NaN,
      peakRssMb: afterBurst?.peakRssMb ?? NaN,
      burstMs,
    };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    }
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const range = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, burst: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '8' }, json: { type: 'boolean', default: false } },
  });
  const runs = Number(values.runs);
  const burst = Number(values.burst);
  const concurrency = Number(values.concurrency);
  // One unrecorded tsx start fills tsx's cache for the warm runs (and warms the OS file cache).
  await measure('tsx-warm', 10, 2);
  await measure('dist', 10, 2);
  const samples: Record<Mode, Sample[]> = { dist: [], 'tsx-warm': [], 'tsx-cold': [] };
  for (let run = 0; run < runs; run += 1) {
    for (const mode of MODES) {
      const sample = await measure(mode, burst, concurrency);
      samples[mode].push(sample);
      process.stderr.write(`run ${run + 1}/${runs} ${mode}: healthz ${sample.healthzMs.toFixed(0)} ms (CPU ${sample.startupCpuMs.toFixed(0)} ms), first query ${sample.firstGraphqlMs.toFixed(0)} ms, RSS ${sample.rssAfterStartMb.toFixed(1)} → ${sample.rssAfterBurstMb.toFixed(1)} MB\n`);
    }
  }
  if (values.json) {
    console.log(JSON.stringify({ runs, burst, concurrency, samples }, null, 2));
    return;
  }
  const col = (mode: Mode, key: keyof Sample, digits: number) => range(samples[mode].map((s) => s[key]), digits);
  const ratio = (mode: Mode, key: keyof Sample) => (median(samples.dist.map((s) => s[key])) / median(samples[mode].map((s) => s[key]))).toFixed(2);
  console.log(`Node ${process.version}, ${runs} runs per mode, burst of ${burst} queries at concurrency ${concurrency}; median (min–max)\n`);
  console.log('| | spawn → /healthz 200, ms | CPU time by then, ms | spawn → first GraphQL answer, ms | RSS after start, MB | RSS after burst, MB | peak RSS, MB | burst, ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const mode of MODES) {
    console.log(`| ${LABEL[mode]} | ${col(mode, 'healthzMs', 0)} | ${col(mode, 'startupCpuMs', 0)} | ${col(mode, 'firstGraphqlMs', 0)} | ${col(mode, 'rssAfterStartMb', 1)} | ${col(mode, 'rssAfterBurstMb', 1)} | ${col(mode, 'peakRssMb', 1)} | ${col(mode, 'burstMs', 0)} |`);
  }
  for (const mode of ['tsx-warm', 'tsx-cold'] as const) {
    console.log(`| dist ÷ ${LABEL[mode]} | ${ratio(mode, 'healthzMs')} | ${ratio(mode, 'startupCpuMs')} | ${ratio(mode, 'firstGraphqlMs')} | ${ratio(mode, 'rssAfterStartMb')} | ${ratio(mode, 'rssAfterBurstMb')} | ${ratio(mode, 'peakRssMb')} | ${ratio(mode, 'burstMs')} |`);
  }
}

await main();
