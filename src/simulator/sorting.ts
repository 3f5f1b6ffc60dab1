import { slicePage, type Page } from './http.js';

/** Sort keys: numbers compare as numbers, anything else by localeCompare, as Anypoint sorts names. */
type SortKey = string | number;

function compareKeys(a: SortKey, b: SortKey, sign: number): number {
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sign;
  return String(a).localeCompare(String(b)) * sign;
}

/**
 * Sorts in place (stable) by a key. Each item's key is computed once rather than twice per
 * comparison: keys such as an API's asset name are map lookups.
 */
export function sortBy<T>(items: T[], key: (item: T) => SortKey, ascending: boolean): T[] {
  const sign = ascending ? 1 : -1;
  const keyed = items.map((item) => ({ item, key: key(item) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, sign));
  keyed.forEach((entry, i) => {
    items[i] = entry.item;
  });
  return items;
}

/** Pages ending this near the top are picked in one pass instead of a full sort. */
const SELECT_UP_TO = 10;

/**
 * The page of `items` in sortBy's order, without sorting them all when the page ends near the
 * top: the gateway's API count is a `limit=1` listing per environment, and a full localeCompare
 * sort of the environment's instances was most of what such a call cost.
 */
export function sortedPage<T>(items: readonly T[], key: (item: T) => SortKey, ascending: boolean, page: Page): T[] {
  const wanted = page.offset + page.limit;
  if (wanted > SELECT_UP_TO) return slicePage(sortBy([...items], key, ascending), page);
  const sign = ascending ? 1 : -1;
  // The first `wanted` items in stable sorted order: each goes after the kept items it does not
  // sort before (so equal keys keep their original order), and whatever falls past `wanted` drops.
  const top: Array<{ item: T; key: SortKey }> = [];
  for (const item of items) {
    const entry = { item, key: key(item) };
    let at = top.length;
    while (at > 0 && compareKeys(top[at - 1]!.key, entry.key, sign) > 0) at -= 1;
    if (at >= wanted) continue;
    top.splice(at, 0, entry);
    if (top.length > wanted) top.pop();
  }
  return slicePage(top, page).map((entry) => entry.item);
}
