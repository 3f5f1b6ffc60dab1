import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBracketed } from '../abuse/cost-support.js';
import { KEYS } from '../provisioning/support.js';
import { oktaUser } from '../scim/support.js';
import { changesFixture, type ChangesFixture } from './support.js';

/**
 * users(changedSince): only the users created, updated, disabled or removed since the token,
 * from the platform's audit log (the users as they were after their last change), without
 * listing anyone; and SCIM writes in the change feed as SCIM.
 */

let f: ChangesFixture;
beforeAll(async () => {
  f = await changesFixture();
});
afterAll(() => f.close());

const reader = { 'x-api-key': KEYS.reader };
const CHANGED = 'query($since: String) { users(changedSince: $since, first: 500) { totalCount nodes { id username firstName enabled } removedUserIds deltaToken } }';

describe('users(changedSince)', () => {
  it('answers exactly the users changed since the token, removed ones apart, reading only the audit log', async () => {
    const store = f.stack.store;
    const before = (await f.stack.gw.gql(CHANGED, { since: new Date(Date.now() - 60_000).toISOString() }, reader)).data!.users;
    const token = before.deltaToken as string;
    expect(token).toEqual(expect.any(String));

    const untouched = await f.byHand('POST', '/users', { username: 'untouched_after', firstName: 'U', lastName: 'T', email: 'u@example.test' });
    const renamed = await f.byHand('POST', '/users', { username: 'renamed_later', firstName: 'Old', lastName: 'Name', email: 'r@example.test' });
    const doomed = await f.byHand('POST', '/users', { username: 'removed_later', firstName: 'D', lastName: 'M', email: 'd@example.test' });
    // Only what happens after this token counts.
    const middle = (await f.stack.gw.gql(CHANGED, { since: token }, reader)).data!.users.deltaToken as string;
    await f.byHand('PUT', `/users/${renamed.id}`, { firstName: 'New' });
    await f.byHand('PUT', `/users/${renamed.id}`, { enabled: false });
    await f.byHand('DELETE', `/users/${doomed.id}`);
    const viaGateway = await f.stack.gw.gql(
      'mutation { createUser(input: { username: "new_through_gateway", firstName: "G", lastName: "W", email: "g@example.test" }) { user { id } } }',
      {},
      { 'x-api-key': KEYS.provisioner },
    );

    await f.stack.resetCounts();
    const { data, errors } = await f.stack.gw.gql(CHANGED, { since: middle }, reader);
    expect(errors).toBeUndefined();
    const changed = data!.users;
    expect(changed.nodes.map((u: any) => u.username).sort()).toEqual(['new_through_gateway', 'renamed_later']);
    expect(changed.nodes.find((u: any) => u.username === 'renamed_later')).toMatchObject({ firstName: 'New', enabled: false });
    expect(changed.nodes.find((u: any) => u.username === 'new_through_gateway').id).toBe(viaGateway.data!.createUser.user.id);
    expect(changed.removedUserIds).toEqual([doomed.id]);
    expect(changed.nodes.some((u: any) => u.id === untouched.id)).toBe(false);
    // One page of the audit log, then the empty page that says it is current; no user listing.
    const { byRoute } = await f.stack.upstream();
    expect(byRoute).toEqual({ 'POST /audit/v2/organizations/{orgId}/query': 2 });
    expect(store.usersOf(f.stack.rootOrgId).length).toBeGreaterThan(changed.totalCount);

    // The token it hands back reads on from there: nothing, until something changes.
    const after = (await f.stack.gw.gql(CHANGED, { since: changed.deltaToken }, reader)).data!.users;
    expect(after.nodes).toEqual([]);
    expect(after.removedUserIds).toEqual([]);
  });

  it('refuses a changedSince that is neither a time nor a token', async () => {
    const { errors } = await f.stack.gw.gql(CHANGED, { since: 'last tuesday' }, reader);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('changes through SCIM', () => {
  it('are listed once, as SCIM, with the provisioner as actor', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const res = await fetch(`${new URL(f.stack.gw.gateway.graphqlUrl).origin}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.provisioner}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(oktaUser('scim_made_user')),
    });
    expect(res.status).toBe(201);
    const { data } = await f.stack.gw.gql('query($s: DateTime) { changes(since: $s) { nodes { source actor action entityName } } }', { s: since }, { 'x-api-key': KEYS.auditor });
    const scim = data!.changes.nodes.filter((n: any) => n.entityName === 'scim_made_user');
    expect(scim).toEqual([{ source: 'SCIM', actor: 'key:idp', action: 'createUser', entityName: 'scim_made_user' }]);
  });
});

describe('demand control on the change feed', () => {
  it('estimates a read of the feed and an incremental import at or above what they cost, within 3 x', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const cases = [
      { name: 'changes', query: `{ changes(since: "${since}", first: 100) { nodes { source actor entityType user { username } team { name } } deltaToken } }`, key: KEYS.auditor },
      { name: 'users(changedSince)', query: `{ users(changedSince: "${since}") { nodes { username } removedUserIds deltaToken } }`, key: KEYS.reader },
    ];
    for (const c of cases) expect(await expectBracketed(f.stack, [c], { 'x-api-key': c.key })).toEqual([c.name]);
  });
});
