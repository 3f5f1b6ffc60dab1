import type { Random } from './random.js';

/**
 * Faults the simulator injects on demand: latency for every request, and per-route rules that
 * answer 429/503/500, reset the connection, or commit a write and then drop its response.
 */

export const FAULT_KINDS = ['429', '503', '500', 'reset', 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** 0..1, drawn per matching request from the simulator's seeded stream. */
  probability: number;
  /** Upper-case HTTP method, or any when absent. */
  method?: string;
  /** Glob over the path: `*` stays within a segment, `**` crosses segments. Any when absent. */
  path?: string;
  /** How many times the rule may fire before it is spent; unlimited when absent. */
  times?: number;
}

export interface LatencyConfig {
  minMs: number;
  maxMs: number;
}

export interface FaultConfig {
  latency: LatencyConfig;
  rules: FaultRule[];
}

export class FaultSpecError extends Error {}

/** `20` is a fixed 20 ms; `20-150` draws uniformly between the two. */
export function parseLatency(spec: string): LatencyConfig {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!m) throw new FaultSpecError(`latency must be N or MIN-MAX milliseconds, got "${spec}"`);
  const minMs = Number(m[1]);
  const maxMs = m[2] === undefined ? minMs : Number(m[2]);
  if (maxMs < minMs) throw new FaultSpecError(`latency range ${spec} has its maximum below its minimum`);
  return { minMs, maxMs };
}

/**
 * Parses the --faults syntax: comma-separated `KIND:PROBABILITY[xTIMES][@[METHOD ]PATH-GLOB]`, e.g.
 * `503:0.2@/accounts/**,reset:0.05,drop:1x1@POST /accounts/api/organizations/* /users`.
 */
export function parseFaultSpec(spec: string): FaultRule[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const m = /^\s*(\w+):([0-9.]+)(?:x(\d+))?(?:@(?:([A-Z]+)\s+)?(\S+))?\s*$/.exec(part);
    if (!m) throw new FaultSpecError(`cannot read fault rule "${part}": expected KIND:PROBABILITY[xTIMES][@[METHOD ]PATH]`);
    const rule: Record<string, unknown> = { kind: m[1], probability: Number(m[2]) };
    if (m[3] !== undefined) rule.times = Number(m[3]);
    if (m[4] !== undefined) rule.method = m[4];
    if (m[5] !== undefined) rule.path = m[5];
    return validateRule(rule, part);
  });
}

function validateRule(raw: unknown, label: string): FaultRule {
  const rule = (raw ?? {}) as Record<string, unknown>;
  if (!FAULT_KINDS.includes(rule.kind as FaultKind)) {
    throw new FaultSpecError(`fault rule ${label}: kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const probability = Number(rule.probability ?? 1);
  if (!(probability >= 0 && probability <= 1)) throw new FaultSpecError(`fault rule ${label}: probability must be between 0 and 1`);
  const out: FaultRule = { kind: rule.kind as FaultKind, probability };
  if (rule.method !== undefined) {
    if (typeof rule.method !== 'string') throw new FaultSpecError(`fault rule ${label}: method must be a string`);
    out.method = rule.method.toUpperCase();
  }
  if (rule.path !== undefined) {
    if (typeof rule.path !== 'string' || !rule.path.startsWith('/')) throw new FaultSpecError(`fault rule ${label}: path must start with /`);
    out.path = rule.path;
  }
  if (rule.times !== undefined) {
    if (!Number.isInteger(rule.times) || (rule.times as number) < 1) throw new FaultSpecError(`fault rule ${label}: times must be a positive integer`);
    out.times = rule.times as number;
  }
  return out;
}

/** Validates a fault configuration sent as JSON to the control endpoint. */
export function validateFaultConfig(raw: unknown): FaultConfig {
  const body = (raw ?? {}) as Record<string, unknown>;
  const latencyRaw = (body.latency ?? { minMs: 0, maxMs: 0 }) as Record<string, unknown>;
  const minMs = Number(latencyRaw.minMs ?? 0);
  const maxMs = Number(latencyRaw.maxMs ?? minMs);
  if (!(minMs >= 0 && maxMs >= minMs)) throw new FaultSpecError('latency needs 0 <= minMs <= maxMs');
  const rules = typeof body.spec === 'string' ? parseFaultSpec(body.spec) : body.rules ?? [];
  if (!Array.isArray(rules)) throw new FaultSpecError('rules must be an array');
  return { latency: { minMs, maxMs }, rules: rules.map((r, i) => validateRule(r, `#${i + 1}`)) };
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

export class FaultInjector {
  private config: FaultConfig;
  private compiled: Array<{ rule: FaultRule; pattern: RegExp | null; fired: number }> = [];

  constructor(config: FaultConfig, private readonly random: Random) {
    this.config = config;
    this.set(config);
  }

  set(config: FaultConfig): void {
    this.config = config;
    this.compiled = config.rules.map((rule) => ({ rule, pattern: rule.path ? globToRegExp(rule.path) : null, fired: 0 }));
  }

  get(): FaultConfig {
    return {
      latency: { ...this.config.latency },
      rules: this.config.rules.map((rule, i) => ({ ...rule, ...(rule.times ? { times: rule.times - this.compiled[i]!.fired } : {}) })),
    };
  }

  latencyMs(): number {
    const { minMs, maxMs } = this.config.latency;
    return minMs === maxMs ? minMs : minMs + this.random.next() * (maxMs - minMs);
  }

  /** The first matching rule of the given kinds that fires for this request, if any. */
  draw(method: string, path: string, kinds: readonly FaultKind[]): FaultKind | null {
    for (const entry of this.compiled) {
      const { rule } = entry;
      if (!kinds.includes(rule.kind)) continue;
      if (rule.method && rule.method !== method) continue;
      if (entry.pattern && !entry.pattern.test(path)) continue;
      if (rule.times !== undefined && entry.fired >= rule.times) continue;
      if (rule.probability < 1 && !this.random.chance(rule.probability)) continue;
      entry.fired += 1;
      return rule.kind;
    }
    return null;
  }
}
