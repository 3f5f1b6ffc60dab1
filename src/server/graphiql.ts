import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/**
 * GraphiQL served from the package's own node_modules (graphiql's UMD build with React 18, and
 * the explorer plugin's), so it works offline and loads nothing from a CDN. The page opens with
 * one tab per task of the front page; the mutations among them are dry runs. In demo mode only
 * (embedded simulator, keys made up at start) the tabs' headers carry the demo keys and their
 * variables ids from the simulator's data, so every tab runs as it is.
 */
const require = createRequire(import.meta.url);

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** Package (null: this folder), then the file inside it: React's exports map hides its UMD builds from require.resolve. */
const ASSETS: Record<string, { pkg: string | null; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
  'explorer.js': { pkg: '@graphiql/plugin-explorer', file: 'dist/index.umd.js', type: 'text/javascript; charset=utf-8' },
  'explorer.css': { pkg: '@graphiql/plugin-explorer', file: 'dist/style.css', type: 'text/css; charset=utf-8' },
  'boot.js': { pkg: null, file: 'graphiql-boot.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The page's policy: scripts, styles and requests from the gateway only (the configuration is a
 * JSON data block, not a script). Inline styles are allowed: the editors and the explorer set
 * style attributes as they lay themselves out.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const GRAPHIQL_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': GRAPHIQL_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The package's root: walk up from its main entry to the folder named after it. */
function packageDir(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  const tail = `${sep}${pkg.split('/').join(sep)}`;
  while (!dir.endsWith(tail) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const cache = new Map<string, { body: Buffer; type: string }>();

/** An asset by file name, read once from node_modules (or, for the page's own script, from here). */
export function graphiqlAsset(name: string): { body: Buffer; type: string } | undefined {
  if (!Object.hasOwn(ASSETS, name)) return undefined;
  const spec = ASSETS[name]!;
  let asset = cache.get(name);
  if (!asset) {
    const path = spec.pkg === null ? new URL(spec.file, import.meta.url) : join(packageDir(spec.pkg), spec.file);
    asset = { body: readFileSync(path), type: spec.type };
    cache.set(name, asset);
  }
  return asset;
}

/** The front page's tasks that GraphiQL can show, one tab each (the screenshot names use them). */
export type GraphiqlTask = 'org-tree' | 'api-inventory' | 'access-review' | 'create-user' | 'update-user' | 'deactivate-user' | 'push-group' | 'what-changed' | 'federation';

/** What demo mode fills in: its keys, and ids that exist in the embedded simulator. */
export interface GraphiqlDemo {
  keys: { provisioner: string; auditor: string };
  /** An enabled user of the root organization (update and deactivate), or null when there is none. */
  user: { id: string; username: string } | null;
  /** Usernames of a few enabled users (push a group). */
  members: string[];
}

export interface GraphiqlExample {
  task: GraphiqlTask;
  /** The role the tab's key needs: auditor for the access review, provisioner for the rest. */
  role: 'reader' | 'provisioner' | 'auditor';
  /** Comment lines are at most GRAPHIQL_COMMENT_WIDTH characters, so the editor shows them whole beside the explorer. */
  query: string;
  variables?: (demo: GraphiqlDemo | null) => Record<string, unknown>;
}

/** The longest comment line of an example: the query editor beside the open explorer shows it whole. */
export const GRAPHIQL_COMMENT_WIDTH = 34;

const USER_ID_PLACEHOLDER = 'USER-ID from the OrgTree tab';

export const GRAPHIQL_EXAMPLES: readonly GraphiqlExample[] = [
  {
    task: 'org-tree',
    role: 'reader',
    query: `# The org tree: every business
# group, its parent, environments
# and first users.
# Run: the play button or
# Ctrl-Enter.
# One tab per task. The Explorer
# (left sidebar) builds a query by
# clicking.
query OrgTree {
  organizations {
    id
    name
    isRoot
    parent { name }
    environments { name type apiCount }
    users(first: 5) {
      totalCount
      nodes { id username enabled }
    }
  }
}
`,
  },
  {
    task: 'api-inventory',
    role: 'reader',
    query: `# The API inventory of every
# business group, with each API's
# specification. As a file:
# GET /exports/api-inventory.csv
query ApiInventory {
  apis(first: 20) {
    totalCount
    nodes {
      name
      status
      technology
      environment {
        name
        organization { name }
      }
      exchangeAsset { type status }
      specification { format mainFile }
    }
  }
}
`,
  },
  {
    task: 'access-review',
    role: 'auditor',
    query: `# Access review: who can do what,
# where, and why (auditor role).
# Export the rows, same x-api-key:
# GET /exports/access-review.csv
# (or .jsonl), e.g. with
# ?includeDescendants=true
# Page: /reports/access-review
query AccessReview {
  accessReview(
    includeDescendants: true
    filter: { privilegedOnly: true }
    first: 20
  ) {
    totalCount
    summary {
      principals
      privilegedPrincipals
      staleAccountsWithAccess
      disabledUsersWithAccess
      appsWithAdminScopes
    }
    nodes {
      principalName
      roleName
      organizationName
      via
      viaName
    }
  }
}
`,
  },
  {
    task: 'create-user',
    role: 'provisioner',
    query: `# Create a user, as a dry run: the
# plan of writes, nothing written.
# dryRun: false creates it for
# real. Needs the provisioner
# role.
mutation CreateUserDryRun {
  createUser(input: {
    username: "graphiql_example_user"
    firstName: "Grace"
    lastName: "Example"
    email: "grace@example.com"
    dryRun: true
  }) {
    dryRun
    plan { action target status }
    userErrors { code field message }
  }
}
`,
  },
  {
    task: 'update-user',
    role: 'provisioner',
    query: `# Update a user's profile (a dry
# run). $id: a user's id (OrgTree
# lists some): the Variables tab.
mutation UpdateUserDryRun($id: ID!) {
  updateUserProfile(input: {
    id: $id
    firstName: "Renamed"
    dryRun: true
  }) {
    dryRun
    plan { action target status }
    user { username firstName lastName }
    userErrors { code field message }
  }
}
`,
    variables: (demo) => ({ id: demo?.user?.id ?? USER_ID_PLACEHOLDER }),
  },
  {
    task: 'deactivate-user',
    role: 'provisioner',
    query: `# Deactivate a user (a dry run):
# disabled, sessions ended;
# reactivateUser undoes it.
# $id: see the Variables tab.
mutation DeactivateUserDryRun($id: ID!) {
  deactivateUser(input: {
    id: $id
    dryRun: true
  }) {
    dryRun
    plan { action target status }
    user { username enabled }
    userErrors { code field message }
  }
}
`,
    variables: (demo) => ({ id: demo?.user?.id ?? USER_ID_PLACEHOLDER }),
  },
  {
    task: 'push-group',
    role: 'provisioner',
    query: `# Push an identity-provider group
# as a team (a dry run): the team
# gets exactly its members;
# unknown or disabled ones are
# skipped.
mutation PushGroupDryRun($members: [String!]!) {
  pushGroup(input: {
    groupId: "00g-graphiql-example"
    displayName: "GraphiQL Example Team"
    members: $members
    dryRun: true
  }) {
    dryRun
    plan { action target status }
    diff {
      added { username }
      skipped { member reason }
    }
    userErrors { code field message }
  }
}
`,
    variables: (demo) => ({ members: demo && demo.members.length > 0 ? demo.members : ['USERNAME-1', 'USERNAME-2'] }),
  },
  {
    task: 'what-changed',
    role: 'auditor',
    query: `# What changed in the last day:
# Anypoint's audit log and the
# gateway's own trail, oldest
# first (auditor role). Keep
# deltaToken; pass it as after
# next time. groupDrift: how a
# pushed team differs now (null
# for a group never pushed).
query WhatChanged {
  changes(first: 20) {
    nodes {
      at
      source
      actor
      action
      entityType
      entityName
    }
    deltaToken
  }
  drifts { groupId inSync }
}
`,
  },
  {
    task: 'federation',
    role: 'reader',
    query: `# The gateway is an Apollo
# Federation v2 subgraph: its SDL
# for Rover or a router (entities:
# Organization, Environment,
# User, Team, Api).
query SubgraphSdl {
  _service { sdl }
}
`,
  },
];

export interface GraphiqlTab {
  query: string;
  variables: string;
  headers: string;
}

/** The page's tabs: headers only in demo mode (its made-up keys, never a configured one). */
export function graphiqlTabs(demo: GraphiqlDemo | null): GraphiqlTab[] {
  return GRAPHIQL_EXAMPLES.map((example) => {
    const key = demo ? (example.role === 'auditor' ? demo.keys.auditor : demo.keys.provisioner) : null;
    return {
      query: example.query,
      variables: example.variables ? JSON.stringify(example.variables(demo), null, 2) : '',
      headers: key ? JSON.stringify({ 'x-api-key': key }, null, 2) : '',
    };
  });
}

/** What the simulator's store offers demo mode: only what picking the example ids needs. */
export interface DemoUserSource {
  rootOrgId: string;
  users: ReadonlyMap<string, { id: string; username: string; organizationId: string; enabled: boolean; deleted: boolean }>;
  orgs: ReadonlyMap<string, { ownerId: string }>;
}

/**
 * Ids for the examples, read from the embedded simulator as the page is served (so a user
 * deactivated for real since is not offered): enabled users of the root organization that own
 * no organization, in username order.
 */
export function demoExampleIds(store: DemoUserSource): Pick<GraphiqlDemo, 'user' | 'members'> {
  const owners = new Set([...store.orgs.values()].map((org) => org.ownerId));
  const candidates = [...store.users.values()]
    .filter((u) => u.organizationId === store.rootOrgId && u.enabled && !u.deleted && !owners.has(u.id))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  const user = candidates[0] ?? null;
  return { user: user && { id: user.id, username: user.username }, members: candidates.slice(0, 3).map((u) => u.username) };
}

/** JSON for inside an HTML element: nothing in it can close the element or open a comment. */
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function graphiqlPage(endpoint: string, demo: GraphiqlDemo | null = null): string {
  const tabs = graphiqlTabs(demo);
  // Tabs GraphiQL kept in localStorage win over the page's: they are kept under this edition,
  // which changes with the examples (and, in demo mode, with the keys made up at each start).
  const edition = createHash('sha256').update(JSON.stringify(tabs)).digest('hex').slice(0, 16);
  const config = jsonForHtml({ endpoint, tabs, edition, demo: demo !== null });
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <!-- An empty icon: browsers stop asking for /favicon.ico (a 404 they log as a console error). -->
  <link rel="icon" href="data:," />
  <title>anypoint-graph GraphiQL</title>
  <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.css" />
  <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}explorer.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script type="application/json" id="graphiql-config">${config}</script>
  <script src="${GRAPHIQL_ASSET_PREFIX}react.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}react-dom.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}graphiql.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}explorer.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}boot.js"></script>
</body>
</html>`;
}
