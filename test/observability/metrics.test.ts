import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startGatewayFor, startStack, type GatewayHarness, type Stack } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { spawnGateway } from '../provisioning/fixtures/gateway-process.js';
import { delta, scrape, startRecordingProxy, type RecordingProxy } from './support.js';

/**
 * GET /metrics against a gateway over the simulator: each test scrapes, does something, scrapes
 * again, and checks that the series moved by exactly what happened.
 */

const PROVISIONER_KEY = `agk_${'m'.repeat(43)}`;
const AS_PROVISIONER = { 'x-api-key': PROVISIONER_KEY };
const ENV = { API_KEYS: `metrics-test:provisioner:${hashApiKey(PROVISIONER_KEY)}` };
const HIERARCHY = '/accounts/api/organizations/{orgId}/hierarchy';
const TOKEN_ROUTE = '/accounts/api/v2/oauth2/token';

let stack: Stack | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Simulator counts of platform calls (not token requests) by method, route template and status. */
async function simulatorCalls(sim: SimHarness): Promise<Array<{ method: string; route: string; status: string; count: number }>> {
  const { routes } = await sim.counts();
  return routes.filter((r) => r.route !== TOKEN_ROUTE).map((r) => ({ method: r.method, route: r.route, status: String(r.status), count: r.count }));
}

describe('GET /metrics', () => {
  it('answers without credentials in the Prometheus text format, naming every anypoint_graph_ family', async () => {
    stack = await startStack({}, { ...ENV, ANONYMOUS_READS: 'false' });
    const res = await fetch(`${stack.gw.gateway.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(families.sort()).toEqual(
      [
        'anypoint_graph_audit_write_failures_total counter',
        'anypoint_graph_cache_lookups_total counter',
        'anypoint_graph_dataloader_batch_size histogram',
        'anypoint_graph_operation_duration_seconds histogram',
        'anypoint_graph_operation_upstream_calls histogram',
        'anypoint_graph_operations_total counter',
        'anypoint_graph_upstream_call_duration_seconds histogram',
        'anypoint_graph_upstream_calls_total counter',
        'anypoint_graph_upstream_concurrency_limit gauge',
        'anypoint_graph_upstream_in_flight gauge',
        'anypoint_graph_upstream_rate_limit_wait_seconds histogram',
        'anypoint_graph_upstream_retries_total counter',
      ].sort(),
    );
  });

  it('counts a query once by name and outcome, and its upstream calls exactly as the simulator received them', async () => {
    stack = await startStack({}, ENV);
    await stack.resetCounts();
    const before = await scrape(stack.gw.gateway.url);
    const res = await stack.gw.gql('query OrgTree { organizations { name environments { name apiCount } } users(first: 5) { nodes { username } } }');
    expect(res.errors).toBeUndefined();
    const after = await scrape(stack.gw.gateway.url);

    expect(delta(before, after, 'anypoint_graph_operations_total', { operation: 'OrgTree', type: 'query', outcome: 'success' })).toBe(1);
    expect(delta(before, after, 'anypoint_graph_operation_duration_seconds_count', { operation: 'OrgTree', type: 'query' })).toBe(1);
    const seen = await simulatorCalls(stack.sim);
    expect(seen.length).toBeGreaterThan(2);
    for (const { method, route, status, count } of seen) {
      expect(delta(before, after, 'anypoint_graph_upstream_calls_total', { method, route, status }), `${method} ${route} ${status}`).toBe(count);
    }
    // Nothing counted that the simulator did not see.
    const counted = [...after.keys()].filter((k) => k.startsWith('anypoint_graph_upstream_calls_total{')).reduce((n, k) => n + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0);
    expect(counted).toBe(seen.reduce((n, r) => n + r.count, 0));
    const timed = [...after.keys()].filter((k) => k.startsWith('anypoint_graph_upstream_call_duration_seconds_count{')).reduce((n, k) => n + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0);
    expect(timed).toBe(counted);
    // The operation's own calls, counted against it (the simulator saw no others).
    expect(delta(before, after, 'anypoint_graph_operation_upstream_calls_sum', { type: 'query' })).toBe(counted);
    expect(delta(before, after, 'anypoint_graph_operation_upstream_calls_count', { type: 'query' })).toBe(1);
  });

  it('counts cache misses while the cache is cold, then only hits and no upstream calls when the query repeats', async () => {
    // Without the response cache, which would answer the repeat before any data lookup.
    stack = await startStack({}, { ...ENV, RESPONSE_CACHE_MAX_MB: '0' });
    const query = 'query Teams { teams(first: 20) { nodes { name members(first: 5) { nodes { user { username } } } } } }';
    const s0 = await scrape(stack.gw.gateway.url);
    expect((await stack.gw.gql(query)).errors).toBeUndefined();
    const s1 = await scrape(stack.gw.gateway.url);
    await stack.resetCounts();
    expect((await stack.gw.gql(query)).errors).toBeUndefined();
    const s2 = await scrape(stack.gw.gateway.url);

    const coldMisses = delta(s0, s1, 'anypoint_graph_cache_lookups_total', { result: 'miss' });
    const coldLookups = coldMisses + delta(s0, s1, 'anypoint_graph_cache_lookups_total', { result: 'hit' });
    expect(coldMisses).toBeGreaterThan(0);
    expect(delta(s1, s2, 'anypoint_graph_cache_lookups_total', { result: 'miss' })).toBe(0);
    expect(delta(s1, s2, 'anypoint_graph_cache_lookups_total', { result: 'hit' })).toBeGreaterThan(0);
    expect(delta(s1, s2, 'anypoint_graph_cache_lookups_total', { result: 'hit' })).toBeLessThanOrEqual(coldLookups);
    expect((await stack.upstream()).total).toBe(0);
  });

  it('counts a mutation by name and its writes by route and status', async () => {
    stack = await startStack({}, ENV);
    await stack.resetCounts();
    const before = await scrape(stack.gw.gateway.url);
    const res = await stack.gw.gql(
      'mutation AddUser($input: CreateUserInput!) { createUser(input: $input) { userErrors { code } user { id } } }',
      { input: { username: 'Metrics_user', firstName: 'Metric', lastName: 'User', email: 'metrics_user@example.com' } },
      AS_PROVISIONER,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.createUser.userErrors).toEqual([]);
    const after = await scrape(stack.gw.gateway.url);

    expect(delta(before, after, 'anypoint_graph_operations_total', { operation: 'AddUser', type: 'mutation', outcome: 'success' })).toBe(1);
    const writes = (await simulatorCalls(stack.sim)).filter((r) => r.method === 'POST');
    expect(writes.length).toBeGreaterThan(0);
    for (const { method, route, status, count } of writes) {
      expect(delta(before, after, 'anypoint_graph_upstream_calls_total', { method, route, status })).toBe(count);
    }
  });

  it('counts a document that fails validation as an error under the name it gives itself', async () => {
    stack = await startStack({}, ENV);
    const before = await scrape(stack.gw.gateway.url);
    const res = await stack.gw.gql('query Broken { noSuchField }');
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await scrape(stack.gw.gateway.url);
    expect(delta(before, after, 'anypoint_graph_operations_total', { operation: 'Broken', type: 'query', outcome: 'error' })).toBe(1);
  });

  it('counts a retry by reason, and the refused attempt as an upstream call with its status', async () => {
    stack = await startStack({}, ENV);
    const fault = await fetch(`${stack.sim.url}/__sim/faults`, {
      method: 'PUT',
      body: JSON.stringify({ rules: [{ kind: '503', probability: 1, times: 1, method: 'GET', path: '/accounts/api/organizations/*/hierarchy' }] }),
    });
    expect(fault.status).toBe(200);
    const before = await scrape(stack.gw.gateway.url);
    expect((await stack.gw.gql('query Orgs { organizations { name } }')).errors).toBeUndefined();
    const after = await scrape(stack.gw.gateway.url);

    expect(delta(before, after, 'anypoint_graph_upstream_retries_total', { method: 'GET', route: HIERARCHY, reason: '503' })).toBe(1);
    expect(delta(before, after, 'anypoint_graph_upstream_calls_total', { method: 'GET', route: HIERARCHY, status: '503' })).toBe(1);
    expect(delta(before, after, 'anypoint_graph_upstream_calls_total', { method: 'GET', route: HIERARCHY, status: '200' })).toBe(1);
  });

  it('observes the wait when the platform says its rate-limit window is spent', async () => {
    const sim = await startSimHarness();
    const proxy: RecordingProxy = await startRecordingProxy(sim.url);
    const gw: GatewayHarness = await startGatewayFor({ ...sim, url: proxy.url }, ENV);
    cleanups.push(() => sim.close(), () => proxy.close(), () => gw.close());

    // The next Access Management answer says: nothing left in this window, which resets in 1-2 s.
    const resetAt = Math.floor(Date.now() / 1000) + 2;
    proxy.rewriteNext((_, path) => path.includes('/hierarchy'), { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) });
    const before = await scrape(gw.gateway.url);
    expect((await gw.gql('query First { organizations { name } }')).errors).toBeUndefined();
    const started = Date.now();
    expect((await gw.gql('query Second { users(first: 1) { nodes { username } } }', undefined, { 'cache-control': 'no-cache' })).errors).toBeUndefined();
    const waited = Date.now() - started;
    const after = await scrape(gw.gateway.url);

    expect(waited).toBeGreaterThanOrEqual(900);
    const waits = [...after.keys()].filter((k) => k.startsWith('anypoint_graph_upstream_rate_limit_wait_seconds_count{'));
    expect(waits.reduce((n, k) => n + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0)).toBe(1);
    const seconds = [...after.keys()].filter((k) => k.startsWith('anypoint_graph_upstream_rate_limit_wait_seconds_sum{'));
    const total = seconds.reduce((n, k) => n + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0);
    expect(total).toBeGreaterThan(0.5);
    expect(total).toBeLessThanOrEqual(2);
  });

  it('records the size of each DataLoader batch by loader', async () => {
    stack = await startStack({}, ENV);
    const users = (await stack.gw.gql('{ users(first: 3) { nodes { id } } }')).data!.users.nodes as Array<{ id: string }>;
    expect(users).toHaveLength(3);
    const before = await scrape(stack.gw.gateway.url);
    const res = await stack.gw.gql(`query Three { ${users.map((u, i) => `u${i}: user(id: "${u.id}") { username }`).join(' ')} }`, undefined, { 'cache-control': 'no-cache' });
    expect(res.errors).toBeUndefined();
    const after = await scrape(stack.gw.gateway.url);
    expect(delta(before, after, 'anypoint_graph_dataloader_batch_size_count', { loader: 'users.userById' })).toBe(1);
    expect(delta(before, after, 'anypoint_graph_dataloader_batch_size_sum', { loader: 'users.userById' })).toBe(3);
  });

  it('counts an audit trail write that fails', async () => {
    // As in test/provisioning/audit-backends: the gateway process may not grow any file past
    // 1024 blocks, and its audit file is already longer, so every append fails with EFBIG.
    const sim = await startSimHarness();
    cleanups.push(() => sim.close());
    const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-metrics-'));
    const line = `${JSON.stringify({ padding: 'x'.repeat(1000) })}\n`;
    writeFileSync(join(dir, 'audit.jsonl'), line.repeat(Math.ceil((2 * 1024 * 1024) / line.length)));
    const gateway = await spawnGateway(
      {
        ...ENV,
        ANYPOINT_BASE_URL: sim.url,
        ANYPOINT_CLIENT_ID: sim.sim.demoApp.clientId,
        ANYPOINT_CLIENT_SECRET: sim.sim.demoApp.clientSecret,
        ANYPOINT_ORG_ID: sim.sim.demoApp.orgId,
        AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
        GROUP_LINKS_PATH: join(dir, 'group-links.json'),
      },
      { fileSizeLimitBlocks: 1024 },
    );
    cleanups.push(() => gateway.kill());
    const origin = new URL(gateway.graphqlUrl).origin;
    const before = await scrape(origin);
    const res = await gateway.gql(
      'mutation AddUser($input: CreateUserInput!) { createUser(input: $input) { userErrors { code } } }',
      { input: { username: 'Metrics_nofile', firstName: 'No', lastName: 'File', email: 'metrics_nofile@example.com' } },
      AS_PROVISIONER,
    );
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    const after = await scrape(origin);
    expect(delta(before, after, 'anypoint_graph_audit_write_failures_total')).toBe(1);
    expect(delta(before, after, 'anypoint_graph_operations_total', { operation: 'AddUser', type: 'mutation', outcome: 'error' })).toBe(1);
    expect(await gateway.stop()).toBe(0);
  });

  it('keeps the series of two gateways in one process apart', async () => {
    stack = await startStack({}, ENV);
    const other = await startGatewayFor(stack.sim, ENV);
    cleanups.push(() => other.close());
    const before = await scrape(other.gateway.url);
    expect((await stack.gw.gql('query OnlyTheFirst { viewer { organization { name } } }')).errors).toBeUndefined();
    const mine = await scrape(stack.gw.gateway.url);
    const after = await scrape(other.gateway.url);
    expect(mine.get('anypoint_graph_operations_total{operation="OnlyTheFirst",outcome="success",type="query"}')).toBe(1);
    expect(delta(before, after, 'anypoint_graph_operations_total', { operation: 'OnlyTheFirst', type: 'query', outcome: 'success' })).toBe(0);
  });
});
