/** Small statistics over rounds and samples. */

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: a value that was actually observed, never an interpolation between two.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: Array<number | null | undefined>): Spread | null {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (known.length === 0) return null;
  return { median: median(known), min: Math.min(...known), max: Math.max(...known), n: known.length };
}

/** Rounds whose value strays more than `tolerance` (a fraction) from the median of all rounds. */
export function strays(values: number[], tolerance: number): boolean[] {
  const mid = median(values);
  return values.map((v) => Math.abs(v - mid) / mid > tolerance);
}
