import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import { auditEvents, createTeamByHand, createUserByHand, PAYLOAD, putMemberByHand, uniqueName } from '../provisioning/support.js';
import { GROUP_SCHEMA, PATCH_OP, ERROR_SCHEMA, startScimStack, type ScimStack } from '../scim/support.js';
import { coldRun, expectBracketed } from '../abuse/cost-support.js';
import { KEYS } from '../provisioning/support.js';

/**
 * Drift and Okta's safeguard against a real gateway over the simulator: groups pushed through
 * GraphQL, then changed by hand straight on the simulator's REST routes (what an admin does in
 * Anypoint), then compared; and pushes (GraphQL and SCIM) that would empty a large team refused.
 * The read cache is off, so each comparison sees the hand changes made just before it.
 */

const PUSH = `mutation($input: PushGroupInput!) { pushGroup(input: $input) { ${PAYLOAD} team { id name } diff { added { id } removed { id } unchanged { id } keptMaintainers { id } } } }`;
const ITEM = 'kind userId user { id username } before after cause { actor at source }';
const DRIFT = `query($groupId: ID!) { groupDrift(groupId: $groupId) {
  groupId teamId team { id name } lastPushedAt pushedTeamName pushedParentTeamId inSync
  pushedMembers { userId membershipType user { username } } items { ${ITEM} } } }`;
const DRIFTS = `{ drifts { groupId teamId team { name } inSync items { kind userId before after } } }`;

interface Item {
  kind: string;
  userId: string | null;
  user: { id: string; username: string } | null;
  before: string | null;
  after: string | null;
  cause: unknown;
}

let stack: ScimStack;
let users: Array<{ id: string; username: string }>;
const orgPath = () => `/accounts/api/organizations/${stack.rootOrgId}`;

async function byHand(method: string, path: string, body?: unknown): Promise<void> {
  const res = await stack.sim.send(method, `${orgPath()}${path}`, await stack.simToken(), body);
  if (res.status >= 300) throw new Error(`${method} ${path} by hand: ${res.status} ${await res.text()}`);
}

async function push(input: Record<string, unknown>) {
  const res = await stack.gql('provisioner', PUSH, { input });
  expect(res.errors).toBeUndefined();
  return res.data!.pushGroup;
}

async function drift(groupId: string) {
  const res = await stack.gql('reader', DRIFT, { groupId });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.groupDrift;
}

const ids = (from: number, to: number) => users.slice(from, to).map((u) => u.id);

beforeAll(async () => {
  stack = await startScimStack({ CACHE_TTL_SECONDS: '0' });
  users = [];
  for (let i = 0; i < 30; i++) users.push(await createUserByHand(stack, { username: uniqueName(`drift${i}`) }));
}, 120_000);
afterAll(() => stack?.close());

describe('groupDrift', () => {
  it('is in sync right after a push, and remembers what was pushed', async () => {
    const groupId = 'okta-in-sync';
    const pushed = await push({ groupId, displayName: 'In Sync', members: [users[0]!.username, users[1]!.id] });
    expect(pushed.userErrors).toEqual([]);
    const now = await drift(groupId);
    expect(now).toMatchObject({ groupId, teamId: pushed.team.id, team: { name: 'In Sync' }, pushedTeamName: 'In Sync', pushedParentTeamId: stack.rootTeamId, inSync: true, items: [] });
    expect(now.pushedMembers.map((m: { userId: string }) => m.userId).sort()).toEqual(ids(0, 2).sort());
    expect(now.pushedMembers.every((m: { membershipType: string }) => m.membershipType === 'MEMBER')).toBe(true);
    expect(Date.parse(now.lastPushedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is null for a group never pushed', async () => {
    expect(await drift('never-pushed')).toBeNull();
  });

  it('shows each hand change in Anypoint as an item of the right kind, with before and after', async () => {
    const groupId = 'okta-hand-changes';
    const { team } = await push({ groupId, displayName: 'Hand Changed', members: ids(0, 4) });
    const [kept, removed, promoted, alsoKept] = users;
    const [added, maintainer, external] = users.slice(10, 13);
    await putMemberByHand(stack, team.id, added!.id, 'member');
    await putMemberByHand(stack, team.id, maintainer!.id, 'maintainer');
    await putMemberByHand(stack, team.id, external!.id, 'member');
    // What Anypoint's own IdP group mapping marks; its API does not set it by hand.
    stack.store.membersOf(team.id).get(external!.id)!.is_assigned_via_external_groups = true;
    await byHand('DELETE', `/teams/${team.id}/members/${removed!.id}`);
    await putMemberByHand(stack, team.id, promoted!.id, 'maintainer');
    await byHand('PATCH', `/teams/${team.id}`, { team_name: 'Renamed By Hand' });
    const newParent = await createTeamByHand(stack, 'New Parent');
    await byHand('PUT', `/teams/${team.id}/parent`, { parent_team_id: newParent });

    const now = await drift(groupId);
    expect(now.inSync).toBe(false);
    expect(now.team).toEqual({ id: team.id, name: 'Renamed By Hand' });
    const items = now.items as Item[];
    const pick = ({ kind, userId, before, after }: Item) => ({ kind, userId, before, after });
    expect(items.map(pick)).toEqual([
      { kind: 'TEAM_RENAMED', userId: null, before: 'Hand Changed', after: 'Renamed By Hand' },
      { kind: 'TEAM_MOVED', userId: null, before: stack.rootTeamId, after: newParent },
      { kind: 'MEMBER_ADDED', userId: added!.id, before: null, after: 'MEMBER' },
      { kind: 'MAINTAINER_ADDED', userId: maintainer!.id, before: null, after: 'MAINTAINER' },
      { kind: 'ASSIGNED_VIA_EXTERNAL_GROUPS', userId: external!.id, before: null, after: 'MEMBER' },
      { kind: 'MEMBER_REMOVED', userId: removed!.id, before: 'MEMBER', after: null },
      { kind: 'MEMBERSHIP_TYPE_CHANGED', userId: promoted!.id, before: 'MEMBER', after: 'MAINTAINER' },
    ]);
    expect(items.find((i) => i.kind === 'MEMBER_REMOVED')!.user).toEqual({ id: removed!.id, username: removed!.username });
    // Each cause is the platform log's last entry about it since the push. These hand changes
    // used the gateway's own connected app (the harness's token), so they read as the gateway's.
    const causes = items.map((i) => i.cause as { actor: string; at: string; source: string } | null);
    expect(causes.every((c) => c !== null && c.actor === `app:${stack.sim.sim.demoApp.clientId}` && c.source === 'GATEWAY')).toBe(true);
    expect(causes.every((c) => Date.parse(c!.at) >= Date.parse(now.lastPushedAt))).toBe(true);
    expect(items.some((i) => i.userId === kept!.id || i.userId === alsoKept!.id)).toBe(false);

    // The reconcile plan: pushGroup's dry run with the last push.
    const plan = await push({ groupId, displayName: now.pushedTeamName, members: now.pushedMembers.map((m: { userId: string }) => m.userId), dryRun: true });
    expect(plan.userErrors).toEqual([]);
    expect(plan.plan.map((w: { action: string; status: string }) => `${w.action} ${w.status}`).sort()).toEqual(
      ['ADD_MEMBER PLANNED', 'REMOVE_MEMBER PLANNED', 'REMOVE_MEMBER PLANNED', 'RENAME_TEAM PLANNED'].sort(),
    );
    expect(plan.diff.added.map((u: { id: string }) => u.id)).toEqual([removed!.id]);
    expect(plan.diff.removed.map((u: { id: string }) => u.id).sort()).toEqual([added!.id, external!.id].sort());
    expect(plan.diff.keptMaintainers.map((u: { id: string }) => u.id)).toEqual([maintainer!.id]);

    // Pushed again for real: the push does not move the team back or demote the promoted member,
    // so they become the last push; only the kept maintainer (the group does not list it) stays.
    await push({ groupId, displayName: 'Hand Changed', members: now.pushedMembers.map((m: { userId: string }) => m.userId) });
    const after = await drift(groupId);
    expect((after.items as Item[]).map(pick)).toEqual([{ kind: 'MAINTAINER_ADDED', userId: maintainer!.id, before: null, after: 'MAINTAINER' }]);
    expect(after.pushedParentTeamId).toBe(newParent);
    expect(after.pushedMembers.find((m: { userId: string }) => m.userId === promoted!.id).membershipType).toBe('MAINTAINER');

    await byHand('DELETE', `/teams/${team.id}`);
    const gone = await drift(groupId);
    expect(gone.team).toBeNull();
    expect((gone.items as Item[]).map(pick)).toEqual([{ kind: 'TEAM_DELETED', userId: null, before: 'Hand Changed', after: null }]);
  });

  it('follows SCIM PATCHes too: the members a PATCH adds and removes become the last push', async () => {
    const groupId = 'scim-patched';
    await push({ groupId, displayName: 'Scim Patched', members: ids(0, 2) });
    const res = await stack.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: users[5]!.id }] },
        { op: 'remove', path: `members[value eq "${users[0]!.id}"]` },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    const now = await drift(groupId);
    expect(now.inSync).toBe(true);
    expect(now.pushedMembers.map((m: { userId: string }) => m.userId).sort()).toEqual([users[1]!.id, users[5]!.id].sort());
  });
});

describe('drifts', () => {
  it('lists every linked group of the organization, by groupId, each with its own comparison', async () => {
    await push({ groupId: 'zz-listed-b', displayName: 'Listed B', members: ids(20, 22) });
    const { team } = await push({ groupId: 'zz-listed-a', displayName: 'Listed A', members: ids(22, 24) });
    await byHand('DELETE', `/teams/${team.id}/members/${users[22]!.id}`);
    const res = await stack.gql('reader', DRIFTS);
    expect(res.errors).toBeUndefined();
    const all = res.data!.drifts as Array<{ groupId: string; inSync: boolean; items: Item[] }>;
    // Every group pushed so far, the one whose team was deleted included (SCIM /Groups no longer lists it).
    expect(all.map((d) => d.groupId)).toEqual(['okta-hand-changes', 'okta-in-sync', 'scim-patched', 'zz-listed-a', 'zz-listed-b']);
    const listed = (await stack.scim('GET', '/Groups?count=1000&attributes=id')).body.Resources.map((r: { id: string }) => r.id).sort();
    expect(listed).toEqual(['okta-in-sync', 'scim-patched', 'zz-listed-a', 'zz-listed-b']);
    expect(all.find((d) => d.groupId === 'zz-listed-b')).toMatchObject({ inSync: true, items: [] });
    expect(all.find((d) => d.groupId === 'zz-listed-a')!.items).toEqual([{ kind: 'MEMBER_REMOVED', userId: users[22]!.id, before: 'MEMBER', after: null }]);
    expect(all.find((d) => d.groupId === 'okta-hand-changes')!.items.map((i) => i.kind)).toEqual(['TEAM_DELETED']);
  });

  it('is priced within [actual, 3 x actual] by demand control, for one group and for all', async () => {
    const reader = { 'x-api-key': KEYS.reader };
    const cases = [
      { name: 'one group', query: DRIFT, variables: { groupId: 'zz-listed-a' } },
      { name: 'every linked group', query: DRIFTS },
      { name: 'every linked group with users', query: `{ drifts { groupId items { kind user { username } } pushedMembers { user { username } } } }` },
    ];
    expect(await expectBracketed(stack, cases, reader)).toHaveLength(cases.length);
    const run = await coldRun(stack, cases[1]!, reader);
    expect(run.estimate).toBeGreaterThanOrEqual(run.actual);
  }, 60_000);
});

describe("Okta's safeguard", () => {
  const large = async (groupId: string, name: string) => {
    const { team, userErrors } = await push({ groupId, displayName: name, members: ids(0, 21) });
    expect(userErrors).toEqual([]);
    return team.id as string;
  };

  it('refuses a push removing 5 of 21 members (over 20%), writing nothing, audited as REJECTED, on a dry run too; lets it through with allowLargeRemoval', async () => {
    const groupId = 'okta-large';
    await large(groupId, 'Large Team');
    await stack.resetCounts();
    const members = ids(0, 16);
    for (const dryRun of [true, false]) {
      const refused = await push({ groupId, displayName: 'Large Team', members, dryRun });
      expect(refused.userErrors).toEqual([{ code: 'LARGE_REMOVAL_REFUSED', field: ['input', 'members'], message: expect.stringMatching(/remove 5 of the team's 21 members \(23\.8%\), more than the 20% allowed .*allowLargeRemoval: true/) }]);
      expect(refused.plan).toEqual([]);
      expect(refused.dryRun).toBe(dryRun);
      const [event] = (await auditEvents(stack, { target: `group:${stack.rootOrgId}/${groupId}` })).nodes.filter((e) => e.attemptId === refused.auditId);
      expect(event).toMatchObject({ status: 'REJECTED', errorCode: 'LARGE_REMOVAL_REFUSED' });
    }
    expect((await stack.writes()).total).toBe(0);
    expect((await drift(groupId)).pushedMembers).toHaveLength(21);

    const allowed = await push({ groupId, displayName: 'Large Team', members, allowLargeRemoval: true });
    expect(allowed.userErrors).toEqual([]);
    expect(allowed.diff.removed).toHaveLength(5);
    expect((await stack.writes()).byRoute).toEqual({ 'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}': 5 });
    expect(await drift(groupId)).toMatchObject({ inSync: true });
  });

  it('lets through 4 of 21 (under the share), and any share of a team of 20 or fewer', async () => {
    await large('okta-below', 'Below Share');
    const below = await push({ groupId: 'okta-below', displayName: 'Below Share', members: ids(0, 17) });
    expect(below.userErrors).toEqual([]);
    expect(below.diff.removed).toHaveLength(4);
    await push({ groupId: 'okta-small', displayName: 'Small Team', members: ids(0, 20) });
    const small = await push({ groupId: 'okta-small', displayName: 'Small Team', members: [] });
    expect(small.userErrors).toEqual([]);
    expect(small.diff.removed).toHaveLength(20);
  });

  it('refuses a SCIM PUT or PATCH making such a removal with a 400 SCIM error that says how to let it through, writing nothing', async () => {
    const groupId = 'scim-large';
    await large(groupId, 'Scim Large');
    await stack.resetCounts();
    const put = await stack.scim('PUT', `/Groups/${groupId}`, { schemas: [GROUP_SCHEMA], displayName: 'Scim Large', members: ids(0, 10).map((value) => ({ value })) });
    expect(put.status).toBe(400);
    expect(put.body).toEqual({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.stringMatching(/^members: This would remove 11 of the team's 21 members .*GraphQL pushGroup and allowLargeRemoval: true/) });
    const replace = await stack.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: ids(0, 3).map((value) => ({ value })) }] });
    expect(replace.status).toBe(400);
    expect(replace.body.detail).toMatch(/remove 18 of the team's 21 members/);
    const remove = await stack.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: ids(0, 5).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })) });
    expect(remove.status).toBe(400);
    expect(remove.body.detail).toMatch(/remove 5 of the team's 21 members/);
    expect((await stack.writes()).total).toBe(0);
    // Below the share, a PATCH goes through.
    const few = await stack.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: ids(0, 4).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })) });
    expect(few.status, JSON.stringify(few.body)).toBe(204);
  });

  it('is set by PROVISIONING_MAX_REMOVAL_SHARE and PROVISIONING_LARGE_TEAM_MEMBERS', async () => {
    const other = await startScimStack({ CACHE_TTL_SECONDS: '0', PROVISIONING_MAX_REMOVAL_SHARE: '0.5', PROVISIONING_LARGE_TEAM_MEMBERS: '3' });
    try {
      const people = [];
      for (let i = 0; i < 4; i++) people.push(await createUserByHand(other, { username: uniqueName(`guard${i}`) }));
      const send = (members: string[]) => other.gql('provisioner', PUSH, { input: { groupId: 'tuned', displayName: 'Tuned', members } });
      expect((await send(people.map((p) => p.id))).data!.pushGroup.userErrors).toEqual([]);
      expect((await send([people[0]!.id])).data!.pushGroup.userErrors[0].code).toBe('LARGE_REMOVAL_REFUSED');
      expect((await send(people.slice(0, 2).map((p) => p.id))).data!.pushGroup.userErrors).toEqual([]);
    } finally {
      await other.close();
    }
  }, 60_000);
});

// Last: its group would show in the drifts listing above.
describe('drift causes', () => {
  it('names the admin who changed the team by hand in Anypoint as the cause', async () => {
    const groupId = 'okta-admin-rename';
    const { team } = await push({ groupId, displayName: 'Before Admin', members: ids(20, 22) });
    const admin = stack.store.users.get(stack.store.orgs.get(stack.rootOrgId)!.ownerId)!;
    const login = await fetch(`${stack.sim.url}/accounts/api/v2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: stack.sim.sim.demoApp.clientId, client_secret: stack.sim.sim.demoApp.clientSecret, username: admin.username, password: DEMO_USER_PASSWORD }),
    });
    const session = ((await login.json()) as { access_token: string }).access_token;
    expect((await stack.sim.send('PATCH', `${orgPath()}/teams/${team.id}`, session, { team_name: 'After Admin' })).status).toBeLessThan(300);
    const now = await drift(groupId);
    const renamed = (now.items as Item[]).find((i) => i.kind === 'TEAM_RENAMED')!;
    expect(renamed.cause).toMatchObject({ actor: admin.username, source: 'ANYPOINT' });
  });
});
