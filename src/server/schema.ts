import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from '../../resolvers/index.js';
import { fromPackageRoot } from '../package-root.js';

/** schema/ at the package root, from src/server/ (tsx) and dist/src/server/ (compiled) alike. */
const SCHEMA_DIR = fromPackageRoot('schema');

/** The SDL of schema/*.graphql, base file first so the federation @link leads. */
export function loadTypeDefs(): string {
  const files = readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(join(SCHEMA_DIR, f), 'utf8')).join('\n');
}

/** The executable federation v2 subgraph schema. */
export function createSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(loadTypeDefs()), resolvers: resolvers as GraphQLResolverMap<unknown> });
}
