import type { SharedCache } from '../cache/shared-cache.js';
import type { IdleScheduler } from './idle-scheduler.js';

/** Kinds of upstream data, each with its own TTL in the shared cache. */
export type CacheKind = 'organizations' | 'environments' | 'users' | 'teams' | 'members' | 'apis' | 'exchange';

export type CacheTtls = Readonly<Record<CacheKind, number>>;

/**
 * Per-request memo in front of the shared cache in front of Anypoint. Within one request a key
 * is fetched at most once (the memo holds the promise); across requests the shared cache
 * answers until the kind's TTL runs out. `bypass` skips reading the shared cache (a caller's
 * Cache-Control: no-cache) but still refreshes it.
 */
export class ReadThrough {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly cache: SharedCache,
    private readonly ttls: CacheTtls,
    private readonly bypass: boolean,
    private readonly scheduler?: IdleScheduler,
  ) {}

  get<T>(kind: CacheKind, key: string, fetch: () => Promise<T>): Promise<T> {
    const fullKey = `${kind}:${key}`;
    let pending = this.memo.get(fullKey) as Promise<T> | undefined;
    if (!pending) {
      pending = this.load(kind, fullKey, fetch);
      this.scheduler?.track(pending).catch(() => undefined);
      this.memo.set(fullKey, pending);
      // A failed load is not remembered: a later field in the same request may try again. Only
      // its own entry is dropped: after an evict, a newer load of the key may have taken its place.
      const loading = pending;
      loading.catch(() => {
        if (this.memo.get(fullKey) === loading) this.memo.delete(fullKey);
      });
    }
    return pending;
  }

  /** What is already known (memo or shared cache) without calling upstream. */
  async peek<T>(kind: CacheKind, key: string): Promise<T | undefined> {
    const fullKey = `${kind}:${key}`;
    const pending = this.memo.get(fullKey) as Promise<T> | undefined;
    if (pending) return pending.catch(() => undefined);
    if (this.bypass) return undefined;
    const value = await this.cache.get<T>(fullKey);
    if (value !== undefined) this.memo.set(fullKey, Promise.resolve(value));
    return value;
  }

  /** Remembers a value learned as a side effect (e.g. a total from a listing). */
  async put(kind: CacheKind, key: string, value: unknown): Promise<void> {
    const fullKey = `${kind}:${key}`;
    this.memo.set(fullKey, Promise.resolve(value));
    await this.cache.set(fullKey, value, this.ttls[kind]);
  }

  /** Forgets keys here and in the shared cache, after a write. */
  async evict(entries: Array<[CacheKind, string]>): Promise<void> {
    const keys = entries.map(([kind, key]) => `${kind}:${key}`);
    for (const key of keys) this.memo.delete(key);
    await this.cache.delete(keys);
  }

  private async load<T>(kind: CacheKind, fullKey: string, fetch: () => Promise<T>): Promise<T> {
    if (!this.bypass) {
      const hit = await this.cache.get<T>(fullKey);
      if (hit !== undefined) return hit;
    }
    const value = await fetch();
    await this.cache.set(fullKey, value, this.ttls[kind]);
    return value;
  }
}
