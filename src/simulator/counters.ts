/** Upstream request counts by method, route template and outcome, for tests and benchmarks. */
export type Outcome = number | 'reset' | 'dropped';

export interface CountRow {
  method: string;
  route: string;
  status: Outcome;
  count: number;
}

export class RequestCounters {
  private readonly rows = new Map<string, CountRow>();

  record(method: string, route: string, status: Outcome): void {
    const key = `${method} ${route} ${status}`;
    const row = this.rows.get(key);
    if (row) row.count += 1;
    else this.rows.set(key, { method, route, status, count: 1 });
  }

  snapshot(): { total: number; routes: CountRow[] } {
    const routes = [...this.rows.values()].map((r) => ({ ...r }));
    routes.sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || String(a.status).localeCompare(String(b.status)));
    return { total: routes.reduce((sum, r) => sum + r.count, 0), routes };
  }

  reset(): void {
    this.rows.clear();
  }
}
