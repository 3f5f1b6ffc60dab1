import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { USERNAME_ROUTE } from '../../src/provisioning/username-lookup.js';
import type { OrgRecord } from '../../src/simulator/model.js';
import { startGatewayFor } from '../helpers/gateway.js';
import {
  API_KEYS,
  KEYS,
  PAYLOAD,
  USER_FIELDS,
  USERS_ROUTE,
  auditEvents,
  createTeamByHand,
  createUserByHand,
  startProvisioningStack,
  uniqueName,
  type ProvisioningStack,
} from './support.js';

/**
 * A dry run is a promise about the real run: it refuses what the real run would refuse, and
 * answers with what the real run would answer, by one rule for every mutation (an existing entity
 * as the run leaves it; an entity the run would create is null). Real HTTP against the simulator.
 */

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateUserProfileInput!) { updateUserProfile(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const DEACTIVATE = `mutation($input: DeactivateUserInput!) { deactivateUser(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const REACTIVATE = `mutation($input: ReactivateUserInput!) { reactivateUser(input: $input) { ${PAYLOAD} user { ${USER_FIELDS} } } }`;
const CHANGE = `mutation($input: ChangeUsernameInput!) { changeUsername(input: $input) { ${PAYLOAD} previousUser { ${USER_FIELDS} } user { ${USER_FIELDS} } } }`;
const PUSH = `mutation($input: PushGroupInput!) { pushGroup(input: $input) { ${PAYLOAD} team { id name } } }`;

const LOOKUP = `GET ${USERNAME_ROUTE}`;

let stack: ProvisioningStack;
/** A business group under the root org: its users are not among those a root-org create reads. */
let group: OrgRecord;

beforeAll(async () => {
  stack = await startProvisioningStack();
  group = [...stack.store.orgs.values()].find((o) => o.parentId === stack.rootOrgId)!;
});
afterAll(() => stack?.close());
beforeEach(() => stack.resetCounts());

async function mutate(query: string, input: Record<string, unknown>): Promise<any> {
  const res = await stack.gql('provisioner', query, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return Object.values(res.data!)[0];
}

const profile = (username: string, extra: Record<string, unknown> = {}) => ({ username, firstName: 'Dry', lastName: 'Run', email: `${username.toLowerCase()}@example.com`, ...extra });
const codes = (payload: any) => payload.userErrors.map((e: any) => [e.code, e.field]);
const steps = (payload: any) => payload.plan.map((w: any) => [w.action, w.status]);

describe('a dry run checks what the real run checks', () => {
  it('refuses a username taken in another business group with USERNAME_TAKEN, like the real run, at the cost of one lookup and no write', async () => {
    const username = uniqueName('other_bg');
    await createUserByHand(stack, { username }, group.id);
    await stack.resetCounts();

    const dry = await mutate(CREATE, profile(username, { dryRun: true }));

    expect(codes(dry)).toEqual([['USERNAME_TAKEN', ['input', 'username']]]);
    expect(dry.plan).toEqual([]);
    expect(dry.user).toBeNull();
    const reads = (await stack.upstream()).byRoute;
    expect(reads[LOOKUP]).toBe(1);
    expect((await stack.writes()).total).toBe(0);
    const events = (await auditEvents(stack, { target: `user:${username}` })).nodes;
    expect(events.map((e) => [e.kind, e.status, e.errorCode])).toEqual([['OUTCOME', 'REJECTED', 'USERNAME_TAKEN']]);

    // The real run refuses it too: its one POST answers 409, and it needs no lookup for that.
    await stack.resetCounts();
    const real = await mutate(CREATE, profile(username));
    expect(codes(real)).toEqual([['USERNAME_TAKEN', ['input', 'username']]]);
    const calls = (await stack.upstream()).byRoute;
    expect(calls[LOOKUP]).toBeUndefined();
    expect(calls[`POST ${USERS_ROUTE}`]).toBe(1);
  });

  it('refuses the username of a deleted user on a dry run too', async () => {
    const username = uniqueName('dry_deleted');
    const gone = await createUserByHand(stack, { username });
    expect((await stack.sim.send('DELETE', `/accounts/api/organizations/${stack.rootOrgId}/users/${gone.id}`, await stack.simToken())).status).toBe(204);
    await stack.resetCounts();

    const dry = await mutate(CREATE, profile(username, { email: 'new.person@example.com', dryRun: true }));

    expect(codes(dry)).toEqual([['USERNAME_TAKEN', ['input', 'username']]]);
    expect((await stack.writes()).total).toBe(0);
  });

  it('plans a free username with one lookup, and the real run then creates it without one', async () => {
    const username = uniqueName('dry_free');
    const dry = await mutate(CREATE, profile(username, { dryRun: true }));
    expect(steps(dry)).toEqual([['CREATE_USER', 'PLANNED']]);
    expect((await stack.upstream()).byRoute[LOOKUP]).toBe(1);

    await stack.resetCounts();
    const real = await mutate(CREATE, profile(username));
    expect(steps(real)).toEqual([['CREATE_USER', 'APPLIED']]);
    expect((await stack.upstream()).byRoute[LOOKUP]).toBeUndefined();
  });

  it('refuses a new username taken in another business group on a changeUsername dry run, on newUsername as the real run does', async () => {
    const taken = uniqueName('chg_other_bg');
    await createUserByHand(stack, { username: taken }, group.id);
    const user = (await mutate(CREATE, profile(uniqueName('chg_src')))).user;

    const dry = await mutate(CHANGE, { id: user.id, newUsername: taken, dryRun: true });
    const real = await mutate(CHANGE, { id: user.id, newUsername: taken });

    expect(codes(dry)).toEqual([['USERNAME_TAKEN', ['input', 'newUsername']]]);
    expect(codes(real)).toEqual([['USERNAME_TAKEN', ['input', 'newUsername']]]);
    expect(stack.store.users.get(user.id)!.enabled).toBe(true);
  });
});

describe('a dry run answers by one rule for every mutation', () => {
  /** The fields of a user both answers must agree on (updatedAt and the like aside). */
  const shown = (user: any) => user && { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName, phoneNumber: user.phoneNumber, enabled: user.enabled };

  it('shows each existing user as the real run then leaves it, under its real id', async () => {
    const user = (await mutate(CREATE, profile(uniqueName('rule')))).user;
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['updateUserProfile', UPDATE, { id: user.id, firstName: 'Renamed', phoneNumber: '+1 555 0199' }],
      ['deactivateUser', DEACTIVATE, { id: user.id }],
      ['reactivateUser', REACTIVATE, { id: user.id }],
    ];
    for (const [name, query, input] of cases) {
      const dry = await mutate(query, { ...input, dryRun: true });
      const real = await mutate(query, input);
      expect(dry.dryRun, name).toBe(true);
      expect(shown(dry.user), name).toEqual(shown(real.user));
      expect(dry.user.id, name).toBe(user.id);
    }
  });

  it('answers null for a user the run would create, on createUser and changeUsername alike, and shows the old user of a rename disabled', async () => {
    const username = uniqueName('rule_new');
    const dryCreate = await mutate(CREATE, profile(username, { dryRun: true }));
    expect(dryCreate.user).toBeNull();
    expect(steps(dryCreate)).toEqual([['CREATE_USER', 'PLANNED']]);
    const created = (await mutate(CREATE, profile(username))).user;

    const newUsername = uniqueName('rule_renamed');
    const dry = await mutate(CHANGE, { id: created.id, newUsername, dryRun: true });
    const real = await mutate(CHANGE, { id: created.id, newUsername });
    expect(dry.user).toBeNull();
    expect(steps(dry)[0]).toEqual(['CREATE_USER', 'PLANNED']);
    expect(real.user).toMatchObject({ username: newUsername });
    expect(shown(dry.previousUser)).toEqual(shown(real.previousUser));
    expect(dry.previousUser.enabled).toBe(false);
  });

  it('shows an existing team as the push leaves it, and answers null for a team the push would create', async () => {
    const groupId = uniqueName('g_rule');
    const dryNew = await mutate(PUSH, { groupId, displayName: 'Rule Team', members: [], dryRun: true });
    expect(dryNew.team).toBeNull();
    expect(steps(dryNew)[0]).toEqual(['CREATE_TEAM', 'PLANNED']);
    await mutate(PUSH, { groupId, displayName: 'Rule Team', members: [] });

    const dry = await mutate(PUSH, { groupId, displayName: 'Rule Team Renamed', members: [], dryRun: true });
    const real = await mutate(PUSH, { groupId, displayName: 'Rule Team Renamed', members: [] });
    expect(dry.team).toEqual(real.team);
  });
});

describe('pushGroup after a restart between creating its team and linking it', () => {
  it('takes back the team its claim names, with no adoptExistingTeam, where a hand-made namesake is refused', async () => {
    // The state such a crash leaves: the team exists, no link names it, the claim (written before
    // the create was sent) says it is this group's.
    const groupId = uniqueName('g_resume');
    const teamId = await createTeamByHand(stack, 'Resume Me');
    const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-resume-'));
    const linksPath = join(dir, 'group-links.json');
    writeFileSync(linksPath, JSON.stringify({ links: [], claims: [{ orgId: stack.rootOrgId, groupId, teamName: 'Resume Me' }] }));
    await createTeamByHand(stack, 'Not Claimed');
    const restarted = await startGatewayFor(stack.sim, { API_KEYS, AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), GROUP_LINKS_PATH: linksPath });
    try {
      const push = async (input: Record<string, unknown>) => {
        const res = await restarted.gql(PUSH, { input }, { 'x-api-key': KEYS.provisioner });
        expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
        return (res.data as any).pushGroup;
      };
      await stack.resetCounts();

      const resumed = await push({ groupId, displayName: 'Resume Me', members: [] });
      expect(resumed.userErrors).toEqual([]);
      expect(resumed.team.id).toBe(teamId);
      expect(steps(resumed)).toEqual([['LINK_GROUP', 'APPLIED']]);
      expect((await stack.writes()).total).toBe(0);
      expect(JSON.parse(readFileSync(linksPath, 'utf8'))).toEqual({ links: [expect.objectContaining({ groupId, teamId })] });

      expect(codes(await push({ groupId: uniqueName('g_unclaimed'), displayName: 'Not Claimed', members: [] }))).toEqual([['TEAM_EXISTS', ['input', 'displayName']]]);
    } finally {
      await restarted.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
