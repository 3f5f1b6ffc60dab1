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

/** "hierarchy 1 -> org details 51 -> ..." for reports. */
export const describeWaves = (waves: Wave[]) => waves.map((wave) => wave.map((p) => `${p.what} ${p.calls}`).join(' + ')).join(' -> ');
