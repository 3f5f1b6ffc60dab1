import type { PassContext } from './context.js';
import type { LoadResult } from './load.js';
import { cpuPerRequest } from './proc-stats.js';

/**
 * One measured load run against a server whose CPU time is read around it. The run is sized in
 * requests, not seconds: a run cut off by a timer abandons requests the server then finishes on
 * its own time, which would skew both the CPU per request and whatever is measured next. The
 * size aims at the configured duration, from the throughput seen last time (or at warm-up).
 */

export interface LoadRun extends LoadResult {
  cpuMsPerRequest: number | null;
  /**
   * Share of one core the server used over the run (CPU time / wall time). Near 1: the server
   * was the bottleneck; well below: something else was (the load generator, a busy machine).
   */
  serverBusy: number | null;
}

export async function measuredRun(ctx: PassContext, target: { id: string; url: string; pid: number; body: string }, connections: number): Promise<LoadRun> {
  if (!ctx.load) throw new Error('warm runs need the load generator');
  const expected = ctx.expectedRps.get(`${target.id}@${connections}`) ?? ctx.expectedRps.get(target.id) ?? 100;
  // Some requests per connection at least, so every connection is busy for most of the run.
  const amount = Math.max(connections * ctx.minRequestsPerConnection, Math.round(expected * ctx.warmSeconds));
  const { result, cpuMsPerRequest, drained } = await cpuPerRequest(
    target.pid,
    () => ctx.load!.run({ url: target.url, body: target.body, headers: {}, connections, amount, timeoutSeconds: ctx.warmSeconds * 20 + 60 }),
    (r) => r.sent,
  );
  if (!drained) ctx.log(`  warning: ${target.id} was still busy a minute after its load run`);
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${target.id} at ${connections} connections: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  ctx.expectedRps.set(`${target.id}@${connections}`, result.requestsPerSecond);
  const serverBusy = cpuMsPerRequest === null || result.durationSeconds <= 0 ? null : (cpuMsPerRequest * result.sent) / (result.durationSeconds * 1000);
  return { ...result, cpuMsPerRequest, serverBusy };
}
