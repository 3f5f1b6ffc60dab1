/**
 * The ZIP format's fixed records (PKWARE APPNOTE 6.3), written in one place for the two writers
 * (the export's streamed archive, src/exports/zip-writer.ts; the simulator's spec archives,
 * src/simulator/zip.ts) and named for the reader (src/loaders/zip-entry.ts). No zip64, no extra
 * fields, no comments; names are UTF-8 (flag bit 11).
 */

export const LOCAL_HEADER = 0x04034b50;
export const CENTRAL_ENTRY = 0x02014b50;
export const END_OF_DIRECTORY = 0x06054b50;
export const LOCAL_SIZE = 30;
export const CENTRAL_SIZE = 46;
export const END_SIZE = 22;
export const STORE = 0;
export const DEFLATE = 8;

const UTF8_NAMES = 0x0800;
const VERSION_NEEDED = 20;

/** What the local header and the central directory say of one entry. */
export interface ZipEntryRecord {
  name: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** MS-DOS time and date (0 for none). */
  time: number;
  date: number;
}

export function localHeader(entry: ZipEntryRecord): Buffer {
  const header = Buffer.alloc(LOCAL_SIZE + entry.name.length);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(entry.time, 10);
  header.writeUInt16LE(entry.date, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.compressedSize, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  entry.name.copy(header, LOCAL_SIZE);
  return header;
}

/** `madeBy` and `externalAttributes`: 20 and 0 (MS-DOS, no modes) unless the writer says otherwise. */
export function centralRecord(entry: ZipEntryRecord & { offset: number }, madeBy = VERSION_NEEDED, externalAttributes = 0): Buffer {
  const record = Buffer.alloc(CENTRAL_SIZE + entry.name.length);
  record.writeUInt32LE(CENTRAL_ENTRY, 0);
  record.writeUInt16LE(madeBy, 4);
  record.writeUInt16LE(VERSION_NEEDED, 6);
  record.writeUInt16LE(UTF8_NAMES, 8);
  record.writeUInt16LE(entry.method, 10);
  record.writeUInt16LE(entry.time, 12);
  record.writeUInt16LE(entry.date, 14);
  record.writeUInt32LE(entry.crc, 16);
  record.writeUInt32LE(entry.compressedSize, 20);
  record.writeUInt32LE(entry.size, 24);
  record.writeUInt16LE(entry.name.length, 28);
  // Extra field, comment, disk number, internal attributes: none.
  record.writeUInt32LE(externalAttributes, 38);
  record.writeUInt32LE(entry.offset, 42);
  entry.name.copy(record, CENTRAL_SIZE);
  return record;
}

export function endOfDirectory(entries: number, directorySize: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(END_SIZE);
  end.writeUInt32LE(END_OF_DIRECTORY, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}
