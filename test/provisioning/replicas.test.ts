import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { isolatedSchema } from '../audit/pg-schema.js';
import { resetCounts, setFaults } from '../anypoint/support.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { describeWithService, postgresAvailable, redisAvailable, REDIS_URL } from '../helpers/services.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import {
  AS_PROVISIONER,
  AUDIT_EVENTS,
  CREATE_USER,
  DEACTIVATE_USER,
  PROVISIONER_API_KEYS,
  PUSH_GROUP,
  ROUTES,
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
 * Two gateway replicas on one simulator, sharing Redis (read cache, locks, idempotency) and
 * PostgreSQL (audit trail, group links), as a scaled-out deployment runs. A write on one replica
 * must be visible at once on the other, pushes of one group must never overlap, and a retried
 * mutation must replay on whichever replica it lands.
 */

interface Payload {
  userErrors: Array<{ code: string }>;
  plan: PlannedWrite[];
  replayed: boolean;
  auditId: string | null;
  [field: string]: unknown;
}

const USERS = 'query { users(first: 500) { totalCount nodes { id username enabled } } }';
const USER = 'query($id: ID!) { user(id: $id) { id enabled } }';
const TEAM_MEMBERS = 'query($id: ID!) { team(id: $id) { id name members(first: 100) { totalCount nodes { user { username } } } } }';

describeWithService('gateway replicas sharing Redis', redisAvailable, () => {
  describeWithService('and PostgreSQL', postgresAvailable, () => {
    let h: SimHarness;
    let schema: Awaited<ReturnType<typeof isolatedSchema>>;
    let a: GatewayHarness;
    let b: GatewayHarness;

    beforeAll(async () => {
      h = await startSimHarness();
      schema = await isolatedSchema();
    });

    afterAll(async () => {
      await h?.close();
      await schema?.drop();
    });

    beforeEach(async () => {
      await setFaults(h, {});
      // A namespace per test: nothing cached by an earlier test can answer for this one.
      const env = {
        API_KEYS: PROVISIONER_API_KEYS,
        REDIS_URL,
        CACHE_NAMESPACE: `anypoint-graph-test-replicas-${randomUUID()}`,
        DATABASE_URL: schema.url,
        IDEMPOTENCY_TTL_SECONDS: '60',
      };
      a = await startGatewayFor(h, env);
      b = await startGatewayFor(h, env);
      await resetCounts(h);
    });

    afterEach(async () => {
      await setFaults(h, {});
      await Promise.all([a?.close(), b?.close()]);
    });

    async function mutate(gw: GatewayHarness, document: string, field: string, input: Record<string, unknown>): Promise<Payload> {
      const res = await gw.gql(document, { input }, AS_PROVISIONER);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return (res.data as Record<string, Payload>)[field]!;
    }

    async function read<T>(gw: GatewayHarness, query: string, variables?: Record<string, unknown>): Promise<T> {
      const res = await gw.gql<T>(query, variables);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data!;
    }

    /** Reads on `gw` twice: the second must be served from the shared cache (no upstream call). */
    async function warmed<T>(gw: GatewayHarness, query: string, variables?: Record<string, unknown>): Promise<T> {
      await read(gw, query, variables);
      const before = gw.calls.length;
      const value = await read<T>(gw, query, variables);
      expect(gw.calls.length, 'the repeated read should come from the cache').toBe(before);
      return value;
    }

    it('shows a user created on replica A in the next user listing on replica B, whose cache held the listing', async () => {
      type Users = { users: { totalCount: number; nodes: Array<{ username: string }> } };
      const username = uniqueName('RP_created');
      const before = await warmed<Users>(b, USERS);
      expect(before.users.nodes.map((u) => u.username)).not.toContain(username);

      const created = await mutate(a, CREATE_USER, 'createUser', newUserInput(username));
      expect(created.userErrors).toEqual([]);

      const after = await read<Users>(b, USERS);
      expect(after.users.nodes.map((u) => u.username)).toContain(username);
      expect(after.users.totalCount).toBe(before.users.totalCount + 1);
    });

    it('shows a user deactivated on replica A as disabled on replica B, whose cache held the user', async () => {
      type User = { user: { id: string; enabled: boolean } };
      const created = await mutate(a, CREATE_USER, 'createUser', newUserInput(uniqueName('RP_disabled')));
      const id = (created.user as { id: string }).id;
      expect((await warmed<User>(b, USER, { id })).user.enabled).toBe(true);

      const off = await mutate(a, DEACTIVATE_USER, 'deactivateUser', { id });
      expect(off.userErrors).toEqual([]);

      expect((await read<User>(b, USER, { id })).user.enabled).toBe(false);
    });

    it("shows members pushed on replica A in the team's member list on replica B, whose cache held the list", async () => {
      type Team = { team: { name: string; members: { totalCount: number; nodes: Array<{ user: { username: string } }> } } };
      const [m1, m2, m3] = seededUsernames(h, 3);
      const groupId = uniqueName('grp');
      const name = uniqueName('RP Team');
      const first = await mutate(a, PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: [m1] });
      const teamId = (first.team as { id: string }).id;
      expect((await warmed<Team>(b, TEAM_MEMBERS, { id: teamId })).team.members.nodes.map((n) => n.user.username)).toEqual([m1]);

      const second = await mutate(a, PUSH_GROUP, 'pushGroup', { groupId, displayName: `${name} renamed`, members: [m2, m3] });
      expect(second.userErrors).toEqual([]);

      const seen = await read<Team>(b, TEAM_MEMBERS, { id: teamId });
      expect(seen.team.name).toBe(`${name} renamed`);
      expect(seen.team.members.nodes.map((n) => n.user.username).sort()).toEqual([m2, m3].sort());
    });

    it('serializes two pushes of the same group sent at once to both replicas: one team, the last push wins whole, and the audited attempts do not overlap', async () => {
      // Latency makes each push take long enough for the two to overlap without the lock.
      await setFaults(h, { latency: { minMs: 20, maxMs: 20 } });
      const onA = seededUsernames(h, 3, 3);
      const onB = seededUsernames(h, 2, 6);
      const groupId = uniqueName('grp');
      const name = uniqueName('RP Contended');
      const target = `group:${h.sim.store.rootOrgId}/${groupId}`;

      const [fromA, fromB] = await Promise.all([
        mutate(a, PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: onA }),
        mutate(b, PUSH_GROUP, 'pushGroup', { groupId, displayName: name, members: onB }),
      ]);

      expect(fromA.userErrors).toEqual([]);
      expect(fromB.userErrors).toEqual([]);
      const teams = rootChildrenNamed(h, name);
      expect(teams).toHaveLength(1);
      expect((fromA.team as { id: string }).id).toBe(teams[0]!.team_id);
      expect((fromB.team as { id: string }).id).toBe(teams[0]!.team_id);
      // Exactly one CREATE_TEAM between the two plans: the second push found the first's team.
      expect([...fromA.plan, ...fromB.plan].filter((w) => w.action === 'CREATE_TEAM')).toHaveLength(1);

      const audit = await a.gql<{ auditEvents: { nodes: AuditNode[] } }>(AUDIT_EVENTS, { filter: { target }, first: 20 }, AS_PROVISIONER);
      expect(audit.errors).toBeUndefined();
      const records = audit.data!.auditEvents.nodes;
      expect(records.map((r) => r.kind)).toEqual(['INTENT', 'OUTCOME', 'INTENT', 'OUTCOME']);
      const [intent1, outcome1, intent2, outcome2] = records as [AuditNode, AuditNode, AuditNode, AuditNode];
      expect(outcome1.attemptId).toBe(intent1.attemptId);
      expect(outcome2.attemptId).toBe(intent2.attemptId);
      expect(intent2.attemptId).not.toBe(intent1.attemptId);
      expect([outcome1.status, outcome2.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      // The second attempt wrote its intent only once the first had recorded its outcome.
      expect(Date.parse(intent2.at)).toBeGreaterThanOrEqual(Date.parse(outcome1.at));
      expect(outcome1.durationMs).toBeGreaterThan(0);

      // The team holds exactly the members of the attempt that ran last.
      const lastRun = intent2.attemptId === fromA.auditId ? onA : onB;
      expect([fromA.auditId, fromB.auditId].sort()).toEqual([intent1.attemptId, intent2.attemptId].sort());
      expect(memberUsernames(h, teams[0]!.team_id)).toEqual([...lastRun].sort());
    });

    it('replays on replica B the outcome of a createUser sent to replica A with the same idempotencyKey, writing nothing', async () => {
      const username = uniqueName('RP_idem');
      const input = { ...newUserInput(username), idempotencyKey: `key-${randomUUID()}` };
      const first = await mutate(a, CREATE_USER, 'createUser', input);
      expect(first).toMatchObject({ userErrors: [], replayed: false });
      await resetCounts(h);

      const replay = await mutate(b, CREATE_USER, 'createUser', input);

      expect(replay.replayed).toBe(true);
      expect(replay.auditId).toBe(first.auditId);
      expect(replay.plan).toEqual(first.plan);
      expect((replay.user as { id: string }).id).toBe((first.user as { id: string }).id);
      expect(await writeCounts(h)).toEqual({});
      expect(usersNamed(h, username)).toHaveLength(1);

      // The same key with another input is refused on B too, still without a write.
      const reused = await mutate(b, CREATE_USER, 'createUser', { ...input, firstName: 'Other' });
      expect(reused.userErrors.map((e) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(await writeCounts(h)).toEqual({});
    });

    it('runs a createUser sent with one idempotencyKey to both replicas at once only once, the other replaying it', async () => {
      await setFaults(h, { latency: { minMs: 20, maxMs: 20 } });
      const username = uniqueName('RP_idem_race');
      const input = { ...newUserInput(username), idempotencyKey: `key-${randomUUID()}` };

      const results = await Promise.all([mutate(a, CREATE_USER, 'createUser', input), mutate(b, CREATE_USER, 'createUser', input)]);

      expect(results.map((r) => r.replayed).sort()).toEqual([false, true]);
      expect(results[0]!.auditId).toBe(results[1]!.auditId);
      expect(usersNamed(h, username)).toHaveLength(1);
      expect((await writeCounts(h))[`POST ${ROUTES.users}`]).toEqual({ '201': 1 });
    });
  });
});
