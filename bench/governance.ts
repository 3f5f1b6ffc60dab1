import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../src/server/api-keys.js';
import { postGql } from './gql.js';
import { accessReviewExportPlan, fullListingCalls, incrementalPlan, inventoryExportPlan, type GovernancePlan } from './governance-plans.js';
import { memory } from './proc-stats.js';
import { SimControl } from './sim-control.js';
import { PlatformView, type SimState } from './sim-state.js';
import { simulatorInfo, startGatewayProcess, startSimulator, type Cores } from './stack.js';

/**
 * `npm run bench -- --governance`: the issue-13 and -14 figures on the large preset at 20 ms.
 * The full access review export (every business group) and the full API inventory export, each
 * from a cold cache: calls against the minimum, wall time against the ideal, time to the first
 * byte, and the gateway's RSS growth while it streams (sampled every 20 ms from /proc). Then the
 * incremental import: 2% of the users changed by hand, `users(changedSince)` against the calls
 * of a full listing of every business group's users, and exactly the changed users answered.
 */

const LATENCY = { minMs: 20, maxMs: 20 };
const CHANGED_SHARE = 0.02;

export interface ExportRun {
  id: 'access-review-export' | 'api-inventory-export';
  path: string;
  plan: GovernancePlan;
  calls: number;
  failed: number;
  /** The simulator's own time on those calls, summed (latency included): the measured ideal scales by it. */
  serviceMs: number;
  wallMs: number;
  firstByteMs: number;
  bytes: number;
  lines: number;
  rssBeforeMb: number | null;
  rssPeakMb: number | null;
}

export interface IncrementalRun {
  changed: number;
  plan: GovernancePlan;
  calls: number;
  fullListingCalls: number;
  fullListingMinimum: number;
  answered: number;
  exact: boolean;
}

export interface GovernanceResult {
  exports: ExportRun[];
  incremental: IncrementalRun;
}

/** Streams one export, timing the first byte and sampling the gateway's RSS meanwhile. */
async function streamExport(url: string, key: string, pid: number): Promise<Omit<ExportRun, 'id' | 'path' | 'plan' | 'calls' | 'failed' | 'serviceMs'>> {
  const rssBeforeMb = memory(pid)?.rssMb ?? null;
  let rssPeakMb = rssBeforeMb;
  const sampler = setInterval(() => {
    const now = memory(pid)?.rssMb;
    if (now !== undefined && (rssPeakMb === null || now > rssPeakMb)) rssPeakMb = now;
  }, 20);
  const started = performance.now();
  try {
    const res = await fetch(url, { headers: { 'x-api-key': key }, signal: AbortSignal.timeout(600_000) });
    if (res.status !== 200 || !res.body) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    let firstByteMs = -1;
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (firstByteMs < 0) firstByteMs = performance.now() - started;
      bytes += chunk.byteLength;
      for (const byte of chunk) if (byte === 10) lines += 1;
    }
    return { wallMs: performance.now() - started, firstByteMs, bytes, lines, rssBeforeMb, rssPeakMb };
  } finally {
    clearInterval(sampler);
  }
}

export async function runGovernance(cores: Cores, log: (line: string) => void): Promise<GovernanceResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-governance-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const simulator = await startSimulator('20', cores.rest);
    started.push(simulator);
    const sim = new SimControl(simulator.url);
    const info = await simulatorInfo(simulator.url);
    const keys = { provisioner: generateApiKey(), auditor: generateApiKey(), reader: generateApiKey() };
    // A fresh gateway for each measurement: a cold cache, and an RSS that is that measurement's own.
    let serial = 0;
    const freshGateway = async () => {
      const child = await startGatewayProcess({
        cli: new URL('../bin/anypoint-graph.js', import.meta.url).pathname,
        name: `gateway-${(serial += 1)}`,
        simUrl: simulator.url,
        info,
        provisionerKey: keys.provisioner,
        dataDir,
        core: cores.gateway,
        extra: { API_KEYS: Object.entries(keys).map(([role, key]) => `bench-${role}:${role}:${hashApiKey(key)}`).join(';') },
      });
      started.push(child);
      return child;
    };
    const view = new PlatformView(await sim.state<SimState>());

    const exports: ExportRun[] = [];
    for (const [id, path, plan, key] of [
      ['access-review-export', '/exports/access-review.csv?includeDescendants=true', accessReviewExportPlan(view, LATENCY), keys.auditor],
      ['api-inventory-export', '/exports/api-inventory.csv', inventoryExportPlan(view, LATENCY), keys.reader],
    ] as const) {
      const gateway = await freshGateway();
      await sim.reset();
      const run = await streamExport(`${new URL(gateway.url).origin}${path}`, key, gateway.pid);
      const counts = await sim.counts();
      exports.push({ id, path, plan, calls: counts.total, failed: counts.failed, serviceMs: counts.serviceMs, ...run });
      await gateway.stop();
      log(`governance: ${id}: ${counts.total} calls (minimum ${plan.minimum}), ${Math.round(run.wallMs)} ms (ideal ${Math.round(plan.idealMs)}), first byte ${Math.round(run.firstByteMs)} ms, RSS ${run.rssBeforeMb?.toFixed(0)} -> ${run.rssPeakMb?.toFixed(0)} MB, ${run.lines} lines`);
    }

    // Incremental import: a token now, then 2% of the users changed by hand (PUT, as the demo app).
    const gateway = await freshGateway();
    const reader = { 'x-api-key': keys.reader };
    const tokenAnswer = await postGql(gateway.url, { query: `query($t: String) { users(changedSince: $t, first: 1) { deltaToken } }`, variables: { t: new Date().toISOString() } }, reader);
    const token = (tokenAnswer.body as any)?.data?.users?.deltaToken as string;
    if (!token) throw new Error(`no delta token: ${JSON.stringify(tokenAnswer.body).slice(0, 300)}`);
    const users = view.state.users.filter((u) => !u.deleted);
    const step = Math.max(1, Math.round(1 / CHANGED_SHARE));
    const changed = users.filter((_, i) => i % step === 0);
    const app = await (await fetch(`${simulator.url}/accounts/api/v2/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: info.demoApp.clientId, client_secret: info.demoApp.clientSecret }) })).json() as { access_token: string };
    for (const user of changed) {
      const res = await fetch(`${simulator.url}/accounts/api/organizations/${user.organizationId}/users/${user.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${app.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: `Changed${user.username.length}` }),
      });
      if (res.status >= 300) throw new Error(`changing ${user.username} answered ${res.status}`);
    }
    await sim.reset();
    const answer = await postGql(gateway.url, { query: `query($t: String) { users(changedSince: $t, first: 500) { totalCount nodes { id } removedUserIds } }`, variables: { t: token } }, { ...reader, 'cache-control': 'no-cache' });
    const incrementalCalls = (await sim.counts()).total;
    const nodes = ((answer.body as any)?.data?.users?.nodes ?? []) as Array<{ id: string }>;
    const exact = nodes.length === changed.length && new Set(nodes.map((n) => n.id)).size === changed.length && changed.every((u) => nodes.some((n) => n.id === u.id));
    await sim.reset();
    const listed = await postGql(gateway.url, { query: '{ organizations { users(first: 1) { totalCount } } }' }, { ...reader, 'cache-control': 'no-cache' });
    if ((listed.body as any)?.errors) throw new Error(`full listing: ${JSON.stringify((listed.body as any).errors).slice(0, 300)}`);
    const listingCalls = (await sim.counts()).total;
    const incremental: IncrementalRun = {
      changed: changed.length,
      plan: incrementalPlan(changed.length),
      calls: incrementalCalls,
      fullListingCalls: listingCalls,
      fullListingMinimum: fullListingCalls(view),
      answered: nodes.length,
      exact,
    };
    log(`governance: incremental import of ${changed.length} changed users: ${incrementalCalls} calls (minimum ${incremental.plan.minimum}) vs ${listingCalls} for a full listing; answered ${nodes.length}, exact ${exact}`);
    return { exports, incremental };
  } finally {
    for (const child of started.reverse()) await child.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
