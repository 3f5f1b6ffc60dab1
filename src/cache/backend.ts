/** A stored value and when it stops being served (epoch ms). */
export interface CacheEntry<T = unknown> {
  value: T;
  expiresAt: number;
}

/**
 * Where the shared cache keeps its entries: the process's memory or Redis. Backends may throw;
 * the shared cache turns every failure into a miss (shared-cache.ts).
 */
export interface CacheBackend {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<CacheEntry | undefined>;
  getMany(keys: string[]): Promise<Array<unknown | undefined>>;
  /** ttlMs > 0 (the shared cache handles "do not cache"). */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
  close(): Promise<void>;
}
