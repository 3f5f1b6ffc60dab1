/**
 * `npm run codegen`: what `graphql-codegen --config codegen.yml` did, through
 * @graphql-codegen/core, with the schema loaded from local .graphql files only. The CLI is not
 * installed: its URL, GitHub and Apollo Engine loaders pulled packages that need Node.js 22 and
 * made `npm ci` warn on Node.js 20, and this project's schema is never fetched from anywhere.
 *
 *   node --import tsx scripts/codegen.ts [--check] [config.yml]
 *
 * Writes every file codegen.yml generates; --check writes nothing and exits 1 when one is stale.
 * It understands the part of codegen.yml's format the project uses (schema, generates, plugins,
 * config, overwrite) and refuses the rest rather than ignoring it. test/codegen.test.ts compares
 * generateOutputs() with the committed file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import { getCachedDocumentNodeFromSchema, normalizeConfig, normalizeImportExtension, type CodegenPlugin } from '@graphql-codegen/plugin-helpers';
import { GraphQLFileLoader } from '@graphql-tools/graphql-file-loader';
import { loadSchema } from '@graphql-tools/load';
import { parse as parseYaml } from 'yaml';

type PluginEntry = string | Record<string, unknown>;

interface OutputConfig {
  plugins: PluginEntry[];
  config?: Record<string, unknown>;
}

interface CodegenConfig {
  schema: string | string[];
  generates: Record<string, OutputConfig>;
  overwrite?: boolean;
  config?: Record<string, unknown>;
}

const ROOT_KEYS = new Set(['schema', 'generates', 'overwrite', 'config']);
const OUTPUT_KEYS = new Set(['plugins', 'config']);

/** codegen.yml, checked against what this script implements. */
export async function readCodegenConfig(path: string): Promise<CodegenConfig> {
  const raw = parseYaml(await readFile(path, 'utf8')) as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((k) => !ROOT_KEYS.has(k));
  if (unknownKeys.length > 0) throw new Error(`${path}: scripts/codegen.ts does not implement ${unknownKeys.join(', ')}`);
  const config = raw as unknown as CodegenConfig;
  if (!config.schema || !config.generates) throw new Error(`${path}: schema and generates are required`);
  for (const [file, output] of Object.entries(config.generates)) {
    const extra = Object.keys(output).filter((k) => !OUTPUT_KEYS.has(k));
    if (extra.length > 0) throw new Error(`${path}: generates.${file}: scripts/codegen.ts does not implement ${extra.join(', ')}`);
  }
  return config;
}

/** A plugin by its codegen.yml name, looked up as the CLI does for the names it knows. */
async function loadPlugin(name: string): Promise<CodegenPlugin> {
  for (const candidate of [`@graphql-codegen/${name}`, name]) {
    try {
      return (await import(candidate)) as CodegenPlugin;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  throw new Error(`codegen plugin "${name}" is not installed (tried @graphql-codegen/${name} and ${name})`);
}

/** Each generated file's name (as in codegen.yml) and content, written nowhere. */
export async function generateOutputs(configPath: string, cwd = dirname(configPath)): Promise<Array<{ filename: string; content: string }>> {
  const config = await readCodegenConfig(configPath);
  // The CLI's schema load options (assumeValidSDL, sort, convertExtensions, includeSources), so
  // the types come out in the same order.
  const schemaAst = await loadSchema(config.schema, {
    loaders: [new GraphQLFileLoader()],
    cwd,
    assumeValidSDL: true,
    sort: true,
    convertExtensions: true,
    includeSources: true,
  });
  const schema = getCachedDocumentNodeFromSchema(schemaAst);
  const outputs: Array<{ filename: string; content: string }> = [];
  for (const [filename, output] of Object.entries(config.generates)) {
    const plugins = normalizeConfig(output.plugins as Parameters<typeof normalizeConfig>[0]);
    const pluginMap: Record<string, CodegenPlugin> = {};
    for (const plugin of plugins) {
      const name = Object.keys(plugin)[0]!;
      pluginMap[name] = await loadPlugin(name);
    }
    const importExtension = normalizeImportExtension({ emitLegacyCommonJSImports: undefined, importExtension: undefined });
    const content = await codegen({
      filename,
      schema,
      schemaAst,
      documents: [],
      plugins,
      pluginMap,
      pluginContext: {},
      config: { ...config.config, ...output.config, importExtension, emitLegacyCommonJSImports: true },
      importExtension,
      emitLegacyCommonJSImports: true,
    } as Parameters<typeof codegen>[0]);
    outputs.push({ filename, content });
  }
  return outputs;
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const configPath = resolve(argv.find((a) => !a.startsWith('--')) ?? 'codegen.yml');
  const cwd = dirname(configPath);
  const config = await readCodegenConfig(configPath);
  let stale = 0;
  for (const { filename, content } of await generateOutputs(configPath, cwd)) {
    const path = resolve(cwd, filename);
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current !== null && config.overwrite === false) {
      console.log(`${filename}: exists, and codegen.yml says overwrite: false`);
    } else if (current === content) {
      console.log(`${filename}: up to date`);
    } else if (check) {
      console.error(`${filename}: stale, run \`npm run codegen\``);
      stale += 1;
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      console.log(`${filename}: written`);
    }
  }
  return stale > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
