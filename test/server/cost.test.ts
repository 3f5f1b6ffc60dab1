import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CallMeters } from '../../src/observability/call-meters.js';
import { createCallerBudget } from '../../src/server/cost/caller-budget.js';
import { estimateCost } from '../../src/server/cost/estimate.js';
import { PlatformSizes } from '../../src/server/cost/platform-sizes.js';
import { createSchema } from '../../src/server/schema.js';

const schema = createSchema();
const ROOT = 'root-org';

/** A platform of 3 orgs (root + 2), each with 4 environments of 10 APIs, 600 users in the root. */
function knownPlatform(): PlatformSizes {
  const sizes = new PlatformSizes();
  sizes.observe('organizations', `tree:${ROOT}`, [
    { id: ROOT, parentId: null, childIds: ['a', 'b'] },
    { id: 'a', parentId: ROOT, childIds: [] },
    { id: 'b', parentId: ROOT, childIds: [] },
  ]);
  for (const org of [ROOT, 'a', 'b']) {
    sizes.observe('organizations', `detail:${org}`, { environments: [1, 2, 3, 4].map((i) => ({ id: `${org}-env-${i}` })) });
    for (let i = 1; i <= 4; i += 1) sizes.observe('apis', `count:${org}-env-${i}`, 10);
    sizes.observe('users', `total:${org}`, org === ROOT ? 600 : 50);
  }
  return sizes;
}

function estimate(query: string, sizes = knownPlatform(), variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return estimateCost({ schema, document, operation, variables, sizes, rootOrgId: ROOT, singleGetLimit: 10 });
}

describe('estimateCost', () => {
  it('prices the org tree at its exact cold cost: the tree, one detail per org, one count per environment', () => {
    expect(estimate('{ organizations { name environments { apiCount } } }').upstreamCalls).toBe(1 + 3 + 12);
  });

  it('counts a call the loaders make once per request once, however many fields need it', () => {
    const once = estimate('{ organizations { environments { id } } }').upstreamCalls;
    const twice = estimate('{ a: organizations { environments { id } createdAt } b: organizations { environments { name } entitlements } }').upstreamCalls;
    expect(once).toBe(1 + 3);
    expect(twice).toBe(once);
  });

  it('reuses a fragment walked once: a thousand spreads cost what one does', () => {
    const fragment = 'fragment F on Organization { environments { apiCount } }';
    const one = estimate(`{ organizations { ...F } } ${fragment}`);
    const many = estimate(`{ organizations { ${'...F '.repeat(1000)} } } ${fragment}`);
    expect(many.upstreamCalls).toBe(one.upstreamCalls);
    // The fields inside the fragment are in the answer once per spread (aliases apart, graphql-js merges them; the bound stays safe).
    expect(many.resultFields).toBe(1 + 1000 * (one.resultFields - 1));
  });

  it('reads page sizes from the arguments and list sizes from what it has seen', () => {
    // 600 users are 2 pages of 500; the connection yields min(first, 600) nodes.
    expect(estimate(`{ users(organizationId: "${ROOT}", first: 10) { nodes { id } } }`)).toEqual({ upstreamCalls: 2, resultFields: 1 + 1 + 10 });
    expect(estimate(`{ users(organizationId: "${ROOT}", first: 500) { nodes { id } } }`).resultFields).toBe(1 + 1 + 500);
  });

  it('falls back to assumed sizes before it has seen the platform', () => {
    const fresh = estimate('{ organizations { environments { apiCount } } }', new PlatformSizes());
    // 10 assumed orgs of 4 environments: 1 + 10 + 40.
    expect(fresh.upstreamCalls).toBe(51);
  });

  it('counts _entities by the representations it is sent', () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }';
    const users = (n: number) => ({ r: Array.from({ length: n }, (_, i) => ({ __typename: 'User', id: `u${i}` })) });
    expect(estimate(query, knownPlatform(), users(3)).upstreamCalls).toBe(3);
    // More than the single-GET limit: the root org's listing (2 pages).
    expect(estimate(query, knownPlatform(), users(40)).upstreamCalls).toBe(2);
  });

  it('bounds a mutation by its input: a pushGroup of 1,000 members may make 1,000 writes', () => {
    const members = Array.from({ length: 1000 }, (_, i) => `user_${i}`);
    const cost = estimate('mutation ($m: [String!]!) { pushGroup(input: { groupId: "g", displayName: "G", members: $m }) { team { id } } }', knownPlatform(), { m: members });
    expect(cost.upstreamCalls).toBeGreaterThan(1000);
    expect(cost.upstreamCalls).toBeLessThan(1100);
  });
});

describe('estimateCost and hostile input', () => {
  it('takes a variable left out at its declared default, as execution will', () => {
    const query = 'query ($n: Int = 500) { users(organizationId: "root-org", first: $n) { nodes { id } } }';
    expect(estimate(query).resultFields).toBe(1 + 1 + 500);
  });

  it('prices _entities of typenames that name no type (or Object.prototype members) at nothing, without throwing', () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }';
    const reps = ['__proto__', 'constructor', 'toString', 'NoSuchType'].map((t) => ({ __typename: t, id: 'x' }));
    expect(estimate(query, knownPlatform(), { r: reps }).upstreamCalls).toBe(0);
  });

  it('groups 100,000 representations in linear time (one array per type, appended to)', () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }';
    const reps = Array.from({ length: 100_000 }, (_, i) => ({ __typename: 'User', id: `u${i}` }));
    // The root org's listing: 2 pages, whatever the number of ids.
    expect(estimate(query, knownPlatform(), { r: reps }).upstreamCalls).toBe(2);
  });
});

describe('CallMeters', () => {
  it('counts a call against every request in flight under its id, so a reused x-request-id hides nothing', () => {
    const meters = new CallMeters();
    const long = meters.start('same-id');
    const quick = meters.start('same-id');
    meters.count('same-id');
    meters.finish('same-id', quick);
    meters.count('same-id');
    meters.count('same-id.w1');
    expect([long.calls, quick.calls]).toEqual([3, 1]);
    meters.finish('same-id', long);
    meters.count('same-id');
    expect(long.calls).toBe(3);
  });
});

describe('PlatformSizes', () => {
  it('learns list lengths from the values the loaders read, and ignores shapes it does not know', () => {
    const sizes = knownPlatform();
    expect(sizes.organizations).toBe(3);
    expect(sizes.environments).toBe(12);
    expect(sizes.envOrg.get('a-env-2')).toBe('a');
    expect(sizes.users.of(ROOT)).toBe(600);
    expect(sizes.users.totalPages(3)).toBe(2 + 1 + 1);
    sizes.observe('users', 'org:x', 'not a list');
    sizes.observe('exchange', 'whatever:1', [1, 2, 3]);
    expect(sizes.users.byId.has('x')).toBe(false);
  });

  it('learns from a cache entry once, and from the entry that replaces it', () => {
    const sizes = knownPlatform();
    const entry = { value: [1, 2, 3], expiresAt: 1 };
    sizes.observe('users', 'org:x', entry.value, entry);
    expect(sizes.users.of('x')).toBe(3);
    // The same entry again is skipped (cache entries are frozen, so it cannot hold anything new).
    sizes.observe('users', 'org:x', [1, 2, 3, 4], entry);
    expect(sizes.users.of('x')).toBe(3);
    const refilled = { value: [1, 2, 3, 4, 5], expiresAt: 2 };
    sizes.observe('users', 'org:x', refilled.value, refilled);
    expect(sizes.users.of('x')).toBe(5);
    // A fetched value comes with no entry and is always learned from.
    sizes.observe('users', 'org:x', [1]);
    expect(sizes.users.of('x')).toBe(1);
  });
});

describe('PlatformSizes.version', () => {
  it('moves when a size changes and stays when the same value is read again (estimates are reused meanwhile)', () => {
    const sizes = knownPlatform();
    const before = sizes.version;
    sizes.observe('users', `total:${ROOT}`, 600);
    sizes.observe('organizations', `detail:a`, { environments: [1, 2, 3, 4].map((i) => ({ id: `a-env-${i}` })) });
    expect(sizes.version).toBe(before);
    sizes.observe('users', `total:${ROOT}`, 601);
    expect(sizes.version).toBeGreaterThan(before);
  });
});

describe('createCallerBudget (in memory)', () => {
  it('reserves estimates, settles to actual calls, refuses past the budget until the next minute', async () => {
    let now = 120_000;
    const budget = createCallerBudget({ perMinute: 100, now: () => now });
    const first = await budget.reserve('key:a', 60);
    expect(first).toMatchObject({ granted: true, calls: 60 });
    // Only 10 were really made: 50 go back.
    await budget.settle('key:a', (first as { window: number }).window, 10 - 60);
    expect(await budget.reserve('key:a', 80)).toMatchObject({ granted: true });
    now += 30_000;
    expect(await budget.reserve('key:a', 20)).toEqual({ granted: false, retryAfterSeconds: 30, spent: 90 });
    // Another caller's minute is its own.
    expect(await budget.reserve('key:b', 100)).toMatchObject({ granted: true });
    now += 30_000;
    expect(await budget.reserve('key:a', 20)).toMatchObject({ granted: true });
  });

  it('lets one operation larger than the whole budget run only in an empty minute', async () => {
    const budget = createCallerBudget({ perMinute: 10, now: () => 0 });
    expect(await budget.reserve('key:a', 50)).toMatchObject({ granted: true });
    expect(await budget.reserve('key:a', 1)).toMatchObject({ granted: false });
  });
});
