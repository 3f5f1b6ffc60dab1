import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFor, startStack, type Stack } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { describeWithService, redisAvailable } from '../helpers/services.js';

const QUERY = '{ organizations { name environments { name apiCount } } }';

describe('the shared cache in memory', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers a repeat within the TTL from the cache and goes upstream again when the caller asks for no-cache', async () => {
    await stack.gw.gql(QUERY);
    await stack.resetCounts();
    await stack.gw.gql(QUERY);
    expect((await stack.upstream()).total).toBe(0);
    await stack.gw.gql(QUERY, undefined, { 'cache-control': 'no-cache' });
    expect((await stack.upstream()).total).toBeGreaterThan(0);
  });

  it('expires entries after the configured TTL', async () => {
    const short = await startStack({}, { CACHE_TTL_SECONDS: '1' });
    try {
      await short.gw.gql(QUERY);
      await short.resetCounts();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await short.gw.gql(QUERY);
      expect((await short.upstream()).total).toBeGreaterThan(0);
    } finally {
      await short.close();
    }
  });
});

describeWithService('the shared cache in Redis', redisAvailable, () => {
  let sim: SimHarness;
  const namespace = `anypoint-graph-test-${process.pid}-${Date.now()}`;
  const env = { REDIS_URL: 'redis://127.0.0.1:6379', CACHE_NAMESPACE: namespace };

  beforeAll(async () => {
    sim = await startSimHarness();
  });
  afterAll(() => sim.close());

  const platformCalls = async () =>
    (await sim.counts()).routes.filter((r) => r.route !== '/accounts/api/v2/oauth2/token').reduce((n, r) => n + r.count, 0);

  it('lets a second gateway replica answer from what the first one cached', async () => {
    const a = await startGatewayFor(sim, env);
    const b = await startGatewayFor(sim, env);
    try {
      const first = await a.gql(QUERY);
      await fetch(`${sim.url}/__sim/counts`, { method: 'DELETE' });
      const second = await b.gql(QUERY);
      expect(second.data).toEqual(first.data);
      expect(await platformCalls()).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('never shares entries between two connected apps', async () => {
    const demo = await startGatewayFor(sim, env);
    const limited = await startGatewayFor(sim, env, sim.sim.limitedApp);
    try {
      await demo.gql('{ organizations { name } }');
      await fetch(`${sim.url}/__sim/counts`, { method: 'DELETE' });
      const { data } = await limited.gql('{ organizations { name } }');
      expect(data!.organizations.length).toBe(sim.sim.store.orgs.size);
      // The limited app had to fetch the tree itself: nothing of the demo app's was visible to it.
      expect(await platformCalls()).toBe(1);
    } finally {
      await demo.close();
      await limited.close();
    }
  });
});
