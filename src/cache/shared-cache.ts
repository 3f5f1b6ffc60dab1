import { createHash } from 'node:crypto';
import type { CacheBackend, CacheEntry } from './backend.js';
import { createMemoryBackend } from './memory-backend.js';
import { createRedisBackend } from './redis-backend.js';

export type { CacheEntry } from './backend.js';

/** What requests (and, with Redis, replicas) share; see createSharedCache. */
export interface SharedCache {
  get<T>(key: string): Promise<T | undefined>;
  /** The value and when it expires: for callers that must know how long what they built stays fresh. */
  getEntry<T>(key: string): Promise<CacheEntry<T> | undefined>;
  /**
   * Several entries in one round trip (undefined where missing), in the order of `keys`. For
   * bookkeeping reads (e.g. write fences), so not reported to onLookup: hit ratios count data
   * lookups only.
   */
  getMany<T>(keys: string[], options?: { throwOnError?: boolean }): Promise<Array<T | undefined>>;
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

/**
 * The cache shared by every request (and, with Redis, every replica). Backend failures count as
 * misses and are reported to onError: a sick Redis slows the gateway down, it never breaks it
 * (STYLE.md habit 9). In memory, values are shared objects (frozen), not copies.
 */
export function createSharedCache(options: SharedCacheOptions = {}): SharedCache {
  const backend = options.redisUrl ? createRedisBackend(options.redisUrl, options.namespace ?? 'anypoint-graph') : createMemoryBackend();
  return wrap(backend, '', options.onError ?? (() => undefined), options.onLookup);
}

function wrap(backend: CacheBackend, prefix: string, report: (operation: string, error: unknown) => void, onLookup?: (hit: boolean) => void): SharedCache {
  const getEntry = async <T>(key: string): Promise<CacheEntry<T> | undefined> => {
    try {
      const entry = (await backend.get(prefix + key)) as CacheEntry<T> | undefined;
      onLookup?.(entry !== undefined);
      return entry;
    } catch (error) {
      report('get', error);
      onLookup?.(false);
      return undefined;
    }
  };
  return {
    backend: backend.kind,
    getEntry,
    get: async <T>(key: string) => (await getEntry<T>(key))?.value,
    async getMany<T>(keys: string[], options?: { throwOnError?: boolean }) {
      if (keys.length === 0) return [];
      try {
        return (await backend.getMany(keys.map((k) => prefix + k))) as Array<T | undefined>;
      } catch (error) {
        report('getMany', error);
        // For a caller to whom "missing" and "could not tell" mean different things.
        if (options?.throwOnError) throw error;
        return keys.map(() => undefined);
      }
    },
    async set(key, value, ttlMs) {
      // A TTL of 0 means "do not cache" (CACHE_TTL_SECONDS=0); a backend could read it as "never expire".
      if (!(ttlMs > 0)) return;
      try {
        await backend.set(prefix + key, value, ttlMs);
      } catch (error) {
        report('set', error);
      }
    },
    async delete(keys) {
      if (keys.length === 0) return;
      try {
        await backend.delete(keys.map((k) => prefix + k));
      } catch (error) {
        report('delete', error);
      }
    },
    partition(sub) {
      return wrap(backend, `${prefix}${sub}:`, report, onLookup);
    },
    async close() {
      try {
        await backend.close();
      } catch (error) {
        report('close', error);
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
