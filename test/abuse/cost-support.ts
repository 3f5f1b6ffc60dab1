import { expect } from 'vitest';
import { CALLS_HEADER, ESTIMATE_HEADER } from '../../src/server/cost/demand-control-plugin.js';
import type { Stack } from '../helpers/gateway.js';

/** Demand control's estimate against what a query then costs, on a real gateway (shared by the cost tests). */

export type Case = { name: string; query: string; variables?: Record<string, unknown> };

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Runs the query cold (Cache-Control: no-cache) and reads demand control's two headers. */
export async function coldRun(stack: Stack, c: Case, headers: Record<string, string> = {}) {
  const res = await post(stack.gw.gateway.graphqlUrl, { query: c.query, variables: c.variables }, { 'cache-control': 'no-cache', ...headers });
  const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  return { status: res.status, body, estimate: Number(res.headers.get(ESTIMATE_HEADER)), actual: Number(res.headers.get(CALLS_HEADER)) };
}

/** Every example, twice cold: the first run teaches the gateway the sizes the query touches. */
export async function expectBracketed(stack: Stack, cases: Case[], headers: Record<string, string> = {}) {
  const seen: string[] = [];
  for (const c of cases) {
    await coldRun(stack, c, headers);
    const run = await coldRun(stack, c, headers);
    expect(run.body.errors, `${c.name}: ${JSON.stringify(run.body.errors)}`).toBeUndefined();
    expect(run.actual, `${c.name} made upstream calls`).toBeGreaterThan(0);
    expect(run.estimate, `${c.name}: estimate ${run.estimate} >= actual ${run.actual}`).toBeGreaterThanOrEqual(run.actual);
    expect(run.estimate, `${c.name}: estimate ${run.estimate} <= 3 x actual ${run.actual}`).toBeLessThanOrEqual(3 * run.actual);
    seen.push(c.name);
  }
  return seen;
}

