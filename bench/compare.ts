import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/server/api-keys.js';
import type { Child } from './children.js';
import { unpackCommit, type CommitTree } from './compare-tree.js';
import { expectData, postGql } from './gql.js';
import { startLoadGenerator, type LoadGenerator } from './load.js';
import { cpuPerRequest, waitIdle } from './proc-stats.js';
import { simulatorInfo, startGatewayProcess, startSimulator, type Cores } from './stack.js';
import { spread, type Spread } from './stats.js';

/**
 * `npm run bench -- --compare REF`: the warm org tree on this checkout's gateway against REF's,
 * both on the same core, over one simulator, in alternating bursts (A B, then B A, ...).
 *
 * Why not compare two full runs: warm throughput against the bare Apollo baseline swings by a
 * third between runs on this shared machine (9.7k-17k baseline requests/s), far more than the 5%
 * a regression target is about. Within a pair the two gateways see the same machine seconds
 * apart, so the per-pair ratio cancels most of that; the median over pairs drops the odd one.
 * CPU time per request (read from /proc) is the steadier figure: it does not depend on how much
 * of the core the load generator and neighbours left to the gateway.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const ORG_TREE = readFileSync(join(ROOT, 'bench/queries/org-tree.graphql'), 'utf8');

export type Side = 'before' | 'after';

/** A warm target: served from the response cache, or executed (response cache off). */
export interface CompareMode {
  id: 'cached' | 'executed';
  label: string;
  extra: Record<string, string>;
}

export const MODES: CompareMode[] = [
  { id: 'cached', label: 'warm org tree (response cache on, the default)', extra: {} },
  { id: 'executed', label: 'warm org tree, executed (RESPONSE_CACHE_MAX_MB=0)', extra: { RESPONSE_CACHE_MAX_MB: '0' } },
];

export interface Burst {
  side: Side;
  requests: number;
  requestsPerSecond: number;
  cpuMsPerRequest: number | null;
}

export interface PairResult {
  mode: CompareMode['id'];
  connections: number;
  pair: number;
  before: Burst;
  after: Burst;
  /** after / before */
  rpsRatio: number;
  cpuRatio: number | null;
}

export interface CompareSummary {
  mode: CompareMode['id'];
  label: string;
  connections: number;
  rpsRatio: Spread | null;
  cpuRatio: Spread | null;
  beforeRps: Spread | null;
  afterRps: Spread | null;
}

export interface CompareResult {
  before: Pick<CommitTree, 'commit' | 'describe' | 'dependencies'>;
  pairs: PairResult[];
  summaries: CompareSummary[];
}

type Gateway = Child & { side: Side; mode: CompareMode };

async function burst(load: LoadGenerator, gateway: Gateway, connections: number, requests: number): Promise<Burst> {
  const body = JSON.stringify({ query: ORG_TREE });
  const { result, cpuMsPerRequest } = await cpuPerRequest(
    gateway.pid,
    () => load.run({ url: gateway.url, body, headers: {}, connections, amount: requests, timeoutSeconds: 600 }),
    (r) => r.sent,
  );
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${gateway.name} at ${connections} connections: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { side: gateway.side, requests: result.sent, requestsPerSecond: result.requestsPerSecond, cpuMsPerRequest };
}

export async function runCompare(
  options: { ref: string; pairs: number; warmSeconds: number; connections: number[] },
  cores: Cores,
  log: (line: string) => void,
): Promise<CompareResult> {
  const tree = unpackCommit(options.ref, log);
  const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-compare-data-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    log(`compare: before = ${tree.describe} (dependencies ${tree.dependencies})`);
    const simulator = await startSimulator('20', cores.rest);
    started.push(simulator);
    const info = await simulatorInfo(simulator.url);
    const provisionerKey = generateApiKey();
    const gateways: Gateway[] = [];
    for (const mode of MODES) {
      for (const side of ['before', 'after'] as const) {
        const cli = join(side === 'before' ? tree.dir : ROOT, 'bin/anypoint-graph.js');
        const child = await startGatewayProcess({ cli, name: `${side} ${mode.id}`, simUrl: simulator.url, info, provisionerKey, dataDir, core: cores.gateway, extra: mode.extra });
        started.push(child);
        gateways.push(Object.assign(child, { side, mode }));
      }
    }
    const load = await startLoadGenerator(cores.rest);
    started.push(load);

    // Each gateway fills its cache, then a warm-up load run tiers its code up and sizes the bursts.
    const expectedRps = new Map<string, number>();
    for (const gateway of gateways) {
      expectData(`${gateway.name} (warm-up)`, await postGql(gateway.url, { query: ORG_TREE }));
      const run = await load.run({ url: gateway.url, body: JSON.stringify({ query: ORG_TREE }), headers: {}, connections: options.connections[0]!, durationSeconds: Math.max(2, options.warmSeconds / 2), timeoutSeconds: 120 });
      await waitIdle(gateway.pid);
      expectedRps.set(gateway.name, run.requestsPerSecond);
    }
    log('compare: warmed up');

    const pairs: PairResult[] = [];
    for (let pair = 1; pair <= options.pairs; pair++) {
      for (const mode of MODES) {
        const [before, after] = (['before', 'after'] as const).map((side) => gateways.find((g) => g.mode === mode && g.side === side)!);
        for (const connections of options.connections) {
          // One size for both sides, so each does the same work; from the slower side's rate.
          const rps = Math.min(expectedRps.get(before!.name)!, expectedRps.get(after!.name)!);
          const requests = Math.max(connections * 20, Math.round(rps * options.warmSeconds));
          // Alternating order: whatever the second of two bursts gains or loses (a warmer
          // machine, a neighbour's job starting) falls on each side equally often.
          const order = pair % 2 === 1 ? [before!, after!] : [after!, before!];
          const bursts = new Map<Side, Burst>();
          for (const gateway of order) bursts.set(gateway.side, await burst(load, gateway, connections, requests));
          const b = bursts.get('before')!;
          const a = bursts.get('after')!;
          const cpuRatio = a.cpuMsPerRequest !== null && b.cpuMsPerRequest ? a.cpuMsPerRequest / b.cpuMsPerRequest : null;
          pairs.push({ mode: mode.id, connections, pair, before: b, after: a, rpsRatio: a.requestsPerSecond / b.requestsPerSecond, cpuRatio });
          log(`compare: pair ${pair}, ${mode.id} @${connections}: before ${Math.round(b.requestsPerSecond)} rps, after ${Math.round(a.requestsPerSecond)} rps (${(a.requestsPerSecond / b.requestsPerSecond).toFixed(3)}x); CPU/request ${cpuRatio?.toFixed(3) ?? 'n/a'}x`);
        }
      }
    }
    const summaries = MODES.flatMap((mode) =>
      options.connections.map((connections): CompareSummary => {
        const rows = pairs.filter((p) => p.mode === mode.id && p.connections === connections);
        return {
          mode: mode.id,
          label: mode.label,
          connections,
          rpsRatio: spread(rows.map((r) => r.rpsRatio)),
          cpuRatio: spread(rows.map((r) => r.cpuRatio)),
          beforeRps: spread(rows.map((r) => r.before.requestsPerSecond)),
          afterRps: spread(rows.map((r) => r.after.requestsPerSecond)),
        };
      }),
    );
    return { before: { commit: tree.commit, describe: tree.describe, dependencies: tree.dependencies }, pairs, summaries };
  } finally {
    for (const child of started.reverse()) await child.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    tree.remove();
  }
}
