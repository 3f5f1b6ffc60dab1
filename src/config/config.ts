import { DEFAULT_CEILING } from '../anypoint/concurrency.js';
import type { CacheKind, CacheTtls } from '../loaders/read-through.js';
import { ROLES, type Role } from '../server/roles.js';
import type { PresetName } from '../simulator/seed.js';
import type { RemovalGuard } from '../provisioning/removal-guard.js';

/**
 * Every setting, read once from the environment, validated, and frozen (STYLE.md habit 10).
 * Contradictory or malformed settings fail at start with every problem listed. docs/settings.md's
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
  cache: {
    redisUrl: string | null;
    namespace: string;
    ttlMs: CacheTtls;
    /** Bound of the in-process cache of whole query answers (0: off). */
    responseCacheBytes: number;
  };
  graphql: { maxDepth: number; maxPageSize: number; introspection: boolean };
  /** What one operation may ask for and spend (docs/production.md). */
  limits: OperationLimits;
  /** Spec downloads from the links Exchange hands out. */
  downloads: DownloadSettings;
  /** The gateway's own HTTP server. */
  http: HttpServerSettings;
  auth: AuthSettings;
  /** PostgreSQL for the audit trail and group links; null: files under the paths below. */
  databaseUrl: string | null;
  /** pathSet: AUDIT_LOG_PATH was given (demo mode keeps an unset trail for one run only). */
  audit: { path: string; fsync: boolean; pathSet: boolean };
  provisioning: {
    groupLinksPath: string;
    /** GROUP_LINKS_PATH was given (demo mode keeps unset links for one run only). */
    groupLinksPathSet: boolean;
    /** How long a pushGroup waits for another push of the same group to finish. */
    lockTimeoutMs: number;
    idempotencyTtlMs: number;
    /** Okta's safeguard against a push that empties a large team (provisioning/removal-guard.ts). */
    removalGuard: RemovalGuard;
  };
  /** The SCIM 2.0 endpoint (/scim/v2). */
  scim: ScimConfig;
  observability: ObservabilitySettings;
  /** How long a shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
}

export interface ScimConfig {
  /** SCIM_ORGANIZATION_ID: the business group SCIM provisions; null: the root organization. */
  orgId: string | null;
  /** SCIM_DELETE_USERS: what DELETE /Users does to the Anypoint user. */
  deleteUsers: 'deactivate' | 'delete';
  /** SCIM_DELETE_GROUPS: what DELETE /Groups does to the team. */
  deleteGroups: 'delete' | 'unlink';
  /** SCIM_RECORDS_PATH: the file of SCIM ids and externalIds (PostgreSQL instead with DATABASE_URL). */
  recordsPath: string;
  recordsPathSet: boolean;
  /** SCIM_BASE_URL: the public origin in Location and $ref; null: the request's Host. */
  baseUrl: string | null;
}

export interface OperationLimits {
  /** Bytes of the GraphQL document (the query text), checked before parsing. */
  maxDocumentBytes: number;
  /** Lexical tokens of the document (graphql-js maxTokens), checked while parsing. */
  maxTokens: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Estimated upstream calls one operation may cost (demand control); over it: COST_LIMIT_EXCEEDED. */
  maxUpstreamCalls: number;
  /** Estimated fields of one answer; over it: COST_LIMIT_EXCEEDED. */
  maxResultFields: number;
  /** Upstream calls one caller may spend per minute, counted across replicas through Redis; 0: no budget. */
  callerCallsPerMinute: number;
  /** How long a query may execute before its upstream calls are aborted (OPERATION_TIMEOUT). */
  executionTimeoutMs: number;
  /** Bytes of one JSON answer; over it: RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
}

export interface DownloadSettings {
  /** Bytes one download may transfer. */
  maxBytes: number;
  /** Bytes a zipped spec may inflate to. */
  maxInflatedBytes: number;
  /** Entries a spec archive may list. */
  maxZipEntries: number;
  /** Host names (a leading `*.` matches subdomains) that downloads may reach; the control plane's host is always allowed. */
  allowedHosts: string[];
  /** Allow downloads whose host resolves to a private, link-local or loopback address not on the list by name. */
  allowPrivateAddresses: boolean;
}

export interface HttpServerSettings {
  /** Longest wait for a request's headers (slowloris). */
  headersTimeoutMs: number;
  /** Longest wait for a whole request, body included. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  maxBodyBytes: number;
}

/**
 * Where Exchange serves asset files from besides the control plane itself: signed S3 links, in
 * the US, EU (Frankfurt) and Gov regions of the three control planes. S3 only: all of
 * amazonaws.com would include any EC2 host's public name.
 */
export const DEFAULT_DOWNLOAD_HOSTS = ['*.s3.amazonaws.com', '*.s3.us-east-1.amazonaws.com', '*.s3.eu-central-1.amazonaws.com', '*.s3.us-gov-west-1.amazonaws.com'] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ObservabilitySettings {
  logLevel: LogLevel;
  /** OTLP/HTTP collector base URL (spans go to {url}/v1/traces); null: tracing off. */
  otlpEndpoint: string | null;
  serviceName: string;
}

/** An API key as configured: only its SHA-256 is known to the gateway. */
export interface ApiKeyEntry {
  name: string;
  sha256: string;
  roles: Role[];
}

export interface JwtSettings {
  /** Shared secret for HS256/384/512 tokens. */
  secret: string | null;
  /** Key set for asymmetric tokens (RS*, ES*, PS*, EdDSA). */
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  /** The claim holding the caller's roles: an array, or a space- or comma-separated string. */
  rolesClaim: string;
}

export interface AuthSettings {
  apiKeys: ApiKeyEntry[];
  jwt: JwtSettings | null;
  /** Callers without credentials may read (never write or audit). */
  anonymousReads: boolean;
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

  /** A share from 0 to 1, e.g. 0.2 (20, meant as 20%, is refused rather than read as 2000%). */
  share(name: string, fallback: number): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^(0|1|0?\.\d+|1\.0*)$/.test(raw) || value < 0 || value > 1) {
      this.problems.push(`${name} must be a share from 0 to 1 (e.g. 0.2), got "${raw}"`);
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

  const databaseUrl = r.optional('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) r.problems.push('DATABASE_URL must start with postgres:// or postgresql://');

  const config: GatewayConfig = {
    host: r.string('HOST', '127.0.0.1'),
    port: r.int('PORT', 4000, 0, 65_535),
    anypoint,
    simulator: { preset: r.oneOf('SIMULATOR_PRESET', ['demo', 'large', 'empty'] as const satisfies readonly PresetName[], 'demo'), seed: r.string('SIMULATOR_SEED', '42') },
    upstream: {
      // The ceiling of the adaptive upstream concurrency (src/anypoint/concurrency.ts).
      maxConnections: r.int('ANYPOINT_MAX_CONNECTIONS', DEFAULT_CEILING, 1, 256),
      connectTimeoutMs: r.int('ANYPOINT_CONNECT_TIMEOUT_MS', 10_000, 100, 120_000),
      requestTimeoutMs: r.int('ANYPOINT_REQUEST_TIMEOUT_MS', 30_000, 100, 300_000),
      maxAttempts: r.int('ANYPOINT_MAX_ATTEMPTS', 4, 1, 10),
      maxRetryWaitMs: r.int('ANYPOINT_MAX_RETRY_WAIT_MS', 30_000, 0, 300_000),
      singleGetLimit: r.int('ANYPOINT_SINGLE_GET_LIMIT', 10, 0, 1_000),
    },
    cache: {
      redisUrl,
      namespace: r.string('CACHE_NAMESPACE', 'anypoint-graph'),
      ttlMs,
      responseCacheBytes: r.int('RESPONSE_CACHE_MAX_MB', 32, 0, 4_096) * 1_048_576,
    },
    graphql: {
      maxDepth: r.int('GRAPHQL_MAX_DEPTH', 12, 2, 50),
      maxPageSize: r.int('GRAPHQL_MAX_PAGE_SIZE', 500, 1, 5_000),
      introspection: r.bool('GRAPHQL_INTROSPECTION', true),
    },
    limits: {
      maxDocumentBytes: r.int('GRAPHQL_MAX_DOCUMENT_BYTES', 32_768, 256, 1_048_576),
      maxTokens: r.int('GRAPHQL_MAX_TOKENS', 4_000, 100, 100_000),
      maxAliases: r.int('GRAPHQL_MAX_ALIASES', 30, 0, 10_000),
      maxRootFields: r.int('GRAPHQL_MAX_ROOT_FIELDS', 20, 1, 1_000),
      maxDirectives: r.int('GRAPHQL_MAX_DIRECTIVES', 50, 0, 10_000),
      maxUpstreamCalls: r.int('GRAPHQL_MAX_UPSTREAM_CALLS', 2_000, 1, 1_000_000),
      maxResultFields: r.int('GRAPHQL_MAX_RESULT_FIELDS', 500_000, 100, 100_000_000),
      callerCallsPerMinute: r.int('CALLER_UPSTREAM_CALLS_PER_MINUTE', 6_000, 0, 10_000_000),
      executionTimeoutMs: r.int('GRAPHQL_EXECUTION_TIMEOUT_MS', 60_000, 100, 3_600_000),
      maxResponseBytes: r.int('GRAPHQL_MAX_RESPONSE_MB', 32, 1, 4_096) * 1_048_576,
    },
    downloads: {
      maxBytes: r.int('DOWNLOAD_MAX_MB', 10, 1, 1_024) * 1_048_576,
      maxInflatedBytes: r.int('DOWNLOAD_MAX_INFLATED_MB', 20, 1, 4_096) * 1_048_576,
      maxZipEntries: r.int('DOWNLOAD_MAX_ZIP_ENTRIES', 2_000, 1, 1_000_000),
      allowedHosts: readHostList(r, 'DOWNLOAD_ALLOWED_HOSTS', DEFAULT_DOWNLOAD_HOSTS),
      allowPrivateAddresses: r.bool('DOWNLOAD_ALLOW_PRIVATE_ADDRESSES', false),
    },
    http: {
      headersTimeoutMs: r.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: r.int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      keepAliveTimeoutMs: r.int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
      maxConnections: r.int('HTTP_MAX_CONNECTIONS', 1_024, 1, 1_000_000),
      maxConnectionsPerClient: r.int('HTTP_MAX_CONNECTIONS_PER_CLIENT', 128, 1, 1_000_000),
      maxBodyBytes: r.int('HTTP_MAX_BODY_KB', 1_024, 1, 1_048_576) * 1024,
    },
    // Demo mode (the embedded simulator) lets anyone read; a real control plane needs a key.
    auth: { apiKeys: readApiKeys(r), jwt: readJwt(r), anonymousReads: r.bool('ANONYMOUS_READS', anypoint === null) },
    databaseUrl,
    audit: { path: r.string('AUDIT_LOG_PATH', 'data/audit.jsonl'), fsync: r.bool('AUDIT_FSYNC', true), pathSet: r.optional('AUDIT_LOG_PATH') !== null },
    provisioning: {
      groupLinksPath: r.string('GROUP_LINKS_PATH', 'data/group-links.json'),
      groupLinksPathSet: r.optional('GROUP_LINKS_PATH') !== null,
      lockTimeoutMs: r.int('PROVISIONING_LOCK_TIMEOUT_MS', 120_000, 100, 3_600_000),
      idempotencyTtlMs: r.int('IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 604_800) * 1000,
      removalGuard: {
        maxShare: r.share('PROVISIONING_MAX_REMOVAL_SHARE', 0.2),
        largeTeamMembers: r.int('PROVISIONING_LARGE_TEAM_MEMBERS', 20, 0, 1_000_000),
      },
    },
    scim: {
      orgId: r.optional('SCIM_ORGANIZATION_ID'),
      deleteUsers: r.oneOf('SCIM_DELETE_USERS', ['deactivate', 'delete'] as const, 'deactivate'),
      deleteGroups: r.oneOf('SCIM_DELETE_GROUPS', ['delete', 'unlink'] as const, 'delete'),
      recordsPath: r.string('SCIM_RECORDS_PATH', 'data/scim-records.jsonl'),
      recordsPathSet: r.optional('SCIM_RECORDS_PATH') !== null,
      baseUrl: readScimBaseUrl(r),
    },
    observability: {
      logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      otlpEndpoint: readOtlpEndpoint(r),
      serviceName: r.string('OTEL_SERVICE_NAME', 'anypoint-graph'),
    },
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  };
  const { callerCallsPerMinute, maxUpstreamCalls } = config.limits;
  if (callerCallsPerMinute > 0 && maxUpstreamCalls > callerCallsPerMinute) {
    // An operation the per-operation budget allows would then never fit a caller's minute.
    r.problems.push(`GRAPHQL_MAX_UPSTREAM_CALLS (${maxUpstreamCalls}) must not be more than CALLER_UPSTREAM_CALLS_PER_MINUTE (${callerCallsPerMinute})`);
  }
  if (r.problems.length) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/**
 * API_KEYS: entries separated by ";", each NAME:ROLES:SHA256 with ROLES joined by "," or "+",
 * e.g. `okta:provisioner:9f86d08...;portal:reader:2c26b46...`. `anypoint-graph hash-key` makes them.
 */
function readApiKeys(r: Reader): ApiKeyEntry[] {
  const raw = r.optional('API_KEYS');
  if (raw === null) return [];
  const entries: ApiKeyEntry[] = [];
  for (const part of raw.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [name, roles, sha256, ...rest] = part.split(':').map((p) => p.trim());
    const label = `API_KEYS entry "${name ?? part}"`;
    if (!name || roles === undefined || sha256 === undefined || rest.length) {
      r.problems.push(`${label} must be NAME:ROLES:SHA256`);
      continue;
    }
    if (!/^[\w.@-]{1,64}$/.test(name)) r.problems.push(`${label}: the name may use letters, digits and . _ @ - only`);
    if (entries.some((e) => e.name === name)) r.problems.push(`${label}: the name is used twice`);
    if (!/^[0-9a-f]{64}$/i.test(sha256)) r.problems.push(`${label}: the hash must be 64 hex digits (SHA-256 of the key)`);
    const list = roles.split(/[,+]/).map((x) => x.trim()).filter(Boolean);
    const unknown = list.filter((x) => !(ROLES as readonly string[]).includes(x));
    if (!list.length || unknown.length) r.problems.push(`${label}: roles must be some of ${ROLES.join(', ')}, got "${roles}"`);
    entries.push({ name, sha256: sha256.toLowerCase(), roles: list.filter((x): x is Role => (ROLES as readonly string[]).includes(x)) });
  }
  return entries;
}

/** A comma-separated list of host names, `*.` allowed at the front; lower-cased. */
function readHostList(r: Reader, name: string, fallback: readonly string[]): string[] {
  const raw = r.optional(name);
  if (raw === null) return [...fallback];
  const hosts = raw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const host of hosts) {
    if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/.test(host)) {
      r.problems.push(`${name} must list host names separated by commas (a leading "*." matches subdomains), got "${host}"`);
    }
  }
  return hosts;
}

/** The standard OpenTelemetry variable: a collector's base URL, without the /v1/traces path. */
function readOtlpEndpoint(r: Reader): string | null {
  const raw = r.optional('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('not http');
    return raw.replace(/\/+$/, '');
  } catch {
    r.problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "${raw}"`);
    return null;
  }
}

function readJwt(r: Reader): JwtSettings | null {
  const secret = r.optional('JWT_SECRET');
  const jwksUrl = r.optional('JWT_JWKS_URL');
  const issuer = r.optional('JWT_ISSUER');
  const audience = r.optional('JWT_AUDIENCE');
  const rolesClaim = r.string('JWT_ROLES_CLAIM', 'roles');
  if (!secret && !jwksUrl) {
    if (issuer || audience) r.problems.push('JWT_ISSUER and JWT_AUDIENCE need JWT_SECRET or JWT_JWKS_URL');
    return null;
  }
  if (secret && jwksUrl) r.problems.push('Set JWT_SECRET or JWT_JWKS_URL, not both');
  if (secret && Buffer.byteLength(secret) < 32) r.problems.push('JWT_SECRET must be at least 32 bytes');
  if (jwksUrl) {
    try {
      const url = new URL(jwksUrl);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) r.problems.push('JWT_JWKS_URL must use https (plain http only on loopback)');
    } catch {
      r.problems.push(`JWT_JWKS_URL must be a URL, got "${jwksUrl}"`);
    }
  }
  return { secret, jwksUrl, issuer, audience, rolesClaim };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** An http(s) origin (and path prefix) without a trailing slash; /scim/v2 is appended. */
function readScimBaseUrl(r: Reader): string | null {
  const raw = r.optional('SCIM_BASE_URL');
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && !url.username && !url.password) return `${url.origin}${url.pathname.replace(/\/+$/, '')}/scim/v2`;
  } catch {
    // reported below
  }
  r.problems.push('SCIM_BASE_URL must be an http(s) URL without query, fragment or credentials, such as https://gateway.example.com');
  return null;
}
