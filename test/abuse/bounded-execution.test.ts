import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startGatewayFor, startStack, type GatewayHarness, type Stack } from '../helpers/gateway.js';
import { describeWithService, REDIS_URL, redisAvailable } from '../helpers/services.js';
import { expectResponsiveDuring } from './support.js';

/**
 * Execution is bounded in time (GRAPHQL_EXECUTION_TIMEOUT_MS aborts a slow query's upstream
 * calls) and a caller's budget holds across replicas that share Redis. Before, a query against a
 * stalled platform waited as long as the upstream timeouts and retries allowed (minutes), and each
 * replica would have let a caller spend its whole budget again.
 */
const setLatency = (stack: Stack, ms: number) =>
  fetch(`${stack.sim.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latency: { minMs: ms, maxMs: ms }, rules: [] }) });

describe('the execution timeout', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { GRAPHQL_EXECUTION_TIMEOUT_MS: '1500' });
  });
  afterAll(() => stack.close());

  it('answers OPERATION_TIMEOUT for a query the platform is too slow for, without waiting for its upstream calls', async () => {
    // Each upstream call now takes 5 s; the org tree needs two waves of them.
    await setLatency(stack, 5_000);
    try {
      const body = await expectResponsiveDuring(stack.gw.gateway.url, async () => {
        const res = await fetch(stack.gw.gateway.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
          body: JSON.stringify({ query: '{ organizations { name environments { apiCount } } }' }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { data: { organizations: unknown }; errors: Array<{ message: string; extensions: { code: string } }> };
      });
      expect(body.data.organizations).toBeNull();
      const codes = new Set(body.errors.map((e) => e.extensions.code));
      expect([...codes]).toEqual(['OPERATION_TIMEOUT']);
      expect(body.errors[0]!.message).toMatch(/longer than 1500 ms/);
    } finally {
      await setLatency(stack, 0);
    }
  });

  it('does not cut short a query that finishes in time', async () => {
    const res = await stack.gw.gql('{ organizations { name } }', undefined, { 'cache-control': 'no-cache' });
    expect(res.errors).toBeUndefined();
  });

  it('leaves mutations alone: a write in flight is never abandoned halfway', async () => {
    const key = 'agk_bounded_execution_provisioner_0123456789';
    const gw = await startGatewayFor(stack.sim, { GRAPHQL_EXECUTION_TIMEOUT_MS: '1500', API_KEYS: `p:provisioner:${hashApiKey(key)}` });
    try {
      // Its reads and its write, one after another, take longer than the timeout.
      await setLatency(stack, 600);
      const res = await gw.gql(
        'mutation { createUser(input: { username: "slow_writer", firstName: "Slow", lastName: "Writer", email: "slow@example.com" }) { user { username } userErrors { code } } }',
        undefined,
        { 'x-api-key': key },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.createUser.user.username).toBe('slow_writer');
    } finally {
      await setLatency(stack, 0);
      await gw.close();
    }
  });
});

describeWithService('the caller budget across replicas (Redis)', redisAvailable, () => {
  let stack: Stack;
  let second: GatewayHarness;
  const namespace = `budget-test-${process.pid}-${Date.now()}`;
  const env = { REDIS_URL, CACHE_NAMESPACE: namespace, CALLER_UPSTREAM_CALLS_PER_MINUTE: '40', GRAPHQL_MAX_UPSTREAM_CALLS: '40' };

  beforeAll(async () => {
    stack = await startStack({}, env);
    second = await startGatewayFor(stack.sim, env);
  });
  afterAll(async () => {
    await second?.close();
    await stack?.close();
  });

  it('counts a caller once for all replicas: what one spent, the other will not give again', async () => {
    const tree = '{ organizations { name environments { name apiCount } } }';
    // 21 calls each: the first replica's run leaves 19 of 40, too few for a second run anywhere.
    const first = await stack.gw.gql(tree, undefined, { 'cache-control': 'no-cache' });
    expect(first.errors).toBeUndefined();
    const elsewhere = await second.gql(tree, undefined, { 'cache-control': 'no-cache' });
    // A minute may turn over between the two; then the second run is within a fresh budget.
    if (elsewhere.status === 200) {
      const again = await second.gql(tree, undefined, { 'cache-control': 'no-cache' });
      expect(again.status).toBe(429);
    } else {
      expect(elsewhere.status).toBe(429);
      expect(elsewhere.errors![0]!.extensions!.code).toBe('CALLER_BUDGET_EXCEEDED');
    }
  });
});
