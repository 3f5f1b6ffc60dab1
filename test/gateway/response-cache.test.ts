import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { describeWithService, redisAvailable } from '../helpers/services.js';
import { API_KEYS, KEYS, startProvisioningStack, type KeyName, type ProvisioningStack } from '../provisioning/support.js';

/**
 * The in-process cache of whole answers (src/server/response-cache*.ts), seen from outside: the
 * x-response-cache header, the simulator's call counters, and what a write changes.
 */
const USERS = 'query Users($first: Int) { users(first: $first) { nodes { id username enabled } } }';
const DEACTIVATE = 'mutation($input: DeactivateUserInput!) { deactivateUser(input: $input) { userErrors { code } user { id enabled } } }';

interface Answer {
  cache: string | null;
  body: { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { cache: res.headers.get('x-response-cache'), body: (await res.json()) as Answer['body'] };
}

describe('the response cache', () => {
  let stack: ProvisioningStack;
  const ask = (as: KeyName, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    post(stack.gw.gateway.graphqlUrl, query, variables, { 'x-api-key': KEYS[as], ...headers });

  beforeAll(async () => {
    stack = await startProvisioningStack();
  });
  afterAll(() => stack.close());

  it('answers a repeated query from the cache with the same data and no upstream call', async () => {
    const first = await ask('reader', USERS, { first: 5 });
    expect(first.cache).toBe('miss');
    await stack.resetCounts();
    const second = await ask('reader', USERS, { first: 5 });
    expect(second.cache).toBe('hit');
    expect(second.body).toEqual(first.body);
    expect((await stack.upstream()).total).toBe(0);
  });

  it('keeps answers apart by variables, by operation and by the caller roles', async () => {
    await ask('reader', USERS, { first: 6 });
    expect((await ask('reader', USERS, { first: 7 })).cache).toBe('miss');
    expect((await ask('auditor', USERS, { first: 6 })).cache).toBe('miss');
    expect((await ask('reader', USERS, { first: 6 })).cache).toBe('hit');
    expect((await ask('reader', '{ users(first: 6) { nodes { id } } }')).cache).toBe('miss');
  });

  it('executes again for a caller who sends Cache-Control: no-cache', async () => {
    await ask('reader', USERS, { first: 8 });
    await stack.resetCounts();
    const fresh = await ask('reader', USERS, { first: 8 }, { 'cache-control': 'no-cache' });
    expect(fresh.cache).toBe('bypass');
    expect((await stack.upstream()).total).toBeGreaterThan(0);
  });

  it('forgets every answer once a mutation has written, so the next read shows the write', async () => {
    const before = await ask('reader', USERS, { first: 3 });
    const target = before.body.data.users.nodes.find((u: { enabled: boolean }) => u.enabled);
    expect((await ask('reader', USERS, { first: 3 })).cache).toBe('hit');

    const written = await ask('provisioner', DEACTIVATE, { input: { id: target.id } });
    expect(written.body.data.deactivateUser.userErrors).toEqual([]);

    const after = await ask('reader', USERS, { first: 3 });
    expect(after.cache).toBe('miss');
    expect(after.body.data.users.nodes.find((u: { id: string }) => u.id === target.id).enabled).toBe(false);
  });

  it('never answers auditEvents, introspection or a failed query from the cache', async () => {
    const audit = '{ auditEvents(first: 1) { nodes { id } } }';
    await ask('auditor', audit);
    expect((await ask('auditor', audit)).cache).toBeNull();
    await ask('reader', '{ __schema { queryType { name } } }');
    expect((await ask('reader', '{ __schema { queryType { name } } }')).cache).toBeNull();
    const missing = '{ organization(id: "no-such-org") { id name } users(organizationId: "no-such-org", first: 1) { nodes { id } } }';
    const failed = await ask('reader', missing);
    expect(failed.body.errors?.length).toBeGreaterThan(0);
    expect((await ask('reader', missing)).cache).toBe('miss');
  });
});

describe('the response cache settings', () => {
  let sim: SimHarness;
  beforeAll(async () => {
    sim = await startSimHarness();
  });
  afterAll(() => sim.close());

  it('is off with RESPONSE_CACHE_MAX_MB=0: every repeat executes', async () => {
    const gw = await startGatewayFor(sim, { RESPONSE_CACHE_MAX_MB: '0' });
    try {
      await post(gw.gateway.graphqlUrl, USERS, { first: 2 });
      const again = await post(gw.gateway.graphqlUrl, USERS, { first: 2 });
      expect(again.cache).toBeNull();
      expect(again.body.data.users.nodes).toHaveLength(2);
    } finally {
      await gw.close();
    }
  });

  it('lets an answer go when the cached data it came from expires', async () => {
    const gw = await startGatewayFor(sim, { CACHE_TTL_SECONDS: '1' });
    try {
      await post(gw.gateway.graphqlUrl, USERS, { first: 2 });
      expect((await post(gw.gateway.graphqlUrl, USERS, { first: 2 })).cache).toBe('hit');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await post(gw.gateway.graphqlUrl, USERS, { first: 2 })).cache).toBe('miss');
    } finally {
      await gw.close();
    }
  });

  it('caches nothing built from a kind whose caching is off', async () => {
    const gw = await startGatewayFor(sim, { CACHE_TTL_USERS_SECONDS: '0' });
    try {
      await post(gw.gateway.graphqlUrl, USERS, { first: 2 });
      expect((await post(gw.gateway.graphqlUrl, USERS, { first: 2 })).cache).toBe('miss');
      // Organizations are still cached, and so is an answer built only from them.
      const orgs = '{ organizations { id name } }';
      await post(gw.gateway.graphqlUrl, orgs);
      expect((await post(gw.gateway.graphqlUrl, orgs)).cache).toBe('hit');
    } finally {
      await gw.close();
    }
  });
});

describeWithService('the response cache with replicas sharing Redis', redisAvailable, () => {
  let sim: SimHarness;
  let a: GatewayHarness;
  let b: GatewayHarness;
  beforeAll(async () => {
    sim = await startSimHarness();
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', CACHE_NAMESPACE: `anypoint-graph-test-rc-${process.pid}-${Date.now()}`, API_KEYS };
    a = await startGatewayFor(sim, env);
    b = await startGatewayFor(sim, env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sim?.close();
  });

  it("drops replica A's cached answer when replica B writes", async () => {
    const reader = { 'x-api-key': KEYS.reader };
    const before = await post(a.gateway.graphqlUrl, USERS, { first: 4 }, reader);
    expect((await post(a.gateway.graphqlUrl, USERS, { first: 4 }, reader)).cache).toBe('hit');
    const target = before.body.data.users.nodes.find((u: { enabled: boolean }) => u.enabled);

    const written = await post(b.gateway.graphqlUrl, DEACTIVATE, { input: { id: target.id } }, { 'x-api-key': KEYS.provisioner });
    expect(written.body.data.deactivateUser.userErrors).toEqual([]);

    const after = await post(a.gateway.graphqlUrl, USERS, { first: 4 }, reader);
    expect(after.cache).toBe('miss');
    expect(after.body.data.users.nodes.find((u: { id: string }) => u.id === target.id).enabled).toBe(false);
  });
});
