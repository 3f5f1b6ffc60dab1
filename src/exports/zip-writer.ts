import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

/**
 * A streamed ZIP archive (PKWARE APPNOTE 6.3): each entry is written as soon as it is added,
 * its local header, then its data; the central directory goes out at the end. An entry's data
 * is in memory while it is written (a spec file, bounded by the download limits), never the
 * archive. Entries are deflated when that makes them smaller, else stored. Names are UTF-8
 * (flag bit 11). No zip64: an archive that would need it (over 65,535 entries or 4 GiB) fails.
 */
export type ZipSink = (chunk: Buffer) => Promise<void>;

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_ENTRY = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const STORE = 0;
const DEFLATE = 8;
const UTF8_NAMES = 0x0800;
const VERSION_NEEDED = 20;
/** Made by: Unix (3), spec 2.0, so the external attributes are Unix modes. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** A regular file, rw-r--r--. */
const FILE_MODE = (0o100644 << 16) >>> 0;
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

const deflateRawAsync = promisify(deflateRaw);

interface Written {
  name: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

/** MS-DOS time and date, in local fields as the format has them (UTC here: no time zone in a zip). */
function dosTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getUTCFullYear());
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

export class ZipWriter {
  private readonly entries: Written[] = [];
  private readonly names = new Set<string>();
  private offset = 0;
  private finished = false;

  constructor(
    private readonly sink: ZipSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get count(): number {
    return this.entries.length;
  }

  /** Whether an entry of that name was added already (a zip may not have two). */
  has(name: string): boolean {
    return this.names.has(name);
  }

  async add(name: string, content: Buffer | string): Promise<void> {
    if (this.finished) throw new Error('the archive is finished');
    if (this.names.has(name)) throw new Error(`the archive has an entry ${name} already`);
    if (this.entries.length >= MAX_ENTRIES) throw new Error('the archive would need zip64 (over 65,535 entries)');
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const deflated = data.length > 0 ? await deflateRawAsync(data) : data;
    const method = deflated.length < data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : data;
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length > 0xffff) throw new Error('an entry name is too long for a zip');
    if (this.offset + 30 + nameBytes.length + body.length > MAX_OFFSET) throw new Error('the archive would need zip64 (over 4 GiB)');
    const { time, date } = dosTime(this.now());
    const entry: Written = { name: nameBytes, method, crc: crc32(data), compressedSize: body.length, size: data.length, offset: this.offset, time, date };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    header.writeUInt16LE(UTF8_NAMES, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(entry.compressedSize, 18);
    header.writeUInt32LE(entry.size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    this.names.add(name);
    this.entries.push(entry);
    await this.write(Buffer.concat([header, nameBytes]));
    await this.write(body);
  }

  /** The central directory and its end record. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const start = this.offset;
    const records = this.entries.map((e) => {
      const record = Buffer.alloc(46 + e.name.length);
      record.writeUInt32LE(CENTRAL_ENTRY, 0);
      record.writeUInt16LE(VERSION_MADE_BY, 4);
      record.writeUInt16LE(VERSION_NEEDED, 6);
      record.writeUInt16LE(UTF8_NAMES, 8);
      record.writeUInt16LE(e.method, 10);
      record.writeUInt16LE(e.time, 12);
      record.writeUInt16LE(e.date, 14);
      record.writeUInt32LE(e.crc, 16);
      record.writeUInt32LE(e.compressedSize, 20);
      record.writeUInt32LE(e.size, 24);
      record.writeUInt16LE(e.name.length, 28);
      // Extra field, comment, disk number, internal attributes: none.
      record.writeUInt32LE(FILE_MODE, 38);
      record.writeUInt32LE(e.offset, 42);
      e.name.copy(record, 46);
      return record;
    });
    const directory = Buffer.concat(records);
    if (start + directory.length + 22 > MAX_OFFSET) throw new Error('the archive would need zip64 (over 4 GiB)');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_DIRECTORY, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    await this.write(Buffer.concat([directory, end]));
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    await this.sink(chunk);
  }
}
