import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnypointClient, type AnypointClient } from '../../src/anypoint/client.js';
import { createTeam, createUser, deleteTeam, deleteUser, putTeamMember, removeTeamMember, renameTeam, updateUser } from '../../src/anypoint/accounts-writes.js';
import { AnypointError } from '../../src/anypoint/errors.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/** The write calls provisioning is built on, against the simulator's platform rules. */
describe('Access Management writes', () => {
  let h: SimHarness;
  let client: AnypointClient;
  let orgId: string;

  beforeAll(async () => {
    h = await startSimHarness();
    orgId = h.sim.demoApp.orgId;
    client = createAnypointClient({ baseUrl: h.url, clientId: h.sim.demoApp.clientId, clientSecret: h.sim.demoApp.clientSecret, retryPolicy: { baseDelayMs: 1, maxDelayMs: 5 } });
  });
  afterAll(async () => {
    await client.close();
    await h.close();
  });

  it('creates a user who is enabled and a member of the root team, then updates and deletes it', async () => {
    const user = await createUser(client, orgId, { username: 'write_test_1', firstName: 'Wren', lastName: 'Tester', email: 'wren@example.test' });
    expect(user.enabled).toBe(true);
    const rootTeam = h.sim.store.rootTeamOf(orgId)!;
    expect(h.sim.store.membersOf(rootTeam.team_id).has(user.id)).toBe(true);
    const updated = await updateUser(client, orgId, user.id, { lastName: 'Renamed', enabled: false });
    expect(updated).toMatchObject({ lastName: 'Renamed', enabled: false });
    await deleteUser(client, orgId, user.id);
    expect(h.sim.store.liveUser(user.id)).toBeUndefined();
  });

  it('surfaces the platform rules as typed errors: a taken username is CONFLICT, a bad one BAD_REQUEST', async () => {
    const taken = h.sim.store.usersOf(orgId)[0]!.username;
    const conflict = await createUser(client, orgId, { username: taken, firstName: 'A', lastName: 'B', email: 'a@example.test' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(AnypointError);
    expect((conflict as AnypointError).code).toBe('CONFLICT');
    const invalid = await createUser(client, orgId, { username: 'has-dash', firstName: 'A', lastName: 'B', email: 'a@example.test' }).catch((e: unknown) => e);
    expect((invalid as AnypointError).code).toBe('BAD_REQUEST');
    expect((invalid as AnypointError).upstreamMessage).toMatch(/letters, digits and underscores/);
  });

  it('creates, renames and deletes a team, and adds and removes a member', async () => {
    const rootTeam = h.sim.store.rootTeamOf(orgId)!;
    const team = await createTeam(client, orgId, { team_name: 'Write Test Team', parent_team_id: rootTeam.team_id });
    expect(team.ancestor_team_ids).toEqual([rootTeam.team_id]);
    expect((await renameTeam(client, orgId, team.team_id, 'Write Test Team 2')).team_name).toBe('Write Test Team 2');
    const member = h.sim.store.usersOf(orgId)[1]!;
    await putTeamMember(client, orgId, team.team_id, member.id, 'maintainer');
    expect(h.sim.store.membersOf(team.team_id).get(member.id)?.membership_type).toBe('maintainer');
    await removeTeamMember(client, orgId, team.team_id, member.id);
    expect(h.sim.store.membersOf(team.team_id).has(member.id)).toBe(false);
    await deleteTeam(client, orgId, team.team_id);
    expect(h.sim.store.teams.has(team.team_id)).toBe(false);
  });

  it('reports a write whose response was lost as outcome unknown, without sending it twice', async () => {
    await fetch(`${h.url}/__sim/faults`, { method: 'PUT', body: JSON.stringify({ rules: [{ kind: 'drop', probability: 1, times: 1, method: 'POST', path: '/accounts/**/users' }] }) });
    await fetch(`${h.url}/__sim/counts`, { method: 'DELETE' });
    const error = await createUser(client, orgId, { username: 'write_test_lost', firstName: 'L', lastName: 'Ost', email: 'lost@example.test' }).catch((e: unknown) => e);
    expect((error as AnypointError).outcomeUnknown).toBe(true);
    // The platform committed it: reconciling means reading back, never re-sending.
    expect([...h.sim.store.users.values()].filter((u) => u.username === 'write_test_lost')).toHaveLength(1);
    const posts = (await h.counts()).routes.filter((r) => r.method === 'POST' && r.route.endsWith('/users'));
    expect(posts.reduce((n, r) => n + r.count, 0)).toBe(1);
  });
});
