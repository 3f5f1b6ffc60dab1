import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { refused } from '../helpers/ports.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { spawnGateway, type GatewayProcess } from '../provisioning/fixtures/gateway-process.js';

/**
 * `anypoint-graph serve` as operators run it, stopped with SIGTERM: what is in flight finishes
 * (or, past SHUTDOWN_TIMEOUT_MS, is cut off), nothing new gets in, the stores are closed, exit 0.
 * The simulator is slowed down so that a query is still running when the signal arrives.
 */

let sim: SimHarness | undefined;
let gateway: GatewayProcess | undefined;
afterEach(async () => {
  await gateway?.kill();
  await sim?.close();
  gateway = sim = undefined;
});

async function startSlow(latencyMs: number, env: Record<string, string> = {}): Promise<{ sim: SimHarness; gateway: GatewayProcess; origin: string }> {
  sim = await startSimHarness({ latency: { minMs: latencyMs, maxMs: latencyMs } });
  const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-shutdown-'));
  gateway = await spawnGateway({
    ANYPOINT_BASE_URL: sim.url,
    ANYPOINT_CLIENT_ID: sim.sim.demoApp.clientId,
    ANYPOINT_CLIENT_SECRET: sim.sim.demoApp.clientSecret,
    ANYPOINT_ORG_ID: sim.sim.demoApp.orgId,
    ANONYMOUS_READS: 'true',
    AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
    GROUP_LINKS_PATH: join(dir, 'group-links.json'),
    ...env,
  });
  return { sim, gateway, origin: new URL(gateway.graphqlUrl).origin };
}

const logLines = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; msg: string; [field: string]: unknown });

/** Resolves once the process has logged `message`. */
async function logged(process: GatewayProcess, message: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (logLines(process.stdout()).some((l) => l.msg === message)) return;
    await sleep(10);
  }
  throw new Error(`never logged "${message}":\n${process.stdout()}`);
}


const SLOW_QUERY = JSON.stringify({ query: 'query Slow { organizations { name } }' });

describe('serve on SIGTERM', () => {
  it('finishes the query in flight, refuses new connections meanwhile, closes its stores and exits 0', async () => {
    const { sim, gateway, origin } = await startSlow(500);
    const started = fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SLOW_QUERY });
    // The query needs a token and the hierarchy, 500 ms each: it is well under way at 250 ms.
    await sleep(250);
    const exited = once(gateway.child, 'exit');
    gateway.child.kill('SIGTERM');
    await logged(gateway, 'shutting down: no longer accepting connections');
    expect(await refused(origin)).toBe(true);

    const res = await started;
    expect(res.status).toBe(200);
    // The connection does not stay open for another request.
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({ data: { organizations: expect.arrayContaining([{ name: 'Acme' }]) } });

    const [code] = await exited;
    expect(code).toBe(0);
    const lines = logLines(gateway.stdout());
    const messages = lines.map((l) => l.msg);
    expect(lines.find((l) => l.msg === 'shutting down: no longer accepting connections')).toEqual(expect.objectContaining({ inflightRequests: 1 }));
    const order = ['in-flight requests finished', 'closed the audit trail and group links', 'closed the upstream connection pool', 'closed the cache', 'shutdown complete'];
    for (const step of order) expect(messages, step).toContain(step);
    expect(order.map((step) => messages.indexOf(step))).toEqual([...order.map((step) => messages.indexOf(step))].sort((a, b) => a - b));
    // The query finished before the stores closed.
    expect(messages.indexOf('graphql operation')).toBeLessThan(messages.indexOf('closed the audit trail and group links'));
    expect(gateway.stderr()).toBe('');
    expect(gateway.stdout() + gateway.stderr()).not.toContain(sim.sim.demoApp.clientSecret);
  });

  it('closes the connections of requests still running after SHUTDOWN_TIMEOUT_MS, and still exits 0', async () => {
    const { gateway } = await startSlow(3_000, { SHUTDOWN_TIMEOUT_MS: '300' });
    const started = fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SLOW_QUERY }).then(
      (res) => res.status,
      (error: Error) => error,
    );
    await sleep(200);
    const signalled = Date.now();
    const exited = once(gateway.child, 'exit');
    gateway.child.kill('SIGTERM');

    expect(await started).toBeInstanceOf(Error);
    const [code] = await exited;
    expect(code).toBe(0);
    // Cut off at the timeout, not held until the 3 s upstream answers would have come.
    expect(Date.now() - signalled).toBeLessThan(2_500);
    const warnings = logLines(gateway.stderr());
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', msg: 'shutdown timeout: closing connections with requests still running', inflightRequests: 1, timeoutMs: 300 })]);
    expect(logLines(gateway.stdout()).map((l) => l.msg)).toContain('shutdown complete');
  });

  it('does not wait for an idle kept-alive connection', async () => {
    const { gateway, origin } = await startSlow(0);
    const agent = new Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        get(`${origin}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
      expect(status).toBe(200);
      // The socket stays open in the agent's pool (the server's keep-alive timeout is 5 s).
      const signalled = Date.now();
      const exited = once(gateway.child, 'exit');
      gateway.child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(2_000);
      expect(gateway.stderr()).toBe('');
      expect(logLines(gateway.stdout()).map((l) => l.msg)).toContain('in-flight requests finished');
    } finally {
      agent.destroy();
    }
  });
});
