/** Upstream request counts by method, route template and outcome, for tests and benchmarks. */
export type Outcome = number | 'reset' | 'dropped';

export interface CountRow {
  method: string;
  route: string;
  status: Outcome;
  count: number;
  /**
   * Milliseconds the simulator spent on these requests, from arrival to the response written
   * (injected latency included): what a benchmark's ideal can count instead of the configured
   * latency alone.
   */
  serviceMs: number;
}

export class RequestCounters {
  private readonly rows = new Map<string, CountRow>();

  record(method: string, route: string, status: Outcome, serviceMs = 0): void {
    const key = `${method} ${route} ${status}`;
    const row = this.rows.get(key);
    if (row) {
      row.count += 1;
      row.serviceMs += serviceMs;
    } else {
      this.rows.set(key, { method, route, status, count: 1, serviceMs });
    }
  }

  snapshot(): { total: number; routes: CountRow[] } {
    const routes = [...this.rows.values()].map((r) => ({ ...r, serviceMs: Math.round(r.serviceMs * 100) / 100 }));
    routes.sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || String(a.status).localeCompare(String(b.status)));
    return { total: routes.reduce((sum, r) => sum + r.count, 0), routes };
  }

  reset(): void {
    this.rows.clear();
  }
}

/** Platform requests being served right now, and the most at once since the last reset (concurrency tests). */
export class InFlight {
  current = 0;
  peak = 0;

  enter(): void {
    this.current += 1;
    if (this.current > this.peak) this.peak = this.current;
  }

  leave(): void {
    this.current -= 1;
  }

  snapshot(): { current: number; peak: number } {
    return { current: this.current, peak: this.peak };
  }

  /** The peak starts again from the requests being served now. */
  reset(): void {
    this.peak = this.current;
  }
}
