import type { PassContext } from './context.js';
import { measuredRun, type LoadRun } from './warm-load.js';

/**
 * The yardstick: a bare @apollo/server answering `{ hello }` (bench/baseline-server.ts), loaded
 * exactly like the scenarios, on the same core as the gateway, in the same round.
 */
export const BASELINE_QUERY = { query: '{ hello }' };

export async function measureBaseline(ctx: PassContext, url: string, pid: number): Promise<Record<string, LoadRun>> {
  const runs: Record<string, LoadRun> = {};
  const target = { id: 'baseline', url, pid, body: JSON.stringify(BASELINE_QUERY) };
  for (const connections of ctx.connections) runs[connections] = await measuredRun(ctx, target, connections);
  return runs;
}
