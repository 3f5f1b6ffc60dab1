import { promisify } from 'node:util';
import { crc32, inflateRaw, type ZlibOptions } from 'node:zlib';
import { GatewayError } from '../errors.js';
import { CENTRAL_ENTRY, CENTRAL_SIZE, END_OF_DIRECTORY, END_SIZE, LOCAL_HEADER, LOCAL_SIZE, STORE } from '../storage/zip-records.js';

/**
 * Reads one file out of a ZIP archive (Exchange packages RAML specs as zips). Only what Exchange
 * produces is supported: one disk, stored or deflated entries, no zip64, no encryption. The
 * archive comes from a download, so nothing in it is trusted: every offset is bounds-checked,
 * the entry count is capped before the directory is walked, and the inflate runs off the event
 * loop with an output limit, because a few KB of deflate can claim to be small and inflate to
 * gigabytes (a zip bomb).
 */
export interface ArchiveLimits {
  /** Bytes the file read out may inflate to (DOWNLOAD_MAX_INFLATED_MB). */
  maxInflatedBytes: number;
  /** Entries the archive's central directory may list (DOWNLOAD_MAX_ZIP_ENTRIES). */
  maxZipEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxInflatedBytes: 20 * 1_048_576, maxZipEntries: 2_000 };

const ZIP64_END_LOCATOR = 0x07064b50;
/** Bit 0: encrypted; bit 6: strong encryption. */
const ENCRYPTION_FLAGS = 0x0041;

const inflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);

const unreadable = (why: string) => new GatewayError('UPSTREAM_UNAVAILABLE', `The specification archive ${why}`);
const tooLarge = (why: string) => new GatewayError('DOWNLOAD_TOO_LARGE', `The specification archive ${why}`);
const megabytes = (bytes: number) => `${Math.round((bytes / 1_048_576) * 10) / 10} MB`;

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The end-of-central-directory record: searched from the end, where only a comment (up to 64 KB) may follow it. */
function findEnd(zip: Buffer): number {
  for (let offset = zip.length - END_SIZE; offset >= Math.max(0, zip.length - END_SIZE - 0xffff); offset -= 1) {
    if (zip.readUInt32LE(offset) === END_OF_DIRECTORY && offset + END_SIZE + zip.readUInt16LE(offset + 20) === zip.length) return offset;
  }
  throw unreadable('is not a valid zip');
}

/** Where the central directory is and how many entries it lists, after the checks that make walking it safe. */
function readDirectory(zip: Buffer, limits: ArchiveLimits): { start: number; end: number; entries: number } {
  const endOffset = findEnd(zip);
  const disk = zip.readUInt16LE(endOffset + 4);
  const directoryDisk = zip.readUInt16LE(endOffset + 6);
  const entriesOnDisk = zip.readUInt16LE(endOffset + 8);
  const entries = zip.readUInt16LE(endOffset + 10);
  const size = zip.readUInt32LE(endOffset + 12);
  const start = zip.readUInt32LE(endOffset + 16);
  const zip64 = entries === 0xffff || size === 0xffffffff || start === 0xffffffff || (endOffset >= 20 && zip.readUInt32LE(endOffset - 20) === ZIP64_END_LOCATOR);
  if (zip64) throw unreadable('is a zip64 archive, which Exchange does not produce');
  if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entries) throw unreadable('spans several disks');
  if (entries > limits.maxZipEntries) throw tooLarge(`lists ${entries} entries, more than ${limits.maxZipEntries} (DOWNLOAD_MAX_ZIP_ENTRIES)`);
  if (start + size !== endOffset) throw unreadable('is inconsistent: its central directory is not where its end record says');
  return { start, end: endOffset, entries };
}

/** Every entry of the central directory; the directory must hold exactly the entries it declares. */
function* centralEntries(zip: Buffer, directory: { start: number; end: number; entries: number }): Generator<CentralEntry> {
  let offset = directory.start;
  for (let i = 0; i < directory.entries; i += 1) {
    if (offset + CENTRAL_SIZE > directory.end || zip.readUInt32LE(offset) !== CENTRAL_ENTRY) throw unreadable('is inconsistent: a central directory entry is missing');
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const nameLength = zip.readUInt16LE(offset + 28);
    const next = offset + CENTRAL_SIZE + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
    if (next > directory.end) throw unreadable('is inconsistent: a central directory entry overruns the directory');
    if (flags & ENCRYPTION_FLAGS) throw unreadable('is encrypted');
    if (method !== 0 && method !== 8) throw unreadable(`uses compression method ${method}; only stored and deflated entries are read`);
    const entry: CentralEntry = {
      name: zip.subarray(offset + CENTRAL_SIZE, offset + CENTRAL_SIZE + nameLength).toString('utf8'),
      method,
      crc: zip.readUInt32LE(offset + 16),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localOffset: zip.readUInt32LE(offset + 42),
    };
    if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localOffset === 0xffffffff) throw unreadable('is a zip64 archive, which Exchange does not produce');
    yield entry;
    offset = next;
  }
  if (offset !== directory.end) throw unreadable('is inconsistent: its central directory holds more than it declares');
}

/** The entry's compressed bytes, located through its local header, which must lie before the directory. */
function entryData(zip: Buffer, entry: CentralEntry, directoryStart: number): Buffer {
  const header = entry.localOffset;
  if (header + LOCAL_SIZE > directoryStart || zip.readUInt32LE(header) !== LOCAL_HEADER) throw unreadable(`is inconsistent: ${entry.name} has no local header`);
  if (zip.readUInt16LE(header + 6) & ENCRYPTION_FLAGS) throw unreadable('is encrypted');
  const start = header + LOCAL_SIZE + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  if (start + entry.compressedSize > directoryStart) throw unreadable(`is inconsistent: ${entry.name} overruns the archive`);
  return zip.subarray(start, start + entry.compressedSize);
}

/** The entry's bytes, never more than the limit whatever its headers claim. */
async function inflateEntry(data: Buffer, entry: CentralEntry, limits: ArchiveLimits): Promise<Buffer> {
  const overLimit = () => tooLarge(`file ${entry.name} inflates to more than ${megabytes(limits.maxInflatedBytes)} (DOWNLOAD_MAX_INFLATED_MB)`);
  if (entry.size > limits.maxInflatedBytes) throw overLimit();
  if (entry.method === STORE) {
    if (entry.compressedSize !== entry.size) throw unreadable(`is inconsistent: stored file ${entry.name} has two sizes`);
    return data;
  }
  try {
    // Asynchronous: zlib works on the thread pool, so /healthz and other requests keep being answered.
    return await inflateRawAsync(data, { maxOutputLength: limits.maxInflatedBytes, chunkSize: 64 * 1024 });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw overLimit();
    throw unreadable(`is corrupt: ${entry.name} does not inflate`);
  }
}

/** The text of entry `name` (the first entry when no name is given). */
export async function readZipEntry(zip: Buffer, name: string | undefined, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<string> {
  if (zip.length < END_SIZE) throw unreadable('is not a valid zip');
  const directory = readDirectory(zip, limits);
  // The whole directory is checked (at most maxZipEntries entries), so an archive reads the same whichever file is asked for.
  const entries = [...centralEntries(zip, directory)];
  const entry = name === undefined ? entries[0] : entries.find((e) => e.name === name);
  if (!entry) throw new GatewayError('NOT_FOUND', `The specification archive has no file ${name ?? ''}`.trim());
  const data = await inflateEntry(entryData(zip, entry, directory.start), entry, limits);
  if (data.length !== entry.size || crc32(data) !== entry.crc) throw unreadable(`is inconsistent: ${entry.name} is not the file its headers describe`);
  return data.toString('utf8');
}
