// Quick cold org-tree timing on the large preset, not the bench: ANYPOINT_MAX_CONNECTIONS=16 (at most 16) vs the default ceiling (64, adaptive),
// alternating, a fresh gateway (empty caches) per run. Usage: node --import tsx bench/measure-concurrency.ts [fixed|jitter] [rounds]
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../src/simulator/server.js';
import { readConfig } from '../src/config/config.js';
import { startGateway } from '../src/server/gateway.js';

const query = readFileSync(new URL('./queries/org-tree.graphql', import.meta.url), 'utf8');
const latency = process.argv[2] === 'jitter' ? { minMs: 20, maxMs: 150 } : { minMs: 20, maxMs: 20 };
const rounds = Number(process.argv[3] ?? 5);
const sim = await startSimulator({ port: 0, preset: 'large', latency });
async function once(cap: string | undefined): Promise<{ ms: number; calls: number; peak: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-'));
  const env: Record<string, string> = {
    PORT: '0', ANONYMOUS_READS: 'true', LOG_LEVEL: 'error',
    AUDIT_LOG_PATH: join(dir, 'a.jsonl'), GROUP_LINKS_PATH: join(dir, 'g.json'), SCIM_RECORDS_PATH: join(dir, 's.jsonl'),
    ANYPOINT_BASE_URL: sim.url, ANYPOINT_CLIENT_ID: sim.demoApp.clientId, ANYPOINT_CLIENT_SECRET: sim.demoApp.clientSecret, ANYPOINT_ORG_ID: sim.demoApp.orgId,
  };
  if (cap) env.ANYPOINT_MAX_CONNECTIONS = cap;
  const gw = await startGateway(readConfig(env));
  sim.counters.reset();
  sim.inFlight.reset();
  const t = performance.now();
  const res = await fetch(gw.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { errors?: unknown[] };
  const ms = performance.now() - t;
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
  const calls = sim.counters.snapshot().total;
  const peak = sim.inFlight.snapshot().peak;
  await gw.close();
  return { ms, calls, peak };
}
const results: Record<string, number[]> = { '16': [], default: [] };
// Warm-up (JIT, the simulator's first answers): not counted.
await once('16');
await once(undefined);
for (let i = 0; i < rounds; i += 1) {
  for (const cap of i % 2 ? ['16', undefined] : [undefined, '16']) {
    const r = await once(cap);
    results[cap ?? 'default']!.push(r.ms);
    console.log(`${latency.maxMs === 20 ? 'fixed' : 'jitter'} cap=${cap ?? 'default(64)'} ${Math.round(r.ms)} ms, ${r.calls} calls, peak in flight ${r.peak}`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`median 16: ${Math.round(median(results['16']!))} ms, default: ${Math.round(median(results.default!))} ms, ratio default/16 = ${(median(results.default!) / median(results['16']!)).toFixed(3)}`);
await sim.close();
process.exit(0);
