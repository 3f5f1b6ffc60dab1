import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { auditEvents } from '../provisioning/support.js';
import { ERROR_SCHEMA, GROUP_SCHEMA, oktaUser, patchOf, startScimStack, type ScimStack } from './support.js';

/**
 * Okta's documented SCIM 2.0 sequences (okta-developer-docs, scim-20), over real HTTP against
 * the gateway and the simulator's empty organization: its SPEC-test checks, import paging,
 * create, profile PUT, deactivate and reactivate, group push with rename, member changes,
 * push-now and unlink.
 */
let s: ScimStack;

beforeAll(async () => {
  s = await startScimStack();
});
afterAll(async () => {
  await s.close();
});

const lookup = (userName: string) => s.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);

describe("Okta's SCIM 2.0 SPEC test", () => {
  it('lists one user with integer counts, a name and an e-mail', async () => {
    const res = await s.scim('GET', '/Users?count=1&startIndex=1');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/scim\+json/);
    expect(Number.isInteger(res.body.totalResults) && Number.isInteger(res.body.itemsPerPage) && Number.isInteger(res.body.startIndex)).toBe(true);
    expect(res.body.itemsPerPage).toBe(1);
    expect(res.body.Resources[0].name.givenName).toEqual(expect.any(String));
    expect(res.body.Resources[0].emails[0].value).toMatch(/@/);
  });

  it('gets a user by id, and a filter that matches nothing is an empty list', async () => {
    const first = (await s.scim('GET', '/Users?count=1&startIndex=1')).body.Resources[0];
    const one = await s.scim('GET', `/Users/${first.id}`);
    expect(one.status).toBe(200);
    expect(one.body.userName).toBe(first.userName);
    const none = await lookup('nobody_here');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('answers an unknown id with a 404 SCIM error that has a detail', async () => {
    const res = await s.scim('GET', '/Users/010101010101010101010101');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
  });

  it('creates (201) and refuses a duplicate (409)', async () => {
    const created = await s.scim('POST', '/Users', oktaUser('spec_test_user'));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.body).toMatchObject({ userName: 'spec_test_user', active: true, externalId: '00uspec_test_user' });
    expect(created.body.password).toBeUndefined();
    const again = await s.scim('POST', '/Users', oktaUser('spec_test_user'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' });
  });

  it('answers /Groups with 200', async () => {
    expect((await s.scim('GET', '/Groups')).status).toBe(200);
  });

  it('refuses a bad token with 401, status as a string and a detail', async () => {
    const res = await s.scim('GET', '/Users', undefined, { authorization: 'Bearer not-a-key' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401', detail: expect.any(String) });
  });
});

describe("Okta's user lifecycle", () => {
  it('looks up, creates, imports in pages, PUTs the profile, deactivates and reactivates', async () => {
    expect((await lookup('okta_ada')).body.totalResults).toBe(0);
    await s.resetCounts();
    const created = await s.scim('POST', '/Users', oktaUser('okta_ada', { phoneNumbers: [{ value: '+1 555 0100', type: 'work', primary: true }] }));
    expect(created.status).toBe(201);
    // A create costs one search for the username and the create itself.
    const calls = await s.upstream();
    expect(calls.byRoute['POST /accounts/api/organizations/{orgId}/users']).toBe(1);
    expect(calls.total).toBe(2);
    const id = created.body.id;
    expect((await lookup('okta_ada')).body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);

    // Import: pages of 2 in a stable order that together hold every user once.
    const first = await s.scim('GET', '/Users?startIndex=1&count=2');
    const seen: string[] = [];
    for (let start = 1; start <= first.body.totalResults; start += 2) seen.push(...(await s.scim('GET', `/Users?startIndex=${start}&count=2`)).body.Resources.map((r: { id: string }) => r.id));
    expect(new Set(seen).size).toBe(first.body.totalResults);
    // The stable order is by id, the same one a filtered list uses.
    expect(seen).toEqual([...seen].sort());
    const filtered = (await s.scim('GET', `/Users?filter=${encodeURIComponent('userName pr')}&count=1000`)).body.Resources.map((r: { id: string }) => r.id);
    expect(filtered).toEqual(seen);
    expect(seen).toContain(id);

    // Profile update: GET then PUT the whole object.
    const current = (await s.scim('GET', `/Users/${id}`)).body;
    const put = await s.scim('PUT', `/Users/${id}`, { ...current, name: { givenName: 'Augusta', familyName: 'King' }, phoneNumbers: [{ value: '+1 555 0199', type: 'work' }] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: { givenName: 'Augusta', familyName: 'King' }, phoneNumbers: [{ value: '+1 555 0199' }] });
    expect(s.store.liveUser(put.body.id)).toMatchObject({ firstName: 'Augusta', lastName: 'King', phoneNumber: '+1 555 0199' });

    const off = await s.scim('PATCH', `/Users/${id}`, patchOf({ op: 'replace', value: { active: false } }));
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(s.store.liveUser(id)?.enabled).toBe(false);
    const on = await s.scim('PATCH', `/Users/${id}`, patchOf({ op: 'replace', value: { active: true } }));
    expect(on.body.active).toBe(true);
    expect(s.store.liveUser(id)?.enabled).toBe(true);

    // Every write is audited with the SCIM client as actor and the request, without its password.
    const events = await auditEvents(s, { target: `user:okta_ada` });
    const create = events.nodes.find((e) => e.action === 'createUser' && e.kind === 'OUTCOME')!;
    expect(create.actor).toBe('key:idp');
    expect(create.input?.request).toMatchObject({ protocol: 'scim', method: 'POST', path: '/scim/v2/Users' });
    expect(JSON.stringify(create.input)).not.toContain('Okta-Sent-Secret-1');
  });

  it('DELETE ends the resource and deactivates the user; a later POST of the userName re-assigns that user', async () => {
    const created = (await s.scim('POST', '/Users', oktaUser('okta_reassign'))).body;
    expect((await s.scim('DELETE', `/Users/${created.id}`)).status).toBe(204);
    expect(s.store.liveUser(created.id)?.enabled).toBe(false);
    expect((await s.scim('GET', `/Users/${created.id}`)).status).toBe(404);
    expect((await lookup('okta_reassign')).body.totalResults).toBe(0);
    const again = await s.scim('POST', '/Users', oktaUser('okta_reassign', { name: { givenName: 'Back', familyName: 'Again' } }));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: created.id, active: true, name: { givenName: 'Back' } });
    expect(s.store.liveUser(created.id)).toMatchObject({ enabled: true, firstName: 'Back' });
    expect(s.store.usersOf(s.rootOrgId).filter((u) => u.username === 'okta_reassign')).toHaveLength(1);
  });

  it('a password sent as the value of a PATCH path never reaches the audit trail', async () => {
    const id = (await s.scim('POST', '/Users', oktaUser('okta_secret'))).body.id;
    const res = await s.scim('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'PASSWORD', value: 'Patch-Sent-Secret-9' }, { op: 'replace', path: 'name.givenName', value: 'Kept' }));
    expect(res.status).toBe(200);
    expect(s.auditText()).toContain('okta_secret');
    expect(s.auditText()).not.toContain('Patch-Sent-Secret-9');
  });

  it('a PUT that changes the e-mail is refused with mutability and writes nothing', async () => {
    const id = (await s.scim('POST', '/Users', oktaUser('okta_mail'))).body.id;
    const current = (await s.scim('GET', `/Users/${id}`)).body;
    await s.resetCounts();
    const res = await s.scim('PUT', `/Users/${id}`, { ...current, emails: [{ value: 'other@example.com', primary: true }] });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('mutability');
    expect((await s.writes()).total).toBe(0);
  });

  it('an If-Match with an old version is 412', async () => {
    const created = (await s.scim('POST', '/Users', oktaUser('okta_etag'))).body;
    await s.scim('PATCH', `/Users/${created.id}`, patchOf({ op: 'replace', path: 'name.familyName', value: 'Changed' }));
    const res = await s.scim('PATCH', `/Users/${created.id}`, patchOf({ op: 'replace', value: { active: false } }), { 'if-match': created.meta.version });
    expect(res.status).toBe(412);
    expect(s.store.liveUser(created.id)?.enabled).toBe(true);
  });
});

describe("Okta's group push", () => {
  it('creates, renames with every update, adds and removes members, pushes now and unlinks', async () => {
    const a = (await s.scim('POST', '/Users', oktaUser('push_a'))).body;
    const b = (await s.scim('POST', '/Users', oktaUser('push_b'))).body;
    await s.resetCounts();
    const created = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Okta Engineers', members: [] });
    expect(created.status).toBe(201);
    // An empty group needs no lookup of users: the hierarchy, the teams and the create.
    expect(Object.keys((await s.upstream()).byRoute).filter((r) => r.includes('/users'))).toEqual([]);
    const id = created.body.id;
    const teamOf = () => s.store.teamsOf(s.rootOrgId).find((t) => t.team_name === 'Okta Engineers' || t.team_name === 'Okta Platform');
    expect(teamOf()).toBeDefined();

    const rename = { op: 'replace', value: { id, displayName: 'Okta Platform' } };
    const add = await s.scim('PATCH', `/Groups/${id}`, patchOf(rename, { op: 'add', path: 'members', value: [{ value: a.id, display: a.userName }, { value: b.id, display: b.userName }] }));
    expect(add.status).toBe(204);
    expect(teamOf()!.team_name).toBe('Okta Platform');
    const members = () => [...s.store.membersOf(teamOf()!.team_id).keys()].sort();
    expect(members()).toEqual([a.id, b.id].sort());

    await s.scim('PATCH', `/Groups/${id}`, patchOf(rename, { op: 'remove', path: `members[value eq "${a.id}"]` }));
    expect(members()).toEqual([b.id]);
    const read = await s.scim('GET', `/Groups/${id}`);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([b.id]);

    // Push now on an empty group.
    await s.scim('PATCH', `/Groups/${id}`, patchOf({ op: 'replace', path: 'members', value: [] }));
    expect(members()).toEqual([]);

    const unlink = await s.scim('DELETE', `/Groups/${id}`);
    expect(unlink.status).toBe(204);
    expect((await s.scim('GET', `/Groups/${id}`)).status).toBe(404);
  });

  it('finds groups by displayName, and a second group of the same name is 409', async () => {
    const first = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Finders', members: [] });
    const found = await s.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Finders"')}`);
    expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([first.body.id]);
    const again = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Finders', members: [] });
    expect(again.status).toBe(409);
  });
});

describe('group lists', () => {
  it('read the members of the page only, and still filter on them', async () => {
    // Nothing cached: every member list read is an upstream call.
    const s = await startScimStack({ CACHE_TTL_SECONDS: '0' });
    onTestFinished(() => s.close());
    const u = (await s.scim('POST', '/Users', oktaUser('paged_member'))).body;
    for (const n of [1, 2, 3, 4]) await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Paged ${n}`, members: n === 3 ? [{ value: u.id }] : [] });
    const all = (await s.scim('GET', '/Groups?count=1000&excludedAttributes=members')).body;
    await s.resetCounts();
    const page = await s.scim('GET', '/Groups?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: all.totalResults, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].id).toBe(all.Resources[1].id);
    expect(page.body.Resources[0].members).toEqual(expect.any(Array));
    const memberLists = (await s.upstream()).byRoute['GET /accounts/api/organizations/{orgId}/teams/{teamId}/members'];
    expect(memberLists).toBe(1);
    const withU = await s.scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${u.id}"]`)}`);
    expect(withU.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Paged 3']);
  });
});
