import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG_ROLES } from '../../src/simulator/seed-access.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/** What the access routes mean (the contract tests check their shapes): search semantics, role flags, seeded access. */

let h: SimHarness;
let token: string;
let org: string;
const json = async (res: Response) => {
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${res.status}: ${text}`);
  return JSON.parse(text);
};

beforeAll(async () => {
  h = await startSimHarness({ preset: 'demo' });
  token = await h.token();
  org = h.sim.store.rootOrgId;
});
afterAll(() => h.close());

const search = (body: unknown) => h.send('POST', '/accounts/api/roles/users/search', token, body);
const orgOperand = (extra: Record<string, unknown> = {}) => ({ org_id: org, context_params: { org }, match_type: 'partial', ...extra });

describe('POST /roles/users/search', () => {
  it('finds every user holding a role straight in the org, with those assignments only', async () => {
    const page = await json(await search([{ name: 'expression', operator: 'OR', operands: [orgOperand()] }, { name: 'pagination', limit: 500, offset: 0 }]));
    const store = h.sim.store;
    const expected = new Set(store.userRoles.filter((r) => r.context_params.org === org && store.liveUser(r.userId)).map((r) => r.userId));
    expect(page.total).toBe(expected.size);
    expect(new Set(page.data.map((u: any) => u.id))).toEqual(expected);
    const owner = page.data.find((u: any) => u.id === store.orgs.get(org)!.ownerId);
    expect(owner.assignments.map((a: any) => a.role_id)).toContain(ORG_ROLES.owner.role_id);
    expect(page.data.every((u: any) => u.assignments.every((a: any) => a.context_params.org === org && a.context_params.user === u.id))).toBe(true);
  });

  it('matches exact contexts only when asked, and ANDs operands per user', async () => {
    const envScoped = h.sim.store.userRoles.find((r) => r.context_params.org === org && r.context_params.envId)!;
    const exact = await json(await search([{ name: 'expression', operator: 'OR', operands: [orgOperand({ role_id: envScoped.role_id, match_type: 'exact' })] }]));
    expect(exact.data.some((u: any) => u.id === envScoped.userId)).toBe(false);
    const partial = await json(await search([{ name: 'expression', operator: 'OR', operands: [orgOperand({ role_id: envScoped.role_id })] }]));
    expect(partial.data.some((u: any) => u.id === envScoped.userId)).toBe(true);
    const both = await json(
      await search([{ name: 'expression', operator: 'AND', operands: [orgOperand({ role_id: ORG_ROLES.owner.role_id }), orgOperand({ role_id: ORG_ROLES.viewer.role_id })] }]),
    );
    for (const user of both.data) expect(new Set(user.assignments.map((a: any) => a.role_id))).toEqual(new Set([ORG_ROLES.owner.role_id, ORG_ROLES.viewer.role_id].filter((id) => user.assignments.some((a: any) => a.role_id === id))));
    const owners = new Set(h.sim.store.userRoles.filter((r) => r.role_id === ORG_ROLES.owner.role_id).map((r) => r.userId));
    expect(both.data.every((u: any) => owners.has(u.id))).toBe(true);
  });

  it('pages by limit and offset, and refuses bodies outside the spec', async () => {
    const all = await json(await search([{ name: 'expression', operator: 'OR', operands: [orgOperand()] }, { name: 'pagination', limit: 500, offset: 0 }]));
    const first = await json(await search([{ name: 'expression', operator: 'OR', operands: [orgOperand()] }, { name: 'pagination', limit: 2, offset: 0 }]));
    const second = await json(await search([{ name: 'expression', operator: 'OR', operands: [orgOperand()] }, { name: 'pagination', limit: 2, offset: 2 }]));
    expect([...first.data, ...second.data].map((u: any) => u.id)).toEqual(all.data.slice(0, 4).map((u: any) => u.id));
    for (const bad of [
      [],
      {},
      [{ name: 'expression', operator: 'XOR', operands: [orgOperand()] }],
      [{ name: 'expression', operator: 'OR', operands: [] }],
      [{ name: 'expression', operator: 'OR', operands: [{ context_params: {} }] }],
      [{ name: 'expression', operator: 'OR', operands: [orgOperand()] }, { name: 'pagination', limit: 501, offset: 0 }],
      [{ name: 'pagination', limit: 5, offset: 0 }],
    ]) {
      expect((await search(bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });
});

describe('a user\'s roles, teams and role groups', () => {
  it('adds role-group and team roles only when asked', async () => {
    const store = h.sim.store;
    const group = [...store.roleGroups.values()].find((g) => g.org_id === org && store.usersOfRoleGroup(g.role_group_id).size > 0)!;
    const userId = [...store.usersOfRoleGroup(group.role_group_id)][0]!;
    const path = `/accounts/api/organizations/${org}/users/${userId}/roles`;
    const direct = await json(await h.get(path, token));
    const withGroups = await json(await h.get(`${path}?role_groups=true`, token));
    const withAll = await json(await h.get(`${path}?role_groups=true&teams=true`, token));
    const groupRoles = store.roleGroupRoles.filter((r) => r.role_group_id === group.role_group_id).length;
    expect(direct.total).toBe(store.userRoles.filter((r) => r.userId === userId).length);
    expect(withGroups.total).toBeGreaterThanOrEqual(direct.total + groupRoles);
    expect(withAll.total).toBeGreaterThanOrEqual(withGroups.total);
    const rolegroups = await json(await h.get(`/accounts/api/organizations/${org}/users/${userId}/rolegroups`, token));
    expect(rolegroups.data.map((g: any) => g.role_group_id)).toContain(group.role_group_id);
    const teams = await json(await h.get(`/accounts/api/organizations/${org}/users/${userId}/teams`, token));
    // Every user is in the root team.
    expect(teams.data.some((t: any) => t.ancestor_team_ids.length === 0)).toBe(true);
  });

  it('adds and removes a role group member by hand', async () => {
    const store = h.sim.store;
    const group = [...store.roleGroups.values()].find((g) => g.org_id === org)!;
    const user = store.usersOf(org).find((u) => !store.usersOfRoleGroup(group.role_group_id).has(u.id))!;
    const path = `/accounts/api/organizations/${org}/rolegroups/${group.role_group_id}/users/${user.id}`;
    expect((await h.send('POST', path, token)).status).toBe(200);
    const members = await json(await h.get(`/accounts/api/organizations/${org}/rolegroups/${group.role_group_id}/users`, token));
    expect(members.data.map((u: any) => u.id)).toContain(user.id);
    expect((await h.send('DELETE', path, token)).status).toBe(200);
    expect(store.usersOfRoleGroup(group.role_group_id).has(user.id)).toBe(false);
  });
});

describe('seeded access', () => {
  it('seeds what a review looks for, in both presets, with stale users relative to today', async () => {
    const store = h.sim.store;
    const now = Date.now();
    const users = store.usersOf(org);
    const stale = users.filter((u) => !u.lastLogin || now - Date.parse(u.lastLogin) > 90 * 86_400_000);
    const recent = users.filter((u) => u.lastLogin && now - Date.parse(u.lastLogin) < 61 * 86_400_000);
    expect(stale.length).toBeGreaterThan(0);
    expect(recent.length).toBeGreaterThan(stale.length);
    expect(users.some((u) => !u.enabled && store.teamsOf(org).some((t) => t.parentId && store.membersOf(t.team_id).has(u.id)))).toBe(true);
    expect(store.userRoles.some((r) => r.role_id === ORG_ROLES.owner.role_id && r.userId === store.orgs.get(org)!.ownerId)).toBe(true);
    expect([...store.roleGroups.values()].some((g) => g.org_id === org && g.external_names.length > 0)).toBe(true);
    expect(store.teamRoles.some((r) => r.teamId === store.rootTeamOf(org)!.team_id)).toBe(true);
    expect([...store.apps.values()].some((a) => a.scopes.some((s) => s.startsWith('admin:')))).toBe(true);
    expect(store.idpProfiles.size).toBeGreaterThan(0);
  });
});
