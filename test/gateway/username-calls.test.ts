import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * userByUsername narrows with the users list's `search` (official spec) instead of listing
 * organizations (issue 15): a root-org user is one search, a business group's user one search in
 * the root and then one in each business group. Demo preset; the minimum beside each figure.
 */
const USERS = 'GET /accounts/api/organizations/{orgId}/users';

describe('userByUsername', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetCounts());

  const lookup = (username: string) => stack.gw.gql('query($u: String!) { userByUsername(username: $u) { id username organization { id } } }', { u: username }, { 'cache-control': 'no-cache' });

  it('finds a root-org user with one search', async () => {
    const store = stack.sim.sim.store;
    const user = store.usersOf(store.rootOrgId)[5]!;
    const { data, errors } = await lookup(user.username);
    expect(errors).toBeUndefined();
    expect(data!.userByUsername).toEqual({ id: user.id, username: user.username, organization: { id: store.rootOrgId } });
    // minimum = 1 search of the root org's users (no listing of its 40 users, no other org).
    expect((await stack.upstream()).byRoute).toEqual({ [USERS]: 1 });
  });

  it('finds a business group\'s user with a search in the root, then one per business group', async () => {
    const store = stack.sim.sim.store;
    const group = store.orgChildIds(store.rootOrgId)[0]!;
    const user = store.usersOf(group)[1]!;
    const { data, errors } = await lookup(user.username);
    expect(errors).toBeUndefined();
    expect(data!.userByUsername.organization.id).toBe(group);
    const groups = store.orgs.size - 1;
    // minimum = 1 root search + 1 hierarchy (which groups there are) + 1 search per business group.
    expect((await stack.upstream()).byRoute).toEqual({ [USERS]: 1 + groups, 'GET /accounts/api/organizations/{orgId}/hierarchy': 1 });
  });

  it('answers NOT_FOUND for a username nobody has', async () => {
    const { errors } = await lookup('nobody_has_this_name');
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
