import { readdirSync, readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEnvironments, apiInventory, entitiesGroup, entitiesUsers, fullInventory, groupUsers, orgTree, teamSubtree, userByUsername } from '../../bench/scenarios.js';
import { PlatformView, type SimState } from '../../bench/sim-state.js';
import { GRAPHIQL_EXAMPLES } from '../../src/server/graphiql.js';
import { CALLS_HEADER, ESTIMATE_HEADER } from '../../src/server/cost/demand-control-plugin.js';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startStack, type Stack } from '../helpers/gateway.js';
import { allDocs, codeBlocks } from '../helpers/docs.js';
import { coldRun, expectBracketed, post, type Case } from './cost-support.js';

/**
 * Demand control against a real gateway over the simulator: the estimate made before a query
 * runs brackets what it then costs (actual <= estimate <= 3 x actual), fan-out bombs are refused
 * before any upstream call, and a caller's per-minute budget stops a flood of cold queries.
 * Before it, a 330-byte query made 6,451 upstream calls on the large preset, and 20 at once
 * 44,641, all of them spending the connected app's shared Anypoint rate limit.
 */
/** The GraphiQL page's read examples (its mutations are dry runs with variables; the access review needs the auditor). */
function graphiqlExamples(): Case[] {
  // The subgraph SDL is answered from the schema: no upstream call to bracket.
  return GRAPHIQL_EXAMPLES.filter((example) => example.role === 'reader' && example.task !== 'federation').flatMap((example) =>
    parse(example.query).definitions.map((def) => ({ name: `GraphiQL ${(def as OperationDefinitionNode).name?.value}`, query: print(def) })),
  );
}

/** The docs' read examples (README.md and docs/) that need no placeholder id (the mutations are checked separately; the auditor's in test/access and test/changes). */
function readmeQueries(): Case[] {
  return allDocs()
    .flatMap((doc) => codeBlocks(doc.text, 'graphql'))
    .filter((q) => !/^\s*mutation/.test(q) && !/auditEvents|accessReview|changes\(/.test(q) && !/[A-Z]+-ID/.test(q))
    .map((query, i) => ({ name: `docs query ${i + 1}`, query }));
}

function benchCases(view: PlatformView): Case[] {
  return [orgTree(view), groupUsers(view), teamSubtree(view), apiInventory(view), entitiesUsers(view), apiEnvironments(view), userByUsername(view), entitiesGroup(view), fullInventory(view)].map((s) => ({ name: `bench ${s.id}`, query: s.query, variables: s.variables }));
}

async function platformView(stack: Stack): Promise<PlatformView> {
  return new PlatformView((await (await fetch(`${stack.sim.url}/__sim/state`)).json()) as SimState);
}

const PROVISIONER_KEY = 'agk_demand_control_provisioner_key_0123456789';

describe('demand control on the demo preset', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { API_KEYS: `dc:provisioner:${hashApiKey(PROVISIONER_KEY)}` });
  });
  afterAll(() => stack.close());

  it('estimates every GraphiQL, docs and bench query within [actual, 3 x actual]', async () => {
    const cases = [...graphiqlExamples(), ...readmeQueries(), ...benchCases(await platformView(stack))];
    expect(cases.length).toBeGreaterThanOrEqual(8);
    expect(await expectBracketed(stack, cases)).toHaveLength(cases.length);
  });

  it('says both headers on an answer from the response cache: the same estimate, no calls', async () => {
    const tree = benchCases(await platformView(stack))[0]!;
    const cold = await coldRun(stack, tree);
    expect(cold.actual).toBeGreaterThan(0);
    const res = await post(stack.gw.gateway.graphqlUrl, { query: tree.query, variables: tree.variables });
    await res.arrayBuffer();
    expect(res.headers.get('x-response-cache')).toBe('hit');
    expect(res.headers.get(ESTIMATE_HEADER)).toBe(String(cold.estimate));
    expect(res.headers.get(CALLS_HEADER)).toBe('0');
  });

  it('never estimates a README mutation below what it costs (dry runs and real runs)', async () => {
    const view = await platformView(stack);
    const root = view.rootOrgId;
    const someone = view.usersOf(root).find((u) => u.enabled)!;
    const mutations: Case[] = [
      { name: 'createUser', query: `mutation { createUser(input: { username: "dc_new_user", firstName: "Dee", lastName: "See", email: "dc@example.com" }) { user { id } userErrors { code } } }` },
      { name: 'updateUserProfile', query: `mutation { updateUserProfile(input: { id: "${someone.id}", firstName: "Renamed" }) { user { firstName } userErrors { code } } }` },
      { name: 'deactivateUser', query: `mutation { deactivateUser(input: { id: "${someone.id}" }) { user { enabled } userErrors { code } } }` },
      { name: 'reactivateUser', query: `mutation { reactivateUser(input: { id: "${someone.id}" }) { user { enabled } userErrors { code } } }` },
      { name: 'pushGroup', query: `mutation { pushGroup(input: { groupId: "00g-dc", displayName: "DC Team", members: ["${someone.username}"] }) { team { id } userErrors { code } } }` },
    ];
    for (const m of mutations) {
      for (const dryRun of [true, false]) {
        const query = m.query.replace('(input: {', `(input: { dryRun: ${dryRun},`);
        const run = await coldRun(stack, { name: m.name, query }, { 'x-api-key': PROVISIONER_KEY });
        expect(run.body.errors, `${m.name} dryRun=${dryRun}`).toBeUndefined();
        expect(run.estimate, `${m.name} dryRun=${dryRun}: estimate ${run.estimate} >= actual ${run.actual}`).toBeGreaterThanOrEqual(run.actual);
      }
    }
  });
});

describe('demand control on the large preset', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ preset: 'large' }, { GRAPHQL_MAX_RESPONSE_MB: '1' });
  }, 120_000);
  afterAll(() => stack.close());

  it('estimates every bench query within [actual, 3 x actual]', async () => {
    const cases = benchCases(await platformView(stack));
    expect(await expectBracketed(stack, cases)).toHaveLength(9);
  }, 120_000);

  it('refuses a fan-out bomb before making any upstream call', async () => {
    // 180 bytes: every environment's APIs with their specs, every org's users with their teams.
    const bomb = '{ organizations { environments { apis(first: 500) { nodes { specification { content } } } } users(first: 500) { nodes { teams { team { name } } } } } }';
    await stack.resetCounts();
    const run = await coldRun(stack, { name: 'bomb', query: bomb });
    expect(run.status).toBe(400);
    expect(run.body.data).toBeUndefined();
    const error = run.body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: { maxUpstreamCalls: 2000 } });
    expect((error.extensions!.cost as { estimatedUpstreamCalls: number }).estimatedUpstreamCalls).toBeGreaterThan(2000);
    expect(run.actual).toBe(0);
    expect((await stack.upstream()).total).toBe(0);
  });

  it('refuses an answer over GRAPHQL_MAX_RESPONSE_MB with RESPONSE_TOO_LARGE', async () => {
    // 20 aliases x 500 users of the root org: about 2.5 MB of JSON.
    const fields = 'nodes { id username firstName lastName email enabled createdAt identityProvider }';
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `u${i}: users(first: 500) { ${fields} }`).join(' ')} }`;
    const res = await post(stack.gw.gateway.graphqlUrl, { query });
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBeLessThan(1_048_576);
    const body = JSON.parse(text) as { data?: unknown; errors: Array<{ extensions: { code: string; maxBytes: number } }> };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.extensions).toEqual({ code: 'RESPONSE_TOO_LARGE', maxBytes: 1_048_576 });
  });
});

describe('the per-caller budget of upstream calls', () => {
  let stack: Stack;
  const OTHER_KEY = 'agk_demand_control_other_reader_key_0123456789';

  beforeAll(async () => {
    // The demo org tree costs 21 calls cold: 60 a minute allow two, not three.
    stack = await startStack({}, { CALLER_UPSTREAM_CALLS_PER_MINUTE: '60', GRAPHQL_MAX_UPSTREAM_CALLS: '60', API_KEYS: `other:reader:${hashApiKey(OTHER_KEY)}` });
  });
  afterAll(() => stack.close());

  const tree: Case = { name: 'org tree', query: '{ organizations { name environments { name apiCount } } }' };

  it('refuses a cold repeat past the budget with 429 and Retry-After; warm repeats and other callers still pass', async () => {
    // The three runs must fall in one budget minute.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    await stack.resetCounts();
    const runs = [];
    for (let i = 0; i < 3; i += 1) runs.push(await coldRun(stack, tree));
    expect(runs.map((r) => r.status)).toEqual([200, 200, 429]);
    const refused = runs[2]!;
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'CALLER_BUDGET_EXCEEDED', budget: { perMinute: 60, spent: 42 } });
    // Nothing was spent for the refused one.
    expect((await stack.upstream()).total).toBe(42);

    const res = await post(stack.gw.gateway.graphqlUrl, { query: tree.query }, { 'cache-control': 'no-cache' });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await res.arrayBuffer();

    // The same query from the cache costs nothing, so it is not refused.
    const warm = await post(stack.gw.gateway.graphqlUrl, { query: tree.query });
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();
    // Another caller has a budget of its own.
    expect((await coldRun(stack, tree, { 'x-api-key': OTHER_KEY })).status).toBe(200);
  });

  it('holds under 20 concurrent cold queries: what runs stays within the budget', async () => {
    const burstKey = 'agk_demand_control_burst_reader_key_0123456789';
    const burst = await startStack({}, { CALLER_UPSTREAM_CALLS_PER_MINUTE: '60', GRAPHQL_MAX_UPSTREAM_CALLS: '60', API_KEYS: `burst:reader:${hashApiKey(burstKey)}` });
    try {
      await burst.resetCounts();
      const runs = await Promise.all(Array.from({ length: 20 }, () => coldRun(burst, tree, { 'x-api-key': burstKey })));
      const served = runs.filter((r) => r.status === 200).length;
      // Two fit a minute; a minute turning over during the burst could let two more through.
      expect(served).toBeGreaterThanOrEqual(2);
      expect(served).toBeLessThanOrEqual(4);
      expect(runs.filter((r) => r.status === 429)).toHaveLength(20 - served);
      expect((await burst.upstream()).total).toBeLessThanOrEqual(served * 21);
    } finally {
      await burst.close();
    }
  });
});

describe('budget settings', () => {
  it('keep an operation within a caller minute', async () => {
    const { readConfig } = await import('../../src/config/config.js');
    expect(() => readConfig({ GRAPHQL_MAX_UPSTREAM_CALLS: '500', CALLER_UPSTREAM_CALLS_PER_MINUTE: '100' })).toThrow(/GRAPHQL_MAX_UPSTREAM_CALLS \(500\) must not be more than CALLER_UPSTREAM_CALLS_PER_MINUTE \(100\)/);
    expect(() => readConfig({ GRAPHQL_MAX_UPSTREAM_CALLS: '500', CALLER_UPSTREAM_CALLS_PER_MINUTE: '0' })).not.toThrow();
  });
});

// The bench queries live in bench/queries; this suite must cover each of them.
it('covers every bench query', () => {
  const files = readdirSync(new URL('../../bench/queries/', import.meta.url)).filter((f) => f.endsWith('.graphql') && f !== 'push-group.graphql');
  expect(files.sort()).toEqual(['api-environments.graphql', 'api-inventory.graphql', 'entities-group.graphql', 'entities-users.graphql', 'full-inventory.graphql', 'group-users.graphql', 'org-tree.graphql', 'team-subtree.graphql', 'user-by-username.graphql']);
});
