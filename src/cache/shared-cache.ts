import { createHash } from 'node:crypto';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';

/**
 * The cache shared by every request (and, with Redis, every replica). Backend failures count as
 * misses and are reported to onError: a sick Redis slows the gateway down, it never breaks it
 * (STYLE.md habit 9).
 */
export interface SharedCache {
  get<T>(key: string): Promise<T | undefined>;
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
  const keyv = options.redisUrl
    ? new Keyv({
        store: new KeyvRedis(options.redisUrl, { throwOnConnectError: false, connectionTimeout: 2_000 }),
        namespace,
        throwOnErrors: true,
      })
    : new Keyv({ namespace });
  // Keyv also emits errors as events; they are reported through the awaited calls below.
  keyv.on('error', () => undefined);
  const report = options.onError ?? (() => undefined);
  return wrap(keyv, '', options.redisUrl ? 'redis' : 'memory', report, options.onLookup);
}

function wrap(
  keyv: Keyv,
  prefix: string,
  backend: 'memory' | 'redis',
  report: (operation: string, error: unknown) => void,
  onLookup?: (hit: boolean) => void,
): SharedCache {
  return {
    backend,
    async get<T>(key: string) {
      try {
        const value = (await keyv.get(prefix + key)) as T | undefined;
        onLookup?.(value !== undefined);
        return value;
      } catch (error) {
        report('get', error);
        onLookup?.(false);
        return undefined;
      }
    },
    async set(key, value, ttlMs) {
      try {
        await keyv.set(prefix + key, value, ttlMs);
      } catch (error) {
        report('set', error);
      }
    },
    async delete(keys) {
      if (keys.length === 0) return;
      try {
        await keyv.delete(keys.map((k) => prefix + k));
      } catch (error) {
        report('delete', error);
      }
    },
    partition(sub) {
      return wrap(keyv, `${prefix}${sub}:`, backend, report, onLookup);
    },
    async close() {
      try {
        await keyv.disconnect();
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
