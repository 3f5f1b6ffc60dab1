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

/** The bytes an asset's spec download serves: OAS as one YAML file, RAML zipped as Exchange packages it. */
export function specFile(asset: ExchangeAssetRecord): { content: Buffer; contentType: string } | null {
  if (!asset.specFormat || !asset.mainFile) return null;
  const text = specDocument(asset);
  if (asset.specFormat === 'raml') return { content: createZip([{ name: asset.mainFile, content: text }]), contentType: 'application/zip' };
  return { content: Buffer.from(text, 'utf8'), contentType: 'application/yaml' };
}
