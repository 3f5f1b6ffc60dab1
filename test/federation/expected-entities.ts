/** The composed supergraph's entities: type -> "GRAPH key" per @join__type. docs/federation.md shows the same table (test/docs/readme.test.ts). */
export const EXPECTED_ENTITIES = {
  Api: ['ANYPOINT id', 'ANYPOINT id organization { id }', 'ANYPOINT id environment { id }', 'PORTAL id'],
  Employee: ['PORTAL id'],
  Environment: ['ANYPOINT id', 'ANYPOINT id organization { id }'],
  Organization: ['ANYPOINT id'],
  Team: ['ANYPOINT id', 'ANYPOINT id organization { id }'],
  User: ['ANYPOINT id', 'ANYPOINT id organization { id }', 'ANYPOINT username', 'PORTAL username (resolvable: false)'],
};
