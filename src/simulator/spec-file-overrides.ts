import { oversizedYaml, zipBomb, zipWithManyEntries } from './hostile-files.js';
import type { ExchangeAssetRecord } from './model.js';
import { describeFile, specDocument, specFile, type SpecFile } from './spec-documents.js';
import type { SimStore } from './store.js';

/**
 * Hostile spec files on demand (PUT /__sim/spec-files): one asset's download becomes a zip bomb,
 * an oversized file or an archive of too many entries, or its files[] link names another
 * origin. This is how the abuse tests replay those attacks over real HTTP; every other asset
 * keeps its faithful file.
 */
export type SpecFileAttack =
  /** A zip whose main file inflates to `inflatedMb` MB while its headers claim `claimedBytes`. */
  | { kind: 'zip-bomb'; inflatedMb: number; claimedBytes: number }
  /** The spec padded with YAML comments to `mb` MB, served with its Content-Length. */
  | { kind: 'oversized'; mb: number }
  /** A zip of `entries` entries, the real main file last. */
  | { kind: 'many-entries'; entries: number }
  /** files[].externalLink and downloadURL become `url`, verbatim (the simulator serves nothing there). */
  | { kind: 'link'; url: string };

export interface SpecFileOverride {
  /** `${groupId}/${assetId}/${version}` */
  asset: string;
  attack: SpecFileAttack;
  /** The bytes the asset's signed link serves instead of its spec; absent for a link override. */
  file?: SpecFile;
}

export class SpecFileOverrideError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const MB = 1_048_576;
/** Claimed by a bomb unless told otherwise: the size of an ordinary spec, so only an inflate limit stops it. */
const ORDINARY_SPEC_BYTES = 2_048;

function sizeField(body: Record<string, unknown>, name: string, min: number, max: number, fallback?: number): number {
  const value = body[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SpecFileOverrideError(400, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The control body, checked: `{"asset":"group/asset/version","kind":...,...}`. */
export function parseOverrideRequest(body: unknown): { asset: string; attack: SpecFileAttack } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.asset !== 'string' || b.asset.split('/').length !== 3) throw new SpecFileOverrideError(400, 'asset must be "groupId/assetId/version"');
  switch (b.kind) {
    case 'zip-bomb':
      return { asset: b.asset, attack: { kind: 'zip-bomb', inflatedMb: sizeField(b, 'inflatedMb', 1, 4_096), claimedBytes: sizeField(b, 'claimedBytes', 0, 0xfffffffe, ORDINARY_SPEC_BYTES) } };
    case 'oversized':
      return { asset: b.asset, attack: { kind: 'oversized', mb: sizeField(b, 'mb', 1, 512) } };
    case 'many-entries':
      // 65535 is the most a zip without zip64 can count.
      return { asset: b.asset, attack: { kind: 'many-entries', entries: sizeField(b, 'entries', 1, 65_535) } };
    case 'link':
      if (typeof b.url !== 'string' || !URL.canParse(b.url)) throw new SpecFileOverrideError(400, 'url must be an absolute URL');
      return { asset: b.asset, attack: { kind: 'link', url: b.url } };
    default:
      throw new SpecFileOverrideError(400, 'kind must be one of zip-bomb, oversized, many-entries, link');
  }
}

/** Builds the override's file (a bomb of gigabytes takes a moment, so before any download asks for it). */
export async function buildOverride(asset: ExchangeAssetRecord, key: string, attack: SpecFileAttack): Promise<SpecFileOverride> {
  if (!asset.specFormat || !asset.mainFile) throw new SpecFileOverrideError(400, `Asset ${key} has no specification file to replace`);
  switch (attack.kind) {
    case 'zip-bomb':
      return { asset: key, attack, file: describeFile(await zipBomb(asset.mainFile, attack.inflatedMb * MB, attack.claimedBytes), 'zip') };
    case 'oversized':
      return { asset: key, attack, file: describeFile(oversizedYaml(specDocument(asset), attack.mb * MB), 'yaml') };
    case 'many-entries':
      return { asset: key, attack, file: describeFile(zipWithManyEntries(asset.mainFile, specDocument(asset), attack.entries), 'zip') };
    case 'link':
      return { asset: key, attack };
  }
}

/** What an asset's signed download serves: its override's bytes, else its faithful spec. */
export function servedSpecFile(store: SimStore, asset: ExchangeAssetRecord): SpecFile | null {
  return overrideOf(store, asset)?.file ?? specFile(asset);
}

/** The link an override puts on the asset's files[], if any. */
export function overriddenLink(store: SimStore, asset: ExchangeAssetRecord): string | undefined {
  const attack = overrideOf(store, asset)?.attack;
  return attack?.kind === 'link' ? attack.url : undefined;
}

function overrideOf(store: SimStore, asset: ExchangeAssetRecord): SpecFileOverride | undefined {
  if (store.specFileOverrides.size === 0) return undefined;
  return store.specFileOverrides.get(store.assetKey(asset.groupId, asset.assetId, asset.version));
}
