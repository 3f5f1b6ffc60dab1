import { createHash } from 'node:crypto';
import KeyvRedis, { defaultReconnectStrategy } from '@keyv/redis';
import Keyv from 'keyv';

/**
 * The cache shared by every request (and, with Redis, every replica). Backend failures count as
 * misses and are reported to onError: a sick Redis slows the gateway down, it never breaks it
 * (STYLE.md habit 9).
 */
export interface SharedCache {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Several entries in one round trip (undefined where missing), in the order of `keys`. For
   * bookkeeping reads (e.g. write fences), so not reported to onLookup: hit ratios count data
   * lookups only.
   */
  getMany<T>(keys: string[]): Promise<Array<T | undefined>>;
  /** Stores nothing when ttlMs is 0 (caching off for that kind). */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** A view whose keys live under `prefix`, so callers cannot read each other's entries. */
  partition(prefix: string): SharedCache;
  readonly backend: 'memory' | 'redis';
  close(): Promise<void>;
}

export interface SharedCacheOptions {
  redisUrl?: string;
  /** Redis key namespace, so several deployments can share one Redis. */
  namespace?: string;
  onError?: (operation: string, error: unknown) => void;
  onLookup?: (hit: boolean) => void;
}

export function createSharedCache(options: SharedCacheOptions = {}): SharedCache {
  const namespace = options.namespace ?? 'anypoint-graph';
  const store = options.redisUrl
    ? new KeyvRedis(
        // Offline queue off: while the connection is down, commands fail at once instead of
        // waiting (forever) for it to come back.
        { url: options.redisUrl, disableOfflineQueue: true, socket: { reconnectStrategy: defaultReconnectStrategy } },
        // The store must throw (not only emit) on connect and command failures, or they would be
        // silent misses that never reach onError.
        { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 2_000 },
      )
    : undefined;
  const keyv = store ? new Keyv({ store, namespace, throwOnErrors: true }) : new Keyv({ namespace });
  // Keyv also emits errors as events; they are reported through the awaited calls below.
  keyv.on('error', () => undefined);
  const report = options.onError ?? (() => undefined);
  // A close that timed out (a hung Redis) must not keep the process alive.
  const release = () => {
    const client = store?.client;
    if (client && 'unref' in client) client.unref();
  };
  // KeyvRedis connects on the first command, and a command issued meanwhile finds the client
  // open but not ready and fails at once (offline queue off). Commands issued together on a fresh
  // cache (a fill reads its value and its fence at once) therefore share the first connect.
  let connecting: Promise<unknown> | undefined;
  const connected = store
    ? () => (connecting ??= store.getClient().finally(() => (connecting = undefined)))
    : () => Promise.resolve();
  return wrap(keyv, '', store ? 'redis' : 'memory', report, connected, options.onLookup, release);
}

/** Longest a backend call may take before it counts as failed: a hung Redis must not hang requests. */
const BACKEND_TIMEOUT_MS = 2_500;

function bounded<T>(operation: Promise<T>): Promise<T> {
  operation.catch(() => undefined); // settling after the timeout is not an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache backend did not answer within ${BACKEND_TIMEOUT_MS} ms`)), BACKEND_TIMEOUT_MS);
  });
  return Promise.race([operation, late]).finally(() => clearTimeout(timer));
}

function wrap(
  keyv: Keyv,
  prefix: string,
  backend: 'memory' | 'redis',
  report: (operation: string, error: unknown) => void,
  connected: () => Promise<unknown>,
  onLookup?: (hit: boolean) => void,
  release?: () => void,
): SharedCache {
  /** Runs a backend call once connected, the connect included in the time bound. */
  const call = <T>(operation: () => Promise<T>) => bounded(connected().then(operation));
  return {
    backend,
    async get<T>(key: string) {
      try {
        const value = (await call(() => keyv.get(prefix + key))) as T | undefined;
        onLookup?.(value !== undefined);
        return value;
      } catch (error) {
        report('get', error);
        onLookup?.(false);
        return undefined;
      }
    },
    async getMany<T>(keys: string[]) {
      if (keys.length === 0) return [];
      try {
        return (await call(() => keyv.getMany(keys.map((k) => prefix + k)))) as Array<T | undefined>;
      } catch (error) {
        report('getMany', error);
        return keys.map(() => undefined);
      }
    },
    async set(key, value, ttlMs) {
      // A TTL of 0 means "do not cache" (CACHE_TTL_SECONDS=0); Keyv would read it as "never expire".
      if (!(ttlMs > 0)) return;
      try {
        await call(() => keyv.set(prefix + key, value, ttlMs));
      } catch (error) {
        report('set', error);
      }
    },
    async delete(keys) {
      if (keys.length === 0) return;
      try {
        await call(() => keyv.delete(keys.map((k) => prefix + k)));
      } catch (error) {
        report('delete', error);
      }
    },
    partition(sub) {
      return wrap(keyv, `${prefix}${sub}:`, backend, report, connected, onLookup, release);
    },
    async close() {
      try {
        await bounded(keyv.disconnect());
      } catch (error) {
        report('close', error);
        release?.();
      }
    },
  };
}

/**
 * The partition of one upstream identity (control plane + client id). Hashed, so the client id
 * does not sit in Redis key names.
 */
export function identityPartition(identity: string): string {
  return `u${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}
