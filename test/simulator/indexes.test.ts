import { describe, expect, it } from 'vitest';
import { GroupedMap } from '../../src/simulator/grouped-map.js';
import { sortBy, sortedPage } from '../../src/simulator/sorting.js';

describe('GroupedMap', () => {
  const users = () => new GroupedMap<string, { id: string; org: string }, string>((u) => u.org);

  it('lists a group in insertion order, as a filter over the whole map would', () => {
    const map = users();
    for (const [id, org] of [['a', 'o1'], ['b', 'o2'], ['c', 'o1'], ['d', 'o1']]) map.set(id!, { id: id!, org: org! });
    expect(map.inGroup('o1').map((u) => u.id)).toEqual([...map.values()].filter((u) => u.org === 'o1').map((u) => u.id));
    expect(map.inGroup('none')).toEqual([]);
    expect(map.size).toBe(4);
  });

  it('keeps groups right through replace, delete and clear', () => {
    const map = users();
    map.set('a', { id: 'a', org: 'o1' });
    map.set('a', { id: 'a', org: 'o2' }); // a record planted again under another org
    expect(map.inGroup('o1')).toEqual([]);
    expect(map.inGroup('o2')).toEqual([{ id: 'a', org: 'o2' }]);
    map.delete('a');
    expect(map.inGroup('o2')).toEqual([]);
    map.set('b', { id: 'b', org: 'o1' });
    map.clear();
    expect(map.inGroup('o1')).toEqual([]);
    // The caller may sort what it gets without touching the group.
    map.set('c', { id: 'c', org: 'o1' });
    map.set('d', { id: 'd', org: 'o1' });
    map.inGroup('o1').reverse();
    expect(map.inGroup('o1').map((u) => u.id)).toEqual(['c', 'd']);
  });
});

describe('sortedPage', () => {
  // Deterministic pseudo-random names with many ties, so stability is put to the test.
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  const items = Array.from({ length: 300 }, (_, i) => ({ i, name: `asset-${next() % 40}`, size: next() % 9 }));

  it('gives the same page as sorting everything, ties in their original order, for pages near the top and further down', () => {
    for (const key of [(x: (typeof items)[number]) => x.name, (x: (typeof items)[number]) => x.size]) {
      for (const ascending of [true, false]) {
        const full = sortBy([...items], key, ascending);
        for (const page of [{ offset: 0, limit: 1 }, { offset: 3, limit: 5 }, { offset: 0, limit: 10 }, { offset: 20, limit: 50 }]) {
          expect(sortedPage(items, key, ascending, page)).toEqual(full.slice(page.offset, page.offset + page.limit));
        }
      }
    }
  });

  it('leaves its input alone', () => {
    const before = items.map((x) => x.i);
    sortedPage(items, (x) => x.name, true, { offset: 0, limit: 3 });
    sortedPage(items, (x) => x.name, false, { offset: 40, limit: 30 });
    expect(items.map((x) => x.i)).toEqual(before);
  });
});
