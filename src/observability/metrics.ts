import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, in a registry of its own: prom-client's global default
 * registry would make two gateways in one process (tests, a supervisor) share and clash over
 * the same series. Everything is named anypoint_graph_*; durations are in seconds, as
 * Prometheus conventions have them.
 */
export type GatewayMetrics = ReturnType<typeof createMetrics>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const WAIT_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** More distinct operation names than this (callers choose them) are counted as "(other)". */
const MAX_OPERATION_NAMES = 200;

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];

  const operations = new Counter({
    name: 'anypoint_graph_operations_total',
    help: 'GraphQL operations by name, type and outcome (success; partial: some top-level field answered despite errors; error)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: 'anypoint_graph_operation_duration_seconds',
    help: 'GraphQL operation latency, from the parsed request to the response',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const operationCalls = new Histogram({
    name: 'anypoint_graph_operation_upstream_calls',
    help: 'Upstream calls one GraphQL operation made (demand control\'s estimate of them is in the operation\'s log line)',
    labelNames: ['type'] as const,
    buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    registers,
  });
  const upstreamCalls = new Counter({
    name: 'anypoint_graph_upstream_calls_total',
    help: 'Anypoint calls by method, route template and status ("none": no response)',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'anypoint_graph_upstream_call_duration_seconds',
    help: 'Anypoint call latency by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'anypoint_graph_upstream_retries_total',
    help: 'Anypoint calls retried, by route template and reason (a status or an error code)',
    labelNames: ['method', 'route', 'reason'] as const,
    registers,
  });
  const rateLimitWaits = new Histogram({
    name: 'anypoint_graph_upstream_rate_limit_wait_seconds',
    help: 'Waits for a spent Anypoint rate-limit window to reset before sending (count: waits)',
    labelNames: ['route'] as const,
    buckets: WAIT_BUCKETS,
    registers,
  });
  const concurrencyLimit = new Gauge({
    name: 'anypoint_graph_upstream_concurrency_limit',
    help: 'Anypoint calls allowed in flight at once, by product (adapted to X-RateLimit-* and 429/503; at most ANYPOINT_MAX_CONNECTIONS)',
    labelNames: ['product'] as const,
    registers,
  });
  const inFlight = new Gauge({
    name: 'anypoint_graph_upstream_in_flight',
    help: 'Anypoint calls in flight, by product',
    labelNames: ['product'] as const,
    registers,
  });
  const cacheLookups = new Counter({
    name: 'anypoint_graph_cache_lookups_total',
    help: 'Shared cache lookups of Anypoint data by result (hit, miss; a failed backend counts as a miss)',
    labelNames: ['result'] as const,
    registers,
  });
  const batchSizes = new Histogram({
    name: 'anypoint_graph_dataloader_batch_size',
    help: 'Keys per DataLoader batch, by loader',
    labelNames: ['loader'] as const,
    buckets: BATCH_BUCKETS,
    registers,
  });
  const auditFailures = new Counter({
    name: 'anypoint_graph_audit_write_failures_total',
    help: 'Audit trail writes that failed (an intent failing stops its mutation with AUDIT_UNAVAILABLE)',
    registers,
  });
  // Present from the start, so a rate() over them has a zero to start from.
  cacheLookups.inc({ result: 'hit' }, 0);
  cacheLookups.inc({ result: 'miss' }, 0);
  auditFailures.inc(0);

  // The calls histogram's few series, resolved once per type. This saves building the label
  // object, not the label check and hash: in prom-client 15 a child from labels() only binds its
  // labels, and its observe validates and hashes them on every call like a labelled observe (a
  // microbenchmark: 0.52 us a child's observe, 0.47 us a labelled one). So upstreamCall, which
  // runs for every upstream call, observes with its labels directly; caching children there
  // would not remove the per-call hash.
  const callSeries = new Map<string, ReturnType<typeof operationCalls.labels>>();
  const callsOf = (type: string) => {
    let series = callSeries.get(type);
    if (!series) callSeries.set(type, (series = operationCalls.labels({ type })));
    return series;
  };

  const names = new Set<string>();
  /** Operation names are caller-chosen: bounded, so a caller cannot grow the series without end. */
  const operationLabel = (name: string | null): string => {
    if (!name) return '(anonymous)';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return '(other)';
    names.add(name);
    return name;
  };

  return {
    registry,
    operation(info: { name: string | null; type: string | null; outcome: 'success' | 'partial' | 'error'; durationMs: number; upstreamCalls?: number }) {
      const labels = { operation: operationLabel(info.name), type: info.type ?? 'unknown' };
      operations.inc({ ...labels, outcome: info.outcome });
      operationDuration.observe(labels, info.durationMs / 1000);
      if (info.upstreamCalls !== undefined) callsOf(labels.type).observe(info.upstreamCalls);
    },
    upstreamCall(call: { method: string; route: string; status: number | null; durationMs: number }) {
      upstreamCalls.inc({ method: call.method, route: call.route, status: call.status === null ? 'none' : String(call.status) });
      upstreamDuration.observe({ method: call.method, route: call.route }, call.durationMs / 1000);
    },
    retry(info: { method: string; route: string; reason: string }) {
      retries.inc({ method: info.method, route: info.route, reason: info.reason });
    },
    rateLimitWait(info: { route: string; waitMs: number }) {
      rateLimitWaits.observe({ route: info.route }, info.waitMs / 1000);
    },
    concurrency(info: { product: string; limit: number; inFlight: number }) {
      concurrencyLimit.set({ product: info.product }, info.limit);
      inFlight.set({ product: info.product }, info.inFlight);
    },
    cacheLookup(hit: boolean) {
      cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
    },
    batch(loader: string, size: number) {
      batchSizes.observe({ loader }, size);
    },
    auditFailure() {
      auditFailures.inc();
    },
    /** The Prometheus text exposition of every series. */
    async scrape(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
