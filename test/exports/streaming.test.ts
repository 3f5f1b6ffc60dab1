import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFor, startStack, type GatewayHarness, type Stack } from '../helpers/gateway.js';
import { API_KEYS, KEYS } from '../provisioning/support.js';

/**
 * Streaming behaviour over a simulator that answers every call after 25 ms: the first bytes go
 * out before the first business group is read, a caller that hangs up stops the export's
 * upstream calls, and the caller budget stops an export that spends it.
 */
let stack: Stack;
const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-exports-'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  stack = await startStack({ latency: { minMs: 25, maxMs: 25 } }, { API_KEYS, AUDIT_LOG_PATH: join(dir, 'audit.jsonl') });
});

afterAll(() => stack?.close());

/** A gateway of its own over the same simulator: a cold cache, so an export reads upstream. */
async function freshGateway(env: Record<string, string> = {}): Promise<GatewayHarness & { auditPath: string }> {
  const auditPath = join(mkdtempSync(join(tmpdir(), 'anypoint-graph-exports-')), 'audit.jsonl');
  const gw = await startGatewayFor(stack.sim, { API_KEYS, AUDIT_LOG_PATH: auditPath, ...env });
  return Object.assign(gw, { auditPath });
}

describe('streamed exports', () => {
  it('sends the header row before the business groups are read, within a second', async () => {
    const gw = await freshGateway();
    try {
      const started = performance.now();
      const res = await fetch(`${gw.gateway.url}/exports/api-inventory.csv`, { headers: { 'x-api-key': KEYS.reader } });
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      const firstBytes = performance.now() - started;
      expect(res.status).toBe(200);
      expect(Buffer.from(value!).toString('utf8')).toMatch(/^id,organizationId,/);
      expect(firstBytes).toBeLessThan(1_000);
      let rest = '';
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString('utf8');
      // The whole export takes longer than the first bytes did: they did not wait for it.
      expect(performance.now() - started).toBeGreaterThan(firstBytes);
      expect(rest.split('\r\n').length).toBeGreaterThan(10);
    } finally {
      await gw.close();
    }
  });

  it('stops its upstream calls when the caller hangs up mid-export, and audits it as cancelled', async () => {
    // What a whole export costs from a cold cache.
    const full = await freshGateway();
    await stack.resetCounts();
    const whole = await fetch(`${full.gateway.url}/exports/api-inventory.csv`, { headers: { 'x-api-key': KEYS.reader } });
    await whole.text();
    const wholeCalls = (await stack.upstream()).total;
    await full.close();
    expect(wholeCalls).toBeGreaterThan(40);

    const gw = await freshGateway();
    try {
      await stack.resetCounts();
      const controller = new AbortController();
      const res = await fetch(`${gw.gateway.url}/exports/api-inventory.csv`, { headers: { 'x-api-key': KEYS.reader }, signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      // Some way in: the first business group's calls have started.
      await sleep(120);
      controller.abort();
      await sleep(150);
      const atHangUp = (await stack.upstream()).total;
      await sleep(800);
      const later = (await stack.upstream()).total;
      expect(later).toBe(atHangUp);
      expect(atHangUp).toBeLessThan(wholeCalls / 2);
      // The audit record says who, what, and that it did not finish.
      await sleep(50);
      const records = readFileSync(gw.auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.kind === 'export');
      expect(records.at(-1)).toMatchObject({ actor: 'key:portal', action: 'exportApiInventory', status: 'FAILED', error: { code: 'REQUEST_CANCELLED' } });
    } finally {
      await gw.close();
    }
  });

  it('charges the caller budget as it goes: an export that spends it is cut, the next is refused with 429', async () => {
    const gw = await freshGateway({ CALLER_UPSTREAM_CALLS_PER_MINUTE: '30', GRAPHQL_MAX_UPSTREAM_CALLS: '30' });
    try {
      const res = await fetch(`${gw.gateway.url}/exports/api-inventory.jsonl`, { headers: { 'x-api-key': KEYS.reader } });
      expect(res.status).toBe(200);
      // Cut part way: the body does not end as a whole file would.
      await expect(res.text()).rejects.toThrow();
      const next = await fetch(`${gw.gateway.url}/exports/api-inventory.jsonl`, { headers: { 'x-api-key': KEYS.reader } });
      expect(next.status).toBe(429);
      expect(next.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await next.json()) as { error: { code: string } }).error.code).toBe('CALLER_BUDGET_EXCEEDED');
    } finally {
      await gw.close();
    }
  });
});
