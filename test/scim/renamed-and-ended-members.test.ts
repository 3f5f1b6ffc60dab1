import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, oktaUser, patchOf, startScimStack, type ScimStack } from './support.js';

/**
 * Group members across a userName change (a new Anypoint user behind the same SCIM id) and after
 * DELETE (the Anypoint user lives on, deactivated): a group lists each person once, under the id
 * the identity provider knows, and removing that id takes every Anypoint user it stood for out
 * of the team. Plus a rename back to an earlier userName, and the maintainer an add must not demote.
 */
let s: ScimStack;
beforeAll(async () => {
  s = await startScimStack();
});
afterAll(async () => {
  await s.close();
});

const teamNamed = (name: string) => s.store.teamsOf(s.rootOrgId).find((t) => t.team_name === name)!;
const inTeam = (name: string) => [...s.store.membersOf(teamNamed(name).team_id).keys()].sort();
const listed = async (groupId: string) => (await s.scim('GET', `/Groups/${groupId}`)).body.members.map((m: { value: string }) => m.value).sort();
const newGroup = async (displayName: string, members: string[]) =>
  (await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) })).body.id as string;

describe('members across renames and DELETE', () => {
  it('a renamed member is listed once and removing it empties the team of both its users', async () => {
    const u = (await s.scim('POST', '/Users', oktaUser('member_old'))).body;
    const g = await newGroup('Renamed Members', [u.id]);
    await s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'userName', value: 'member_new' }));
    expect(await listed(g)).toEqual([u.id]);
    expect(inTeam('Renamed Members')).toHaveLength(2);
    await s.scim('PATCH', `/Groups/${g}`, patchOf({ op: 'remove', path: `members[value eq "${u.id}"]` }));
    expect(inTeam('Renamed Members')).toEqual([]);
    expect(await listed(g)).toEqual([]);
  });

  it('an ended user is not listed and can still be removed', async () => {
    const u = (await s.scim('POST', '/Users', oktaUser('member_ended'))).body;
    const g = await newGroup('Ended Members', [u.id]);
    await s.scim('DELETE', `/Users/${u.id}`);
    expect(await listed(g)).toEqual([]);
    await s.scim('PATCH', `/Groups/${g}`, patchOf({ op: 'remove', path: 'members', value: [{ value: u.id }] }));
    expect(inTeam('Ended Members')).toEqual([]);
  });

  it('a rename back to an earlier userName keeps the user in /Users', async () => {
    const u = (await s.scim('POST', '/Users', oktaUser('back_and_forth'))).body;
    await s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'userName', value: 'back_and_forth2' }));
    const back = await s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'userName', value: 'back_and_forth' }));
    expect(back.body).toMatchObject({ id: u.id, userName: 'back_and_forth', active: true });
    const all = (await s.scim('GET', '/Users?count=1000')).body.Resources.filter((r: { userName: string }) => r.userName.startsWith('back_and_forth'));
    expect(all.map((r: { id: string; userName: string }) => [r.id, r.userName])).toEqual([[u.id, 'back_and_forth']]);
  });

  it('adding a member who is already a maintainer keeps them maintainer', async () => {
    const u = (await s.scim('POST', '/Users', oktaUser('kept_maintainer'))).body;
    const g = await newGroup('Maintained', [u.id]);
    s.store.membersOf(teamNamed('Maintained').team_id).get(u.id)!.membership_type = 'maintainer';
    await s.resetCounts();
    expect((await s.scim('PATCH', `/Groups/${g}`, patchOf({ op: 'Add', path: 'members', value: [{ value: u.id }] }))).status).toBe(204);
    expect(s.store.membersOf(teamNamed('Maintained').team_id).get(u.id)?.membership_type).toBe('maintainer');
    expect((await s.writes()).total).toBe(0);
  });

  it('a group whose team was deleted by hand answers a PATCH with 404', async () => {
    const u = (await s.scim('POST', '/Users', oktaUser('orphan_member'))).body;
    const g = await newGroup('Deleted By Hand', []);
    const res = await s.sim.send('DELETE', `/accounts/api/organizations/${s.rootOrgId}/teams/${teamNamed('Deleted By Hand').team_id}`, await s.simToken());
    expect(res.status).toBeLessThan(300);
    const patch = await s.scim('PATCH', `/Groups/${g}`, patchOf({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expect(patch.status).toBe(404);
  });
});
