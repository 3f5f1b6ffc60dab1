import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/simulator/faults.js';
import { setFaults } from '../anypoint/support.js';
import { PATHS } from '../provisioning/fixtures/provisioning-client.js';
import { GROUP_SCHEMA, oktaUser, patchOf, startScimStack, type ScimStack } from './support.js';

/**
 * Every kind of SCIM write while the simulator commits the write and then drops its response
 * (the 'drop' fault): the gateway reads back before it sends again, so the platform ends as
 * asked with no duplicate; and an identity provider retrying a POST whose answer it lost gets
 * 409, never a second user.
 */
let s: ScimStack;

beforeAll(async () => {
  s = await startScimStack();
});
afterAll(async () => {
  await s.close();
});
afterEach(async () => {
  await setFaults(s.sim, {});
});

const drop = (method: string, path: string): FaultRule => ({ kind: 'drop', probability: 1, method, path, times: 1 });
const usersNamed = (userName: string) => s.store.usersOf(s.rootOrgId).filter((u) => u.username === userName);
const team = (name: string) => s.store.teamsOf(s.rootOrgId).filter((t) => t.team_name === name);

describe('lost responses on SCIM writes', () => {
  it('POST /Users: one user, and the IdP retry of a lost answer is 409', async () => {
    await setFaults(s.sim, { rules: [drop('POST', PATHS.users)] });
    const res = await s.scim('POST', '/Users', oktaUser('lost_create'));
    expect(res.status).toBe(201);
    expect(usersNamed('lost_create')).toHaveLength(1);
    expect(res.body.id).toBe(usersNamed('lost_create')[0]!.id);
    // The IdP never saw that 201 (say) and sends the POST again.
    const retry = await s.scim('POST', '/Users', oktaUser('lost_create'));
    expect(retry.status).toBe(409);
    expect(usersNamed('lost_create')).toHaveLength(1);
  });

  it('PATCH /Users (profile and active) and PUT end as asked', async () => {
    const id = (await s.scim('POST', '/Users', oktaUser('lost_update'))).body.id;
    await setFaults(s.sim, { rules: [drop('PUT', PATHS.user)] });
    const off = await s.scim('PATCH', `/Users/${id}`, patchOf({ op: 'replace', value: { active: false } }));
    expect(off.status).toBe(200);
    expect(s.store.liveUser(id)?.enabled).toBe(false);
    await setFaults(s.sim, { rules: [drop('PUT', PATHS.user)] });
    const current = (await s.scim('GET', `/Users/${id}`)).body;
    const put = await s.scim('PUT', `/Users/${id}`, { ...current, name: { givenName: 'Lost', familyName: 'Found' } });
    expect(put.status).toBe(200);
    expect(s.store.liveUser(id)).toMatchObject({ firstName: 'Lost', lastName: 'Found' });
  });

  it('a userName change (create the new user, deactivate the old) ends with one new user under the same SCIM id', async () => {
    const id = (await s.scim('POST', '/Users', oktaUser('lost_rename_old'))).body.id;
    await setFaults(s.sim, { rules: [drop('POST', PATHS.users), drop('PUT', PATHS.user)] });
    const res = await s.scim('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'userName', value: 'lost_rename_new' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, userName: 'lost_rename_new' });
    expect(usersNamed('lost_rename_new')).toHaveLength(1);
    expect(s.store.liveUser(id)?.enabled).toBe(false);
  });

  it('PUT /Groups replaces the members exactly', async () => {
    const [a, b, c] = [await s.scim('POST', '/Users', oktaUser('lost_put_a')), await s.scim('POST', '/Users', oktaUser('lost_put_b')), await s.scim('POST', '/Users', oktaUser('lost_put_c'))].map((r) => r.body);
    const g = (await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Lost Put', members: [{ value: a.id }, { value: b.id }] })).body;
    await setFaults(s.sim, { rules: [drop('PUT', PATHS.member), drop('DELETE', PATHS.member)] });
    const put = await s.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Lost Put Renamed', members: [{ value: b.id }, { value: c.id }] });
    expect(put.status).toBe(200);
    expect(put.body.members.map((m: { value: string }) => m.value).sort()).toEqual([b.id, c.id].sort());
    expect([...s.store.membersOf(team('Lost Put Renamed')[0]!.team_id).keys()].sort()).toEqual([b.id, c.id].sort());
  });

  it('DELETE /Users: deactivated once, then 404', async () => {
    const id = (await s.scim('POST', '/Users', oktaUser('lost_delete'))).body.id;
    await setFaults(s.sim, { rules: [drop('PUT', PATHS.user)] });
    expect((await s.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(s.store.liveUser(id)?.enabled).toBe(false);
    expect((await s.scim('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('POST /Groups, member PATCH and DELETE /Groups: one team, every member, then gone', async () => {
    const a = (await s.scim('POST', '/Users', oktaUser('lost_member_a'))).body;
    const b = (await s.scim('POST', '/Users', oktaUser('lost_member_b'))).body;
    await setFaults(s.sim, { rules: [drop('POST', PATHS.teams)] });
    const g = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Lost Team', members: [] });
    expect(g.status).toBe(201);
    expect(team('Lost Team')).toHaveLength(1);

    await setFaults(s.sim, { rules: [drop('PUT', PATHS.member)] });
    const add = await s.scim('PATCH', `/Groups/${g.body.id}`, patchOf({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }));
    expect(add.status).toBe(204);
    expect([...s.store.membersOf(team('Lost Team')[0]!.team_id).keys()].sort()).toEqual([a.id, b.id].sort());

    await setFaults(s.sim, { rules: [drop('DELETE', PATHS.member)] });
    await s.scim('PATCH', `/Groups/${g.body.id}`, patchOf({ op: 'remove', path: `members[value eq "${a.id}"]` }));
    expect([...s.store.membersOf(team('Lost Team')[0]!.team_id).keys()]).toEqual([b.id]);

    await setFaults(s.sim, { rules: [drop('DELETE', PATHS.team)] });
    expect((await s.scim('DELETE', `/Groups/${g.body.id}`)).status).toBe(204);
    expect(team('Lost Team')).toHaveLength(0);
    expect((await s.scim('GET', `/Groups/${g.body.id}`)).status).toBe(404);
  });
});
