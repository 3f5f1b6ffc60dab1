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

  it('freezes what every kind of value reaches: arrays of arrays, null-prototype and class objects, cycles', async () => {
    const backend = createMemoryBackend();
    class Page {
      constructor(readonly items: Array<{ tags: string[] }>) {}
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { inner: { deep: [1] } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const value = { rows: [[{ a: 1 }], [null, 'x', { b: [2] }]], page: new Page([{ tags: ['t'] }]), bare, cyclic, alreadyFrozen: Object.freeze({ open: { c: 3 } }) };
    await backend.set('k', value, 60_000);
    expect(Object.isFrozen(value.rows[0]![0])).toBe(true);
    expect(Object.isFrozen((value.rows[1]![2] as { b: number[] }).b)).toBe(true);
    expect(Object.isFrozen(value.page.items[0]!.tags)).toBe(true);
    expect(Object.isFrozen((bare.inner as { deep: number[] }).deep)).toBe(true);
    expect(Object.isFrozen(cyclic)).toBe(true);
    // A frozen part is taken to be frozen all the way down (it was cached before): not walked again.
    expect(Object.isFrozen(value.alreadyFrozen.open)).toBe(false);
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
