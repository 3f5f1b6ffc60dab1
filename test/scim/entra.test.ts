import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, entraUser, GROUP_SCHEMA, patchOf, startScimStack, type ScimStack } from './support.js';

/**
 * Microsoft Entra ID's documented provisioning traffic (entra-docs, use-scim-to-provision-users-
 * and-groups, application-provisioning-config-problem-scim-compatibility), over real HTTP:
 * test connection, its filters, capitalised ops, string booleans, remove-by-value without a
 * path (which must remove only the named members), members[value eq], dotted-key replace, 204
 * on group PATCH, and parallel member PATCHes.
 */
let s: ScimStack;

beforeAll(async () => {
  s = await startScimStack();
});
afterAll(async () => {
  await s.close();
});

const filter = (collection: string, expression: string, extra = '') => s.scim('GET', `/${collection}?filter=${encodeURIComponent(expression)}${extra}`);
const user = async (userName: string) => (await s.scim('POST', '/Users', entraUser(userName))).body;
const group = async (displayName: string) => (await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: `g-${displayName}`, displayName, members: [] })).body;
/** Who is in the team of that name, from the simulator's own state. */
const teamMembers = (teamName: string) => {
  const team = s.store.teamsOf(s.rootOrgId).find((t) => t.team_name === teamName)!;
  return [...s.store.membersOf(team.team_id).keys()].sort();
};

describe("Entra's test connection and queries", () => {
  it('answers its lookups by userName, externalId and work e-mail with ListResponses', async () => {
    const created = await user('entra_grace');
    expect(created).toMatchObject({ externalId: 'entra-entra_grace', userName: 'entra_grace' });
    expect(created[ENTERPRISE]).toBeUndefined();
    for (const expression of ['userName eq "entra_grace"', 'externalId eq "entra-entra_grace"', 'emails[type eq "work"].value eq "entra_grace@contoso.example"']) {
      const res = await filter('Users', expression);
      expect(res.status, expression).toBe(200);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      expect(res.body.Resources.map((r: { id: string }) => r.id), expression).toEqual([created.id]);
    }
    const none = await filter('Users', 'userName eq "no_such_user" and active eq true');
    expect(none.body.totalResults).toBe(0);
  });

  it('finds a group by displayName without members', async () => {
    const g = await group('Entra Lookup');
    const res = await filter('Groups', 'displayName eq "Entra Lookup"', '&excludedAttributes=members');
    expect(res.body.Resources).toHaveLength(1);
    expect(res.body.Resources[0]).toMatchObject({ id: g.id, displayName: 'Entra Lookup' });
    expect(res.body.Resources[0].members).toBeUndefined();
  });
});

describe("Entra's user updates", () => {
  it('takes capitalised ops, dotted keys, and disables with the string "False"', async () => {
    const u = await user('entra_ops');
    const res = await s.scim('PATCH', `/Users/${u.id}`, patchOf(
      { op: 'Replace', path: 'name.familyName', value: 'Murray' },
      { op: 'Replace', value: { 'name.givenName': 'Grace B.' } },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'entra_ops@contoso.example' },
    ));
    expect(res.status).toBe(200);
    expect(s.store.liveUser(u.id)).toMatchObject({ firstName: 'Grace B.', lastName: 'Murray' });
    const off = await s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'Replace', path: 'active', value: 'False' }));
    expect(off.body.active).toBe(false);
    expect(s.store.liveUser(u.id)?.enabled).toBe(false);
  });

  it('refuses a changed work e-mail with mutability', async () => {
    const u = await user('entra_mail');
    const res = await s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@contoso.example' }));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('mutability');
  });

  it('a userName change keeps the SCIM id and moves it to the new Anypoint user', async () => {
    const u = await user('entra_old_name');
    const res = await s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'Replace', path: 'userName', value: 'entra_new_name' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, userName: 'entra_new_name', externalId: 'entra-entra_old_name' });
    // The platform cannot rename: the old user is deactivated, a new one carries the name.
    expect(s.store.liveUser(u.id)?.enabled).toBe(false);
    expect((await s.scim('GET', `/Users/${u.id}`)).body.userName).toBe('entra_new_name');
    const listed = (await s.scim('GET', '/Users?count=1000')).body.Resources.filter((r: { userName: string }) => r.userName.startsWith('entra_') && r.userName.endsWith('_name'));
    expect(listed.map((r: { id: string; userName: string }) => [r.id, r.userName])).toEqual([[u.id, 'entra_new_name']]);
  });
});

describe('concurrent writes of one user', () => {
  it('two userName changes at once leave one enabled user, the one the SCIM id names', async () => {
    const u = await user('racing_name');
    const answers = await Promise.all(['racing_a', 'racing_b'].map((name) => s.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'Replace', path: 'userName', value: name }))));
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const enabled = s.store.usersOf(s.rootOrgId).filter((x) => x.username.startsWith('racing_') && x.enabled);
    expect(enabled).toHaveLength(1);
    expect((await s.scim('GET', `/Users/${u.id}`)).body.userName).toBe(enabled[0]!.username);
  });
});

describe("Entra's group membership", () => {
  it('adds, removes only the named member by value without a path, removes by members[value eq], and answers 204', async () => {
    const [a, b, c] = [await user('entra_m1'), await user('entra_m2'), await user('entra_m3')];
    const g = await group('Entra Members');
    const add = await s.scim('PATCH', `/Groups/${g.id}`, patchOf({ op: 'Add', path: 'members', value: [{ value: a.id }, { value: b.id }, { value: c.id }] }));
    expect(add.status).toBe(204);
    expect(add.body).toBeUndefined();
    expect(teamMembers('Entra Members')).toEqual([a.id, b.id, c.id].sort());

    // Without the aadOptscim062020 flag: a literal RFC reading would empty the group here.
    await s.scim('PATCH', `/Groups/${g.id}`, patchOf({ op: 'Remove', path: 'members', value: [{ value: a.id }] }));
    expect(teamMembers('Entra Members')).toEqual([b.id, c.id].sort());
    await s.scim('PATCH', `/Groups/${g.id}`, patchOf({ op: 'Remove', path: `members[value eq "${b.id}"]` }));
    expect(teamMembers('Entra Members')).toEqual([c.id]);
  });

  it('five parallel one-member PATCHes all land', async () => {
    const people = await Promise.all([1, 2, 3, 4, 5].map((n) => user(`entra_p${n}`)));
    const g = await group('Entra Parallel');
    const answers = await Promise.all(people.map((p) => s.scim('PATCH', `/Groups/${g.id}`, patchOf({ op: 'Add', path: 'members', value: [{ value: p.id }] }))));
    expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    expect(teamMembers('Entra Parallel')).toEqual(people.map((p) => p.id).sort());
    const read = await s.scim('GET', `/Groups/${g.id}`);
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual(people.map((p) => p.id).sort());
  });

  it('twenty concurrent single-member PATCHes end with all twenty members', async () => {
    const people = [];
    for (let n = 0; n < 20; n++) people.push(await user(`entra_c${n}`));
    const g = await group('Entra Twenty');
    await Promise.all(people.map((p) => s.scim('PATCH', `/Groups/${g.id}`, patchOf({ op: 'Add', path: 'members', value: [{ value: p.id }] }))));
    expect(teamMembers('Entra Twenty')).toHaveLength(20);
  });
});
