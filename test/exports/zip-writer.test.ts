import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ZipWriter } from '../../src/exports/zip-writer.js';
import { readZipEntry, DEFAULT_ARCHIVE_LIMITS } from '../../src/loaders/zip-entry.js';

async function build(entries: Array<[string, Buffer | string]>): Promise<{ zip: Buffer; chunks: number }> {
  const chunks: Buffer[] = [];
  const writer = new ZipWriter(async (chunk) => void chunks.push(chunk));
  for (const [name, content] of entries) await writer.add(name, content);
  await writer.finish();
  return { zip: Buffer.concat(chunks), chunks: chunks.length };
}

describe('zip writer', () => {
  it("writes entries that the gateway's own bounded zip reader reads back, stored or deflated", async () => {
    const text = 'openapi: 3.0.0\n'.repeat(500);
    const random = randomBytes(2048);
    const { zip, chunks } = await build([
      ['Acme/Production/orders-1.0.0.yaml', text],
      ['Acme/Sandbox/b-2.raml', random],
      ['Ünïcode/名前/c-1.json', '{}'],
      ['empty.txt', ''],
    ]);
    // Each entry went out as it was added, not as one buffer at the end.
    expect(chunks).toBeGreaterThanOrEqual(9);
    expect(await readZipEntry(zip, 'Acme/Production/orders-1.0.0.yaml', DEFAULT_ARCHIVE_LIMITS)).toBe(text);
    expect(Buffer.from(await readZipEntry(zip, 'Acme/Sandbox/b-2.raml', DEFAULT_ARCHIVE_LIMITS), 'utf8').length).toBeGreaterThan(0);
    expect(await readZipEntry(zip, 'Ünïcode/名前/c-1.json', DEFAULT_ARCHIVE_LIMITS)).toBe('{}');
    // The repetitive text was deflated: the archive is much smaller than it.
    expect(zip.length).toBeLessThan(text.length / 4 + random.length + 1000);
  });

  it('refuses two entries of one name', async () => {
    const writer = new ZipWriter(async () => undefined);
    await writer.add('a.yaml', 'x');
    await expect(writer.add('a.yaml', 'y')).rejects.toThrow(/already/);
  });
});
