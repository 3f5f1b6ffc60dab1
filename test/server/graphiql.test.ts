import { createRequire } from 'node:module';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSchema } from '../../src/server/schema.js';
import {
  GRAPHIQL_COMMENT_WIDTH,
  GRAPHIQL_CSP,
  GRAPHIQL_EXAMPLES,
  demoExampleIds,
  graphiqlAsset,
  graphiqlPage,
  graphiqlTabs,
  type GraphiqlDemo,
  type GraphiqlTab,
} from '../../src/server/graphiql.js';

/**
 * The GraphiQL page's examples and configuration, without a browser: every tab is a valid
 * operation of the schema, the mutations are dry runs, comment lines are short, and only demo
 * mode puts keys (escaped) into the page. test/browser/graphiql.test.ts runs them in Chromium.
 */
/** graphql as @apollo/subgraph loads it (CommonJS): validate() refuses a schema from the other module. */
const graphqlCjs = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const DEMO: GraphiqlDemo = {
  keys: { provisioner: 'agk_demo_provisioner', auditor: 'agk_demo_auditor' },
  user: { id: 'user-1', username: 'ada' },
  members: ['ada', 'bob'],
};

function operationOf(query: string): OperationDefinitionNode {
  const ops = parse(query).definitions.filter((def): def is OperationDefinitionNode => def.kind === Kind.OPERATION_DEFINITION);
  expect(ops).toHaveLength(1);
  return ops[0]!;
}

/** The configuration block the page carries, as the boot script reads it. */
function pageConfig(html: string): { endpoint: string; tabs: GraphiqlTab[]; edition: string; demo: boolean } {
  const match = /<script type="application\/json" id="graphiql-config">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!);
}

describe('the GraphiQL examples', () => {
  const schema = createSchema();

  it('are one valid operation per front-page task, each named, with the variables it declares', () => {
    expect(GRAPHIQL_EXAMPLES.map((e) => e.task)).toEqual(['org-tree', 'api-inventory', 'access-review', 'create-user', 'update-user', 'deactivate-user', 'push-group', 'what-changed', 'federation']);
    for (const example of GRAPHIQL_EXAMPLES) {
      expect(graphqlCjs.validate(schema, graphqlCjs.parse(example.query)).map((e) => e.message), example.task).toEqual([]);
      const op = operationOf(example.query);
      expect(op.name?.value, example.task).toBeTruthy();
      const declared = (op.variableDefinitions ?? []).map((v) => v.variable.name.value).sort();
      for (const demo of [DEMO, null]) expect(Object.keys(example.variables?.(demo) ?? {}).sort(), example.task).toEqual(declared);
    }
  });

  it('are dry runs when they mutate, and need the provisioner role then', () => {
    const mutations = GRAPHIQL_EXAMPLES.filter((e) => operationOf(e.query).operation === 'mutation');
    expect(mutations.map((e) => e.task)).toEqual(['create-user', 'update-user', 'deactivate-user', 'push-group']);
    for (const example of mutations) {
      expect(example.query, example.task).toMatch(/dryRun: true\n/);
      expect(example.query.split('\n').filter((line) => !line.startsWith('#') && line.includes('dryRun: false')), example.task).toEqual([]);
      expect(example.role).toBe('provisioner');
    }
    expect(GRAPHIQL_EXAMPLES.find((e) => e.task === 'access-review')!.role).toBe('auditor');
  });

  it('open with short comment lines, so none is cut off beside the explorer', () => {
    for (const example of GRAPHIQL_EXAMPLES) {
      const lines = example.query.split('\n');
      expect(lines[0], example.task).toMatch(/^# /);
      for (const line of lines.filter((l) => l.startsWith('#'))) expect(line.length, `${example.task}: ${line}`).toBeLessThanOrEqual(GRAPHIQL_COMMENT_WIDTH);
    }
  });
});

describe('the GraphiQL page', () => {
  it('outside demo mode carries no key: every tab\'s headers are empty, ids are placeholders', () => {
    const html = graphiqlPage('/graphql');
    expect(html).not.toMatch(/agk_|\\"x-api-key\\"/);
    const config = pageConfig(html);
    expect(config.demo).toBe(false);
    expect(config.endpoint).toBe('/graphql');
    expect(config.tabs.map((t) => t.headers)).toEqual(GRAPHIQL_EXAMPLES.map(() => ''));
    expect(config.tabs.map((t) => t.query)).toEqual(GRAPHIQL_EXAMPLES.map((e) => e.query));
    const update = config.tabs[GRAPHIQL_EXAMPLES.findIndex((e) => e.task === 'update-user')]!;
    expect(JSON.parse(update.variables).id).toMatch(/^USER-ID/);
  });

  it('in demo mode fills the provisioner key in, the auditor key for the access review, and the demo ids', () => {
    const tabs = graphiqlTabs(DEMO);
    GRAPHIQL_EXAMPLES.forEach((example, i) => {
      const expected = example.role === 'auditor' ? DEMO.keys.auditor : DEMO.keys.provisioner;
      expect(JSON.parse(tabs[i]!.headers), example.task).toEqual({ 'x-api-key': expected });
    });
    const byTask = (task: string) => JSON.parse(tabs[GRAPHIQL_EXAMPLES.findIndex((e) => e.task === task)]!.variables);
    expect(byTask('update-user')).toEqual({ id: 'user-1' });
    expect(byTask('deactivate-user')).toEqual({ id: 'user-1' });
    expect(byTask('push-group')).toEqual({ members: ['ada', 'bob'] });
    expect(pageConfig(graphiqlPage('/graphql', DEMO)).demo).toBe(true);
  });

  it('escapes what it embeds: nothing in a key can close the config block or run as script', () => {
    const hostile = '</script><script>alert(1)</script><!--&';
    const html = graphiqlPage('/graphql', { ...DEMO, keys: { provisioner: hostile, auditor: hostile }, members: [hostile] });
    expect(html).not.toContain('<script>alert');
    expect(html.match(/<\/script>/g)).toHaveLength(6);
    const config = pageConfig(html);
    expect(JSON.parse(config.tabs[0]!.headers)['x-api-key']).toBe(hostile);
  });

  it('changes its storage edition with the tabs (a new demo key), not between two renders of the same', () => {
    const edition = (demo: GraphiqlDemo | null) => pageConfig(graphiqlPage('/graphql', demo)).edition;
    expect(edition(DEMO)).toBe(edition(DEMO));
    expect(edition(DEMO)).not.toBe(edition({ ...DEMO, keys: { ...DEMO.keys, provisioner: 'agk_other' } }));
    expect(edition(null)).not.toBe(edition(DEMO));
  });

  it('loads scripts and styles from /graphiql/ only, and allows nothing else in its CSP', () => {
    const html = graphiqlPage('/graphql');
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((url) => !url.startsWith('data:'));
    expect(urls.sort()).toEqual(['boot.js', 'explorer.css', 'explorer.js', 'graphiql.css', 'graphiql.js', 'react-dom.js', 'react.js'].map((f) => `/graphiql/${f}`));
    for (const url of urls) expect(graphiqlAsset(url.slice('/graphiql/'.length))?.body.length, url).toBeGreaterThan(1_000);
    // The only inline script is the JSON block; the CSP runs scripts from the gateway alone.
    expect([...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1])).toEqual([' type="application/json" id="graphiql-config"']);
    expect(GRAPHIQL_CSP).toContain("script-src 'self'");
    expect(GRAPHIQL_CSP).toContain("connect-src 'self'");
    expect(GRAPHIQL_CSP).not.toMatch(/https?:|\*/);
    for (const name of ['__proto__', 'constructor', 'toString', '../package.json']) expect(graphiqlAsset(name)).toBeUndefined();
  });
});

describe('demoExampleIds', () => {
  it('offers enabled, undeleted users of the root organization that own no organization, by username', () => {
    const user = (id: string, username: string, extra: Partial<{ organizationId: string; enabled: boolean; deleted: boolean }> = {}) =>
      [id, { id, username, organizationId: 'root', enabled: true, deleted: false, ...extra }] as const;
    const store = {
      rootOrgId: 'root',
      orgs: new Map([['root', { ownerId: 'u-owner' }], ['bg', { ownerId: 'u-bg' }]]),
      users: new Map([
        user('u-owner', 'aaa_owner'),
        user('u-bg', 'aab_bg_owner'),
        user('u-off', 'aac_disabled', { enabled: false }),
        user('u-gone', 'aad_deleted', { deleted: true }),
        user('u-other', 'aae_other', { organizationId: 'bg' }),
        user('u-z', 'zed'),
        user('u-b', 'bob'),
        user('u-c', 'cat'),
        user('u-d', 'dan'),
      ]),
    };
    expect(demoExampleIds(store)).toEqual({ user: { id: 'u-b', username: 'bob' }, members: ['bob', 'cat', 'dan'] });
    expect(demoExampleIds({ ...store, users: new Map() })).toEqual({ user: null, members: [] });
  });
});
