import { describe, expect, it } from 'vitest';
import { crc32, deflateRawSync } from 'node:zlib';
import { readZipEntry, type ArchiveLimits } from '../../src/loaders/zip-entry.js';
import { zipBomb, zipWithManyEntries } from '../../src/simulator/hostile-files.js';
import { createZip, zipOf } from '../../src/simulator/zip.js';

const MB = 1_048_576;
const LIMITS: ArchiveLimits = { maxInflatedBytes: 1 * MB, maxZipEntries: 10 };
const RAML = '#%RAML 1.0\ntitle: Orders\n/orders:\n  get:\n';

/** The code and message readZipEntry rejects with. */
async function failure(zip: Buffer, name: string | undefined, limits = LIMITS): Promise<{ code: string; message: string }> {
  try {
    await readZipEntry(zip, name, limits);
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error('readZipEntry did not reject');
}

/** Offsets of the archive's records, for the tests that corrupt one field. */
const endOf = (zip: Buffer) => zip.length - 22;
const centralOf = (zip: Buffer) => zip.readUInt32LE(endOf(zip) + 16);

describe('readZipEntry', () => {
  it('reads the named entry, or the first one when no name is given', async () => {
    const zip = createZip([
      { name: 'api.raml', content: RAML },
      { name: 'types/order.raml', content: '#%RAML 1.0 DataType\n' },
    ]);
    await expect(readZipEntry(zip, 'api.raml', LIMITS)).resolves.toBe(RAML);
    await expect(readZipEntry(zip, 'types/order.raml', LIMITS)).resolves.toBe('#%RAML 1.0 DataType\n');
    await expect(readZipEntry(zip, undefined, LIMITS)).resolves.toBe(RAML);
  });

  it('reads a stored (uncompressed) entry', async () => {
    const data = Buffer.from(RAML);
    const zip = zipOf([{ name: 'api.raml', deflated: data, size: data.length, crc: crc32(data) }]);
    // zipOf writes method 8; a stored entry says 0 in both headers.
    zip.writeUInt16LE(0, 8);
    zip.writeUInt16LE(0, centralOf(zip) + 10);
    await expect(readZipEntry(zip, 'api.raml', LIMITS)).resolves.toBe(RAML);
  });

  it('answers NOT_FOUND for a file the archive does not hold', async () => {
    expect(await failure(createZip([{ name: 'api.raml', content: RAML }]), 'other.raml')).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops a bomb that claims to be small at the inflate limit (DOWNLOAD_TOO_LARGE)', async () => {
    // 16 MB of spaces in about 16 KB of deflate, claiming 2 KB.
    const bomb = await zipBomb('api.raml', 16 * MB, 2_048);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await failure(bomb, 'api.raml')).toEqual({ code: 'DOWNLOAD_TOO_LARGE', message: expect.stringContaining('inflates to more than 1 MB (DOWNLOAD_MAX_INFLATED_MB)') });
  });

  it('refuses an entry whose declared size is over the limit without inflating it', async () => {
    // The deflate data is garbage: reaching the inflate would fail as corrupt, not as too large.
    const garbage = Buffer.from('not deflate at all');
    const zip = zipOf([{ name: 'api.raml', deflated: garbage, size: 2 * MB, crc: 0 }]);
    expect(await failure(zip, 'api.raml')).toMatchObject({ code: 'DOWNLOAD_TOO_LARGE' });
  });

  it('reads a file of exactly the inflate limit', async () => {
    const text = 'a'.repeat(LIMITS.maxInflatedBytes);
    await expect(readZipEntry(createZip([{ name: 'api.raml', content: text }]), 'api.raml', LIMITS)).resolves.toHaveLength(text.length);
  });

  it('refuses an archive listing more entries than the limit before walking them (DOWNLOAD_TOO_LARGE)', async () => {
    const zip = zipWithManyEntries('api.raml', RAML, 11);
    expect(await failure(zip, 'api.raml')).toEqual({ code: 'DOWNLOAD_TOO_LARGE', message: expect.stringContaining('lists 11 entries, more than 10 (DOWNLOAD_MAX_ZIP_ENTRIES)') });
    await expect(readZipEntry(zipWithManyEntries('api.raml', RAML, 10), 'api.raml', LIMITS)).resolves.toBe(RAML);
  });

  it('refuses an archive whose directory holds more entries than its end record declares', async () => {
    const zip = zipWithManyEntries('api.raml', RAML, 50);
    zip.writeUInt16LE(1, endOf(zip) + 8);
    zip.writeUInt16LE(1, endOf(zip) + 10);
    expect(await failure(zip, undefined)).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('holds more than it declares') });
  });

  it('refuses zip64 archives', async () => {
    const zip = createZip([{ name: 'api.raml', content: RAML }]);
    const asZip64 = Buffer.from(zip);
    asZip64.writeUInt16LE(0xffff, endOf(asZip64) + 10);
    expect(await failure(asZip64, 'api.raml')).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('zip64') });
    const withLocator = Buffer.concat([zip.subarray(0, endOf(zip)), Buffer.alloc(20), zip.subarray(endOf(zip))]);
    withLocator.writeUInt32LE(0x07064b50, endOf(withLocator) - 20);
    expect(await failure(withLocator, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('zip64') });
  });

  it('refuses encrypted entries', async () => {
    const zip = createZip([{ name: 'api.raml', content: RAML }]);
    zip.writeUInt16LE(zip.readUInt16LE(centralOf(zip) + 8) | 1, centralOf(zip) + 8);
    expect(await failure(zip, 'api.raml')).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('encrypted') });
  });

  it('refuses compression methods other than stored and deflate', async () => {
    const zip = createZip([{ name: 'api.raml', content: RAML }]);
    zip.writeUInt16LE(12, centralOf(zip) + 10); // bzip2
    expect(await failure(zip, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('compression method 12') });
  });

  it('refuses an archive whose offsets point outside it', async () => {
    const zip = createZip([{ name: 'api.raml', content: RAML }]);
    const badDirectory = Buffer.from(zip);
    badDirectory.writeUInt32LE(badDirectory.length + 1000, endOf(badDirectory) + 16);
    expect(await failure(badDirectory, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('inconsistent') });
    const badLocal = Buffer.from(zip);
    badLocal.writeUInt32LE(0x7fffffff, centralOf(badLocal) + 42);
    expect(await failure(badLocal, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('no local header') });
    const overrun = Buffer.from(zip);
    overrun.writeUInt32LE(0x00ffffff, centralOf(overrun) + 20);
    expect(await failure(overrun, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('overruns') });
  });

  it('refuses an entry that is not the file its headers describe (size or CRC)', async () => {
    const data = Buffer.from(RAML);
    const wrongCrc = zipOf([{ name: 'api.raml', deflated: deflateRawSync(data), size: data.length, crc: crc32(data) ^ 1 }]);
    expect(await failure(wrongCrc, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('not the file its headers describe') });
    const wrongSize = zipOf([{ name: 'api.raml', deflated: deflateRawSync(data), size: data.length - 1, crc: crc32(data) }]);
    expect(await failure(wrongSize, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('refuses data that is not a zip, or a corrupt deflate stream', async () => {
    expect(await failure(Buffer.from('openapi: 3.0.3\n'), undefined)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('not a valid zip') });
    expect(await failure(Buffer.alloc(0), undefined)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const corrupt = zipOf([{ name: 'api.raml', deflated: Buffer.from([0xff, 0xff, 0xff]), size: 10, crc: 0 }]);
    expect(await failure(corrupt, 'api.raml')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('does not inflate') });
  });
});
