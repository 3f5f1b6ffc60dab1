import { describe, expect, it } from 'vitest';
import { getJson, useSimHarness, type AssetSummaryBody } from './support.js';

const ctx = useSimHarness();

const search = (query: string) => getJson<AssetSummaryBody[]>(ctx.h, `/exchange/api/v2/assets?limit=250&${query}`, ctx.token);
const keys = (items: Array<{ groupId: string; assetId: string; version: string }>) =>
  new Set(items.map((a) => `${a.groupId}/${a.assetId}/${a.version}`));
const assets = () => [...ctx.h.sim.store.assets.values()];

describe('Exchange asset search filters', () => {
  it('filters by one organizationId, and by several when repeated', async () => {
    const orgIds = [...new Set(assets().map((a) => a.organizationId))];
    expect(orgIds.length).toBeGreaterThanOrEqual(3);
    const [first, second] = orgIds as [string, string];
    const one = await search(`organizationId=${first}`);
    expect(keys(one)).toEqual(keys(assets().filter((a) => a.organizationId === first)));
    expect(one.every((a) => a.organization?.id === first)).toBe(true);

    const two = await search(`organizationId=${first}&organizationId=${second}`);
    const expected = assets().filter((a) => a.organizationId === first || a.organizationId === second);
    expect(keys(two)).toEqual(keys(expected));
    expect(two.length).toBeLessThan(assets().length);
    expect(two.length).toBeGreaterThan(one.length);
  });

  it('filters by types, one or several', async () => {
    const types = [...new Set(assets().map((a) => a.type))];
    expect(types.length).toBeGreaterThanOrEqual(2);
    for (const type of types) {
      const found = await search(`types=${type}`);
      expect(keys(found), type).toEqual(keys(assets().filter((a) => a.type === type)));
      expect(found.every((a) => a.type === type), type).toBe(true);
    }
    expect(keys(await search(`types=${types.join(',')}`))).toEqual(keys(assets()));
    expect(keys(await search(types.map((t) => `types=${t}`).join('&')))).toEqual(keys(assets()));
    expect(await search('types=connector')).toEqual([]);
  });

  it('searches names partially and case-insensitively', async () => {
    const expected = assets().filter((a) => a.name.toLowerCase().includes('shipping') || a.assetId.includes('shipping'));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(assets().length);
    for (const term of ['shipping', 'SHIPPING', 'hIpPi']) {
      expect(keys(await search(`search=${term}`)), term).toEqual(keys(expected));
    }
  });

  it('combines organizationId, types and search', async () => {
    const target = assets().find((a) => a.type === 'rest-api')!;
    const word = target.name.split(' ')[0]!;
    const found = await search(`organizationId=${target.organizationId}&types=rest-api&search=${encodeURIComponent(word)}`);
    const expected = assets().filter(
      (a) => a.organizationId === target.organizationId && a.type === 'rest-api' && a.name.toLowerCase().includes(word.toLowerCase()),
    );
    expect(keys(found)).toEqual(keys(expected));
    expect(keys(found).has(`${target.groupId}/${target.assetId}/${target.version}`)).toBe(true);
  });
});
