import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/server/response-cache.js';

const answer = (n: number) => ({ users: Array.from({ length: n }, (_, i) => ({ id: `u${i}` })) });
const bytesOf = (value: unknown) => JSON.stringify(value).length;

describe('ResponseCache', () => {
  it('gives an answer back only under the write epoch it was stored with, and until it goes stale', () => {
    let now = 0;
    const cache = new ResponseCache(1_000_000, () => now);
    cache.set('q', 'epoch-1', answer(1), 500);
    expect(cache.get('q', 'epoch-1')).toEqual(answer(1));
    expect(cache.get('q', 'epoch-2')).toBeUndefined();
    // A mismatch drops the answer: the old epoch never comes back.
    expect(cache.get('q', 'epoch-1')).toBeUndefined();
    cache.set('q', 'epoch-2', answer(1), 500);
    now = 500;
    expect(cache.get('q', 'epoch-2')).toBeUndefined();
    expect(cache.size.entries).toBe(0);
  });

  it('stores nothing already stale, nothing when off, and no single answer over a quarter of its room', () => {
    const cache = new ResponseCache(4 * bytesOf(answer(10)));
    cache.set('stale', 'e', answer(1), Date.now() - 1);
    cache.set('big', 'e', answer(11), Date.now() + 60_000);
    expect(cache.size.entries).toBe(0);
    const off = new ResponseCache(0);
    off.set('q', 'e', answer(1), Date.now() + 60_000);
    expect(off.enabled).toBe(false);
    expect(off.get('q', 'e')).toBeUndefined();
  });

  it('stays within its size, dropping the least recently used answers first', () => {
    const one = bytesOf(answer(5));
    const cache = new ResponseCache(4 * one);
    const later = Date.now() + 60_000;
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, 'e', answer(5), later);
    expect(cache.get('a', 'e')).toBeDefined(); // a is now the most recently used
    cache.set('e', 'e', answer(5), later);
    expect(cache.get('b', 'e')).toBeUndefined();
    expect(['a', 'c', 'd', 'e'].map((k) => cache.get(k, 'e') !== undefined)).toEqual([true, true, true, true]);
    expect(cache.size).toEqual({ entries: 4, bytes: 4 * one });
    // Replacing an answer does not count it twice.
    cache.set('d', 'e', answer(5), later);
    expect(cache.size).toEqual({ entries: 4, bytes: 4 * one });
  });
});

describe('ResponseCache.stringifyResult', () => {
  it("writes a stored answer from its JSON, byte for byte what Apollo's default would write", () => {
    const cache = new ResponseCache(1_000_000);
    const data = { organizations: [{ id: 'o1', name: 'Acme "Root"', environments: [] }] };
    cache.set('q', 'e', data, Date.now() + 60_000);
    const apolloDefault = (value: unknown) => `${JSON.stringify(value)}\n`;
    const result = { errors: undefined, data, extensions: undefined };
    expect(cache.stringifyResult(result)).toBe(apolloDefault(result));
    expect(cache.stringifyResult({ data })).toBe(`{"data":${JSON.stringify(data)}}\n`);
  });

  it('serializes anything else itself: other objects, and stored data sent with errors or extensions', () => {
    const cache = new ResponseCache(1_000_000);
    const data = { viewer: { clientId: 'c' } };
    cache.set('q', 'e', data, Date.now() + 60_000);
    const withErrors = { errors: [{ message: 'boom' }], data };
    expect(cache.stringifyResult(withErrors)).toBe(`${JSON.stringify(withErrors)}\n`);
    const other = { data: { viewer: { clientId: 'other' } } };
    expect(cache.stringifyResult(other)).toBe(`${JSON.stringify(other)}\n`);
  });
});
