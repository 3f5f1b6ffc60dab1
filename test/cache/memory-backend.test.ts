import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/cache/memory-backend.js';
import { createSharedCache } from '../../src/cache/shared-cache.js';

describe('the in-memory cache backend', () => {
  it('hands out the stored object itself, frozen all the way down, so no reader can change it for the next', async () => {
    const cache = createSharedCache();
    const listing = { users: [{ id: 'u1', name: 'Ada', tags: ['x'] }] };
    await cache.set('users:org-1', listing, 60_000);
    const read = await cache.get<typeof listing>('users:org-1');
    expect(read).toBe(listing);
    expect(Object.isFrozen(read!.users[0]!.tags)).toBe(true);
    expect(() => read!.users.push({ id: 'u2', name: 'Bob', tags: [] })).toThrow(TypeError);
    expect(() => {
      read!.users[0]!.name = 'Eve';
    }).toThrow(TypeError);
    expect((await cache.get<typeof listing>('users:org-1'))!.users).toEqual([{ id: 'u1', name: 'Ada', tags: ['x'] }]);
    await cache.close();
  });

  it('tells when each entry expires, and stops serving it then', async () => {
    let now = 1_000_000;
    const backend = createMemoryBackend(() => now);
    await backend.set('k', 'v', 5_000);
    expect(await backend.get('k')).toEqual({ value: 'v', expiresAt: 1_005_000 });
    now = 1_004_999;
    expect(await backend.getMany(['k', 'other'])).toEqual(['v', undefined]);
    now = 1_005_000;
    expect(await backend.get('k')).toBeUndefined();
  });

  it('sweeps out expired entries that are never read again', async () => {
    let now = 0;
    const backend = createMemoryBackend(() => now);
    await backend.set('old', 'x', 10);
    now = 100;
    // The sweep runs every 1,000 writes; 'old' is never read, so only the sweep can drop it.
    for (let i = 0; i < 1_000; i++) await backend.set(`k${i % 10}`, i, 60_000);
    now = 0; // were 'old' still stored, it would be live again at this time
    expect(await backend.get('old')).toBeUndefined();
    expect(await backend.get('k9')).toEqual({ value: 999, expiresAt: 60_100 });
  });
});
