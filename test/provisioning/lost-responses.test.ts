import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/simulator/faults.js';
import { resetCounts, setFaults } from '../anypoint/support.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import {
  AS_PROVISIONER,
  AUDIT_EVENTS,
  CHANGE_USERNAME,
  CREATE_USER,
  DEACTIVATE_USER,
  DELETE_GROUP,
  PATHS,
  PROVISIONER_API_KEYS,
  PUSH_GROUP,
  REACTIVATE_USER,
  ROUTES,
  UPDATE_USER_PROFILE,
  memberUsernames,
  newUserInput,
  rootChildrenNamed,
  seededUsernames,
  uniqueName,
  usersNamed,
  writeCounts,
  type AuditNode,
  type PlannedWrite,
} from './fixtures/provisioning-client.js';

/**
 * Lost responses, end to end: a real gateway provisions against the simulator over HTTP while the
 * simulator commits a write and then drops its response ('drop'), resets the connection before
 * handling the request ('reset'), or refuses it as rate limited (503). Whatever happens, the
 * platform must end up exactly as asked, with no duplicate, and the plan and the audit trail must
 * say what really happened.
 */

let h: SimHarness;
let gw: GatewayHarness;

beforeAll(async () => {
  h = await startSimHarness();
  gw = await startGatewayFor(h, { API_KEYS: PROVISIONER_API_KEYS });
});

afterAll(async () => {
  await gw?.close();
  await h?.close();
});

beforeEach(async () => {
  await setFaults(h, {});
  await resetCounts(h);
});

afterEach(async () => {
  await setFaults(h, {});
});

const drop = (method: string, path: string, times: number | undefined = 1): FaultRule => ({ kind: 'drop', probability: 1, method, path, ...(times ? { times } : {}) });

interface Payload {
  userErrors: Array<{ code: string }>;
  plan: PlannedWrite[];
  auditId: string | null;
  replayed: boolean;
  [field: string]: unknown;
}

/** Runs a mutation as the provisioner and returns its payload, failing on any GraphQL error. */
async function mutate(document: string, field: string, input: Record<string, unknown>): Promise<Payload> {
  const res = await gw.gql(document, { input }, AS_PROVISIONER);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const payload = (res.data as Record<string, Payload>)[field]!;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

/** The audit records of one attempt, oldest first. */
async function auditOf(attemptId: string, target: string): Promise<AuditNode[]> {
  const res = await gw.gql<{ auditEvents: { nodes: AuditNode[] } }>(AUDIT_EVENTS, { filter: { target }, first: 500 }, AS_PROVISIONER);
  expect(res.errors).toBeUndefined();
  return res.data!.auditEvents.nodes.filter((n) => n.attemptId === attemptId);
}

/** Asserts the attempt was audited as an intent followed by a SUCCEEDED outcome. */
async function expectSucceeded(payload: Payload, target: string): Promise<void> {
  expect(payload.auditId).toBeTruthy();
  const records = await auditOf(payload.auditId!, target);
  expect(records.map((r) => r.kind)).toEqual(['INTENT', 'OUTCOME']);
  expect(records[1]!.status).toBe('SUCCEEDED');
}

/** The one write of the plan with this action (and target, when given). */
function writeOf(payload: Payload, action: string, target?: string): PlannedWrite {
  const found = payload.plan.filter((w) => w.action === action && (target === undefined || w.target === target));
  expect(found, `${action} ${target ?? ''} in ${JSON.stringify(payload.plan)}`).toHaveLength(1);
  return found[0]!;
}

/** A user made through the gateway with no fault in the way; returns its id. */
async function createdUser(prefix: string): Promise<{ id: string; username: string }> {
  const username = uniqueName(prefix);
  const payload = await mutate(CREATE_USER, 'createUser', newUserInput(username));
  const user = payload.user as { id: string; username: string };
  expect(user.username).toBe(username);
  return user;
}

/** A group pushed with no fault in the way; returns its team id. */
async function pushedGroup(groupId: string, displayName: string, members: string[]): Promise<string> {
  const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName, members });
  return (payload.team as { id: string }).id;
}

describe('a lost response to a user write is reconciled by reading back, never by writing twice', () => {
  it('creates exactly one user when the create commits but its response is dropped', async () => {
    const username = uniqueName('LR_create');
    await setFaults(h, { rules: [drop('POST', PATHS.users)] });

    const payload = await mutate(CREATE_USER, 'createUser', newUserInput(username));

    const create = writeOf(payload, 'CREATE_USER');
    expect(create.status).toBe('RECONCILED');
    expect(create.requestIds).toHaveLength(1);
    expect(usersNamed(h, username)).toHaveLength(1);
    expect((payload.user as { id: string }).id).toBe(usersNamed(h, username)[0]!.id);
    expect((await writeCounts(h))[`POST ${ROUTES.users}`]).toEqual({ dropped: 1 });
    await expectSucceeded(payload, `user:${username}`);
  });

  it('creates exactly one user when every response to the create is dropped, because the first one committed', async () => {
    const username = uniqueName('LR_alldrop');
    await setFaults(h, { rules: [drop('POST', PATHS.users, undefined)] });

    const payload = await mutate(CREATE_USER, 'createUser', newUserInput(username));

    const create = writeOf(payload, 'CREATE_USER');
    expect(create.status).toBe('RECONCILED');
    expect(create.requestIds).toHaveLength(1);
    expect(usersNamed(h, username)).toHaveLength(1);
    expect((await writeCounts(h))[`POST ${ROUTES.users}`]).toEqual({ dropped: 1 });
    await expectSucceeded(payload, `user:${username}`);
  });

  it('updates the profile once when the PUT commits but its response is dropped', async () => {
    const user = await createdUser('LR_profile');
    await resetCounts(h);
    await setFaults(h, { rules: [drop('PUT', PATHS.user)] });

    const payload = await mutate(UPDATE_USER_PROFILE, 'updateUserProfile', { id: user.id, firstName: 'Renamed', phoneNumber: '+1 555 0100' });

    const update = writeOf(payload, 'UPDATE_USER');
    expect(update.status).toBe('RECONCILED');
    expect(update.requestIds).toHaveLength(1);
    const stored = h.sim.store.users.get(user.id)!;
    expect([stored.firstName, stored.lastName, stored.phoneNumber]).toEqual(['Renamed', 'Response', '+1 555 0100']);
    expect(payload.user).toMatchObject({ id: user.id, firstName: 'Renamed', phoneNumber: '+1 555 0100' });
    expect((await writeCounts(h))[`PUT ${ROUTES.user}`]).toEqual({ dropped: 1 });
    await expectSucceeded(payload, `user:${user.id}`);
  });

  it('deactivates and reactivates once each when their PUTs commit but the responses are dropped', async () => {
    const user = await createdUser('LR_enabled');
    await resetCounts(h);
    await setFaults(h, { rules: [drop('PUT', PATHS.user)] });

    const off = await mutate(DEACTIVATE_USER, 'deactivateUser', { id: user.id });
    expect(writeOf(off, 'DISABLE_USER')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
    expect(h.sim.store.users.get(user.id)!.enabled).toBe(false);
    expect(off.user).toEqual({ id: user.id, enabled: false });
    await expectSucceeded(off, `user:${user.id}`);

    await setFaults(h, { rules: [drop('PUT', PATHS.user)] });
    const on = await mutate(REACTIVATE_USER, 'reactivateUser', { id: user.id });
    expect(writeOf(on, 'ENABLE_USER')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
    expect(h.sim.store.users.get(user.id)!.enabled).toBe(true);
    expect(on.user).toEqual({ id: user.id, enabled: true });
    await expectSucceeded(on, `user:${user.id}`);

    expect((await writeCounts(h))[`PUT ${ROUTES.user}`]).toEqual({ dropped: 2 });
  });

  describe('changeUsername', () => {
    /** A user in a pushed team, ready to be renamed. */
    async function userInTeam() {
      const user = await createdUser('LR_rename');
      const teamName = uniqueName('LR Team');
      const teamId = await pushedGroup(uniqueName('grp'), teamName, [user.username]);
      await resetCounts(h);
      return { user, teamId, newUsername: uniqueName('LR_renamed') };
    }

    /** The rename's end state: one new user, in the team, enabled; the old one disabled. */
    function expectRenamed(old: { id: string }, teamId: string, newUsername: string) {
      const created = usersNamed(h, newUsername);
      expect(created).toHaveLength(1);
      expect(created[0]!.enabled).toBe(true);
      expect(h.sim.store.membersOf(teamId).get(created[0]!.id)?.membership_type).toBe('member');
      expect(h.sim.store.users.get(old.id)!.enabled).toBe(false);
    }

    it('creates the new user once when the create of the new user commits but its response is dropped', async () => {
      const { user, teamId, newUsername } = await userInTeam();
      await setFaults(h, { rules: [drop('POST', PATHS.users)] });

      const payload = await mutate(CHANGE_USERNAME, 'changeUsername', { id: user.id, newUsername });

      expect(writeOf(payload, 'CREATE_USER')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
      expect(writeOf(payload, 'ADD_MEMBER').status).toBe('APPLIED');
      expect(writeOf(payload, 'DISABLE_USER').status).toBe('APPLIED');
      expectRenamed(user, teamId, newUsername);
      expect(payload.user).toMatchObject({ id: usersNamed(h, newUsername)[0]!.id, username: newUsername, enabled: true });
      const writes = await writeCounts(h);
      expect(writes[`POST ${ROUTES.users}`]).toEqual({ dropped: 1 });
      expect(writes[`PUT ${ROUTES.member}`]).toEqual({ '201': 1 });
      expect(writes[`PUT ${ROUTES.user}`]).toEqual({ '200': 1 });
      await expectSucceeded(payload, `user:${user.id}`);
    });

    it('adds the new user to the team once when the membership PUT commits but its response is dropped', async () => {
      const { user, teamId, newUsername } = await userInTeam();
      await setFaults(h, { rules: [drop('PUT', PATHS.member)] });

      const payload = await mutate(CHANGE_USERNAME, 'changeUsername', { id: user.id, newUsername });

      expect(writeOf(payload, 'CREATE_USER').status).toBe('APPLIED');
      expect(writeOf(payload, 'ADD_MEMBER')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
      expect(writeOf(payload, 'DISABLE_USER').status).toBe('APPLIED');
      expectRenamed(user, teamId, newUsername);
      const writes = await writeCounts(h);
      expect(writes[`POST ${ROUTES.users}`]).toEqual({ '201': 1 });
      expect(writes[`PUT ${ROUTES.member}`]).toEqual({ dropped: 1 });
      await expectSucceeded(payload, `user:${user.id}`);
    });

    it('disables the old user once when the disabling PUT commits but its response is dropped', async () => {
      const { user, teamId, newUsername } = await userInTeam();
      await setFaults(h, { rules: [drop('PUT', PATHS.user)] });

      const payload = await mutate(CHANGE_USERNAME, 'changeUsername', { id: user.id, newUsername });

      expect(writeOf(payload, 'CREATE_USER').status).toBe('APPLIED');
      expect(writeOf(payload, 'ADD_MEMBER').status).toBe('APPLIED');
      expect(writeOf(payload, 'DISABLE_USER')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
      expectRenamed(user, teamId, newUsername);
      expect(payload.previousUser).toEqual({ id: user.id, username: user.username, enabled: false });
      expect((await writeCounts(h))[`PUT ${ROUTES.user}`]).toEqual({ dropped: 1 });
      await expectSucceeded(payload, `user:${user.id}`);
    });
  });
});

describe('a lost response to a team write is reconciled by reading back, never by writing twice', () => {
  it('creates exactly one team when the team create commits but its response is dropped', async () => {
    const [a, b] = seededUsernames(h, 2);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR Created');
    await setFaults(h, { rules: [drop('POST', PATHS.teams)] });

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: [a, b] });

    expect(writeOf(payload, 'CREATE_TEAM')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
    const teams = rootChildrenNamed(h, name);
    expect(teams).toHaveLength(1);
    expect(payload.team).toEqual({ id: teams[0]!.team_id, name });
    expect(memberUsernames(h, teams[0]!.team_id)).toEqual([a, b].sort());
    expect((await writeCounts(h))[`POST ${ROUTES.teams}`]).toEqual({ dropped: 1 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);

    // The link was made to the reconciled team: the next push finds it and changes nothing.
    await resetCounts(h);
    const again = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: [a, b] });
    expect(again.plan).toEqual([]);
    expect(await writeCounts(h)).toEqual({});
  });

  it('adds a member once when a membership PUT commits but its response is dropped', async () => {
    const members = seededUsernames(h, 4);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR Members');
    await setFaults(h, { rules: [drop('PUT', PATHS.member)] });

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members });

    const adds = payload.plan.filter((w) => w.action === 'ADD_MEMBER');
    expect(adds.map((w) => w.status).sort()).toEqual(['APPLIED', 'APPLIED', 'APPLIED', 'RECONCILED']);
    for (const add of adds) expect(add.requestIds).toHaveLength(1);
    const [team] = rootChildrenNamed(h, name);
    expect(memberUsernames(h, team!.team_id)).toEqual([...members].sort());
    expect((await writeCounts(h))[`PUT ${ROUTES.member}`]).toEqual({ '201': 3, dropped: 1 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);
  });

  it('removes a member once when a membership DELETE commits but its response is dropped', async () => {
    const [a, b, c] = seededUsernames(h, 3, 4);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR Removal');
    const teamId = await pushedGroup(groupId, name, [a!, b!, c!]);
    await resetCounts(h);
    await setFaults(h, { rules: [drop('DELETE', PATHS.member)] });

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: [a] });

    const removes = payload.plan.filter((w) => w.action === 'REMOVE_MEMBER');
    expect(removes.map((w) => w.status).sort()).toEqual(['APPLIED', 'RECONCILED']);
    for (const remove of removes) expect(remove.requestIds).toHaveLength(1);
    expect(memberUsernames(h, teamId)).toEqual([a]);
    expect((await writeCounts(h))[`DELETE ${ROUTES.member}`]).toEqual({ '204': 1, dropped: 1 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);
  });

  it('renames the team once when the rename commits but its response is dropped', async () => {
    const [a] = seededUsernames(h, 1, 7);
    const groupId = uniqueName('grp');
    const before = uniqueName('LR Before');
    const after = uniqueName('LR After');
    const teamId = await pushedGroup(groupId, before, [a!]);
    await resetCounts(h);
    await setFaults(h, { rules: [drop('PATCH', PATHS.team)] });

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: after, members: [a] });

    expect(writeOf(payload, 'RENAME_TEAM')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
    expect(payload.team).toEqual({ id: teamId, name: after });
    expect(h.sim.store.teams.get(teamId)!.team_name).toBe(after);
    expect(rootChildrenNamed(h, before)).toEqual([]);
    expect((await writeCounts(h))[`PATCH ${ROUTES.team}`]).toEqual({ dropped: 1 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);
  });

  it('deletes the team once when the team DELETE commits but its response is dropped, and forgets the link', async () => {
    const [a] = seededUsernames(h, 1, 8);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR Deleted');
    const teamId = await pushedGroup(groupId, name, [a!]);
    await resetCounts(h);
    await setFaults(h, { rules: [drop('DELETE', PATHS.team)] });

    const payload = await mutate(DELETE_GROUP, 'deleteGroup', { groupId });

    expect(writeOf(payload, 'DELETE_TEAM')).toMatchObject({ status: 'RECONCILED', requestIds: [expect.any(String)] });
    expect(writeOf(payload, 'UNLINK_GROUP').status).toBe('APPLIED');
    expect(payload.deletedTeamId).toBe(teamId);
    expect(h.sim.store.teams.has(teamId)).toBe(false);
    expect((await writeCounts(h))[`DELETE ${ROUTES.team}`]).toEqual({ dropped: 1 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);

    // The link is gone: deleting again is GROUP_NOT_LINKED, not a second DELETE.
    const res = await gw.gql(DELETE_GROUP, { input: { groupId } }, AS_PROVISIONER);
    expect((res.data as { deleteGroup: Payload }).deleteGroup.userErrors.map((e) => e.code)).toEqual(['GROUP_NOT_LINKED']);
  });
});

describe('a write that never reached the platform is sent again, only after reading back', () => {
  /** The upstream calls of one method and route the gateway made, in order, with where they sit in gw.calls. */
  const callsOf = (method: string, route: string) => gw.calls.map((c, i) => ({ ...c, index: i })).filter((c) => c.method === method && c.route === route);

  it('re-sends a user create whose connection was reset before it was handled, once the read-back shows no such user', async () => {
    const username = uniqueName('LR_reset');
    await setFaults(h, { rules: [{ kind: 'reset', probability: 1, method: 'POST', path: PATHS.users, times: 1 }] });
    gw.calls.length = 0;

    const payload = await mutate(CREATE_USER, 'createUser', newUserInput(username));

    const create = writeOf(payload, 'CREATE_USER');
    expect(create.status).toBe('APPLIED');
    expect(create.requestIds).toHaveLength(2);
    expect(new Set(create.requestIds).size).toBe(2);
    expect(usersNamed(h, username)).toHaveLength(1);
    expect((await writeCounts(h))[`POST ${ROUTES.users}`]).toEqual({ reset: 1, '201': 1 });
    // Order: the reset POST, then a read of the org's users, then the second POST.
    const posts = callsOf('POST', ROUTES.users);
    expect(posts.map((c) => c.requestId)).toEqual(create.requestIds);
    expect(posts.map((c) => c.status)).toEqual([null, 201]);
    const readBacks = callsOf('GET', ROUTES.users).filter((c) => c.index > posts[0]!.index && c.index < posts[1]!.index);
    expect(readBacks.length).toBeGreaterThan(0);
    expect(readBacks.every((c) => c.status === 200)).toBe(true);
    await expectSucceeded(payload, `user:${username}`);
  });

  it('re-sends a team create whose connection was reset before it was handled, and makes exactly one team', async () => {
    const [a] = seededUsernames(h, 1, 9);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR Reset');
    await setFaults(h, { rules: [{ kind: 'reset', probability: 1, method: 'POST', path: PATHS.teams, times: 1 }] });
    gw.calls.length = 0;

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: [a] });

    const create = writeOf(payload, 'CREATE_TEAM');
    expect(create.status).toBe('APPLIED');
    expect(create.requestIds).toHaveLength(2);
    const teams = rootChildrenNamed(h, name);
    expect(teams).toHaveLength(1);
    expect(memberUsernames(h, teams[0]!.team_id)).toEqual([a]);
    expect((await writeCounts(h))[`POST ${ROUTES.teams}`]).toEqual({ reset: 1, '201': 1 });
    const posts = callsOf('POST', ROUTES.teams);
    const readBacks = callsOf('GET', ROUTES.teams).filter((c) => c.index > posts[0]!.index && c.index < posts[1]!.index);
    expect(readBacks.length).toBeGreaterThan(0);
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);
  });

  it('re-sends a membership PUT whose connection was reset before it was handled', async () => {
    const members = seededUsernames(h, 3, 10);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR Reset Members');
    await setFaults(h, { rules: [{ kind: 'reset', probability: 1, method: 'PUT', path: PATHS.member, times: 1 }] });

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members });

    const adds = payload.plan.filter((w) => w.action === 'ADD_MEMBER');
    expect(adds.map((w) => w.status)).toEqual(['APPLIED', 'APPLIED', 'APPLIED']);
    expect(adds.map((w) => w.requestIds.length).sort()).toEqual([1, 1, 2]);
    const [team] = rootChildrenNamed(h, name);
    expect(memberUsernames(h, team!.team_id)).toEqual([...members].sort());
    expect((await writeCounts(h))[`PUT ${ROUTES.member}`]).toEqual({ reset: 1, '201': 3 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);
  });
});

describe('a write the platform refused as rate limited', () => {
  it('is retried by the client after the requested wait (503) and applied once', async () => {
    const username = uniqueName('LR_503');
    await setFaults(h, { rules: [{ kind: '503', probability: 1, method: 'POST', path: PATHS.users, times: 1 }] });
    const started = performance.now();

    const payload = await mutate(CREATE_USER, 'createUser', newUserInput(username));

    // The simulator asks for Retry-After: 1.
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    const create = writeOf(payload, 'CREATE_USER');
    expect(create).toMatchObject({ status: 'APPLIED', requestIds: [expect.any(String)] });
    expect(usersNamed(h, username)).toHaveLength(1);
    expect((await writeCounts(h))[`POST ${ROUTES.users}`]).toEqual({ '503': 1, '201': 1 });
    await expectSucceeded(payload, `user:${username}`);
  });

  it('is retried by the client after the requested wait (429) and applied once', async () => {
    const members = seededUsernames(h, 2, 13);
    const groupId = uniqueName('grp');
    const name = uniqueName('LR 429');
    await setFaults(h, { rules: [{ kind: '429', probability: 1, method: 'POST', path: PATHS.teams, times: 1 }] });

    const payload = await mutate(PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members });

    expect(writeOf(payload, 'CREATE_TEAM')).toMatchObject({ status: 'APPLIED', requestIds: [expect.any(String)] });
    expect(rootChildrenNamed(h, name)).toHaveLength(1);
    expect((await writeCounts(h))[`POST ${ROUTES.teams}`]).toEqual({ '429': 1, '201': 1 });
    await expectSucceeded(payload, `group:${h.sim.store.rootOrgId}/${groupId}`);
  });
});

describe('a lost response whose read-back fails too', () => {
  it('does not send the team create again without knowing whether it took effect, and a re-run adopts the team', async () => {
    // One attempt per upstream call, so a single injected 500 makes the read-back fail.
    const single = await startGatewayFor(h, { API_KEYS: PROVISIONER_API_KEYS, ANYPOINT_MAX_ATTEMPTS: '1' });
    try {
      const [a] = seededUsernames(h, 1, 15);
      const groupId = uniqueName('grp');
      const name = uniqueName('LR Unverified');
      const latency = { minMs: 10, maxMs: 10 };
      await setFaults(h, { latency, rules: [drop('POST', PATHS.teams)] });
      // As soon as the create has committed (its response is being dropped), the next read of
      // the teams (the read-back) gets a 500.
      const broken = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (rootChildrenNamed(h, name).length === 0) return;
          clearInterval(poll);
          h.sim.faults.set({ latency, rules: [{ kind: '500', probability: 1, method: 'GET', path: PATHS.teams, times: 1 }] });
          resolve();
        }, 1);
      });

      const res = await single.gql(PUSH_GROUP, { input: { groupId, displayName: name, members: [a] } }, AS_PROVISIONER);
      await broken;

      expect(rootChildrenNamed(h, name)).toHaveLength(1);
      // Whatever the mutation reports, the create must have been sent once: its outcome was
      // unknown, and no read-back showed it absent.
      expect((await writeCounts(h))[`POST ${ROUTES.teams}`], JSON.stringify(res)).toEqual({ dropped: 1 });
      // The outcome stays unknown, so the mutation fails (a platform failure, not the caller's) and is audited so.
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
      const trail = await single.gql<{ auditEvents: { nodes: AuditNode[] } }>(AUDIT_EVENTS, { filter: { target: `group:${h.sim.store.rootOrgId}/${groupId}` }, first: 10 }, AS_PROVISIONER);
      const outcome = trail.data!.auditEvents.nodes.find((n) => n.kind === 'OUTCOME');
      expect(outcome?.status).toBe('FAILED');
      expect(outcome?.plan).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'CREATE_TEAM', status: 'FAILED' })]));

      await setFaults(h, {});
      const rerun = await single.gql(PUSH_GROUP, { input: { groupId, displayName: name, members: [a] } }, AS_PROVISIONER);
      const again = (rerun.data as { pushGroup: Payload }).pushGroup;
      expect(again.userErrors).toEqual([]);
      expect(again.plan.some((w) => w.action === 'CREATE_TEAM')).toBe(false);
      expect(rootChildrenNamed(h, name)).toHaveLength(1);
      expect(memberUsernames(h, rootChildrenNamed(h, name)[0]!.team_id)).toEqual([a]);
    } finally {
      await single.close();
    }
  });
});
