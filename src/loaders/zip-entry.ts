import { GatewayError } from '../errors.js';

/**
 * Reads one file out of a ZIP archive (Exchange packages RAML specs as zips). Only what
 * Exchange produces is supported: stored or deflated entries, no zip64, no encryption.
 */
export function readZipEntry(zip: Buffer, name: string | undefined, inflateRaw: (data: Buffer) => Buffer): string {
  const endOffset = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOffset < 0) throw new GatewayError('UPSTREAM_UNAVAILABLE', 'The specification archive is not a valid zip');
  const entries = zip.readUInt16LE(endOffset + 10);
  let offset = zip.readUInt32LE(endOffset + 16);
  for (let i = 0; i < entries; i += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) break;
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const entryName = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    if (name === undefined || entryName === name) {
      const localNameLength = zip.readUInt16LE(localOffset + 26);
      const localExtraLength = zip.readUInt16LE(localOffset + 28);
      const start = localOffset + 30 + localNameLength + localExtraLength;
      const data = zip.subarray(start, start + compressedSize);
      return (method === 8 ? inflateRaw(data) : data).toString('utf8');
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new GatewayError('NOT_FOUND', `The specification archive has no file ${name ?? ''}`.trim());
}
