import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../src/simulator/model.js';
import {
  ACTORS,
  MEMBER_ROUTE,
  PAYLOAD,
  USER_FIELDS,
  USER_ROUTE,
  USERS_ROUTE,
  auditEvents,
  createUserByHand,
  putMemberByHand,
  startProvisioningStack,
  uniqueName,
  type AuditEventView,
  type KeyName,
  type ProvisioningStack,
} from './support.js';

/**
 * The user lifecycle mutations end to end: a real gateway over HTTP against the simulator, the
 * final state read from the simulator's store and every upstream write counted by the simulator.
 */

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateUserProfileInput!) { updateUserProfile(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const DEACTIVATE = `mutation($input: DeactivateUserInput!) { deactivateUser(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const REACTIVATE = `mutation($input: ReactivateUserInput!) { reactivateUser(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const CHANGE = `mutation($input: ChangeUsernameInput!) { changeUsername(input: $input) { ${PAYLOAD} previousUser { ${USER_FIELDS} } user { ${USER_FIELDS} } } }`;

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let stack: ProvisioningStack;

beforeAll(async () => {
  stack = await startProvisioningStack();
});
afterAll(() => stack?.close());
beforeEach(() => stack.resetCounts());

/** Runs a mutation as `as` (the idp provisioner by default) and returns its payload; GraphQL errors fail the test. */
async function mutate(query: string, input: Record<string, unknown>, as: KeyName = 'provisioner', headers: Record<string, string> = {}): Promise<any> {
  const res = await stack.gql(as, query, { input }, headers);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.status).toBe(200);
  const payload = Object.values(res.data!)[0];
  expect(payload).toBeTruthy();
  return payload;
}

const profile = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  firstName: 'Jane',
  lastName: 'Doe',
  email: `${username.toLowerCase()}@example.com`,
  ...extra,
});

const liveUsersNamed = (username: string): UserRecord[] => [...stack.store.users.values()].filter((u) => u.username === username && !u.deleted);

/** A password-grant login (a user session) through the demo app; the token, or null when refused. */
async function login(username: string, password: string): Promise<string | null> {
  const { clientId, clientSecret } = stack.sim.sim.demoApp;
  const res = await fetch(`${stack.sim.url}/accounts/api/v2/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: clientId, client_secret: clientSecret, username, password }),
  });
  return res.status === 200 ? ((await res.json()) as { access_token: string }).access_token : null;
}

const sessionsOf = (userId: string) => [...stack.store.tokens.values()].filter((t) => t.userId === userId);

describe('createUser', () => {
  it('creates an active user in the root organization who is a member of its root team, with one POST', async () => {
    const username = uniqueName('create_ok');
    const payload = await mutate(CREATE, profile(username, { phoneNumber: '+1 555 0100' }));

    expect(payload.userErrors).toEqual([]);
    expect(payload.dryRun).toBe(false);
    expect(payload.replayed).toBe(false);
    expect(payload.auditId).toEqual(expect.any(String));
    expect(payload.plan).toEqual([
      { action: 'CREATE_USER', target: `user:${username}`, description: expect.stringContaining(username), status: 'APPLIED', requestIds: [expect.any(String)] },
    ]);
    expect(payload.user).toMatchObject({ username, firstName: 'Jane', lastName: 'Doe', email: `${username}@example.com`, phoneNumber: '+1 555 0100', enabled: true });

    const stored = stack.store.users.get(payload.user.id)!;
    expect(stored).toMatchObject({ username, organizationId: stack.rootOrgId, enabled: true, deleted: false, phoneNumber: '+1 555 0100' });
    expect(stack.store.membersOf(stack.rootTeamId).get(stored.id)?.membership_type).toBe('member');

    const writes = await stack.writes();
    expect(writes.total).toBe(1);
    expect(writes.byRoute[`POST ${USERS_ROUTE}`]).toBe(1);
  });

  it('creates the user in the business group named by organizationId, a member of that group’s root team', async () => {
    const group = [...stack.store.orgs.values()].find((o) => o.parentId === stack.rootOrgId)!;
    const username = uniqueName('create_bg');
    const payload = await mutate(CREATE, profile(username, { organizationId: group.id }));

    expect(payload.userErrors).toEqual([]);
    const stored = stack.store.users.get(payload.user.id)!;
    expect(stored.organizationId).toBe(group.id);
    expect(stack.store.membersOf(stack.store.rootTeamOf(group.id)!.team_id).has(stored.id)).toBe(true);
    expect(stack.store.membersOf(stack.rootTeamId).has(stored.id)).toBe(false);
    expect((await stack.writes()).total).toBe(1);
  });

  const long = 'a'.repeat(65);
  const invalid: Array<{ name: string; input: (u: string) => Record<string, unknown>; code: string; field: string }> = [
    { name: 'a username with a hyphen and a dot', input: (u) => profile(`${u}-x.y`), code: 'USERNAME_INVALID', field: 'username' },
    { name: 'a username with a space', input: (u) => ({ ...profile(u), username: `${u} x` }), code: 'USERNAME_INVALID', field: 'username' },
    { name: 'an empty username', input: (u) => ({ ...profile(u), username: '' }), code: 'USERNAME_INVALID', field: 'username' },
    { name: 'a username of 65 characters', input: (u) => ({ ...profile(u), username: long }), code: 'USERNAME_INVALID', field: 'username' },
    { name: 'an e-mail without a domain dot', input: (u) => profile(u, { email: `${u}@localhost` }), code: 'EMAIL_INVALID', field: 'email' },
    { name: 'an e-mail without @', input: (u) => profile(u, { email: 'not-an-email' }), code: 'EMAIL_INVALID', field: 'email' },
    { name: 'a blank first name', input: (u) => profile(u, { firstName: '   ' }), code: 'NAME_INVALID', field: 'firstName' },
    { name: 'a last name of 256 characters', input: (u) => profile(u, { lastName: 'x'.repeat(256) }), code: 'NAME_INVALID', field: 'lastName' },
    { name: 'a phone number with letters', input: (u) => profile(u, { phoneNumber: 'call me maybe' }), code: 'PHONE_INVALID', field: 'phoneNumber' },
    { name: 'an organization that does not exist', input: (u) => profile(u, { organizationId: MISSING_ID }), code: 'ORGANIZATION_NOT_FOUND', field: 'organizationId' },
  ];

  it.each(invalid)('refuses $name with $code on its field and writes nothing upstream', async ({ input, code, field }) => {
    const username = uniqueName('invalid');
    const sent = input(username);
    const usersBefore = stack.store.users.size;
    const payload = await mutate(CREATE, sent);

    expect(payload.userErrors).toEqual([{ code, field: ['input', field], message: expect.any(String) }]);
    expect(payload.plan).toEqual([]);
    expect(payload.user).toBeNull();
    expect(stack.store.users.size).toBe(usersBefore);
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses a username a visible user already has (with another e-mail) with USERNAME_TAKEN and no write', async () => {
    const existing = stack.store.usersOf(stack.rootOrgId).find((u) => u.username !== 'acme_admin' && u.enabled)!;
    const payload = await mutate(CREATE, profile(existing.username, { email: 'someone.else@example.com' }));

    expect(payload.userErrors).toEqual([{ code: 'USERNAME_TAKEN', field: ['input', 'username'], message: expect.stringContaining(existing.username) }]);
    expect(payload.user).toBeNull();
    expect(liveUsersNamed(existing.username)).toHaveLength(1);
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses the username of a deleted user with USERNAME_TAKEN after the platform answers its one POST with 409', async () => {
    const username = uniqueName('deleted');
    const gone = await createUserByHand(stack, { username });
    const deleted = await stack.sim.send('DELETE', `/accounts/api/organizations/${stack.rootOrgId}/users/${gone.id}`, await stack.simToken());
    expect(deleted.status).toBe(204);
    await stack.resetCounts();

    const payload = await mutate(CREATE, profile(username, { email: 'new.person@example.com' }));

    expect(payload.userErrors).toEqual([{ code: 'USERNAME_TAKEN', field: ['input', 'username'], message: expect.stringContaining(username) }]);
    expect(payload.user).toBeNull();
    expect(payload.plan).toEqual([expect.objectContaining({ action: 'CREATE_USER', status: 'FAILED', requestIds: [expect.any(String)] })]);
    expect(liveUsersNamed(username)).toHaveLength(0);
    const writes = await stack.writes();
    expect(writes.total).toBe(1);
    expect(writes.byRoute[`POST ${USERS_ROUTE}`]).toBe(1);
  });

  it('audits a write the platform refused (username of a deleted user) as REJECTED with the USERNAME_TAKEN code the caller got', async () => {
    const username = uniqueName('deleted_audit');
    const gone = await createUserByHand(stack, { username });
    expect((await stack.sim.send('DELETE', `/accounts/api/organizations/${stack.rootOrgId}/users/${gone.id}`, await stack.simToken())).status).toBe(204);
    const payload = await mutate(CREATE, profile(username, { email: 'new.person@example.com' }));
    expect(payload.userErrors.map((e: any) => e.code)).toEqual(['USERNAME_TAKEN']);

    const events = (await auditEvents(stack, { target: `user:${username}`, action: 'createUser' })).nodes;
    expect(events.map((e) => e.kind)).toEqual(['INTENT', 'OUTCOME']);
    // The auditor must see why the attempt was refused, not an internal error.
    expect(events[1]).toMatchObject({ status: 'REJECTED', errorCode: 'USERNAME_TAKEN', upstreamRequestIds: [expect.any(String)] });
  });

  it('treats usernames as case-sensitive: Jdoe can be created while jdoe exists', async () => {
    const lower = uniqueName('jdoe');
    const upper = `J${lower.slice(1)}`;
    const first = await mutate(CREATE, profile(lower));
    expect(first.userErrors).toEqual([]);
    await stack.resetCounts();

    const second = await mutate(CREATE, profile(upper, { email: `other.${lower}@example.com` }));

    expect(second.userErrors).toEqual([]);
    expect(second.user.username).toBe(upper);
    expect(second.user.id).not.toBe(first.user.id);
    expect(liveUsersNamed(lower)).toHaveLength(1);
    expect(liveUsersNamed(upper)).toHaveLength(1);
    expect((await stack.writes()).byRoute).toEqual({ [`POST ${USERS_ROUTE}`]: 1 });
  });

  it('answers the same person again (same username and e-mail, any case) with the existing user and no write', async () => {
    const username = uniqueName('again');
    const first = await mutate(CREATE, profile(username));
    await stack.resetCounts();

    const again = await mutate(CREATE, profile(username, { email: `${username.toUpperCase()}@EXAMPLE.COM` }));

    expect(again.userErrors).toEqual([]);
    expect(again.plan).toEqual([]);
    expect(again.user.id).toBe(first.user.id);
    expect(liveUsersNamed(username)).toHaveLength(1);
    expect((await stack.writes()).total).toBe(0);
  });

  it('returns the planned write with status PLANNED on a dry run, and writes nothing', async () => {
    const username = uniqueName('dry');
    const payload = await mutate(CREATE, profile(username, { dryRun: true }));

    expect(payload).toMatchObject({ userErrors: [], dryRun: true, replayed: false, user: null });
    expect(payload.plan).toEqual([{ action: 'CREATE_USER', target: `user:${username}`, description: expect.any(String), status: 'PLANNED', requestIds: [] }]);
    expect(liveUsersNamed(username)).toHaveLength(0);
    expect((await stack.writes()).total).toBe(0);
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;
    expect(events.map((e) => [e.kind, e.status])).toEqual([['OUTCOME', 'DRY_RUN']]);
  });

  it('never shows the generated password: not in the response, not in the audit trail', async () => {
    const username = uniqueName('secret');
    const res = await stack.gql('provisioner', CREATE, { input: profile(username) });
    const user = (res.data as any).createUser.user;
    const stored = stack.store.users.get(user.id)!;
    // The platform got a password (no login works without one), and it is not the response's.
    expect(stored.password.length).toBeGreaterThanOrEqual(16);

    expect(JSON.stringify(res)).not.toContain(stored.password);
    expect(JSON.stringify(res)).not.toMatch(/password/i);
    expect(stack.auditText()).not.toContain(stored.password);
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;
    expect(events.map((e) => e.kind)).toEqual(['INTENT', 'OUTCOME']);
    for (const event of events) {
      expect(Object.keys(event.input ?? {})).not.toContain('password');
      expect(JSON.stringify(event)).not.toMatch(/password/i);
    }
  });
});

describe('updateUserProfile', () => {
  async function handMadeUser(prefix: string) {
    return createUserByHand(stack, { username: uniqueName(prefix), firstName: 'Ann', lastName: 'Lee', phoneNumber: '+1 555 0100' });
  }

  it('writes only the fields that changed, in one PUT', async () => {
    const user = await handMadeUser('upd');
    await stack.resetCounts();
    const payload = await mutate(UPDATE, { id: user.id, firstName: 'Anna', lastName: 'Lee', phoneNumber: '+1 555 0100', email: user.email });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan).toEqual([
      { action: 'UPDATE_USER', target: `user:${user.username}`, description: `set firstName of user ${user.username}`, status: 'APPLIED', requestIds: [expect.any(String)] },
    ]);
    expect(payload.user).toMatchObject({ id: user.id, firstName: 'Anna', lastName: 'Lee', phoneNumber: '+1 555 0100' });
    expect(stack.store.users.get(user.id)).toMatchObject({ firstName: 'Anna', lastName: 'Lee', phoneNumber: '+1 555 0100', email: user.email });
    expect((await stack.writes()).byRoute).toEqual({ [`PUT ${USER_ROUTE}`]: 1 });
  });

  it('writes nothing when every given value equals the current one (names compared trimmed)', async () => {
    const user = await handMadeUser('upd_same');
    const updatedAt = stack.store.users.get(user.id)!.updatedAt;
    await stack.resetCounts();
    const payload = await mutate(UPDATE, { id: user.id, firstName: '  Ann ', lastName: 'Lee', phoneNumber: '+1 555 0100' });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan).toEqual([]);
    expect(payload.user).toMatchObject({ id: user.id, firstName: 'Ann' });
    expect(stack.store.users.get(user.id)!.updatedAt).toBe(updatedAt);
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses a different e-mail with EMAIL_IMMUTABLE and writes nothing, even with other changes', async () => {
    const user = await handMadeUser('upd_mail');
    await stack.resetCounts();
    const payload = await mutate(UPDATE, { id: user.id, firstName: 'Changed', email: 'another@example.com' });

    expect(payload.userErrors).toEqual([{ code: 'EMAIL_IMMUTABLE', field: ['input', 'email'], message: expect.any(String) }]);
    expect(payload.user).toBeNull();
    expect(stack.store.users.get(user.id)).toMatchObject({ firstName: 'Ann', email: user.email });
    expect((await stack.writes()).total).toBe(0);
  });

  it('accepts the current e-mail in another case as unchanged', async () => {
    const user = await handMadeUser('upd_case');
    const payload = await mutate(UPDATE, { id: user.id, lastName: 'Li', email: user.email.toUpperCase() });
    expect(payload.userErrors).toEqual([]);
    expect(stack.store.users.get(user.id)).toMatchObject({ lastName: 'Li', email: user.email });
  });

  it('removes the phone number when phoneNumber is null', async () => {
    const user = await handMadeUser('upd_phone');
    await stack.resetCounts();
    const payload = await mutate(UPDATE, { id: user.id, phoneNumber: null });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan).toEqual([expect.objectContaining({ action: 'UPDATE_USER', description: `set phoneNumber of user ${user.username}`, status: 'APPLIED' })]);
    expect(payload.user.phoneNumber).toBeNull();
    expect(stack.store.users.get(user.id)).toMatchObject({ phoneNumber: null, firstName: 'Ann', lastName: 'Lee' });
    expect((await stack.writes()).byRoute).toEqual({ [`PUT ${USER_ROUTE}`]: 1 });
  });

  it('refuses to remove a first name (null) with NAME_INVALID', async () => {
    const user = await handMadeUser('upd_null');
    await stack.resetCounts();
    const payload = await mutate(UPDATE, { id: user.id, firstName: null });
    expect(payload.userErrors).toEqual([{ code: 'NAME_INVALID', field: ['input', 'firstName'], message: expect.any(String) }]);
    expect(stack.store.users.get(user.id)!.firstName).toBe('Ann');
    expect((await stack.writes()).total).toBe(0);
  });

  it('answers USER_NOT_FOUND for an id no user has', async () => {
    const payload = await mutate(UPDATE, { id: MISSING_ID, firstName: 'Nobody' });
    expect(payload.userErrors).toEqual([{ code: 'USER_NOT_FOUND', field: ['input', 'id'], message: expect.stringContaining(MISSING_ID) }]);
    expect(payload.user).toBeNull();
    expect((await stack.writes()).total).toBe(0);
  });
});

describe('deactivateUser and reactivateUser', () => {
  it('disables the user with one PUT and ends the user’s sessions', async () => {
    const password = 'Session-Pw-123';
    const user = await createUserByHand(stack, { username: uniqueName('deact'), password });
    const session = await login(user.username, password);
    expect(session).not.toBeNull();
    expect((await stack.sim.get('/accounts/api/me', session!)).status).toBe(200);
    expect(sessionsOf(user.id)).toHaveLength(1);
    await stack.resetCounts();

    const payload = await mutate(DEACTIVATE, { id: user.id });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan).toEqual([
      { action: 'DISABLE_USER', target: `user:${user.username}`, description: `disable user ${user.username}`, status: 'APPLIED', requestIds: [expect.any(String)] },
    ]);
    expect(payload.user).toMatchObject({ id: user.id, enabled: false });
    expect(stack.store.users.get(user.id)!.enabled).toBe(false);
    expect(sessionsOf(user.id)).toHaveLength(0);
    expect((await stack.sim.get('/accounts/api/me', session!)).status).toBe(401);
    expect(await login(user.username, password)).toBeNull();
    expect((await stack.writes()).byRoute).toEqual({ [`PUT ${USER_ROUTE}`]: 1 });
  });

  it('answers an already disabled user with success and no write', async () => {
    const user = await createUserByHand(stack, { username: uniqueName('deact_twice') });
    expect((await mutate(DEACTIVATE, { id: user.id })).userErrors).toEqual([]);
    await stack.resetCounts();

    const again = await mutate(DEACTIVATE, { id: user.id });

    expect(again.userErrors).toEqual([]);
    expect(again.plan).toEqual([]);
    expect(again.user).toMatchObject({ id: user.id, enabled: false });
    expect((await stack.writes()).total).toBe(0);
  });

  it('reactivates a disabled user with one PUT, after which the user can log in again', async () => {
    const password = 'Session-Pw-456';
    const user = await createUserByHand(stack, { username: uniqueName('react'), password });
    await mutate(DEACTIVATE, { id: user.id });
    await stack.resetCounts();

    const payload = await mutate(REACTIVATE, { id: user.id });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan).toEqual([expect.objectContaining({ action: 'ENABLE_USER', target: `user:${user.username}`, status: 'APPLIED' })]);
    expect(payload.user).toMatchObject({ id: user.id, enabled: true });
    expect(stack.store.users.get(user.id)!.enabled).toBe(true);
    expect(await login(user.username, password)).not.toBeNull();
    expect((await stack.writes()).byRoute).toEqual({ [`PUT ${USER_ROUTE}`]: 1 });

    await stack.resetCounts();
    const again = await mutate(REACTIVATE, { id: user.id });
    expect(again.plan).toEqual([]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('answers USER_NOT_FOUND for an id no user has, with no write', async () => {
    const payload = await mutate(DEACTIVATE, { id: MISSING_ID });
    expect(payload.userErrors).toEqual([{ code: 'USER_NOT_FOUND', field: ['input', 'id'], message: expect.any(String) }]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('shows the new state to a later read in a separate request (read-after-write)', async () => {
    const user = await createUserByHand(stack, { username: uniqueName('raw') });
    const read = async () => (await stack.gql('reader', 'query($id: ID!) { user(id: $id) { enabled } }', { id: user.id })).data as any;
    expect((await read()).user.enabled).toBe(true);
    await stack.resetCounts();
    expect((await read()).user.enabled).toBe(true);
    // The second read was served from the cache, so freshness below is eviction, not a cache miss.
    expect((await stack.upstream()).total).toBe(0);

    await mutate(DEACTIVATE, { id: user.id });
    expect((await read()).user.enabled).toBe(false);
  });
});

describe('changeUsername', () => {
  /** A user (made through the gateway) who is a plain member of one team and a maintainer of another. */
  async function userWithTeams(prefix: string) {
    const username = uniqueName(prefix);
    const created = await mutate(CREATE, profile(username, { firstName: 'Pat', lastName: 'Kim', phoneNumber: '+44 20 7946 0000' }));
    const [asMember, asMaintainer] = [...stack.store.teams.values()].filter((t) => t.org_id === stack.rootOrgId && t.parentId !== null);
    await putMemberByHand(stack, asMember!.team_id, created.user.id, 'member');
    await putMemberByHand(stack, asMaintainer!.team_id, created.user.id, 'maintainer');
    return { user: created.user as { id: string; username: string; email: string }, asMember: asMember!, asMaintainer: asMaintainer! };
  }

  it('creates a new user with the same profile and team memberships, then disables the old one, returning both', async () => {
    const { user, asMember, asMaintainer } = await userWithTeams('chg');
    const newUsername = uniqueName('chg_new');
    await stack.resetCounts();

    const payload = await mutate(CHANGE, { id: user.id, newUsername });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan.map((w: any) => [w.action, w.status])).toEqual([
      ['CREATE_USER', 'APPLIED'],
      ['ADD_MEMBER', 'APPLIED'],
      ['ADD_MEMBER', 'APPLIED'],
      ['DISABLE_USER', 'APPLIED'],
    ]);
    expect(payload.previousUser).toMatchObject({ id: user.id, username: user.username, enabled: false });
    expect(payload.user).toMatchObject({ username: newUsername, firstName: 'Pat', lastName: 'Kim', email: user.email, phoneNumber: '+44 20 7946 0000', enabled: true });
    expect(payload.user.id).not.toBe(user.id);

    const fresh = stack.store.users.get(payload.user.id)!;
    expect(fresh).toMatchObject({ username: newUsername, firstName: 'Pat', lastName: 'Kim', email: user.email, phoneNumber: '+44 20 7946 0000', organizationId: stack.rootOrgId, enabled: true });
    expect(stack.store.users.get(user.id)!.enabled).toBe(false);
    expect(stack.store.membersOf(asMember.team_id).get(fresh.id)?.membership_type).toBe('member');
    expect(stack.store.membersOf(asMaintainer.team_id).get(fresh.id)?.membership_type).toBe('maintainer');
    expect(stack.store.membersOf(stack.rootTeamId).has(fresh.id)).toBe(true);

    expect((await stack.writes()).byRoute).toEqual({
      [`POST ${USERS_ROUTE}`]: 1,
      [`PUT ${MEMBER_ROUTE}`]: 2,
      [`PUT ${USER_ROUTE}`]: 1,
    });
  });

  it('makes no write when run again after it succeeded: the new user is adopted by its e-mail', async () => {
    const { user } = await userWithTeams('chg_rerun');
    const newUsername = uniqueName('chg_rerun_new');
    const first = await mutate(CHANGE, { id: user.id, newUsername });
    expect(first.userErrors).toEqual([]);
    await stack.resetCounts();

    const again = await mutate(CHANGE, { id: user.id, newUsername });

    expect(again.userErrors).toEqual([]);
    expect(again.plan).toEqual([]);
    expect(again.user.id).toBe(first.user.id);
    expect(again.previousUser).toMatchObject({ id: user.id, enabled: false });
    expect(liveUsersNamed(newUsername)).toHaveLength(1);
    expect((await stack.writes()).total).toBe(0);
  });

  it('keeps a deactivated user deactivated under the new username', async () => {
    const { user, asMember } = await userWithTeams('chg_off');
    await mutate(DEACTIVATE, { id: user.id });
    const newUsername = uniqueName('chg_off_new');

    const payload = await mutate(CHANGE, { id: user.id, newUsername });

    expect(payload.userErrors).toEqual([]);
    expect(payload.plan.map((w: any) => w.action)).toEqual(['CREATE_USER', 'ADD_MEMBER', 'ADD_MEMBER', 'DISABLE_USER']);
    expect(payload.user).toMatchObject({ username: newUsername, enabled: false });
    expect(stack.store.users.get(payload.user.id)!.enabled).toBe(false);
    expect(stack.store.membersOf(asMember.team_id).has(payload.user.id)).toBe(true);
  });

  it('refuses a new username another user has with USERNAME_TAKEN and writes nothing', async () => {
    const { user } = await userWithTeams('chg_taken');
    const other = stack.store.usersOf(stack.rootOrgId).find((u) => u.username !== user.username && u.enabled)!;
    await stack.resetCounts();

    const payload = await mutate(CHANGE, { id: user.id, newUsername: other.username });

    expect(payload.userErrors).toEqual([{ code: 'USERNAME_TAKEN', field: ['input', 'newUsername'], message: expect.any(String) }]);
    expect(payload.user).toBeNull();
    expect(stack.store.users.get(user.id)!.enabled).toBe(true);
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses an invalid new username with USERNAME_INVALID on newUsername', async () => {
    const { user } = await userWithTeams('chg_invalid');
    await stack.resetCounts();
    const payload = await mutate(CHANGE, { id: user.id, newUsername: 'no spaces please' });
    expect(payload.userErrors).toEqual([{ code: 'USERNAME_INVALID', field: ['input', 'newUsername'], message: expect.any(String) }]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('plans the create, the memberships and the disable on a dry run without writing', async () => {
    const { user } = await userWithTeams('chg_dry');
    const newUsername = uniqueName('chg_dry_new');
    await stack.resetCounts();

    const payload = await mutate(CHANGE, { id: user.id, newUsername, dryRun: true });

    expect(payload.userErrors).toEqual([]);
    expect(payload.dryRun).toBe(true);
    expect(payload.plan.map((w: any) => [w.action, w.status])).toEqual([
      ['CREATE_USER', 'PLANNED'],
      ['ADD_MEMBER', 'PLANNED'],
      ['ADD_MEMBER', 'PLANNED'],
      ['DISABLE_USER', 'PLANNED'],
    ]);
    // As after the run: the old user disabled, the new one not made yet (null).
    expect(payload.user).toBeNull();
    expect(payload.previousUser).toMatchObject({ id: user.id, enabled: false });
    expect(stack.store.users.get(user.id)!.enabled).toBe(true);
    expect(liveUsersNamed(newUsername)).toHaveLength(0);
    expect((await stack.writes()).total).toBe(0);
  });

  it('shows the new user in the root team’s member list read in a later request (read-after-write)', async () => {
    const { user } = await userWithTeams('chg_raw');
    const newUsername = uniqueName('chg_raw_new');
    const read = async () => {
      const res = await stack.gql<any>('reader', 'query($id: ID!) { team(id: $id) { members(first: 500) { nodes { user { username } } } } }', { id: stack.rootTeamId });
      expect(res.errors).toBeUndefined();
      return res.data.team.members.nodes.map((n: any) => n.user?.username);
    };
    expect(await read()).toContain(user.username);

    expect((await mutate(CHANGE, { id: user.id, newUsername })).userErrors).toEqual([]);

    // Every user of an org is a member of its root team, so the new one must be listed there.
    expect(stack.store.membersOf(stack.rootTeamId).has(liveUsersNamed(newUsername)[0]!.id)).toBe(true);
    expect(await read()).toContain(newUsername);
  });
});

describe('idempotencyKey', () => {
  it('replays the first outcome for the same key and input, with replayed: true and no upstream call', async () => {
    const username = uniqueName('idem');
    const input = { ...profile(username), idempotencyKey: `key-${username}` };
    const first = await mutate(CREATE, input);
    expect(first.userErrors).toEqual([]);
    expect(first.replayed).toBe(false);
    await stack.resetCounts();

    const second = await mutate(CREATE, input);

    expect(second.replayed).toBe(true);
    expect({ ...second, replayed: false }).toEqual(first);
    expect(liveUsersNamed(username)).toHaveLength(1);
    expect((await stack.upstream()).total).toBe(0);
  });

  it('refuses the same key with a different input with IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const username = uniqueName('idem_reuse');
    const key = `key-${username}`;
    expect((await mutate(CREATE, { ...profile(username), idempotencyKey: key })).userErrors).toEqual([]);
    const other = uniqueName('idem_other');
    await stack.resetCounts();

    const payload = await mutate(CREATE, { ...profile(other), idempotencyKey: key });

    expect(payload.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: expect.any(String) }]);
    expect(payload.user).toBeNull();
    expect(payload.replayed).toBe(false);
    expect(liveUsersNamed(other)).toHaveLength(0);
    expect((await stack.writes()).total).toBe(0);
  });

  it('audits every key refusal as a REJECTED outcome with its code, under the auditId the payload names', async () => {
    const username = uniqueName('idem_refused');
    const key = `key-${username}`;
    expect((await mutate(CREATE, { ...profile(username), idempotencyKey: key })).userErrors).toEqual([]);
    await stack.resetCounts();

    const reused = await mutate(CREATE, { ...profile(username, { firstName: 'Other' }), idempotencyKey: key });
    const blank = await mutate(CREATE, { ...profile(username), idempotencyKey: '   ' });
    const hidden = await mutate(CREATE, { ...profile(username), idempotencyKey: 'key\u0000with-nul' });

    const refusals: Array<[any, string]> = [
      [reused, 'IDEMPOTENCY_KEY_REUSED'],
      [blank, 'IDEMPOTENCY_KEY_INVALID'],
      [hidden, 'IDEMPOTENCY_KEY_INVALID'],
    ];
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;
    for (const [payload, code] of refusals) {
      expect(payload.userErrors.map((e: any) => e.code)).toEqual([code]);
      expect(payload.auditId).toEqual(expect.any(String));
      const attempt = events.filter((e) => e.attemptId === payload.auditId);
      expect(attempt.map((e) => [e.kind, e.status, e.errorCode])).toEqual([['OUTCOME', 'REJECTED', code]]);
      expect(attempt[0]!.actor).toBe(ACTORS.provisioner);
    }
    expect((await stack.upstream()).total).toBe(0);
  });

  it('does not let a dry run use up the key: the real call with the same key then writes', async () => {
    const username = uniqueName('idem_dry');
    const key = `key-${username}`;
    const dry = await mutate(CREATE, { ...profile(username), idempotencyKey: key, dryRun: true });
    expect(dry.dryRun).toBe(true);
    await stack.resetCounts();

    const real = await mutate(CREATE, { ...profile(username), idempotencyKey: key });

    expect(real.userErrors).toEqual([]);
    expect(real.replayed).toBe(false);
    expect(real.plan).toEqual([expect.objectContaining({ action: 'CREATE_USER', status: 'APPLIED' })]);
    expect(liveUsersNamed(username)).toHaveLength(1);
    expect((await stack.writes()).byRoute).toEqual({ [`POST ${USERS_ROUTE}`]: 1 });
  });

  it('keeps keys per caller: another provisioner key using the same idempotencyKey runs its own mutation', async () => {
    const key = `shared-${uniqueName('k')}`;
    const mine = uniqueName('idem_mine');
    const theirs = uniqueName('idem_theirs');
    expect((await mutate(CREATE, { ...profile(mine), idempotencyKey: key }, 'provisioner')).userErrors).toEqual([]);
    await stack.resetCounts();

    const payload = await mutate(CREATE, { ...profile(theirs), idempotencyKey: key }, 'provisioner2');

    expect(payload.userErrors).toEqual([]);
    expect(payload.replayed).toBe(false);
    expect(payload.user.username).toBe(theirs);
    expect(liveUsersNamed(theirs)).toHaveLength(1);
    expect((await stack.writes()).byRoute).toEqual({ [`POST ${USERS_ROUTE}`]: 1 });
    const outcome = (await auditEvents(stack, { target: `user:${theirs}` })).nodes.find((e) => e.kind === 'OUTCOME');
    expect(outcome?.actor).toBe(ACTORS.provisioner2);
  });
});

describe('auditEvents', () => {
  const byKind = (events: AuditEventView[]) => events.map((e) => e.kind);

  it('records an intent and an outcome of a write with actor, action, target, status and the X-Request-Id sent upstream', async () => {
    const username = uniqueName('audit');
    const payload = await mutate(CREATE, profile(username), 'provisioner', { 'x-request-id': `create-${username}` });
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;

    expect(byKind(events)).toEqual(['INTENT', 'OUTCOME']);
    const [intent, outcome] = events as [AuditEventView, AuditEventView];
    for (const event of events) {
      expect(event).toMatchObject({ attemptId: payload.auditId, actor: ACTORS.provisioner, action: 'createUser', target: `user:${username}` });
      expect(event.input).toMatchObject({ username, email: `${username}@example.com` });
    }
    expect(intent.status).toBeNull();
    expect(intent.upstreamRequestIds).toEqual([]);
    expect(intent.plan).toEqual([expect.objectContaining({ action: 'CREATE_USER', status: 'PLANNED' })]);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.plan).toEqual([expect.objectContaining({ action: 'CREATE_USER', status: 'APPLIED' })]);
    expect(outcome.result).toEqual({ id: payload.user.id, username });
    expect(outcome.upstreamRequestIds).toEqual([`create-${username}.w1`]);
    expect(payload.plan[0].requestIds).toEqual(outcome.upstreamRequestIds);
    expect(Date.parse(outcome.at)).toBeGreaterThanOrEqual(Date.parse(intent.at));
    // The id the platform was sent is the one audited.
    const posts = stack.gw.calls.filter((c) => c.method === 'POST' && c.route === USERS_ROUTE && c.requestId === `create-${username}.w1`);
    expect(posts).toHaveLength(1);
  });

  it('records deactivateUser against user:<id> with its PUT’s request id', async () => {
    const user = await createUserByHand(stack, { username: uniqueName('audit_deact') });
    const payload = await mutate(DEACTIVATE, { id: user.id }, 'provisioner2', { 'x-request-id': `deact-${user.username}` });
    const events = (await auditEvents(stack, { target: `user:${user.id}`, action: 'deactivateUser' })).nodes;

    expect(byKind(events)).toEqual(['INTENT', 'OUTCOME']);
    expect(events.every((e) => e.actor === ACTORS.provisioner2 && e.attemptId === payload.auditId)).toBe(true);
    expect(events[1]).toMatchObject({ status: 'SUCCEEDED', upstreamRequestIds: [`deact-${user.username}.w1`] });
    expect(stack.gw.calls.filter((c) => c.method === 'PUT' && c.requestId === `deact-${user.username}.w1`)).toHaveLength(1);
  });

  it('records refused input as a single REJECTED outcome with the error code, and no intent', async () => {
    const username = uniqueName('audit_rej');
    await mutate(CREATE, profile(username, { email: 'nope' }));
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'OUTCOME', status: 'REJECTED', errorCode: 'EMAIL_INVALID', upstreamRequestIds: [] });
  });

  it('records a call with nothing to write as a single SUCCEEDED outcome without request ids', async () => {
    const username = uniqueName('audit_noop');
    await mutate(CREATE, profile(username));
    await mutate(CREATE, profile(username));
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;
    expect(events.map((e) => [e.kind, e.status, e.upstreamRequestIds.length])).toEqual([
      ['INTENT', null, 0],
      ['OUTCOME', 'SUCCEEDED', 1],
      ['OUTCOME', 'SUCCEEDED', 0],
    ]);
  });

  it('filters by actor, action and target', async () => {
    const mine = uniqueName('flt_mine');
    const theirs = uniqueName('flt_theirs');
    await mutate(CREATE, profile(mine), 'provisioner');
    await mutate(CREATE, profile(theirs), 'provisioner2');
    const user = await createUserByHand(stack, { username: uniqueName('flt_deact') });
    await mutate(DEACTIVATE, { id: user.id }, 'provisioner');

    const byActor = (await auditEvents(stack, { actor: ACTORS.provisioner2 })).nodes;
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actor === ACTORS.provisioner2)).toBe(true);
    expect(byActor.some((e) => e.target === `user:${theirs}`)).toBe(true);
    expect(byActor.some((e) => e.target === `user:${mine}`)).toBe(false);

    const byAction = (await auditEvents(stack, { action: 'deactivateUser' })).nodes;
    expect(byAction.every((e) => e.action === 'deactivateUser')).toBe(true);
    expect(byAction.filter((e) => e.target === `user:${user.id}`).map((e) => e.kind)).toEqual(['INTENT', 'OUTCOME']);

    const byTarget = (await auditEvents(stack, { target: `user:${mine}` })).nodes;
    expect(byTarget.map((e) => [e.actor, e.target, e.kind])).toEqual([
      [ACTORS.provisioner, `user:${mine}`, 'INTENT'],
      [ACTORS.provisioner, `user:${mine}`, 'OUTCOME'],
    ]);

    const combined = (await auditEvents(stack, { actor: ACTORS.provisioner2, target: `user:${mine}` })).nodes;
    expect(combined).toEqual([]);
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const username = uniqueName('flt_time');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = new Date().toISOString();
    await mutate(CREATE, profile(username));
    const all = (await auditEvents(stack, {})).nodes;
    const ours = all.filter((e) => e.target === `user:${username}`);
    expect(ours).toHaveLength(2);

    const since = (await auditEvents(stack, { from: before })).nodes;
    expect(since.map((e) => e.id)).toEqual(all.filter((e) => e.at >= before).map((e) => e.id));
    expect(since.filter((e) => e.target === `user:${username}`)).toHaveLength(2);

    const until = (await auditEvents(stack, { to: before })).nodes;
    expect(until.some((e) => e.target === `user:${username}`)).toBe(false);
    expect(until.length + since.length).toBe(all.length);

    // from == to of one event's instant: from includes it, to excludes it.
    const intent = ours[0]!;
    expect((await auditEvents(stack, { from: intent.at, to: intent.at })).nodes).toEqual([]);
    expect((await auditEvents(stack, { from: intent.at, target: `user:${username}` })).nodes.map((e) => e.id)).toContain(intent.id);
    expect((await auditEvents(stack, { to: intent.at, target: `user:${username}` })).nodes).toEqual([]);
  });

  it('pages with first and after, oldest first, without gaps or repeats', async () => {
    for (let i = 0; i < 3; i += 1) await mutate(CREATE, profile(uniqueName('page')));
    const filter = { action: 'createUser', actor: ACTORS.provisioner };
    const all = (await auditEvents(stack, filter)).nodes;
    expect(all.length).toBeGreaterThanOrEqual(6);
    const times = all.map((e) => e.at);
    expect([...times].sort()).toEqual(times);

    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const chunk = await auditEvents(stack, filter, 4, after);
      expect(chunk.nodes.length).toBeLessThanOrEqual(4);
      expect(chunk.edges.map((e) => e.node.id)).toEqual(chunk.nodes.map((n) => n.id));
      seen.push(...chunk.nodes.map((n) => n.id));
      if (!chunk.pageInfo.hasNextPage) break;
      expect(chunk.nodes).toHaveLength(4);
      after = chunk.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('continues right after any edge whose cursor is passed as after', async () => {
    const filter = { action: 'createUser' };
    const page = await auditEvents(stack, filter, 3);
    expect(page.edges).toHaveLength(3);
    const all = (await auditEvents(stack, filter)).nodes.map((e) => e.id);
    const next = await auditEvents(stack, filter, 2, page.edges[0]!.cursor);
    expect(next.nodes.map((n) => n.id)).toEqual(all.slice(1, 3));
  });

  it('answers first: 0 with no events and hasNextPage, and refuses a cursor it did not hand out', async () => {
    const empty = await auditEvents(stack, {}, 0);
    expect(empty.nodes).toEqual([]);
    expect(empty.pageInfo.hasNextPage).toBe(true);
    const bad = await stack.gql('auditor', 'query { auditEvents(after: "not-a-cursor") { nodes { id } } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
