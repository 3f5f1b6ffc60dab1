import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../src/simulator/model.js';
import {
  ACTORS,
  MEMBER_ROUTE,
  PAYLOAD,
  TEAM_ROUTE,
  TEAMS_ROUTE,
  USERS_ROUTE,
  auditEvents,
  createTeamByHand,
  putMemberByHand,
  startProvisioningStack,
  uniqueName,
  type ProvisioningStack,
} from './support.js';

/**
 * Identity-provider group pushes end to end: a real gateway over HTTP against the simulator, the
 * resulting teams and memberships read from the simulator's store, upstream writes counted there.
 */

const USER = 'id username';
const PUSH = `mutation($input: PushGroupInput!) { pushGroup(input: $input) { ${PAYLOAD}
  team { id name parent { id } }
  diff { added { ${USER} } removed { ${USER} } unchanged { ${USER} } skipped { member reason } keptMaintainers { ${USER} } } } }`;
const DELETE = `mutation($input: DeleteGroupInput!) { deleteGroup(input: $input) { ${PAYLOAD} deletedTeamId team { id name } } }`;
const UNLINK = `mutation($input: UnlinkGroupInput!) { unlinkGroup(input: $input) { ${PAYLOAD} team { id name } } }`;

let stack: ProvisioningStack;
/** Enabled users of the root organization (not its owner). */
let people: UserRecord[];
let disabled: UserRecord;

beforeAll(async () => {
  stack = await startProvisioningStack();
  people = stack.store.usersOf(stack.rootOrgId).filter((u) => u.enabled && u.username !== 'acme_admin');
  disabled = stack.store.usersOf(stack.rootOrgId).find((u) => !u.enabled)!;
  expect(people.length).toBeGreaterThanOrEqual(12);
  expect(disabled).toBeDefined();
});
afterAll(() => stack?.close());
beforeEach(() => stack.resetCounts());

async function mutate(query: string, input: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any> {
  const res = await stack.gql('provisioner', query, { input }, headers);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.status).toBe(200);
  return Object.values(res.data!)[0];
}

const push = (input: Record<string, unknown>) => mutate(PUSH, input);

/** userId -> membership type, as the platform holds it. */
const membersOf = (teamId: string) => new Map([...stack.store.membersOf(teamId).values()].map((m) => [m.userId, m.membership_type]));
const memberIds = (teamId: string) => [...membersOf(teamId).keys()].sort();
const rootChildrenNamed = (name: string) => [...stack.store.teams.values()].filter((t) => t.parentId === stack.rootTeamId && t.team_name === name);
const ids = (users: Array<{ id: string }>) => users.map((u) => u.id).sort();
const steps = (payload: any) => payload.plan.map((w: any) => [w.action, w.status]);
const groupTarget = (groupId: string) => `group:${stack.rootOrgId}/${groupId}`;

describe('pushGroup', () => {
  it('creates a child of the root team named after the group, with exactly the listed members (by username and by id)', async () => {
    const groupId = uniqueName('g_create');
    const [a, b] = people as [UserRecord, UserRecord];
    const payload = await push({ groupId, displayName: 'Okta Engineering', members: [a.username, b.id] });

    expect(payload.userErrors).toEqual([]);
    expect(steps(payload)).toEqual([
      ['CREATE_TEAM', 'APPLIED'],
      ['LINK_GROUP', 'APPLIED'],
      ['ADD_MEMBER', 'APPLIED'],
      ['ADD_MEMBER', 'APPLIED'],
    ]);
    // Only upstream writes carry request ids; the link is the gateway's own.
    expect(payload.plan.map((w: any) => w.requestIds.length)).toEqual([1, 0, 1, 1]);
    expect(payload.team).toMatchObject({ name: 'Okta Engineering', parent: { id: stack.rootTeamId } });
    expect(ids(payload.diff.added)).toEqual(ids([a, b]));
    expect(payload.diff).toMatchObject({ removed: [], unchanged: [], skipped: [], keptMaintainers: [] });

    const team = stack.store.teams.get(payload.team.id)!;
    expect(team).toMatchObject({ team_name: 'Okta Engineering', parentId: stack.rootTeamId, org_id: stack.rootOrgId });
    expect(membersOf(team.team_id)).toEqual(new Map<string, string>([[a.id, 'member'], [b.id, 'member']]));
    expect(rootChildrenNamed('Okta Engineering')).toHaveLength(1);

    const writes = await stack.writes();
    expect(writes.byRoute).toEqual({ [`POST ${TEAMS_ROUTE}`]: 1, [`PUT ${MEMBER_ROUTE}`]: 2 });
  });

  it('skips members that do not exist or are disabled, reporting why, and never creates users', async () => {
    const groupId = uniqueName('g_skip');
    const [a] = people as [UserRecord];
    const usersBefore = stack.store.users.size;
    const missingId = '00000000-0000-4000-8000-000000000000';
    const payload = await push({ groupId, displayName: 'Skips', members: [a.username, 'no_such_user', disabled.username, missingId] });

    expect(payload.userErrors).toEqual([]);
    expect(payload.diff.skipped).toEqual([
      { member: 'no_such_user', reason: 'NOT_FOUND' },
      { member: disabled.username, reason: 'DISABLED' },
      { member: missingId, reason: 'NOT_FOUND' },
    ]);
    expect(ids(payload.diff.added)).toEqual([a.id]);
    expect(memberIds(payload.team.id)).toEqual([a.id]);
    expect(stack.store.users.size).toBe(usersBefore);
    const writes = await stack.writes();
    expect(writes.byRoute[`POST ${USERS_ROUTE}`]).toBeUndefined();
    expect(writes.byRoute[`PUT ${MEMBER_ROUTE}`]).toBe(1);
  });

  it('adds a user listed twice (by username and by id) once', async () => {
    const groupId = uniqueName('g_dup');
    const [a] = people.slice(9) as [UserRecord];
    const payload = await push({ groupId, displayName: 'Listed Twice', members: [a.username, a.id, a.username] });
    expect(steps(payload)).toEqual([
      ['CREATE_TEAM', 'APPLIED'],
      ['LINK_GROUP', 'APPLIED'],
      ['ADD_MEMBER', 'APPLIED'],
    ]);
    expect(ids(payload.diff.added)).toEqual([a.id]);
    expect(memberIds(payload.team.id)).toEqual([a.id]);
    expect((await stack.writes()).byRoute[`PUT ${MEMBER_ROUTE}`]).toBe(1);
  });

  it('makes no write and plans nothing when the same input is pushed again', async () => {
    const groupId = uniqueName('g_again');
    const input = { groupId, displayName: 'Pushed Twice', members: [people[0]!.username, people[1]!.username] };
    const first = await push(input);
    await stack.resetCounts();

    const again = await push(input);

    expect(again.userErrors).toEqual([]);
    expect(again.plan).toEqual([]);
    expect(again.team.id).toBe(first.team.id);
    expect(ids(again.diff.unchanged)).toEqual(ids([people[0]!, people[1]!]));
    expect(again.diff).toMatchObject({ added: [], removed: [], skipped: [], keptMaintainers: [] });
    expect((await stack.writes()).total).toBe(0);
  });

  it('removes a member who is no longer in the group, with one DELETE', async () => {
    const groupId = uniqueName('g_remove');
    const [a, b, c] = people as [UserRecord, UserRecord, UserRecord];
    const first = await push({ groupId, displayName: 'Shrinking', members: [a.username, b.username, c.username] });
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'Shrinking', members: [a.username, c.username] });

    expect(steps(payload)).toEqual([['REMOVE_MEMBER', 'APPLIED']]);
    expect(ids(payload.diff.removed)).toEqual([b.id]);
    expect(ids(payload.diff.unchanged)).toEqual(ids([a, c]));
    expect(memberIds(first.team.id)).toEqual(ids([a, c]));
    expect((await stack.writes()).byRoute).toEqual({ [`DELETE ${MEMBER_ROUTE}`]: 1 });
  });

  it('keeps a maintainer added by hand (reported in keptMaintainers) but removes a plain member added by hand', async () => {
    const groupId = uniqueName('g_maint');
    const [a, maintainer, member] = people.slice(3) as [UserRecord, UserRecord, UserRecord];
    const first = await push({ groupId, displayName: 'Maintained', members: [a.username] });
    await putMemberByHand(stack, first.team.id, maintainer.id, 'maintainer');
    await putMemberByHand(stack, first.team.id, member.id, 'member');
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'Maintained', members: [a.username] });

    expect(ids(payload.diff.keptMaintainers)).toEqual([maintainer.id]);
    expect(ids(payload.diff.removed)).toEqual([member.id]);
    expect(steps(payload)).toEqual([['REMOVE_MEMBER', 'APPLIED']]);
    expect(membersOf(first.team.id)).toEqual(new Map<string, string>([[a.id, 'member'], [maintainer.id, 'maintainer']]));
    expect((await stack.writes()).byRoute).toEqual({ [`DELETE ${MEMBER_ROUTE}`]: 1 });
  });

  it('removes hand-added maintainers too when removeUnlistedMaintainers is true', async () => {
    const groupId = uniqueName('g_maint_rm');
    const [a, maintainer] = people.slice(6) as [UserRecord, UserRecord];
    const first = await push({ groupId, displayName: 'Strict', members: [a.username] });
    await putMemberByHand(stack, first.team.id, maintainer.id, 'maintainer');
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'Strict', members: [a.username], removeUnlistedMaintainers: true });

    expect(payload.diff.keptMaintainers).toEqual([]);
    expect(ids(payload.diff.removed)).toEqual([maintainer.id]);
    expect(memberIds(first.team.id)).toEqual([a.id]);
    expect((await stack.writes()).byRoute).toEqual({ [`DELETE ${MEMBER_ROUTE}`]: 1 });
  });

  it('renames the same team when the group is pushed under a new name, without a second team', async () => {
    const groupId = uniqueName('g_rename');
    const first = await push({ groupId, displayName: 'Before Rename', members: [people[0]!.username] });
    const teamsBefore = stack.store.teams.size;
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'After Rename', members: [people[0]!.username] });

    expect(payload.userErrors).toEqual([]);
    expect(steps(payload)).toEqual([['RENAME_TEAM', 'APPLIED']]);
    expect(payload.team).toMatchObject({ id: first.team.id, name: 'After Rename' });
    expect(stack.store.teams.get(first.team.id)!.team_name).toBe('After Rename');
    expect(stack.store.teams.size).toBe(teamsBefore);
    expect(rootChildrenNamed('Before Rename')).toHaveLength(0);
    expect(rootChildrenNamed('After Rename')).toHaveLength(1);
    expect((await stack.writes()).byRoute).toEqual({ [`PATCH ${TEAM_ROUTE}`]: 1 });
  });

  it('refuses a hand-made team of the same name under the root team with TEAM_EXISTS naming it, writing nothing and keeping its members, on a dry run too', async () => {
    const groupId = uniqueName('g_hand_made');
    const handMade = await createTeamByHand(stack, 'Made By Hand');
    const [a, stranger] = people.slice(8) as [UserRecord, UserRecord];
    await putMemberByHand(stack, handMade, stranger.id, 'member');
    await stack.resetCounts();

    for (const dryRun of [true, false]) {
      const payload = await push({ groupId, displayName: 'Made By Hand', members: [a.username], dryRun });
      expect(payload.userErrors).toEqual([{ code: 'TEAM_EXISTS', field: ['input', 'displayName'], message: expect.stringContaining('Made By Hand') }]);
      expect(payload.userErrors[0].message).toContain(handMade);
      expect(payload.userErrors[0].message).toContain('adoptExistingTeam');
      expect(payload.team).toBeNull();
      expect(payload.plan).toEqual([]);
    }
    expect(memberIds(handMade)).toEqual([stranger.id]);
    expect((await stack.writes()).total).toBe(0);
    const outcomes = (await auditEvents(stack, { target: groupTarget(groupId) })).nodes;
    expect(outcomes.map((e) => [e.kind, e.status, e.errorCode])).toEqual([
      ['OUTCOME', 'REJECTED', 'TEAM_EXISTS'],
      ['OUTCOME', 'REJECTED', 'TEAM_EXISTS'],
    ]);
  });

  it('adopts a hand-made team of the same name under the root team when told to (adoptExistingTeam), replacing its members', async () => {
    const groupId = uniqueName('g_adopt');
    const handMade = await createTeamByHand(stack, 'Adopt Me');
    const [a, stranger] = people.slice(8) as [UserRecord, UserRecord];
    await putMemberByHand(stack, handMade, stranger.id, 'member');
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'Adopt Me', members: [a.username], adoptExistingTeam: true });

    expect(payload.userErrors).toEqual([]);
    expect(payload.team.id).toBe(handMade);
    expect(steps(payload)).toEqual([
      ['LINK_GROUP', 'APPLIED'],
      ['ADD_MEMBER', 'APPLIED'],
      ['REMOVE_MEMBER', 'APPLIED'],
    ]);
    expect(rootChildrenNamed('Adopt Me')).toHaveLength(1);
    expect(memberIds(handMade)).toEqual([a.id]);
    const writes = await stack.writes();
    expect(writes.byRoute[`POST ${TEAMS_ROUTE}`]).toBeUndefined();

    // Linked now: the next push with the same input changes nothing.
    await stack.resetCounts();
    expect((await push({ groupId, displayName: 'Adopt Me', members: [a.username] })).plan).toEqual([]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses a name whose team is linked to another group with GROUP_NAME_CONFLICT, writing nothing', async () => {
    const owner = uniqueName('g_owner');
    const first = await push({ groupId: owner, displayName: 'Owned Team', members: [people[0]!.username] });
    await stack.resetCounts();

    const payload = await push({ groupId: uniqueName('g_intruder'), displayName: 'Owned Team', members: [people[1]!.username] });

    expect(payload.userErrors).toEqual([{ code: 'GROUP_NAME_CONFLICT', field: ['input', 'displayName'], message: expect.stringContaining(owner) }]);
    expect(payload.team).toBeNull();
    expect(payload.plan).toEqual([]);
    expect(rootChildrenNamed('Owned Team')).toHaveLength(1);
    expect(memberIds(first.team.id)).toEqual([people[0]!.id]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses renaming a group’s team to the name of another root child with GROUP_NAME_CONFLICT', async () => {
    const groupId = uniqueName('g_rename_conflict');
    const first = await push({ groupId, displayName: 'Rename Source', members: [] });
    await createTeamByHand(stack, 'Rename Target');
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'Rename Target', members: [] });

    expect(payload.userErrors).toEqual([{ code: 'GROUP_NAME_CONFLICT', field: ['input', 'displayName'], message: expect.any(String) }]);
    expect(stack.store.teams.get(first.team.id)!.team_name).toBe('Rename Source');
    expect((await stack.writes()).total).toBe(0);
  });

  it('returns the planned writes and diff of a new group on a dry run, writing nothing (not even the link)', async () => {
    const groupId = uniqueName('g_dry');
    const [a, b] = people as [UserRecord, UserRecord];
    const payload = await push({ groupId, displayName: 'Dry Group', members: [a.username, b.username, 'ghost'], dryRun: true });

    expect(payload.userErrors).toEqual([]);
    expect(payload.dryRun).toBe(true);
    expect(payload.team).toBeNull();
    expect(steps(payload)).toEqual([
      ['CREATE_TEAM', 'PLANNED'],
      ['LINK_GROUP', 'PLANNED'],
      ['ADD_MEMBER', 'PLANNED'],
      ['ADD_MEMBER', 'PLANNED'],
    ]);
    expect(payload.plan.every((w: any) => w.requestIds.length === 0)).toBe(true);
    expect(ids(payload.diff.added)).toEqual(ids([a, b]));
    expect(payload.diff.skipped).toEqual([{ member: 'ghost', reason: 'NOT_FOUND' }]);
    expect(rootChildrenNamed('Dry Group')).toHaveLength(0);
    expect((await stack.writes()).total).toBe(0);

    const real = await push({ groupId, displayName: 'Dry Group', members: [a.username] });
    expect(steps(real)[0]).toEqual(['CREATE_TEAM', 'APPLIED']);
  });

  it('previews a rename and membership change of an existing group on a dry run, writing nothing', async () => {
    const groupId = uniqueName('g_dry_existing');
    const [a, b] = people.slice(2) as [UserRecord, UserRecord];
    const first = await push({ groupId, displayName: 'Dry Existing', members: [a.username] });
    await stack.resetCounts();

    const payload = await push({ groupId, displayName: 'Dry Renamed', members: [b.username], dryRun: true });

    expect(steps(payload)).toEqual([
      ['RENAME_TEAM', 'PLANNED'],
      ['ADD_MEMBER', 'PLANNED'],
      ['REMOVE_MEMBER', 'PLANNED'],
    ]);
    expect(payload.team).toMatchObject({ id: first.team.id, name: 'Dry Renamed' });
    expect(stack.store.teams.get(first.team.id)!.team_name).toBe('Dry Existing');
    expect(memberIds(first.team.id)).toEqual([a.id]);
    expect((await stack.writes()).total).toBe(0);
  });

  it.each([
    { name: 'a blank groupId', input: { groupId: '  ', displayName: 'X', members: [] }, code: 'GROUP_ID_INVALID', field: 'groupId' },
    { name: 'a blank displayName', input: { groupId: 'g-blank-name', displayName: ' ', members: [] }, code: 'NAME_INVALID', field: 'displayName' },
    {
      name: 'an organization that does not exist',
      input: { groupId: 'g-no-org', displayName: 'X', members: [], organizationId: '00000000-0000-4000-8000-000000000000' },
      code: 'ORGANIZATION_NOT_FOUND',
      field: 'organizationId',
    },
  ])('refuses $name with $code and writes nothing', async ({ input, code, field }) => {
    const payload = await push(input);
    expect(payload.userErrors).toEqual([{ code, field: ['input', field], message: expect.any(String) }]);
    expect(payload.plan).toEqual([]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('audits a push against group:{orgId}/{groupId} with the caller as actor and the member writes’ request ids', async () => {
    const groupId = uniqueName('g_audit');
    const payload = await mutate(PUSH, { groupId, displayName: 'Audited Group', members: [people[0]!.username] }, { 'x-request-id': `push-${groupId}` });
    const events = (await auditEvents(stack, { target: groupTarget(groupId) })).nodes;
    expect(events.map((e) => [e.kind, e.action, e.actor, e.attemptId])).toEqual([
      ['INTENT', 'pushGroup', ACTORS.provisioner, payload.auditId],
      ['OUTCOME', 'pushGroup', ACTORS.provisioner, payload.auditId],
    ]);
    expect(events[1]!.status).toBe('SUCCEEDED');
    expect([...events[1]!.upstreamRequestIds].sort()).toEqual([`push-${groupId}.w1`, `push-${groupId}.w2`]);
    const sent = stack.gw.calls.filter((c) => c.requestId.startsWith(`push-${groupId}.w`)).map((c) => `${c.method} ${c.route}`).sort();
    expect(sent).toEqual([`POST ${TEAMS_ROUTE}`, `PUT ${MEMBER_ROUTE}`]);
  });
});

describe('deleteGroup and unlinkGroup', () => {
  it('deletes the group’s team and forgets the link, so a later push creates a new team', async () => {
    const groupId = uniqueName('g_delete');
    const first = await push({ groupId, displayName: 'Delete Me', members: [people[0]!.username] });
    await stack.resetCounts();

    const payload = await mutate(DELETE, { groupId });

    expect(payload.userErrors).toEqual([]);
    expect(payload.deletedTeamId).toBe(first.team.id);
    expect(payload.team).toBeNull();
    expect(steps(payload)).toEqual([
      ['DELETE_TEAM', 'APPLIED'],
      ['UNLINK_GROUP', 'APPLIED'],
    ]);
    expect(stack.store.teams.has(first.team.id)).toBe(false);
    expect((await stack.writes()).byRoute).toEqual({ [`DELETE ${TEAM_ROUTE}`]: 1 });

    await stack.resetCounts();
    const again = await push({ groupId, displayName: 'Delete Me', members: [people[0]!.username] });
    expect(steps(again)[0]).toEqual(['CREATE_TEAM', 'APPLIED']);
    expect(again.team.id).not.toBe(first.team.id);
    expect(rootChildrenNamed('Delete Me').map((t) => t.team_id)).toEqual([again.team.id]);
    expect((await stack.writes()).byRoute[`POST ${TEAMS_ROUTE}`]).toBe(1);
  });

  it('keeps the team but forgets the link with keepTeam: true', async () => {
    const groupId = uniqueName('g_keep');
    const [a] = people as [UserRecord];
    const first = await push({ groupId, displayName: 'Keep Me', members: [a.username] });
    await stack.resetCounts();

    const payload = await mutate(DELETE, { groupId, keepTeam: true });

    expect(payload.userErrors).toEqual([]);
    expect(payload.deletedTeamId).toBeNull();
    expect(payload.team).toMatchObject({ id: first.team.id, name: 'Keep Me' });
    expect(steps(payload)).toEqual([['UNLINK_GROUP', 'APPLIED']]);
    expect(stack.store.teams.has(first.team.id)).toBe(true);
    expect(memberIds(first.team.id)).toEqual([a.id]);
    expect((await stack.writes()).total).toBe(0);

    // The link is gone: deleting again finds nothing, and another group may now take the team
    // over, when it says so: the team is linked to no group, like one made by hand.
    expect((await mutate(DELETE, { groupId })).userErrors.map((e: any) => e.code)).toEqual(['GROUP_NOT_LINKED']);
    const next = uniqueName('g_keep_next');
    expect((await push({ groupId: next, displayName: 'Keep Me', members: [a.username] })).userErrors.map((e: any) => e.code)).toEqual(['TEAM_EXISTS']);
    const adopted = await push({ groupId: next, displayName: 'Keep Me', members: [a.username], adoptExistingTeam: true });
    expect(adopted.userErrors).toEqual([]);
    expect(adopted.team.id).toBe(first.team.id);
  });

  it('audits deleteGroup with keepTeam: true under the action deleteGroup, the mutation that was called', async () => {
    const groupId = uniqueName('g_keep_audit');
    await push({ groupId, displayName: 'Keep Audited', members: [] });
    const payload = await mutate(DELETE, { groupId, keepTeam: true });
    expect(payload.userErrors).toEqual([]);
    const events = (await auditEvents(stack, { target: groupTarget(groupId) })).nodes.filter((e) => e.attemptId === payload.auditId);
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.action)).toEqual(events.map(() => 'deleteGroup'));
  });

  it('unlinkGroup keeps the team and forgets the link', async () => {
    const groupId = uniqueName('g_unlink');
    const first = await push({ groupId, displayName: 'Unlink Me', members: [people[1]!.username] });
    await stack.resetCounts();

    const payload = await mutate(UNLINK, { groupId });

    expect(payload.userErrors).toEqual([]);
    expect(payload.team).toMatchObject({ id: first.team.id, name: 'Unlink Me' });
    expect(steps(payload)).toEqual([['UNLINK_GROUP', 'APPLIED']]);
    expect(stack.store.teams.has(first.team.id)).toBe(true);
    expect((await stack.writes()).total).toBe(0);
    expect((await mutate(UNLINK, { groupId })).userErrors.map((e: any) => e.code)).toEqual(['GROUP_NOT_LINKED']);
  });

  it('answers GROUP_NOT_LINKED for a group never pushed, writing nothing', async () => {
    const groupId = uniqueName('g_never');
    for (const query of [DELETE, UNLINK]) {
      const payload = await mutate(query, { groupId });
      expect(payload.userErrors).toEqual([{ code: 'GROUP_NOT_LINKED', field: ['input', 'groupId'], message: expect.stringContaining(groupId) }]);
      expect(payload.plan).toEqual([]);
    }
    expect((await stack.writes()).total).toBe(0);
  });

  it('refuses to delete a team that has child teams with TEAM_HAS_CHILDREN, keeping team and link', async () => {
    const groupId = uniqueName('g_parent');
    const first = await push({ groupId, displayName: 'Parent Team', members: [people[0]!.username] });
    const child = await createTeamByHand(stack, 'Child Team', first.team.id);
    await stack.resetCounts();

    const payload = await mutate(DELETE, { groupId });

    expect(payload.userErrors).toEqual([{ code: 'TEAM_HAS_CHILDREN', field: ['input', 'groupId'], message: expect.any(String) }]);
    expect(payload.deletedTeamId).toBeNull();
    expect(stack.store.teams.has(first.team.id)).toBe(true);
    expect(stack.store.teams.get(child)!.parentId).toBe(first.team.id);
    expect((await stack.writes()).total).toBe(0);
    // Still linked: the refusal did not forget the group.
    expect((await mutate(DELETE, { groupId })).userErrors.map((e: any) => e.code)).toEqual(['TEAM_HAS_CHILDREN']);
  });
});

describe('concurrent pushes of one group', () => {
  it('serializes five concurrent pushes: one team, whose members are exactly one input, each push seeing the previous one’s result', async () => {
    const groupId = uniqueName('g_concurrent');
    const displayName = 'Concurrent Group';
    const inputs = [0, 1, 2, 3, 4].map((i) => [people[i]!, people[i + 1]!, people[i + 6]!]);
    const asSet = (users: Array<{ id: string }>) => ids(users).join(',');
    await stack.resetCounts();

    const payloads = await Promise.all(inputs.map((members) => push({ groupId, displayName, members: members.map((u) => u.username) })));

    for (const payload of payloads) expect(payload.userErrors).toEqual([]);
    const teams = rootChildrenNamed(displayName);
    expect(teams).toHaveLength(1);
    const teamId = teams[0]!.team_id;
    expect(payloads.every((p) => p.team.id === teamId)).toBe(true);
    const final = memberIds(teamId).join(',');
    expect(inputs.map(asSet).filter((s) => s === final)).toHaveLength(1);

    // In the order the pushes finished (the audit trail's order), each one started from exactly
    // what the previous one left: the first from nothing, the last leaving the final state.
    const outcomes = (await auditEvents(stack, { target: groupTarget(groupId) })).nodes.filter((e) => e.kind === 'OUTCOME');
    expect(outcomes).toHaveLength(5);
    const ordered = outcomes.map((o) => payloads.findIndex((p) => p.auditId === o.attemptId));
    expect([...ordered].sort()).toEqual([0, 1, 2, 3, 4]);
    let previous = '';
    for (const index of ordered) {
      const { diff } = payloads[index];
      expect(asSet([...diff.unchanged, ...diff.removed])).toBe(previous);
      expect(asSet([...diff.unchanged, ...diff.added])).toBe(asSet(inputs[index]!));
      previous = asSet(inputs[index]!);
    }
    expect(previous).toBe(final);

    const writes = await stack.writes();
    expect(writes.byRoute[`POST ${TEAMS_ROUTE}`]).toBe(1);
    const added = payloads.reduce((n, p) => n + p.diff.added.length, 0);
    const removed = payloads.reduce((n, p) => n + p.diff.removed.length, 0);
    expect(writes.byRoute[`PUT ${MEMBER_ROUTE}`] ?? 0).toBe(added);
    expect(writes.byRoute[`DELETE ${MEMBER_ROUTE}`] ?? 0).toBe(removed);
  });
});

describe('reads after a push', () => {
  it('shows the new members and name in a later request, though the earlier read was cached', async () => {
    const groupId = uniqueName('g_cache');
    const [a, b] = people.slice(4) as [UserRecord, UserRecord];
    const first = await push({ groupId, displayName: 'Cached Team', members: [a.username] });
    const read = async () => {
      const res = await stack.gql<any>('reader', 'query($id: ID!) { team(id: $id) { name members { nodes { user { username } } } } }', { id: first.team.id });
      expect(res.errors).toBeUndefined();
      return { name: res.data.team.name, members: res.data.team.members.nodes.map((n: any) => n.user.username).sort() };
    };
    expect(await read()).toEqual({ name: 'Cached Team', members: [a.username] });
    await stack.resetCounts();
    expect(await read()).toEqual({ name: 'Cached Team', members: [a.username] });
    expect((await stack.upstream()).total).toBe(0);

    await push({ groupId, displayName: 'Cached Team Renamed', members: [a.username, b.username] });

    expect(await read()).toEqual({ name: 'Cached Team Renamed', members: [a.username, b.username].sort() });
  });
});
