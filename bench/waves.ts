/**
 * The minimum upstream calls of a scenario, as waves: calls in one wave can all be sent at once;
 * a wave needs an answer from the one before it (a listing's first page reveals the total
 * before the other pages can be asked for; a child field resolves after its parent). The
 * minimum is the sum of the calls; the ideal latency follows from the waves (bench/README.md).
 */

export interface Part {
  what: string;
  calls: number;
  /** A write (POST/PUT/DELETE) rather than a read. */
  write?: boolean;
  /** The simulator route the calls go to (bench/routes.ts), to charge them its measured time. */
  route?: string;
}

export type Wave = Part[];

/** Access Management and API Manager page size (src/anypoint/pagination.ts PAGE_SIZE). */
export const PAGE_SIZE = 500;
/** Exchange search page size (src/anypoint/exchange.ts EXCHANGE_PAGE_SIZE). */
export const EXCHANGE_PAGE_SIZE = 250;

export const pagesFor = (total: number, pageSize = PAGE_SIZE) => Math.max(1, Math.ceil(total / pageSize));

/** `n` independent calls in one wave (nothing when n is 0). */
export const calls = (what: string, n: number, write = false): Wave[] => (n > 0 ? [[{ what, calls: n, ...(write ? { write } : {}) }]] : []);

/** A {data,total} listing: the first page, then every other page at once. */
export function listing(what: string, total: number, pageSize = PAGE_SIZE): Wave[] {
  const pages = pagesFor(total, pageSize);
  if (pages === 1) return calls(what, 1);
  return [...calls(`${what}, page 1`, 1), ...calls(`${what}, ${pages === 2 ? 'page 2' : `pages 2-${pages}`}`, pages - 1)];
}

/** One listing per item (e.g. the members of each team), all started together. */
export function listings(what: string, totals: number[], pageSize = PAGE_SIZE): Wave[] {
  const more = totals.reduce((sum, total) => sum + pagesFor(total, pageSize) - 1, 0);
  return [...calls(`${what} (${totals.length}), first pages`, totals.length), ...calls(`${what}, further pages`, more)];
}

/** A bare-array listing (Exchange search): no total, so each page waits for the one before. */
export function bareListing(what: string, total: number, pageSize: number): Wave[] {
  const pages = Math.floor(total / pageSize) + 1; // stops at the first short page
  return Array.from({ length: pages }, (_, i) => [{ what: pages === 1 ? what : `${what}, page ${i + 1}`, calls: 1 }]);
}

/** The same waves with every part tagged with the simulator route its calls go to. */
export const on = (route: string, waves: Wave[]): Wave[] => waves.map((wave) => wave.map((part) => ({ ...part, route })));

/** Sequences that run side by side: their first waves together, then their second, and so on. */
export function parallel(...sequences: Wave[][]): Wave[] {
  const length = Math.max(...sequences.map((s) => s.length));
  return Array.from({ length }, (_, i) => sequences.flatMap((s) => s[i] ?? []));
}

export const sequence = (...sequences: Wave[][]): Wave[] => sequences.flat();

export const totalCalls = (waves: Wave[]) => waves.flat().reduce((sum, part) => sum + part.calls, 0);
export const totalWrites = (waves: Wave[]) => waves.flat().reduce((sum, part) => sum + (part.write ? part.calls : 0), 0);

export interface Latency {
  minMs: number;
  maxMs: number;
}

/**
 * Expected time of one wave with at most `cap` calls in flight. With a fixed latency L it is
 * ceil(n / cap) x L, the issue's formula. With jitter (uniform on [min, max], mean m) it is the
 * larger of two lower bounds: ceil(n / cap) x m (the calls queue behind the cap), and the
 * expected slowest of the calls that start together, min + (max - min) x k / (k + 1) for
 * k = min(n, cap) draws (a wave ends with its last answer). Both reduce to ceil(n / cap) x L
 * when min = max.
 */
export function waveMs(n: number, cap: number, latency: Latency): number {
  if (n === 0) return 0;
  const mean = (latency.minMs + latency.maxMs) / 2;
  const together = Math.min(n, cap);
  const slowest = latency.minMs + ((latency.maxMs - latency.minMs) * together) / (together + 1);
  return Math.max(Math.ceil(n / cap) * mean, slowest);
}

/** The ideal latency: the sum over the waves, as if the gateway itself took no time. */
export const idealMs = (waves: Wave[], cap: number, latency: Latency) =>
  waves.reduce((sum, wave) => sum + waveMs(wave.reduce((n, part) => n + part.calls, 0), cap, latency), 0);

/**
 * The simulator's measured mean time per call (arrival to response written, its injected
 * latency included), by route, and over all routes for a part with no route or a route it did
 * not see.
 */
export interface ServiceTimes {
  byRouteMs: Record<string, number>;
  overallMs: number;
}

/** Mean service time per call, by route, from the simulator's counters summed over some requests. */
export function serviceTimes(calls: Record<string, number>, serviceMs: Record<string, number>): ServiceTimes | null {
  let n = 0;
  let total = 0;
  const byRouteMs: Record<string, number> = {};
  for (const [route, count] of Object.entries(calls)) {
    const ms = serviceMs[route];
    if (!count || ms === undefined) continue;
    byRouteMs[route] = ms / count;
    n += count;
    total += ms;
  }
  return n ? { byRouteMs, overallMs: total / n } : null;
}

/**
 * One wave with each call charged the simulator's measured mean time on its route instead of
 * the configured latency: the configured mean plus that route's overhead o (measured mean minus
 * configured mean). The same two lower bounds as waveMs: ceil(n / cap) x (mean + the calls'
 * average o), and the expected slowest of the k calls that start together, plus the largest o
 * among the wave's routes (a wave ends with its slowest route). With a fixed latency that is
 * max(ceil(n / cap) x the calls' mean service time, the slowest route's mean); with o = 0 it is
 * waveMs.
 */
export function measuredWaveMs(wave: Wave, cap: number, latency: Latency, service: ServiceTimes): number {
  const n = wave.reduce((sum, part) => sum + part.calls, 0);
  if (n === 0) return 0;
  const mean = (latency.minMs + latency.maxMs) / 2;
  const overhead = (part: Part) => (part.route !== undefined && service.byRouteMs[part.route] !== undefined ? service.byRouteMs[part.route]! : service.overallMs) - mean;
  const averageOverhead = wave.reduce((sum, part) => sum + part.calls * overhead(part), 0) / n;
  const largestOverhead = Math.max(...wave.filter((part) => part.calls > 0).map(overhead));
  const together = Math.min(n, cap);
  const slowest = latency.minMs + largestOverhead + ((latency.maxMs - latency.minMs) * together) / (together + 1);
  return Math.max(Math.ceil(n / cap) * (mean + averageOverhead), slowest);
}

/** The ideal with every call charged the simulator's measured time on its route (bench/README.md, "Measured ideal"). */
export const measuredIdealMs = (waves: Wave[], cap: number, latency: Latency, service: ServiceTimes) =>
  waves.reduce((sum, wave) => sum + measuredWaveMs(wave, cap, latency, service), 0);

/** "hierarchy 1 -> org details 51 -> ..." for reports. */
export const describeWaves = (waves: Wave[]) => waves.map((wave) => wave.map((p) => `${p.what} ${p.calls}`).join(' + ')).join(' -> ');
