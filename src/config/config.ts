import type { CacheKind, CacheTtls } from '../loaders/read-through.js';
import type { PresetName } from '../simulator/seed.js';

/**
 * Every setting, read once from the environment, validated, and frozen (STYLE.md habit 10).
 * Contradictory or malformed settings fail at start with every problem listed. README.md's
 * settings table documents each of these names.
 */
export interface AnypointSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The root organization; discovered from /accounts/api/me when not set. */
  orgId: string | null;
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** null: no credentials, so `serve` starts the embedded simulator and uses its demo app. */
  anypoint: AnypointSettings | null;
  simulator: { preset: PresetName; seed: string };
  upstream: {
    maxConnections: number;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    maxAttempts: number;
    maxRetryWaitMs: number;
    singleGetLimit: number;
  };
  cache: { redisUrl: string | null; namespace: string; ttlMs: CacheTtls };
  graphql: { maxDepth: number; maxPageSize: number; introspection: boolean };
}

export const CONTROL_PLANES = {
  us: 'https://anypoint.mulesoft.com',
  eu1: 'https://eu1.anypoint.mulesoft.com',
  gov: 'https://gov.anypoint.mulesoft.com',
} as const;

const CACHE_KINDS: readonly CacheKind[] = ['organizations', 'environments', 'users', 'teams', 'members', 'apis', 'exchange'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  }

  optional(name: string): string | null {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  }
}

function readBaseUrl(raw: string, problems: string[]): string {
  const name = raw.toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not resolve to Object.prototype members.
  if (Object.hasOwn(CONTROL_PLANES, name)) return CONTROL_PLANES[name as keyof typeof CONTROL_PLANES];
  try {
    const url = new URL(raw);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      problems.push(`ANYPOINT_BASE_URL must use https (plain http only on loopback), got "${raw}"`);
    }
    return url.origin;
  } catch {
    problems.push(`ANYPOINT_BASE_URL must be a URL or one of us, eu1, gov, got "${raw}"`);
    return raw;
  }
}

export function readConfig(env: Env = process.env): Readonly<GatewayConfig> {
  const r = new Reader(env);
  const baseUrl = r.optional('ANYPOINT_BASE_URL');
  const clientId = r.optional('ANYPOINT_CLIENT_ID');
  const clientSecret = r.optional('ANYPOINT_CLIENT_SECRET');
  const orgId = r.optional('ANYPOINT_ORG_ID');
  let anypoint: AnypointSettings | null = null;
  const given = [baseUrl, clientId, clientSecret].filter((v) => v !== null).length;
  if (given > 0 && given < 3) {
    r.problems.push('ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET must be set together (or none, to use the embedded simulator)');
  } else if (given === 3) {
    anypoint = { baseUrl: readBaseUrl(baseUrl!, r.problems), clientId: clientId!, clientSecret: clientSecret!, orgId };
  } else if (orgId) {
    r.problems.push('ANYPOINT_ORG_ID needs ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET');
  }
  if (orgId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orgId)) r.problems.push(`ANYPOINT_ORG_ID must be an organization UUID, got "${orgId}"`);

  const defaultTtl = r.int('CACHE_TTL_SECONDS', 60, 0, 86_400);
  const ttlMs = Object.fromEntries(
    CACHE_KINDS.map((kind) => [kind, r.int(`CACHE_TTL_${kind.toUpperCase()}_SECONDS`, defaultTtl, 0, 86_400) * 1000]),
  ) as Record<CacheKind, number>;

  const redisUrl = r.optional('REDIS_URL');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) r.problems.push(`REDIS_URL must start with redis:// or rediss://`);

  const config: GatewayConfig = {
    host: r.string('HOST', '127.0.0.1'),
    port: r.int('PORT', 4000, 0, 65_535),
    anypoint,
    simulator: { preset: r.oneOf('SIMULATOR_PRESET', ['demo', 'large'] as const, 'demo'), seed: r.string('SIMULATOR_SEED', '42') },
    upstream: {
      maxConnections: r.int('ANYPOINT_MAX_CONNECTIONS', 16, 1, 256),
      connectTimeoutMs: r.int('ANYPOINT_CONNECT_TIMEOUT_MS', 10_000, 100, 120_000),
      requestTimeoutMs: r.int('ANYPOINT_REQUEST_TIMEOUT_MS', 30_000, 100, 300_000),
      maxAttempts: r.int('ANYPOINT_MAX_ATTEMPTS', 4, 1, 10),
      maxRetryWaitMs: r.int('ANYPOINT_MAX_RETRY_WAIT_MS', 30_000, 0, 300_000),
      singleGetLimit: r.int('ANYPOINT_SINGLE_GET_LIMIT', 10, 0, 1_000),
    },
    cache: { redisUrl, namespace: r.string('CACHE_NAMESPACE', 'anypoint-graph'), ttlMs },
    graphql: {
      maxDepth: r.int('GRAPHQL_MAX_DEPTH', 12, 2, 50),
      maxPageSize: r.int('GRAPHQL_MAX_PAGE_SIZE', 500, 1, 5_000),
      introspection: r.bool('GRAPHQL_INTROSPECTION', true),
    },
  };
  if (r.problems.length) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
