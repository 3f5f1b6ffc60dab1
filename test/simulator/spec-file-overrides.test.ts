import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readZipEntry } from '../../src/loaders/zip-entry.js';
import type { ExchangeAssetRecord } from '../../src/simulator/model.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/** PUT /__sim/spec-files: hostile spec files on one asset, every other asset left faithful. */

let h: SimHarness;
let token: string;

beforeAll(async () => {
  h = await startSimHarness();
  token = await h.token();
});
afterEach(async () => {
  expect((await fetch(`${h.url}/__sim/spec-files`, { method: 'DELETE' })).status).toBe(204);
});
afterAll(() => h.close());

const assets = () => [...h.sim.store.assets.values()].filter((a) => a.specFormat);
const keyOf = (a: ExchangeAssetRecord) => `${a.groupId}/${a.assetId}/${a.version}`;
const put = (body: unknown) => fetch(`${h.url}/__sim/spec-files`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function fileOf(asset: ExchangeAssetRecord): Promise<{ packaging: string; externalLink: string; md5: string; mainFile: string }> {
  const res = await h.get(`/exchange/api/v2/assets/${keyOf(asset)}`, token);
  expect(res.status).toBe(200);
  return ((await res.json()) as { files: Array<{ packaging: string; externalLink: string; md5: string; mainFile: string }> }).files[0]!;
}

describe('spec file overrides', () => {
  it('serves a zip bomb on the asset’s signed link, listed with its real digest', async () => {
    const [asset, other] = assets();
    const before = await fileOf(other!);
    const res = await put({ asset: keyOf(asset!), kind: 'zip-bomb', inflatedMb: 4 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ asset: keyOf(asset!), kind: 'zip-bomb', inflatedMb: 4, claimedBytes: 2048, bytes: expect.any(Number) });
    const file = await fileOf(asset!);
    expect(file.packaging).toBe('zip');
    const download = Buffer.from(await (await fetch(file.externalLink)).arrayBuffer());
    expect(createHash('md5').update(download).digest('hex')).toBe(file.md5);
    await expect(readZipEntry(download, file.mainFile, { maxInflatedBytes: 1_048_576, maxZipEntries: 10 })).rejects.toMatchObject({ code: 'DOWNLOAD_TOO_LARGE' });
    // Every other asset keeps its faithful file.
    expect(await fileOf(other!)).toMatchObject({ md5: before.md5, packaging: before.packaging });
  });

  it('serves an oversized file and an archive of many entries', async () => {
    const [a, b] = assets();
    expect(((await (await put({ asset: keyOf(a!), kind: 'oversized', mb: 2 })).json()) as { bytes: number }).bytes).toBe(2 * 1_048_576);
    const big = await fetch((await fileOf(a!)).externalLink);
    expect(big.headers.get('content-length')).toBe(String(2 * 1_048_576));
    await big.arrayBuffer();
    expect((await put({ asset: keyOf(b!), kind: 'many-entries', entries: 300 })).status).toBe(200);
    const zip = Buffer.from(await (await fetch((await fileOf(b!)).externalLink)).arrayBuffer());
    expect(zip.readUInt16LE(zip.length - 22 + 10)).toBe(300);
  });

  it('puts a given link on the asset’s files[] in search and detail', async () => {
    const [asset] = assets();
    const url = 'https://169.254.169.254/latest/meta-data/';
    expect((await put({ asset: keyOf(asset!), kind: 'link', url })).status).toBe(200);
    expect((await fileOf(asset!)).externalLink).toBe(url);
    const search = (await (await h.get(`/exchange/api/v2/assets?organizationId=${asset!.organizationId}&limit=250`, token)).json()) as Array<{ assetId: string; version: string; files: Array<{ downloadURL: string }> }>;
    expect(search.find((s) => s.assetId === asset!.assetId && s.version === asset!.version)!.files[0]!.downloadURL).toBe(url);
    expect(await (await fetch(`${h.url}/__sim/spec-files`)).json()).toEqual([{ asset: keyOf(asset!), kind: 'link', url }]);
  });

  it('answers 400 for a bad request and 404 for an unknown asset', async () => {
    const [asset] = assets();
    expect((await put({ asset: keyOf(asset!), kind: 'nope' })).status).toBe(400);
    expect((await put({ asset: 'not-a-key', kind: 'oversized', mb: 1 })).status).toBe(400);
    expect((await put({ asset: keyOf(asset!), kind: 'many-entries', entries: 70_000 })).status).toBe(400);
    expect((await put({ asset: keyOf(asset!), kind: 'link', url: 'not a url' })).status).toBe(400);
    const missing = await put({ asset: 'g/a/9.9.9', kind: 'oversized', mb: 1 });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ status: 404, message: 'Asset g/a/9.9.9 not found' });
    expect(await (await fetch(`${h.url}/__sim/spec-files`)).json()).toEqual([]);
  });
});
