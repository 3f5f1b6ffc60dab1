import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * Lookups use what they already know (issue 15): an API's environment is found in its own
 * organization's detail, which listing that organization's APIs has read already, instead of
 * sweeping every organization's. Demo preset; the minimum is worked out beside each figure.
 */
describe('an API\'s environment', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetCounts());

  it('costs no call beyond listing the business group\'s APIs', async () => {
    const store = stack.sim.sim.store;
    const group = store.orgChildIds(store.rootOrgId)[0]!;
    const envs = store.environmentsOf(group).length;
    const query = (withEnv: boolean) => `query($id: ID!) { organization(id: $id) { apis(first: 100) { nodes { id ${withEnv ? 'environment { id name }' : ''} } } } }`;
    const without = await stack.gw.gql(query(false), { id: group }, { 'cache-control': 'no-cache' });
    expect(without.errors).toBeUndefined();
    const base = (await stack.upstream()).total;
    await stack.resetCounts();
    const withEnv = await stack.gw.gql(query(true), { id: group }, { 'cache-control': 'no-cache' });
    expect(withEnv.errors).toBeUndefined();
    // minimum = 1 hierarchy + 1 detail of the group (its environments) + 1 API list per environment:
    // the environment field reads that same detail, so no call more.
    expect(base).toBe(1 + 1 + envs);
    expect((await stack.upstream()).total).toBe(base);
    const apis = withEnv.data!.organization.apis.nodes as Array<{ id: string; environment: { id: string; name: string } }>;
    expect(apis.length).toBeGreaterThan(0);
    for (const api of apis) expect(store.environments.get(api.environment.id)?.organizationId).toBe(group);
  });
});
