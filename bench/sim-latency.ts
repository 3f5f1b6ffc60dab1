import { median } from './stats.js';

/**
 * The simulator's real time per call, as the orchestrator sees it: sequential GETs of a route
 * that needs no token and does no work (`/accounts/api/username/{username}` of an existing user),
 * so what is left is the configured latency plus HTTP and the simulator's dispatch. Taken before
 * the counters are reset for a measurement, so these calls are never counted.
 */
export async function measureCallMs(simUrl: string, username: string, samples = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    const res = await fetch(`${simUrl}/accounts/api/username/${encodeURIComponent(username)}`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the simulator's username route answered ${res.status}`);
    times.push(performance.now() - started);
  }
  return median(times);
}
