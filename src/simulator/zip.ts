import { crc32, deflateRawSync } from 'node:zlib';
import { centralRecord, DEFLATE, endOfDirectory, localHeader } from '../storage/zip-records.js';

/**
 * Writes a minimal ZIP archive (deflate, no zip64, no extra fields): enough to package a RAML
 * spec the way Exchange serves it, without a dependency.
 */
export function createZip(files: Array<{ name: string; content: string | Buffer }>): Buffer {
  return zipOf(
    files.map((file) => {
      const data = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, 'utf8');
      return { name: file.name, deflated: deflateRawSync(data), size: data.length, crc: crc32(data) };
    }),
  );
}

/** One entry already deflated; `size` and `crc` are what the headers claim about its text. */
export interface DeflatedEntry {
  name: string;
  deflated: Buffer;
  size: number;
  crc: number;
}

/**
 * The archive around entries deflated elsewhere. The headers say whatever the entries claim,
 * which is how the simulator builds hostile archives (hostile-files.ts) as well as honest ones.
 */
export function zipOf(entries: DeflatedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const record = { name: Buffer.from(entry.name, 'utf8'), method: DEFLATE, crc: entry.crc, compressedSize: entry.deflated.length, size: entry.size, time: 0, date: 0 };
    const local = localHeader(record);
    locals.push(local, entry.deflated);
    centrals.push(centralRecord({ ...record, offset }));
    offset += local.length + entry.deflated.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  return Buffer.concat([...locals, ...centrals, endOfDirectory(entries.length, centralSize, offset)]);
}
