/**
 * The simulator's control plane (/__sim): request counters and the seeded state. Counters are
 * how the benchmark sees upstream calls: from the platform's side, so nothing the gateway
 * reports about itself is trusted.
 */

/** The OAuth token route: fetched once per gateway process, not per query, so never counted. */
const TOKEN_ROUTE = '/accounts/api/v2/oauth2/token';

export interface UpstreamCounts {
  /** Calls other than the token route. */
  total: number;
  /** Calls that change something (any method but GET). */
  writes: number;
  /** Responses that were not 2xx (rate limits, faults, errors): should stay 0. */
  failed: number;
  byRoute: Record<string, number>;
  /** The simulator's own time on those calls (arrival to response written, latency included), summed. */
  serviceMs: number;
  /** The same by route. */
  serviceMsByRoute: Record<string, number>;
}

interface CountRow {
  method: string;
  route: string;
  status: number | string;
  count: number;
  serviceMs?: number;
}

export class SimControl {
  constructor(readonly url: string) {}

  async reset(): Promise<void> {
    const res = await fetch(`${this.url}/__sim/counts`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
    if (res.status !== 204) throw new Error(`resetting the simulator's counters answered ${res.status}`);
  }

  async counts(): Promise<UpstreamCounts> {
    const res = await fetch(`${this.url}/__sim/counts`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`reading the simulator's counters answered ${res.status}`);
    const { routes } = (await res.json()) as { routes: CountRow[] };
    const counts: UpstreamCounts = { total: 0, writes: 0, failed: 0, byRoute: {}, serviceMs: 0, serviceMsByRoute: {} };
    for (const row of routes) {
      if (row.route === TOKEN_ROUTE) continue;
      const key = `${row.method} ${row.route}`;
      counts.byRoute[key] = (counts.byRoute[key] ?? 0) + row.count;
      counts.total += row.count;
      counts.serviceMs += row.serviceMs ?? 0;
      counts.serviceMsByRoute[key] = (counts.serviceMsByRoute[key] ?? 0) + (row.serviceMs ?? 0);
      if (row.method !== 'GET') counts.writes += row.count;
      if (typeof row.status !== 'number' || row.status >= 300) counts.failed += row.count;
    }
    return counts;
  }

  /** The whole seeded platform (tens of MB on the large preset: fetched once per pass). */
  async state<T>(): Promise<T> {
    const res = await fetch(`${this.url}/__sim/state`, { signal: AbortSignal.timeout(60_000) });
    if (res.status !== 200) throw new Error(`reading the simulator's state answered ${res.status}`);
    return (await res.json()) as T;
  }
}
