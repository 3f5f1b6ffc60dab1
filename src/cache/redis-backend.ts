import KeyvRedis, { defaultReconnectStrategy } from '@keyv/redis';
import Keyv from 'keyv';
import type { CacheBackend, CacheEntry } from './backend.js';

/** Longest a Redis call may take before it counts as failed: a hung Redis must not hang requests. */
const BACKEND_TIMEOUT_MS = 2_500;

function bounded<T>(operation: Promise<T>): Promise<T> {
  operation.catch(() => undefined); // settling after the timeout is not an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache backend did not answer within ${BACKEND_TIMEOUT_MS} ms`)), BACKEND_TIMEOUT_MS);
  });
  return Promise.race([operation, late]).finally(() => clearTimeout(timer));
}

/** Entries in Redis through Keyv (JSON), shared by every replica on the same Redis and namespace. */
export function createRedisBackend(url: string, namespace: string): CacheBackend {
  const store = new KeyvRedis(
    // Offline queue off: while the connection is down, commands fail at once instead of waiting
    // (forever) for it to come back.
    { url, disableOfflineQueue: true, socket: { reconnectStrategy: defaultReconnectStrategy } },
    // The store must throw (not only emit) on connect and command failures, or they would be
    // silent misses that never reach onError.
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 2_000 },
  );
  const keyv = new Keyv({ store, namespace, throwOnErrors: true });
  // Keyv also emits errors as events; they are reported through the awaited calls.
  keyv.on('error', () => undefined);
  // KeyvRedis connects on the first command, and a command issued meanwhile finds the client open
  // but not ready and fails at once (offline queue off). Commands issued together on a fresh
  // cache (a fill reads its value and its fence at once) therefore share the first connect.
  let connecting: Promise<unknown> | undefined;
  const connected = () => (connecting ??= store.getClient().finally(() => (connecting = undefined)));
  /** Runs a Redis call once connected, the connect included in the time bound. */
  const call = <T>(operation: () => Promise<T>) => bounded(connected().then(operation));

  return {
    kind: 'redis',
    async get(key) {
      const raw = (await call(() => keyv.get(key, { raw: true }))) as { value: unknown; expires?: number | null } | undefined;
      if (raw === undefined || raw.value === undefined) return undefined;
      // Keyv writes `expires` with every entry that has a TTL, and the shared cache sets none without one.
      return { value: raw.value, expiresAt: raw.expires ?? Number.POSITIVE_INFINITY } satisfies CacheEntry;
    },
    getMany: (keys) => call(() => keyv.getMany(keys)),
    set: async (key, value, ttlMs) => {
      await call(() => keyv.set(key, value, ttlMs));
    },
    delete: async (keys) => {
      await call(() => keyv.delete(keys));
    },
    async close() {
      try {
        await bounded(keyv.disconnect());
      } catch (error) {
        // A close that timed out (a hung Redis) must not keep the process alive.
        const client = store.client;
        if (client && 'unref' in client) client.unref();
        throw error;
      }
    },
  };
}
