import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetCounts } from '../anypoint/support.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { spawnGateway, type GatewayProcess } from './fixtures/gateway-process.js';
import { AS_PROVISIONER, AUDIT_EVENTS, PROVISIONER_API_KEYS, PUSH_GROUP, ROUTES, rootChildrenNamed, writeCounts, type AuditNode, type PlannedWrite } from './fixtures/provisioning-client.js';

/**
 * The crash test: a gateway process is SIGKILLed in the middle of pushing a 500-member group.
 * The next start must report the interrupted attempt, and re-running the push must converge on
 * exactly the group, with no second team, writing only what is still missing.
 */

const GROUP_SIZE = 500;

let h: SimHarness;
let dataDir: string;
let gateway: GatewayProcess | undefined;

/** 500 enabled users of the root org, put straight into the simulator's store (members of its root team, as the platform makes them). */
function seedUsers(count: number): Array<{ id: string; username: string }> {
  const store = h.sim.store;
  const rootTeam = store.rootTeamOf(store.rootOrgId)!;
  const now = new Date().toISOString();
  const seeded: Array<{ id: string; username: string }> = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const username = `SK_member_${String(i).padStart(3, '0')}`;
    store.users.set(id, {
      id,
      username,
      firstName: 'Crash',
      lastName: `Member${i}`,
      email: `${username.toLowerCase()}@example.com`,
      phoneNumber: null,
      organizationId: store.rootOrgId,
      enabled: true,
      deleted: false,
      type: 'host',
      idprovider_id: 'mulesoft',
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
      password: randomUUID(),
    });
    store.usernamesEverUsed.add(username);
    store.membersOf(rootTeam.team_id).set(id, { teamId: rootTeam.team_id, userId: id, membership_type: 'member', is_assigned_via_external_groups: false, created_at: now, updated_at: now });
    seeded.push({ id, username });
  }
  return seeded;
}

const gatewayEnv = () => ({
  ANYPOINT_BASE_URL: h.url,
  ANYPOINT_CLIENT_ID: h.sim.demoApp.clientId,
  ANYPOINT_CLIENT_SECRET: h.sim.demoApp.clientSecret,
  ANYPOINT_ORG_ID: h.sim.demoApp.orgId,
  API_KEYS: PROVISIONER_API_KEYS,
  AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
  GROUP_LINKS_PATH: join(dataDir, 'group-links.json'),
  // Few connections, so the push takes long enough to be killed halfway.
  ANYPOINT_MAX_CONNECTIONS: '4',
});

beforeAll(async () => {
  h = await startSimHarness({ latency: { minMs: 10, maxMs: 20 } });
  dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-sigkill-'));
});

afterAll(async () => {
  await gateway?.kill();
  await h?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a gateway killed with SIGKILL in the middle of a 500-member group push', () => {
  it('reports the interrupted attempt at the next start, and re-running the push converges with no duplicate and then writes nothing', async () => {
    const members = seedUsers(GROUP_SIZE);
    const groupId = `okta-${randomUUID()}`;
    const displayName = `Crash Test ${randomUUID().slice(0, 8)}`;
    const input = { groupId, displayName, members: members.map((m) => m.username) };

    // 1. Start the push and kill the process once 50 or more members were added.
    gateway = await spawnGateway(gatewayEnv());
    const first = gateway;
    const push = first.gql(PUSH_GROUP, { input }, AS_PROVISIONER).then(
      () => 'answered',
      () => 'connection lost',
    );
    const addedSoFar = () => {
      const [team] = rootChildrenNamed(h, displayName);
      return team ? h.sim.store.membersOf(team.team_id).size : 0;
    };
    const deadline = Date.now() + 30_000;
    while (addedSoFar() < 50) {
      expect(Date.now(), 'the push did not reach 50 members within 30 s').toBeLessThan(deadline);
      await sleep(2);
    }
    await first.kill();
    expect(await push).toBe('connection lost');
    // Requests already inside the simulator may still land; let them.
    await sleep(200);

    const teams = rootChildrenNamed(h, displayName);
    expect(teams).toHaveLength(1);
    const teamId = teams[0]!.team_id;
    const addedBeforeRestart = h.sim.store.membersOf(teamId).size;
    expect(addedBeforeRestart).toBeGreaterThanOrEqual(50);
    expect(addedBeforeRestart).toBeLessThan(GROUP_SIZE);

    // The killed process wrote its intent before its first write, and no outcome.
    const records = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { attemptId: string; kind: string; action: string });
    const intents = records.filter((r) => r.kind === 'intent' && r.action === 'pushGroup');
    expect(intents).toHaveLength(1);
    const attemptId = intents[0]!.attemptId;
    expect(records.filter((r) => r.attemptId === attemptId).map((r) => r.kind)).toEqual(['intent']);

    // 2. Restart on the same files: the attempt is reported as interrupted, on stderr and in the trail.
    gateway = await spawnGateway(gatewayEnv());
    const second = gateway;
    const warnings = second.stderr().split('\n').filter((line) => line.includes('interrupted'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn' });
    expect(warnings[0]).toContain(attemptId);
    expect(warnings[0]).toContain(`group:${h.sim.store.rootOrgId}/${groupId}`);

    const audit = await second.gql<{ auditEvents: { nodes: AuditNode[] } }>(AUDIT_EVENTS, { filter: { action: 'pushGroup' }, first: 50 }, AS_PROVISIONER);
    expect(audit.errors).toBeUndefined();
    const attempt = audit.data!.auditEvents.nodes.filter((n) => n.attemptId === attemptId);
    expect(attempt.map((n) => [n.kind, n.status])).toEqual([
      ['INTENT', null],
      ['INTERRUPTED', 'INTERRUPTED'],
    ]);
    expect(attempt[1]!.errorCode).toBe('INTERRUPTED');

    // 3. Re-run the same push: only the missing members are added, to the same team.
    await resetCounts(h);
    const rerun = await second.gql<{ pushGroup: { userErrors: unknown[]; plan: PlannedWrite[]; team: { id: string } } }>(PUSH_GROUP, { input }, AS_PROVISIONER);
    expect(rerun.errors).toBeUndefined();
    const payload = rerun.data!.pushGroup;
    expect(payload.userErrors).toEqual([]);
    expect(payload.team.id).toBe(teamId);
    expect(new Set(payload.plan.map((w) => w.action))).toEqual(new Set(['ADD_MEMBER']));
    expect(payload.plan).toHaveLength(GROUP_SIZE - addedBeforeRestart);
    expect(payload.plan.every((w) => w.status === 'APPLIED')).toBe(true);
    expect(rootChildrenNamed(h, displayName)).toHaveLength(1);
    expect(new Set(h.sim.store.membersOf(teamId).keys())).toEqual(new Set(members.map((m) => m.id)));
    const writes = await writeCounts(h);
    expect(Object.keys(writes)).toEqual([`PUT ${ROUTES.member}`]);
    expect(writes[`PUT ${ROUTES.member}`]).toEqual({ '201': GROUP_SIZE - addedBeforeRestart });

    // 4. A third run has nothing left to do.
    await resetCounts(h);
    const third = await second.gql<{ pushGroup: { userErrors: unknown[]; plan: PlannedWrite[] } }>(PUSH_GROUP, { input }, AS_PROVISIONER);
    expect(third.data!.pushGroup).toMatchObject({ userErrors: [], plan: [] });
    expect(await writeCounts(h)).toEqual({});

    expect(await second.stop()).toBe(0);
  }, 60_000);
});
