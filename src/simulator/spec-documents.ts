import { createHash } from 'node:crypto';
import type { ExchangeAssetRecord } from './model.js';
import { createZip } from './zip.js';

/** The API specification text the simulator serves for an asset: small, valid OAS 3 or RAML 1.0. */
export function specDocument(asset: ExchangeAssetRecord): string {
  const resource = asset.assetId.replace(/-api.*$/, '');
  if (asset.specFormat === 'raml') {
    return [
      '#%RAML 1.0',
      `title: ${asset.name}`,
      `version: v${asset.version.split('.')[0]}`,
      `description: ${asset.description}`,
      `/${resource}:`,
      '  get:',
      `    description: List ${resource}.`,
      '    responses:',
      '      200:',
      '        body:',
      '          application/json:',
      '            type: array',
      `  /{id}:`,
      '    get:',
      '      responses:',
      '        200:',
      '          body:',
      '            application/json:',
      '              type: object',
      '',
    ].join('\n');
  }
  return [
    'openapi: 3.0.3',
    'info:',
    `  title: ${JSON.stringify(asset.name)}`,
    `  version: ${JSON.stringify(asset.version)}`,
    `  description: ${JSON.stringify(asset.description)}`,
    'paths:',
    `  /${resource}:`,
    '    get:',
    `      summary: List ${resource}`,
    '      responses:',
    "        '200':",
    '          description: OK',
    `  /${resource}/{id}:`,
    '    get:',
    '      parameters:',
    '        - { name: id, in: path, required: true, schema: { type: string } }',
    '      responses:',
    "        '200':",
    '          description: OK',
    '',
  ].join('\n');
}

export interface SpecFile {
  content: Buffer;
  contentType: string;
  /** How Exchange lists the file's packaging: OAS as one YAML file, RAML zipped. */
  packaging: 'yaml' | 'zip';
  /** Hex digests of content, as Exchange lists them on the asset's files[]. */
  md5: string;
  sha1: string;
}

/**
 * Built files by everything that decides their bytes (format, entry name, text). An Exchange
 * search lists each asset's file digests, and zipping and hashing 50 specs on every search cost
 * milliseconds; the text is cheap to build and keys the cache exactly, so a changed asset can
 * never be served a stale file.
 */
const builtFiles = new Map<string, SpecFile>();

/** The bytes an asset's spec download serves: OAS as one YAML file, RAML zipped as Exchange packages it. */
export function specFile(asset: ExchangeAssetRecord): SpecFile | null {
  if (!asset.specFormat || !asset.mainFile) return null;
  const text = specDocument(asset);
  const key = `${asset.specFormat}\n${asset.mainFile}\n${text}`;
  let file = builtFiles.get(key);
  if (!file) {
    const zipped = asset.specFormat === 'raml';
    file = describeFile(zipped ? createZip([{ name: asset.mainFile, content: text }]) : Buffer.from(text, 'utf8'), zipped ? 'zip' : 'yaml');
    builtFiles.set(key, file);
  }
  return file;
}

/** A file as Exchange lists and serves it: its bytes, content type, packaging and digests. */
export function describeFile(content: Buffer, packaging: SpecFile['packaging']): SpecFile {
  const digest = (algorithm: string) => createHash(algorithm).update(content).digest('hex');
  return { content, contentType: packaging === 'zip' ? 'application/zip' : 'application/yaml', packaging, md5: digest('md5'), sha1: digest('sha1') };
}
