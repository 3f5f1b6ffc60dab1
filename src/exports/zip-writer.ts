import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';
import { centralRecord, DEFLATE, END_SIZE, endOfDirectory, LOCAL_SIZE, localHeader, STORE, type ZipEntryRecord } from '../storage/zip-records.js';

/**
 * A streamed ZIP archive (PKWARE APPNOTE 6.3): each entry is written as soon as it is added,
 * its local header, then its data; the central directory goes out at the end. An entry's data
 * is in memory while it is written (a spec file, bounded by the download limits), never the
 * archive. Entries are deflated when that makes them smaller, else stored. Names are UTF-8
 * (flag bit 11). No zip64: an archive that would need it (over 65,535 entries or 4 GiB) fails.
 */
export type ZipSink = (chunk: Buffer) => Promise<void>;

/** Made by: Unix (3), spec 2.0, so the external attributes are Unix modes. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** A regular file, rw-r--r--. */
const FILE_MODE = (0o100644 << 16) >>> 0;
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

const deflateRawAsync = promisify(deflateRaw);

type Written = ZipEntryRecord & { offset: number };

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
    if (this.offset + LOCAL_SIZE + nameBytes.length + body.length > MAX_OFFSET) throw new Error('the archive would need zip64 (over 4 GiB)');
    const { time, date } = dosTime(this.now());
    const entry: Written = { name: nameBytes, method, crc: crc32(data), compressedSize: body.length, size: data.length, offset: this.offset, time, date };
    this.names.add(name);
    this.entries.push(entry);
    await this.write(localHeader(entry));
    await this.write(body);
  }

  /** The central directory and its end record. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const start = this.offset;
    const records = this.entries.map((e) => centralRecord(e, VERSION_MADE_BY, FILE_MODE));
    const directory = Buffer.concat(records);
    if (start + directory.length + END_SIZE > MAX_OFFSET) throw new Error('the archive would need zip64 (over 4 GiB)');
    const end = endOfDirectory(this.entries.length, directory.length, start);
    await this.write(Buffer.concat([directory, end]));
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    await this.sink(chunk);
  }
}
