import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, KEYS } from '../provisioning/support.js';
import { startStack, type Stack } from '../helpers/gateway.js';
import { coldRun, expectBracketed, type Case } from '../abuse/cost-support.js';

/**
 * Demand control brackets the access fields like every other query (actual <= estimate <= 3 x
 * actual): a review of one business group and of the whole tree, many users' access at once
 * (the organization's routes), one user's (its own routes), and a team's effective roles.
 */

const auditor = { 'x-api-key': KEYS.auditor };

const WHOLE_TREE = 'review of the whole tree';

function cases(stack: Stack): Case[] {
  const store = stack.sim.sim.store;
  const rootOrgId = stack.sim.sim.demoApp.orgId;
  const group = store.orgChildIds(rootOrgId)[0]!;
  const user = store.usersOf(rootOrgId)[1]!;
  const deepTeam = [...store.teams.values()].find((t) => t.org_id === rootOrgId && store.teamAncestorIds(t.team_id).length >= 2) ?? store.rootTeamOf(rootOrgId)!;
  const row = 'nodes { principalName roleName via viaName environmentName } summary { principals staleAccountsWithAccess }';
  return [
    { name: 'review of the root org', query: `{ accessReview(first: 200) { totalCount ${row} } }` },
    { name: 'review of a business group and below', query: `query($id: ID) { accessReview(organizationId: $id, includeDescendants: true, first: 200) { totalCount ${row} } }`, variables: { id: group } },
    { name: WHOLE_TREE, query: `{ accessReview(includeDescendants: true, first: 200) { totalCount ${row} } }` },
    {
      name: "a business group's users' access",
      query: 'query($id: ID!) { organization(id: $id) { users(first: 20) { nodes { username access { roleName environment { name } paths { kind team { name } } } } } } }',
      variables: { id: group },
    },
    { name: "one user's access", query: 'query($id: ID!) { user(id: $id) { access { roleName paths { kind description roleGroup { name } } } } }', variables: { id: user.id } },
    { name: "a team's effective roles", query: 'query($id: ID!) { team(id: $id) { effectiveRoles { name inheritedFrom { name } } } }', variables: { id: deepTeam.team_id } },
    { name: 'connected apps', query: '{ viewer { organization { connectedApps { name owner { username } scopes { scope environment { name } } } } } }' },
  ];
}

for (const preset of ['demo', 'large'] as const) {
  describe(`demand control on the access fields (${preset} preset)`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ preset }, { API_KEYS });
    }, 120_000);
    afterAll(() => stack.close());

    it('estimates every access query within [actual, 3 x actual]', async () => {
      // The whole large tree's review is the export's job (below); the rest fit a query's budget.
      const all = cases(stack).filter((c) => preset === 'demo' || c.name !== WHOLE_TREE);
      expect(await expectBracketed(stack, all, auditor)).toHaveLength(all.length);
    }, 120_000);

    if (preset === 'large') {
      it("refuses the whole large tree's review as one query, before any call, naming its cost", async () => {
        await stack.resetCounts();
        const run = await coldRun(stack, cases(stack).find((c) => c.name === WHOLE_TREE)!, auditor);
        expect(run.body.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
        expect((await stack.upstream()).total).toBe(0);
      });
    }

    it('estimates a fan-out of every business group\'s users\' access above its cost, and refuses it on the large preset before any call', async () => {
      // 50 users of every business group, each with its access: the org picture of every org, twice over.
      const bomb = '{ organizations { users(first: 500) { nodes { access { paths { team { members(first: 500) { nodes { user { access { roleName } } } } } } } } } } }';
      await stack.resetCounts();
      const run = await coldRun(stack, { name: 'bomb', query: bomb }, auditor);
      if (preset === 'large') {
        expect(run.body.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
        expect((await stack.upstream()).total).toBe(0);
      } else {
        expect(run.estimate).toBeGreaterThanOrEqual(run.actual);
      }
    }, 120_000);
  });
}
