import type { CacheBackend, CacheEntry } from './backend.js';

/**
 * Entries in a Map, kept as the objects they are: a read hands out the stored object itself, with
 * no serialization either way. A cached users listing of 2,000 users is ~1 MB of JSON; parsing it
 * back on every read was most of a warm request's CPU and most of the gateway's memory churn.
 *
 * Sharing the object is only safe if nobody changes it, so values are deep-frozen when stored: a
 * resolver that tried to modify a cached listing would throw (in tests) instead of silently
 * changing what every later request sees.
 */
export function createMemoryBackend(now: () => number = Date.now): CacheBackend {
  const entries = new Map<string, CacheEntry>();
  let setsSinceSweep = 0;

  /** Expired entries are dropped when read, and by a sweep every SWEEP_EVERY writes (never read again). */
  const live = (key: string): CacheEntry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now()) return entry;
    entries.delete(key);
    return undefined;
  };
  const sweep = () => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  };

  return {
    kind: 'memory',
    get: async (key) => live(key),
    getMany: async (keys) => keys.map((key) => live(key)?.value),
    async set(key, value, ttlMs) {
      entries.set(key, { value: deepFreeze(value), expiresAt: now() + ttlMs });
      if (++setsSinceSweep >= SWEEP_EVERY) {
        setsSinceSweep = 0;
        sweep();
      }
    },
    async delete(keys) {
      for (const key of keys) entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}

const SWEEP_EVERY = 1_000;

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
