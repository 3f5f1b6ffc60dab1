import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isolatedSchema } from '../audit/pg-schema.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { resetCounts, setFaults } from '../anypoint/support.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { describeWithService, postgresAvailable } from '../helpers/services.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { serveFailure, spawnGateway } from './fixtures/gateway-process.js';
import {
  AS_PROVISIONER,
  AUDIT_EVENTS,
  CREATE_USER,
  PROVISIONER_API_KEYS,
  PROVISIONER_KEY,
  PUSH_GROUP,
  memberUsernames,
  rootChildrenNamed,
  seededUsernames,
  uniqueName,
  usersNamed,
  writeCounts,
  type AuditNode,
  type PlannedWrite,
} from './fixtures/provisioning-client.js';

/**
 * The audit trail and the group links through a real gateway, on each backend: the JSON Lines
 * file and PostgreSQL. What a mutation did must be there (intent, then outcome), secrets must not,
 * the links must outlive the process, and a trail that cannot be written must stop every write.
 */

interface FileRecord {
  id: string;
  attemptId: string;
  kind: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  instanceId: string;
  input?: Record<string, unknown>;
  plan?: PlannedWrite[];
  upstreamRequestIds?: string[];
  status?: string;
  result?: unknown;
}

interface CreateUserPayload {
  userErrors: unknown[];
  plan: PlannedWrite[];
  auditId: string;
  user: { id: string; username: string };
}

// Distinctive, so its digits cannot turn up in the trail by chance.
const PHONE = '+44 7700 900731';

let h: SimHarness;
const dirs: string[] = [];

beforeAll(async () => {
  h = await startSimHarness();
});

afterAll(async () => {
  await h?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => resetCounts(h));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-audit-backends-'));
  dirs.push(dir);
  return dir;
}

async function createUser(gw: Pick<GatewayHarness, 'gql'>, username: string): Promise<CreateUserPayload> {
  const input = { username, firstName: 'Audit', lastName: 'Trail', email: `${username.toLowerCase()}@example.com`, phoneNumber: PHONE };
  const res = await gw.gql<{ createUser: CreateUserPayload }>(CREATE_USER, { input }, AS_PROVISIONER);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data!.createUser.userErrors).toEqual([]);
  return res.data!.createUser;
}

/** The secrets the trail must never hold, with what they are. */
const secrets = () => ({
  'the API key': PROVISIONER_KEY,
  'the client secret': h.sim.demoApp.clientSecret,
  'the phone number': '7700 900731',
  'the phone number digits': '7700900731',
});

function expectNoSecrets(text: string): void {
  for (const [what, secret] of Object.entries(secrets())) expect(text.includes(secret), `${what} is in the audit trail`).toBe(false);
  // The throwaway password the gateway sends on create never reaches the trail either.
  expect(text).not.toMatch(/"password"\s*:\s*"(?!\[REDACTED\])/);
}

/** The intent-then-outcome pair of a createUser, as every backend must hold it. */
function expectIntentThenOutcome(records: FileRecord[], payload: CreateUserPayload, username: string): void {
  const attempt = records.filter((r) => r.attemptId === payload.auditId);
  expect(attempt.map((r) => r.kind)).toEqual(['intent', 'outcome']);
  const [intent, outcome] = attempt as [FileRecord, FileRecord];
  for (const record of attempt) expect(record).toMatchObject({ actor: 'key:idp', action: 'createUser', target: `user:${username}` });
  expect(intent.plan).toEqual([expect.objectContaining({ action: 'CREATE_USER', status: 'PLANNED' })]);
  expect(outcome.status).toBe('SUCCEEDED');
  expect(outcome.plan).toEqual([expect.objectContaining({ action: 'CREATE_USER', status: 'APPLIED' })]);
  expect(outcome.upstreamRequestIds).toEqual(payload.plan[0]!.requestIds);
  expect(outcome.result).toEqual({ id: payload.user.id, username });
  expect(Date.parse(outcome.at)).toBeGreaterThanOrEqual(Date.parse(intent.at));
  expect(intent.input).toMatchObject({ username, phoneNumber: '•••••31' });
}

/** Order, totalCount and a cursor used in both orders through GraphQL, on the gateway's backend. */
const ORDERED = `query($filter: AuditEventFilter, $first: Int, $after: String, $order: AuditEventOrder) {
  auditEvents(filter: $filter, first: $first, after: $after, order: $order) { totalCount pageInfo { hasNextPage endCursor } nodes { kind attemptId } }
}`;
async function expectOrderedPages(gw: Pick<GatewayHarness, 'gql'>, username: string, payload: CreateUserPayload): Promise<void> {
  type Page = { auditEvents: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<{ kind: string; attemptId: string }> } };
  const page = async (variables: Record<string, unknown>) => {
    const res = await gw.gql<Page>(ORDERED, { filter: { target: `user:${username}` }, ...variables }, AS_PROVISIONER);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.auditEvents;
  };
  const newest = await page({ order: 'NEWEST_FIRST', first: 1 });
  expect(newest).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ kind: 'OUTCOME', attemptId: payload.auditId }] });
  const older = await page({ order: 'NEWEST_FIRST', first: 1, after: newest.pageInfo.endCursor });
  expect(older).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, nodes: [{ kind: 'INTENT' }] });
  // The oldest-first cursor of the intent, used newest first: nothing is older.
  const oldest = await page({ first: 1 });
  expect(oldest.nodes).toEqual([{ kind: 'INTENT', attemptId: payload.auditId }]);
  expect((await page({ order: 'NEWEST_FIRST', after: oldest.pageInfo.endCursor })).nodes).toEqual([]);
  expect((await page({ order: 'OLDEST_FIRST', after: oldest.pageInfo.endCursor })).nodes.map((n) => n.kind)).toEqual(['OUTCOME']);
}

describe('the JSON Lines audit trail', () => {
  it('pages auditEvents newest first with a totalCount, a cursor working in both orders', async () => {
    const gw = await startGatewayFor(h, { API_KEYS: PROVISIONER_API_KEYS, AUDIT_LOG_PATH: join(tempDir(), 'audit.jsonl') });
    try {
      const username = uniqueName('AB_file_order');
      await expectOrderedPages(gw, username, await createUser(gw, username));
    } finally {
      await gw.close();
    }
  });

  it('holds one JSON object per line, the intent of a createUser before its outcome, and no secret', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    const gw = await startGatewayFor(h, { API_KEYS: PROVISIONER_API_KEYS, AUDIT_LOG_PATH: path });
    const username = uniqueName('AB_file');
    let payload: CreateUserPayload;
    try {
      payload = await createUser(gw, username);
    } finally {
      await gw.close();
    }

    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    const records = lines.map((line) => JSON.parse(line) as FileRecord);
    for (const record of records) expect(record).toEqual(expect.objectContaining({ id: expect.any(String), attemptId: expect.any(String), kind: expect.any(String) }));
    expectIntentThenOutcome(records, payload, username);
    expectNoSecrets(text);
  });

  it('stops a mutation with AUDIT_UNAVAILABLE and writes nothing upstream when the file cannot grow', async () => {
    const dir = tempDir();
    const path = join(dir, 'audit.jsonl');
    // 2 MiB of lines that are no records, past the 1024-block file size limit the process gets
    // (512 KiB or 1 MiB, depending on the shell's block size): every append fails with EFBIG.
    const line = `${JSON.stringify({ padding: 'x'.repeat(1000) })}\n`;
    writeFileSync(path, line.repeat(Math.ceil((2 * 1024 * 1024) / line.length)));
    const gateway = await spawnGateway(
      {
        ANYPOINT_BASE_URL: h.url,
        ANYPOINT_CLIENT_ID: h.sim.demoApp.clientId,
        ANYPOINT_CLIENT_SECRET: h.sim.demoApp.clientSecret,
        ANYPOINT_ORG_ID: h.sim.demoApp.orgId,
        API_KEYS: PROVISIONER_API_KEYS,
        AUDIT_LOG_PATH: path,
        GROUP_LINKS_PATH: join(dir, 'group-links.json'),
      },
      { fileSizeLimitBlocks: 1024 },
    );
    try {
      await resetCounts(h);
      const username = uniqueName('AB_full');
      const res = await gateway.gql(CREATE_USER, { input: { username, firstName: 'No', lastName: 'Trail', email: `${username.toLowerCase()}@example.com` } }, AS_PROVISIONER);

      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(await writeCounts(h)).toEqual({});
      expect(usersNamed(h, username)).toEqual([]);
      expect(gateway.stderr()).toContain('audit trail write failed');
      expect(gateway.stderr()).toContain('EFBIG');
      expect(await gateway.stop()).toBe(0);
    } finally {
      await gateway.kill();
    }
  });

  it('refuses to start, naming the path, when the audit trail cannot be opened', async () => {
    const dir = tempDir();
    const notADirectory = join(dir, 'not-a-directory');
    writeFileSync(notADirectory, 'a file where the audit directory should be\n');

    const { code, stdout, stderr } = await serveFailure({
      ANYPOINT_BASE_URL: h.url,
      ANYPOINT_CLIENT_ID: h.sim.demoApp.clientId,
      ANYPOINT_CLIENT_SECRET: h.sim.demoApp.clientSecret,
      ANYPOINT_ORG_ID: h.sim.demoApp.orgId,
      API_KEYS: PROVISIONER_API_KEYS,
      AUDIT_LOG_PATH: join(notADirectory, 'audit.jsonl'),
      GROUP_LINKS_PATH: join(dir, 'group-links.json'),
    });

    expect(code).toBe(1);
    expect(stdout).not.toContain('serving');
    expect(stderr).toContain('anypoint-graph serve failed');
    expect(stderr).toContain(notADirectory);
    expect(stderr).not.toContain(h.sim.demoApp.clientSecret);
  });
});

describeWithService('the PostgreSQL audit trail and group links', postgresAvailable, () => {
  let schema: Awaited<ReturnType<typeof isolatedSchema>>;
  let db: pg.Client;
  const gateways: GatewayHarness[] = [];

  beforeAll(async () => {
    schema = await isolatedSchema();
    db = new pg.Client({ connectionString: schema.url });
    await db.connect();
  });

  afterEach(async () => {
    for (const gw of gateways.splice(0)) await gw.close();
  });

  afterAll(async () => {
    await db?.end();
    await schema?.drop();
  });

  /** A gateway on the test's schema, with file paths of its own (so only PostgreSQL is shared). */
  async function gateway(): Promise<GatewayHarness> {
    const gw = await startGatewayFor(h, { API_KEYS: PROVISIONER_API_KEYS, DATABASE_URL: schema.url });
    gateways.push(gw);
    return gw;
  }

  it('pages auditEvents newest first with a totalCount, a cursor working in both orders', async () => {
    const gw = await gateway();
    const username = uniqueName('AB_pg_order');
    await expectOrderedPages(gw, username, await createUser(gw, username));
  });

  it('keeps the intent and outcome of a createUser in audit_events, and auditEvents returns them', async () => {
    const gw = await gateway();
    const username = uniqueName('AB_pg');
    const payload = await createUser(gw, username);

    const { rows } = await db.query<{ kind: string; attempt_id: string; actor: string; action: string; target: string; status: string | null; record: FileRecord }>(
      'SELECT kind, attempt_id, actor, action, target, status, record FROM audit_events WHERE target = $1 ORDER BY seq',
      [`user:${username}`],
    );
    expect(rows.map((r) => [r.kind, r.attempt_id, r.actor, r.action, r.status])).toEqual([
      ['intent', payload.auditId, 'key:idp', 'createUser', null],
      ['outcome', payload.auditId, 'key:idp', 'createUser', 'SUCCEEDED'],
    ]);
    expectIntentThenOutcome(
      rows.map((r) => r.record),
      payload,
      username,
    );
    expectNoSecrets(JSON.stringify(rows));

    const res = await gw.gql<{ auditEvents: { nodes: AuditNode[] } }>(AUDIT_EVENTS, { filter: { target: `user:${username}` }, first: 10 }, AS_PROVISIONER);
    expect(res.errors).toBeUndefined();
    expect(res.data!.auditEvents.nodes.map((n) => [n.kind, n.attemptId, n.status])).toEqual([
      ['INTENT', payload.auditId, null],
      ['OUTCOME', payload.auditId, 'SUCCEEDED'],
    ]);
    expect(res.data!.auditEvents.nodes.map((n) => n.id)).toEqual(rows.map((r) => r.record.id));
  });

  it('keeps the link of a pushed group across a gateway restart: the next push renames the same team', async () => {
    const [member] = seededUsernames(h, 1);
    const groupId = uniqueName('grp');
    const before = uniqueName('AB Linked');
    const after = uniqueName('AB Renamed');
    const push = async (gw: GatewayHarness, displayName: string) => {
      const res = await gw.gql<{ pushGroup: { userErrors: unknown[]; plan: PlannedWrite[]; team: { id: string; name: string } } }>(
        PUSH_GROUP,
        { input: { groupId, displayName, members: [member] } },
        AS_PROVISIONER,
      );
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data!.pushGroup.userErrors).toEqual([]);
      return res.data!.pushGroup;
    };

    const first = await gateway();
    const created = await push(first, before);
    await first.close();

    // Another process, with another (empty) group links file: only PostgreSQL knows the link.
    const second = await gateway();
    const renamed = await push(second, after);

    expect(renamed.plan.map((w) => [w.action, w.status])).toEqual([['RENAME_TEAM', 'APPLIED']]);
    expect(renamed.team).toEqual({ id: created.team.id, name: after });
    expect(rootChildrenNamed(h, before)).toEqual([]);
    expect(rootChildrenNamed(h, after).map((t) => t.team_id)).toEqual([created.team.id]);
    const { rows } = await db.query('SELECT team_id FROM group_links WHERE org_id = $1 AND group_id = $2', [h.sim.store.rootOrgId, groupId]);
    expect(rows).toEqual([{ team_id: created.team.id }]);
  });

  it('stops a mutation with AUDIT_UNAVAILABLE and writes nothing upstream while PostgreSQL refuses audit records, and recovers after', async () => {
    const gw = await gateway();
    await db.query('ALTER TABLE audit_events ADD CONSTRAINT refuse_every_record CHECK (false) NOT VALID');
    const username = uniqueName('AB_refused');
    try {
      const res = await gw.gql(CREATE_USER, { input: { username, firstName: 'No', lastName: 'Trail', email: `${username.toLowerCase()}@example.com` } }, AS_PROVISIONER);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(await writeCounts(h)).toEqual({});
      expect(usersNamed(h, username)).toEqual([]);
    } finally {
      await db.query('ALTER TABLE audit_events DROP CONSTRAINT refuse_every_record');
    }

    const retried = await createUser(gw, username);
    expect(usersNamed(h, username).map((u) => u.id)).toEqual([retried.user.id]);
  });
  /** The open intent (no outcome yet) of a mutation on `target`, once it is there. */
  async function openIntent(target: string): Promise<{ attempt_id: string; instance_id: string }> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await db.query<{ attempt_id: string; instance_id: string }>(
        "SELECT attempt_id, instance_id FROM audit_events i WHERE target = $1 AND kind = 'intent' AND NOT EXISTS (SELECT 1 FROM audit_events o WHERE o.attempt_id = i.attempt_id AND o.kind <> 'intent')",
        [target],
      );
      if (rows[0]) return rows[0];
      expect(Date.now(), `no open intent for ${target} within 20 s`).toBeLessThan(deadline);
      await sleep(5);
    }
  }

  /** A slow push (latency, one connection) of the seeded users, so it can be caught in flight. */
  async function slowPushInput() {
    await setFaults(h, { latency: { minMs: 25, maxMs: 25 } });
    return { groupId: uniqueName('grp'), displayName: uniqueName('AB Slow'), members: seededUsernames(h, 30) };
  }

  it("reports a killed replica's open intent as interrupted at the next start on the same database", async () => {
    const input = await slowPushInput();
    const target = `group:${h.sim.store.rootOrgId}/${input.groupId}`;
    const dir = tempDir();
    const child = await spawnGateway({
      ANYPOINT_BASE_URL: h.url,
      ANYPOINT_CLIENT_ID: h.sim.demoApp.clientId,
      ANYPOINT_CLIENT_SECRET: h.sim.demoApp.clientSecret,
      ANYPOINT_ORG_ID: h.sim.demoApp.orgId,
      API_KEYS: PROVISIONER_API_KEYS,
      DATABASE_URL: schema.url,
      ANYPOINT_MAX_CONNECTIONS: '1',
      AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
      GROUP_LINKS_PATH: join(dir, 'group-links.json'),
    });
    let intent: { attempt_id: string; instance_id: string };
    try {
      const pending = child.gql(PUSH_GROUP, { input }, AS_PROVISIONER).catch(() => 'connection lost');
      intent = await openIntent(target);
      while (!rootChildrenNamed(h, input.displayName)[0] || memberUsernames(h, rootChildrenNamed(h, input.displayName)[0]!.team_id).length < 3) await sleep(5);
      await child.kill();
      expect(await pending).toBe('connection lost');
    } finally {
      await child.kill();
      await setFaults(h, {});
    }
    // PostgreSQL drops the dead session's instance lock once it notices the connection is gone.
    for (;;) {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [0x41554449, intent.instance_id]);
      if (rows[0]!.locked) {
        await db.query('SELECT pg_advisory_unlock($1, hashtext($2))', [0x41554449, intent.instance_id]);
        break;
      }
      await sleep(20);
    }

    const next = await gateway();

    expect(next.gateway.interruptedAttempts).toBe(1);
    const res = await next.gql<{ auditEvents: { nodes: AuditNode[] } }>(AUDIT_EVENTS, { filter: { target }, first: 10 }, AS_PROVISIONER);
    expect(res.data!.auditEvents.nodes.map((n) => [n.kind, n.attemptId, n.status])).toEqual([
      ['INTENT', intent.attempt_id, null],
      ['INTERRUPTED', intent.attempt_id, 'INTERRUPTED'],
    ]);
    // Reported once: a later start finds nothing left to report.
    const later = await gateway();
    expect(later.gateway.interruptedAttempts).toBe(0);
  }, 45_000);

  it("leaves a live replica's in-flight intent alone when another replica starts on the same database", async () => {
    const input = await slowPushInput();
    const target = `group:${h.sim.store.rootOrgId}/${input.groupId}`;
    try {
      const live = await startGatewayFor(h, { API_KEYS: PROVISIONER_API_KEYS, DATABASE_URL: schema.url, ANYPOINT_MAX_CONNECTIONS: '1' });
      gateways.push(live);
      const pending = live.gql<{ pushGroup: { userErrors: unknown[]; auditId: string } }>(PUSH_GROUP, { input }, AS_PROVISIONER);
      const intent = await openIntent(target);

      const starting = await gateway();

      expect(starting.gateway.interruptedAttempts).toBe(0);
      const done = await pending;
      expect(done.errors).toBeUndefined();
      expect(done.data!.pushGroup.auditId).toBe(intent.attempt_id);
      const { rows } = await db.query<{ kind: string; status: string | null }>('SELECT kind, status FROM audit_events WHERE attempt_id = $1 ORDER BY seq', [intent.attempt_id]);
      expect(rows).toEqual([
        { kind: 'intent', status: null },
        { kind: 'outcome', status: 'SUCCEEDED' },
      ]);
    } finally {
      await setFaults(h, {});
    }
  }, 45_000);
});
