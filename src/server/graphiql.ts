import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/**
 * GraphiQL served from the package's own node_modules (graphiql's UMD build with React 18), so
 * it works offline and loads nothing from a CDN.
 */
const require = createRequire(import.meta.url);

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** Package, then the file inside it: React's exports map hides its UMD builds from require.resolve. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** The package's root: walk up from its main entry to the folder named after it. */
function packageDir(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!dir.endsWith(`${sep}${pkg}`) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const cache = new Map<string, { body: Buffer; type: string }>();

/** An asset by file name, read once from node_modules. */
export function graphiqlAsset(name: string): { body: Buffer; type: string } | undefined {
  const spec = ASSETS[name];
  if (!spec) return undefined;
  let asset = cache.get(name);
  if (!asset) {
    asset = { body: readFileSync(join(packageDir(spec.pkg), spec.file)), type: spec.type };
    cache.set(name, asset);
  }
  return asset;
}

export const EXAMPLE_QUERY = `# anypoint-graph: pick an operation and press run (Ctrl-Enter).
# More examples are in README.md.
query OrgTree {
  organizations {
    name
    isRoot
    environments {
      name
      type
      apiCount
    }
  }
}

query UsersAndTeams {
  users(first: 10, filter: { enabled: true }) {
    totalCount
    nodes {
      username
      email
      teams { team { name } membershipType }
    }
  }
}

query ApiInventory {
  apis(first: 20) {
    totalCount
    nodes {
      name
      status
      technology
      environment { name }
      exchangeAsset { type status }
      specification { format mainFile }
    }
  }
}
`;

export function graphiqlPage(endpoint: string): string {
  const config = JSON.stringify({ endpoint, query: EXAMPLE_QUERY }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <!-- An empty icon: browsers stop asking for /favicon.ico (a 404 they log as a console error). -->
  <link rel="icon" href="data:," />
  <title>anypoint-graph GraphiQL</title>
  <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${GRAPHIQL_ASSET_PREFIX}react.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}react-dom.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}graphiql.js"></script>
  <script>
    const config = ${config};
    const fetcher = GraphiQL.createFetcher({ url: config.endpoint });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: config.query, shouldPersistHeaders: true }),
    );
  </script>
</body>
</html>`;
}
