import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSharedCache, type SharedCache } from '../../src/cache/shared-cache.js';
import { IdleScheduler } from '../../src/loaders/idle-scheduler.js';
import { ReadThrough, readWriteEpoch, type CacheTtls } from '../../src/loaders/read-through.js';

const TTLS: CacheTtls = {
  organizations: 60_000,
  environments: 60_000,
  users: 30_000,
  teams: 60_000,
  members: 60_000,
  apis: 60_000,
  exchange: 60_000,
};

/** A fetch that counts its calls and answers `value` after a few ms. */
function counted<T>(value: T) {
  const fetch = vi.fn(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return value;
  });
  return fetch;
}

let shared: SharedCache;
beforeEach(() => {
  shared = createSharedCache();
});
afterEach(() => shared.close());

describe('ReadThrough.get', () => {
  it('fetches a key once within one instance, even when it is requested concurrently', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    const fetch = counted({ id: 'u1' });
    const results = await Promise.all([reads.get('users', 'u1', fetch), reads.get('users', 'u1', fetch), reads.get('users', 'u1', fetch)]);
    expect(results).toEqual([{ id: 'u1' }, { id: 'u1' }, { id: 'u1' }]);
    expect(fetch).toHaveBeenCalledTimes(1);
    await reads.get('users', 'u1', fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('keeps kinds apart: the same key under two kinds is two entries', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    expect(await reads.get('users', 'x', async () => 'a user')).toBe('a user');
    expect(await reads.get('teams', 'x', async () => 'a team')).toBe('a team');
    expect(await new ReadThrough(shared, TTLS, false).get('teams', 'x', async () => 'fetched again')).toBe('a team');
  });

  it('lets a second instance over the same shared cache answer without calling fetch', async () => {
    await new ReadThrough(shared, TTLS, false).get('organizations', 'o1', counted({ name: 'Acme' }));
    const fetch = counted({ name: 'fresh' });
    expect(await new ReadThrough(shared, TTLS, false).get('organizations', 'o1', fetch)).toEqual({ name: 'Acme' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("writes with the kind's TTL", async () => {
    const set = vi.spyOn(shared, 'set');
    await new ReadThrough(shared, TTLS, false).get('users', 'u1', counted('someone'));
    expect(set).toHaveBeenCalledWith('users:u1', 'someone', 30_000);
  });

  it('does not share entries when the kind has a TTL of zero', async () => {
    const off: CacheTtls = { ...TTLS, apis: 0 };
    await new ReadThrough(shared, off, false).get('apis', 'a1', counted('first'));
    const fetch = counted('second');
    expect(await new ReadThrough(shared, off, false).get('apis', 'a1', fetch)).toBe('second');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('with bypass, skips reading the shared cache but still refreshes it', async () => {
    await new ReadThrough(shared, TTLS, false).get('apis', 'a1', counted('stale'));
    const get = vi.spyOn(shared, 'get');
    const fetch = counted('fresh');
    expect(await new ReadThrough(shared, TTLS, true).get('apis', 'a1', fetch)).toBe('fresh');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(get).not.toHaveBeenCalled();
    get.mockRestore();

    const later = counted('never');
    expect(await new ReadThrough(shared, TTLS, false).get('apis', 'a1', later)).toBe('fresh');
    expect(later).not.toHaveBeenCalled();
  });

  it('with bypass, still fetches a key only once within the instance', async () => {
    const reads = new ReadThrough(shared, TTLS, true);
    const fetch = counted('v');
    await Promise.all([reads.get('teams', 't', fetch), reads.get('teams', 't', fetch)]);
    await reads.get('teams', 't', fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('does not remember a failed fetch: a later get retries, and nothing is cached', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    const fetch = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('upstream down'))
      .mockResolvedValueOnce('recovered');
    await expect(reads.get('environments', 'e1', fetch)).rejects.toThrow('upstream down');
    expect(await shared.get('environments:e1')).toBeUndefined();
    expect(await reads.get('environments', 'e1', fetch)).toBe('recovered');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('gives every concurrent caller of a failing fetch the same error, from one call', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    const fetch = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('boom');
    });
    const outcomes = await Promise.allSettled([reads.get('users', 'u', fetch), reads.get('users', 'u', fetch)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('does not let an older failed load make it forget a newer one', async () => {
    // bypass: only the memo can spare the third get a fetch.
    const reads = new ReadThrough(shared, TTLS, true);
    let fail!: (error: Error) => void;
    const first = reads.get('users', 'u1', () => new Promise<string>((_, reject) => (fail = reject)));
    await reads.evict([['users', 'u1']]);
    const fetch = counted('second');
    const second = reads.get('users', 'u1', fetch);
    fail(new Error('first load failed'));
    await expect(first).rejects.toThrow('first load failed');
    expect(await second).toBe('second');
    expect(await reads.get('users', 'u1', fetch)).toBe('second');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('treats a sick shared cache as a miss and still answers from fetch', async () => {
    const errors: string[] = [];
    const sick: SharedCache = {
      ...shared,
      backend: 'redis',
      getEntry: async () => {
        errors.push('get');
        return undefined;
      },
      set: async () => {
        errors.push('set');
      },
    };
    const fetch = counted('from upstream');
    expect(await new ReadThrough(sick, TTLS, false).get('users', 'u1', fetch)).toBe('from upstream');
    expect(errors).toEqual(['get', 'set']);
  });

  it('tells the idle scheduler about each load while it runs', async () => {
    const scheduler = new IdleScheduler();
    const track = vi.spyOn(scheduler, 'track');
    const reads = new ReadThrough(shared, TTLS, false, scheduler);
    await Promise.all([reads.get('users', 'a', counted(1)), reads.get('users', 'a', counted(1)), reads.get('users', 'b', counted(2))]);
    expect(track).toHaveBeenCalledTimes(2);
  });
});

describe('ReadThrough.evict', () => {
  it('removes a key from the memo and from the shared cache', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    await reads.get('teams', 't1', counted('before'));
    await reads.get('teams', 't2', counted('kept'));
    await reads.evict([['teams', 't1']]);

    expect(await shared.get('teams:t1')).toBeUndefined();
    expect(await shared.get('teams:t2')).toBe('kept');
    const refetch = counted('after');
    expect(await reads.get('teams', 't1', refetch)).toBe('after');
    expect(refetch).toHaveBeenCalledTimes(1);
    expect(await new ReadThrough(shared, TTLS, false).get('teams', 't1', counted('unused'))).toBe('after');
  });

  it('removes several keys of different kinds at once', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    await reads.put('users', 'u1', 'user');
    await reads.put('members', 't1', ['user']);
    await reads.evict([
      ['users', 'u1'],
      ['members', 't1'],
    ]);
    expect(await reads.peek('users', 'u1')).toBeUndefined();
    expect(await reads.peek('members', 't1')).toBeUndefined();
  });
});

describe('ReadThrough.peek', () => {
  it('never calls fetch, answering undefined for an unknown key', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    const fetch = counted('x');
    expect(await reads.peek('apis', 'unknown')).toBeUndefined();
    // get() afterwards still fetches: peek did not remember the miss.
    expect(await reads.get('apis', 'unknown', fetch)).toBe('x');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('sees what this instance loaded and what another instance cached', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    await reads.get('organizations', 'o1', counted('here'));
    expect(await reads.peek('organizations', 'o1')).toBe('here');
    expect(await new ReadThrough(shared, TTLS, false).peek('organizations', 'o1')).toBe('here');
  });

  it('waits for a load in flight rather than starting another', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    const fetch = counted('loading');
    const load = reads.get('users', 'u1', fetch);
    expect(await reads.peek('users', 'u1')).toBe('loading');
    await load;
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('answers undefined, not an error, when the load in flight fails', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    const load = reads.get('users', 'u1', async () => {
      throw new Error('nope');
    });
    expect(await reads.peek('users', 'u1')).toBeUndefined();
    await expect(load).rejects.toThrow('nope');
  });

  it('with bypass, ignores the shared cache but sees its own memo', async () => {
    await shared.set('users:u1', 'cached', 60_000);
    const reads = new ReadThrough(shared, TTLS, true);
    expect(await reads.peek('users', 'u1')).toBeUndefined();
    await reads.put('users', 'u1', 'put here');
    expect(await reads.peek('users', 'u1')).toBe('put here');
  });
});

describe('ReadThrough.put', () => {
  it('remembers a value learned on the side, here and in the shared cache', async () => {
    const set = vi.spyOn(shared, 'set');
    await new ReadThrough(shared, TTLS, false).put('users', 'count:o1', 42);
    expect(set).toHaveBeenCalledWith('users:count:o1', 42, 30_000);
    const fetch = counted(0);
    expect(await new ReadThrough(shared, TTLS, false).get('users', 'count:o1', fetch)).toBe(42);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('ReadThrough.freshUntil and the write epoch', () => {
  it('is the earliest expiry of what was read or filled, and 0 before anything was', async () => {
    const reads = new ReadThrough(shared, TTLS, false);
    expect(reads.freshUntil).toBe(0);
    const before = Date.now();
    await reads.get('organizations', 'o1', counted('org'));
    expect(reads.freshUntil).toBeGreaterThanOrEqual(before + TTLS.organizations);
    await reads.get('users', 'u1', counted('user'));
    expect(reads.freshUntil).toBeLessThanOrEqual(Date.now() + TTLS.users);
    const { expiresAt } = (await shared.getEntry('users:u1'))!;
    // A second request that finds both in the cache is fresh exactly until the earlier expires.
    const again = new ReadThrough(shared, TTLS, false);
    await again.get('organizations', 'o1', counted('not fetched'));
    await again.get('users', 'u1', counted('not fetched'));
    expect(again.freshUntil).toBe(expiresAt);
  });

  it('is 0 once a value was used that the cache does not hold', async () => {
    const reads = new ReadThrough(shared, { ...TTLS, apis: 0 }, false);
    await reads.get('organizations', 'o1', counted('org'));
    await reads.get('apis', 'a1', counted('not cached'));
    expect(reads.freshUntil).toBe(0);
  });

  it('moves the write epoch on every evict', async () => {
    expect(await readWriteEpoch(shared)).toBe('none');
    await new ReadThrough(shared, TTLS, true).evict([['users', 'u1']]);
    const first = await readWriteEpoch(shared);
    expect(first).not.toBe('none');
    await new ReadThrough(shared, TTLS, true).evict([['teams', 't1']]);
    expect(await readWriteEpoch(shared)).not.toBe(first);
  });
});
