import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSharedCache, identityPartition, type SharedCache } from '../../src/cache/shared-cache.js';
import { ReadThrough, type CacheTtls } from '../../src/loaders/read-through.js';
import { describeWithService, redisAvailable, REDIS_URL } from '../helpers/services.js';

const TTLS: CacheTtls = {
  organizations: 60_000,
  environments: 60_000,
  users: 60_000,
  teams: 60_000,
  members: 60_000,
  apis: 60_000,
  exchange: 60_000,
};

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A fetch held open until `release`, and `started` once it has been called. */
function heldFetch<T>() {
  const started = deferred();
  const result = deferred<T>();
  const fetch = vi.fn(() => {
    started.resolve();
    return result.promise;
  });
  return { fetch, started: started.promise, release: result.resolve };
}

/** Two views of one shared cache, as two gateway replicas (or two requests of one) see it. */
interface Replicas {
  one: SharedCache;
  two: SharedCache;
  close(): Promise<void>;
}

/** The fencing behaviour, whatever the backend. */
function fencing(open: () => Replicas) {
  let replicas: Replicas;
  beforeEach(() => {
    replicas = open();
  });
  afterEach(() => replicas.close());

  it('does not write back a value whose fetch began before an evict of the same key', async () => {
    const { one, two } = replicas;
    const held = heldFetch<string>();
    const fill = new ReadThrough(one, TTLS, false).get('teams', 't1', held.fetch);
    await held.started;
    await new ReadThrough(two, TTLS, false).evict([['teams', 't1']]);
    held.release('from before the write');

    // Its own caller still gets what it fetched...
    expect(await fill).toBe('from before the write');
    // ...but no replica sees it, and the next read fetches afresh.
    expect(await one.get('teams:t1')).toBeUndefined();
    expect(await two.get('teams:t1')).toBeUndefined();
    const fresh = vi.fn(async () => 'from after the write');
    expect(await new ReadThrough(two, TTLS, false).get('teams', 't1', fresh)).toBe('from after the write');
    expect(fresh).toHaveBeenCalledTimes(1);
  });

  it('after an evict, starts a new fill instead of joining the one in flight, and keeps only the new value', async () => {
    const { one, two } = replicas;
    const reads = new ReadThrough(one, TTLS, false);
    const held = heldFetch<string>();
    const stale = reads.get('members', 'g1', held.fetch);
    await held.started;
    await reads.evict([['members', 'g1']]);
    const fresh = vi.fn(async () => 'after');
    expect(await reads.get('members', 'g1', fresh)).toBe('after');
    held.release('before');
    expect(await stale).toBe('before');
    expect(fresh).toHaveBeenCalledTimes(1);
    expect(await two.get('members:g1')).toBe('after');
  });

  it('still caches a fill when no evict ran while it fetched', async () => {
    const { one, two } = replicas;
    const held = heldFetch<{ name: string }>();
    const fill = new ReadThrough(one, TTLS, false).get('organizations', 'o1', held.fetch);
    await held.started;
    held.release({ name: 'Acme' });
    await fill;
    const unused = vi.fn(async () => ({ name: 'not fetched' }));
    expect(await new ReadThrough(two, TTLS, false).get('organizations', 'o1', unused)).toEqual({ name: 'Acme' });
    expect(unused).not.toHaveBeenCalled();
  });

  it('caches a fill that began after the evict', async () => {
    const { one, two } = replicas;
    await new ReadThrough(two, TTLS, false).evict([['users', 'u1']]);
    await new ReadThrough(one, TTLS, false).get('users', 'u1', async () => 'after the write');
    const unused = vi.fn(async () => 'not fetched');
    expect(await new ReadThrough(two, TTLS, false).get('users', 'u1', unused)).toBe('after the write');
    expect(unused).not.toHaveBeenCalled();
  });

  it('lets an evict of another key leave the fill alone', async () => {
    const { one, two } = replicas;
    const held = heldFetch<string>();
    const fill = new ReadThrough(one, TTLS, false).get('teams', 't1', held.fetch);
    await held.started;
    await new ReadThrough(two, TTLS, false).evict([
      ['teams', 't2'],
      ['members', 't1'],
    ]);
    held.release('still good');
    await fill;
    expect(await two.get('teams:t1')).toBe('still good');
  });

  it('fences a fill that bypasses the cache (Cache-Control: no-cache) too', async () => {
    const { one, two } = replicas;
    const held = heldFetch<string>();
    const fill = new ReadThrough(one, TTLS, true).get('apis', 'a1', held.fetch);
    await held.started;
    await new ReadThrough(two, TTLS, false).evict([['apis', 'a1']]);
    held.release('from before the write');
    expect(await fill).toBe('from before the write');
    expect(await two.get('apis:a1')).toBeUndefined();
  });
}

describe('ReadThrough write fencing over one shared cache in memory', () => {
  fencing(() => {
    const cache = createSharedCache();
    return { one: cache, two: cache, close: () => cache.close() };
  });

  /**
   * A view of `cache` that counts round trips: a call that starts while another is in flight
   * shares its round trip (as pipelined Redis commands do); one that starts alone opens a new one.
   */
  function countingRoundTrips(cache: SharedCache) {
    let inFlight = 0;
    let roundTrips = 0;
    const track = async <T>(call: () => Promise<T>): Promise<T> => {
      if (inFlight++ === 0) roundTrips++;
      try {
        return await call();
      } finally {
        inFlight--;
      }
    };
    const view: SharedCache = {
      ...cache,
      get: (key) => track(() => cache.get(key)),
      getEntry: (key) => track(() => cache.getEntry(key)),
      getMany: (keys) => track(() => cache.getMany(keys)),
      set: (key, value, ttlMs) => track(() => cache.set(key, value, ttlMs)),
      delete: (keys) => track(() => cache.delete(keys)),
    };
    return { view, roundTrips: () => roundTrips };
  }

  it('costs a fill two cache round trips more than before (read, fence, fence again, write) and a hit none', async () => {
    const cache = createSharedCache();
    const miss = countingRoundTrips(cache);
    await new ReadThrough(miss.view, TTLS, false).get('users', 'u1', async () => 'fetched');
    expect(miss.roundTrips()).toBe(4);

    const hit = countingRoundTrips(cache);
    expect(await new ReadThrough(hit.view, TTLS, false).get('users', 'u1', async () => 'not fetched')).toBe('fetched');
    expect(hit.roundTrips()).toBe(1);
    await cache.close();
  });

  it('spends nothing on fences for a kind that is not cached', async () => {
    const cache = createSharedCache();
    const getMany = vi.spyOn(cache, 'getMany');
    await new ReadThrough(cache, { ...TTLS, exchange: 0 }, false).get('exchange', 'asset', async () => 'fetched');
    expect(getMany).not.toHaveBeenCalled();
    await cache.close();
  });
});

describeWithService('ReadThrough write fencing across two replicas sharing Redis', redisAvailable, () => {
  fencing(() => {
    const namespace = `anypoint-graph-test-fence-${randomUUID()}`;
    const partition = identityPartition('https://anypoint.mulesoft.com|fence-test');
    const caches = [createSharedCache({ redisUrl: REDIS_URL, namespace }), createSharedCache({ redisUrl: REDIS_URL, namespace })] as const;
    return {
      one: caches[0].partition(partition),
      two: caches[1].partition(partition),
      close: async () => {
        await Promise.all(caches.map((cache) => cache.close()));
      },
    };
  });
});

/** getMany is what the fence reads go through; its contract, on both backends. */
function getManyContract(open: () => SharedCache) {
  let cache: SharedCache;
  beforeEach(() => {
    cache = open();
  });
  afterEach(() => cache.close());

  it('answers several keys in the order asked, with undefined for misses', async () => {
    await cache.set('users:1', 'one', 60_000);
    await cache.set('users:3', { three: 3 }, 60_000);
    expect(await cache.getMany(['users:3', 'users:2', 'users:1'])).toEqual([{ three: 3 }, undefined, 'one']);
    expect(await cache.getMany([])).toEqual([]);
  });

  it('reads within its partition only', async () => {
    await cache.partition('a').set('users:1', 'in a', 60_000);
    expect(await cache.partition('b').getMany(['users:1'])).toEqual([undefined]);
    expect(await cache.getMany(['users:1'])).toEqual([undefined]);
    expect(await cache.partition('a').getMany(['users:1'])).toEqual(['in a']);
  });
}

describe('SharedCache.getMany in memory', () => {
  getManyContract(() => createSharedCache());

  it('is not counted as a lookup', async () => {
    const lookups: boolean[] = [];
    const cache = createSharedCache({ onLookup: (hit) => lookups.push(hit) });
    await cache.set('k', 'v', 60_000);
    await cache.getMany(['k', 'missing']);
    expect(lookups).toEqual([]);
    await cache.close();
  });
});

describeWithService('SharedCache.getMany in Redis', redisAvailable, () => {
  getManyContract(() => createSharedCache({ redisUrl: REDIS_URL, namespace: `anypoint-graph-test-getmany-${randomUUID()}` }));
});

describe('SharedCache.getMany with Redis unreachable', () => {
  let cache: SharedCache | undefined;
  afterAll(async () => {
    await cache?.close();
  });

  it('answers misses and reports the failure, as get does', { timeout: 30_000 }, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    const failures: string[] = [];
    cache = createSharedCache({ redisUrl: `redis://127.0.0.1:${address.port}`, onError: (operation) => failures.push(operation) });
    expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    expect(failures).toEqual(['getMany']);
  });
});
