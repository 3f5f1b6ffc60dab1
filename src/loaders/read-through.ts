import { randomUUID } from 'node:crypto';
import type { SharedCache } from '../cache/shared-cache.js';
import type { IdleScheduler } from './idle-scheduler.js';

/** Kinds of upstream data, each with its own TTL in the shared cache. */
export type CacheKind = 'organizations' | 'environments' | 'users' | 'teams' | 'members' | 'apis' | 'exchange';

export type CacheTtls = Readonly<Record<CacheKind, number>>;

/**
 * How long an evict's fence token outlives it. A fill compares the token it read before fetching
 * with the one there just before writing, so the token must outlast any fill (upstream calls
 * time out long before this).
 */
const FENCE_TTL_MS = 10 * 60_000;

const fenceKey = (fullKey: string) => `fence:${fullKey}`;

/**
 * One token for every evict of the cache (every replica on the same Redis): whatever was built
 * from cached entries before it changed (a cached response) may predate a write.
 */
const WRITE_EPOCH_KEY = 'fence:*';

/** The current write epoch ('none' before the first evict); throws when the cache cannot say. */
export async function readWriteEpoch(cache: SharedCache): Promise<string> {
  const [epoch] = await cache.getMany<string>([WRITE_EPOCH_KEY], { throwOnError: true });
  return epoch ?? 'none';
}

/**
 * Per-request memo in front of the shared cache in front of Anypoint. Within one request a key
 * is fetched at most once (the memo holds the promise); across requests the shared cache
 * answers until the kind's TTL runs out. `bypass` skips reading the shared cache (a caller's
 * Cache-Control: no-cache) but still refreshes it.
 */
export class ReadThrough {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** The earliest expiry of the cached entries read or filled so far (0: something was not cached). */
  private earliestExpiry = Number.POSITIVE_INFINITY;

  constructor(
    private readonly cache: SharedCache,
    private readonly ttls: CacheTtls,
    private readonly bypass: boolean,
    private readonly scheduler?: IdleScheduler,
    /** Told every value this request reads (demand control learns the platform's sizes from them). */
    private readonly observe?: (kind: CacheKind, key: string, value: unknown, entry?: object) => void,
  ) {}

  get<T>(kind: CacheKind, key: string, fetch: () => Promise<T>): Promise<T> {
    const fullKey = `${kind}:${key}`;
    let pending = this.memo.get(fullKey) as Promise<T> | undefined;
    if (!pending) {
      pending = this.load(kind, key, fullKey, fetch);
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

  /**
   * Until when everything read through this instance is still what the shared cache holds (epoch
   * ms): the earliest expiry among the entries it read or filled, 0 once it used a value the cache
   * did not keep (a kind with caching off, a fill skipped after an evict). An answer built from
   * these reads can be reused until then, unless a write intervenes (see readWriteEpoch).
   */
  get freshUntil(): number {
    return this.earliestExpiry === Number.POSITIVE_INFINITY ? 0 : this.earliestExpiry;
  }

  /** Whether the caller asked for fresh data (Cache-Control: no-cache): cached reads are skipped. */
  /**
   * Tells demand control of a value read from elsewhere than Anypoint (the gateway's own stores),
   * under a key of its own: e.g. how many groups an org has linked, which prices drift queries.
   */
  tell(kind: CacheKind, key: string, value: unknown): void {
    this.observe?.(kind, key, value);
  }

  get bypassing(): boolean {
    return this.bypass;
  }

  private noteExpiry(expiresAt: number): void {
    if (expiresAt < this.earliestExpiry) this.earliestExpiry = expiresAt;
  }

  /** What is already known (memo or shared cache) without calling upstream. */
  async peek<T>(kind: CacheKind, key: string): Promise<T | undefined> {
    const fullKey = `${kind}:${key}`;
    const pending = this.memo.get(fullKey) as Promise<T> | undefined;
    if (pending) return pending.catch(() => undefined);
    if (this.bypass) return undefined;
    const entry = await this.cache.getEntry<T>(fullKey);
    if (entry === undefined) return undefined;
    this.noteExpiry(entry.expiresAt);
    this.memo.set(fullKey, Promise.resolve(entry.value));
    return entry.value;
  }

  /** Remembers a value learned as a side effect (e.g. a total from a listing). */
  async put(kind: CacheKind, key: string, value: unknown): Promise<void> {
    const fullKey = `${kind}:${key}`;
    this.memo.set(fullKey, Promise.resolve(value));
    this.noteExpiry(this.ttls[kind] > 0 ? Date.now() + this.ttls[kind] : 0);
    await this.cache.set(fullKey, value, this.ttls[kind]);
  }

  /**
   * Forgets keys here and in the shared cache, after a write. Each key also gets a fresh fence
   * token, so a fill that began before this evict (here or on another replica) does not write
   * its pre-write value back once it finishes (see load).
   */
  async evict(entries: Array<[CacheKind, string]>): Promise<void> {
    const keys = entries.map(([kind, key]) => `${kind}:${key}`);
    for (const key of keys) this.memo.delete(key);
    // Fence before delete: a fill that wrote after the delete must have re-read the fence after
    // it was replaced, or written before the delete (which then removes it). The other order
    // would leave a gap between the two where a stale write survives.
    const epochTtl = Math.max(...Object.values(this.ttls)) + FENCE_TTL_MS;
    await Promise.all([
      ...keys.map((key) => this.cache.set(fenceKey(key), randomUUID(), FENCE_TTL_MS)),
      this.cache.set(WRITE_EPOCH_KEY, randomUUID(), epochTtl),
    ]);
    await this.cache.delete(keys);
  }

  /**
   * Shared cache, else fetch and fill the shared cache, unless the key was evicted meanwhile:
   * on a miss the fence token is read before the fetch and again just before the write; when it
   * changed, an evict ran since the fetch began and the fetched value may predate the write
   * behind it, so it goes to this caller only. Costs two extra round trips per fill, none per hit.
   * Not airtight: an evict landing wholly between the second read and the write still loses.
   */
  private async load<T>(kind: CacheKind, key: string, fullKey: string, fetch: () => Promise<T>): Promise<T> {
    // A kind that is not cached writes nothing, so it needs no fence either.
    const fenced = this.ttls[kind] > 0;
    const hit = this.bypass ? undefined : await this.cache.getEntry<T>(fullKey);
    if (hit !== undefined) {
      this.noteExpiry(hit.expiresAt);
      // Told here, not in a .then on the memo's promise: that was one more promise per read.
      this.observe?.(kind, key, hit.value, hit);
      return hit.value;
    }
    // The fence is read only on a miss (a hit, the common case, costs one lookup): before the
    // fetch begins is all the check below needs.
    const fence = fenced ? await this.fence(fullKey) : undefined;
    // Only now, with the token read: a fetch begun earlier could predate an upstream write whose
    // evict's token that read already saw, and nothing would then stop its value being cached.
    const value = await fetch();
    if (fenced && (await this.fence(fullKey)) === fence) {
      this.noteExpiry(Date.now() + this.ttls[kind]);
      await this.cache.set(fullKey, value, this.ttls[kind]);
    } else {
      this.noteExpiry(0);
    }
    this.observe?.(kind, key, value);
    return value;
  }

  /** The key's fence token: undefined until the key is first evicted (or after FENCE_TTL_MS). */
  private async fence(fullKey: string): Promise<string | undefined> {
    const [token] = await this.cache.getMany<string>([fenceKey(fullKey)]);
    return token;
  }
}
