import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFor, startStack, type Stack } from '../helpers/gateway.js';
import { startSimHarness } from '../helpers/simulator.js';

const ORG_TREE = '{ organizations { id name environments { id apiCount } } }';
const FAST_RETRIES = { ANYPOINT_MAX_ATTEMPTS: '4' };

async function setFaults(stack: Stack, rules: unknown[], latency = { minMs: 0, maxMs: 0 }) {
  const res = await fetch(`${stack.sim.url}/__sim/faults`, { method: 'PUT', body: JSON.stringify({ latency, rules }) });
  expect(res.status).toBe(200);
}

describe('reads under upstream faults', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it.each([
    ['429 on API Manager', { kind: '429', path: '/apimanager/**' }],
    ['503 on Access Management', { kind: '503', path: '/accounts/**' }],
    ['connection resets on Access Management', { kind: 'reset', path: '/accounts/api/organizations/*' }],
    ['500 on Exchange', { kind: '500', path: '/exchange/**' }],
  ])('returns the same data despite %s', async (_, rule) => {
    stack = await startStack({}, FAST_RETRIES);
    const query = '{ organizations { id name environments { id apiCount } } apis(first: 500) { nodes { id exchangeAsset { name } } } }';
    const clean = await stack.gw.gql(query, undefined, { 'cache-control': 'no-cache' });
    expect(clean.errors).toBeUndefined();
    await setFaults(stack, [{ ...rule, probability: 1, times: 2 }]);
    const faulty = await stack.gw.gql(query, undefined, { 'cache-control': 'no-cache' });
    expect(faulty.errors).toBeUndefined();
    expect(faulty.data).toEqual(clean.data);
    const { routes } = await stack.sim.counts();
    const injected = routes.filter((r) => ['429', '503', '500', 'reset'].includes(String(r.status))).reduce((n, r) => n + r.count, 0);
    expect(injected).toBe(2);
  });

  it('gives a typed partial result when one branch keeps failing', async () => {
    stack = await startStack({}, { ANYPOINT_MAX_ATTEMPTS: '2' });
    await setFaults(stack, [{ kind: '500', probability: 1, path: '/apimanager/**' }]);
    const { data, errors } = await stack.gw.gql('{ viewer { clientId } organizations { name } apis(first: 5) { totalCount } }');
    expect(data!.viewer.clientId).toBe(stack.sim.sim.demoApp.clientId);
    expect(data!.organizations.length).toBe(stack.sim.sim.store.orgs.size);
    expect(data!.apis).toBeNull();
    expect(errors!.map((e) => e.extensions!.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(errors![0]!.extensions!.upstreamStatus).toBe(500);
  });

  it('fails one instance count alone when its route keeps failing: the other counts and the listing still answer', async () => {
    stack = await startStack({}, { ANYPOINT_MAX_ATTEMPTS: '2' });
    await setFaults(stack, [{ kind: '500', probability: 1, path: '/apimanager/**/tiers' }]);
    const { data, errors } = await stack.gw.gql('{ apis(first: 3) { totalCount nodes { id policyCount slaTierCount contractCount } } }');
    const store = stack.sim.sim.store;
    expect(data!.apis.totalCount).toBe(store.apis.size);
    expect(data!.apis.nodes).toHaveLength(3);
    for (const node of data!.apis.nodes) {
      expect(node.slaTierCount).toBeNull();
      expect(node.policyCount).toBe(store.policies.filter((p) => String(p.apiId) === node.id).length);
      expect(node.contractCount).toBe(store.contracts.filter((c) => String(c.apiId) === node.id).length);
    }
    expect(errors!.map((e) => [e.path!.at(-1), e.extensions!.code])).toEqual(Array.from({ length: 3 }, () => ['slaTierCount', 'UPSTREAM_UNAVAILABLE']));
  });

  it('survives every token expiring in the middle of a query', async () => {
    stack = await startStack({ latency: { minMs: 30, maxMs: 30 } });
    const clean = await stack.gw.gql(ORG_TREE, undefined, { 'cache-control': 'no-cache' });
    const pending = stack.gw.gql(ORG_TREE, undefined, { 'cache-control': 'no-cache' });
    await new Promise((resolve) => setTimeout(resolve, 45));
    await fetch(`${stack.sim.url}/__sim/tokens/expire`, { method: 'POST' });
    const result = await pending;
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(clean.data);
    const { routes } = await stack.sim.counts();
    expect(routes.some((r) => r.status === 401)).toBe(true);
    // One refresh serves every call that saw the 401: the initial token plus exactly one more.
    expect(routes.filter((r) => r.route === '/accounts/api/v2/oauth2/token').reduce((n, r) => n + r.count, 0)).toBe(2);
  });

  it('maps a 403 from a connected app without the scope to FORBIDDEN, leaving allowed fields intact', async () => {
    const sim = await startSimHarness();
    const gw = await startGatewayFor(sim, {}, sim.sim.limitedApp);
    try {
      const { data, errors } = await gw.gql('{ organizations { name } users(first: 1) { totalCount } }');
      expect(data!.organizations.length).toBe(sim.sim.store.orgs.size);
      expect(data!.users).toBeNull();
      expect(errors!.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN']);
      expect(errors![0]!.extensions!.upstreamStatus).toBe(403);
    } finally {
      await gw.close();
      await sim.close();
    }
  });

  it('cancels the upstream calls of a query whose caller went away', async () => {
    stack = await startStack({ latency: { minMs: 400, maxMs: 400 } });
    // Warm the token so the only calls are the query's own.
    await stack.gw.gateway.client.tokens.getToken();
    const controller = new AbortController();
    const request = fetch(stack.gw.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ORG_TREE }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await request;
    // Had the query gone on, the hierarchy (wave 1) would be followed by org details (wave 2).
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(stack.gw.calls.map((c) => c.route)).toEqual(['/accounts/api/organizations/{orgId}/hierarchy']);
    expect(stack.gw.calls[0]!.status).toBeNull();
  });
});
