import { crc32, deflateRawSync } from 'node:zlib';

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
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time + date
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.deflated.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.deflated.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + entry.deflated.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
