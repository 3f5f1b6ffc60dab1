import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { zipOf, type DeflatedEntry } from './zip.js';

/**
 * Spec files no honest Exchange serves, built at run time so the gateway's download limits can
 * be tested over real HTTP (spec-file-overrides.ts hands them out). Nothing here is committed
 * as a binary.
 */

const MB = 1_048_576;

/**
 * A zip whose one entry, `name`, inflates to `inflatedBytes` of spaces (about 1 KB of deflate per
 * MB) while its headers claim `claimedBytes`: a reader that trusts the claim, or has no output
 * limit, inflates it all. Deflated as a stream, so a bomb of gigabytes never sits in memory here.
 */
export async function zipBomb(name: string, inflatedBytes: number, claimedBytes: number): Promise<Buffer> {
  let crc = 0;
  function* spaces() {
    const block = Buffer.alloc(MB, 0x20);
    for (let left = inflatedBytes; left > 0; left -= block.length) {
      const piece = left >= block.length ? block : block.subarray(0, left);
      crc = crc32(piece, crc);
      yield piece;
    }
  }
  const deflated = await buffer(Readable.from(spaces()).pipe(createDeflateRaw({ level: 9 })));
  return zipOf([{ name, deflated, size: claimedBytes, crc }]);
}

/** A zip of `entries` entries: `entries - 1` one-line fragments, then the real main file last. */
export function zipWithManyEntries(mainFile: string, text: string, entries: number): Buffer {
  const fragment = deflatedEntry('', '#%RAML 1.0 DataType\n');
  const fillers = Array.from({ length: entries - 1 }, (_, i) => ({ ...fragment, name: `fragments/${i}.raml` }));
  return zipOf([...fillers, deflatedEntry(mainFile, text)]);
}

/** The spec text followed by YAML comment lines up to `bytes` in all. */
export function oversizedYaml(text: string, bytes: number): Buffer {
  const head = Buffer.from(text, 'utf8');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length), '#\n')]);
}

function deflatedEntry(name: string, text: string): DeflatedEntry {
  const data = Buffer.from(text, 'utf8');
  return { name, deflated: deflateRawSync(data), size: data.length, crc: crc32(data) };
}
