import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import type { AuditLogEntry } from '../../src/simulator/model.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { newUserBody, passwordLogin, uniqueUsername, usersPath } from './support.js';

/** The simulator's audit log: what it records of each write, and the Audit Log Query API over it. */

let h: SimHarness;
let app: string;
let org: string;
const query = (body: unknown, params = '', token = app) => h.send('POST', `/audit/v2/organizations/${org}/query${params}`, token, body);
const json = async (res: Response) => {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status}: ${text}`);
  return JSON.parse(text);
};

beforeAll(async () => {
  h = await startSimHarness({ preset: 'demo' });
  app = await h.token();
  org = h.sim.store.rootOrgId;
});
afterAll(() => h.close());

describe('recording', () => {
  it('records a write with its actor: the connected app, or the user signed in by hand, and the request id', async () => {
    const before = h.sim.store.auditLog.length;
    const created = await json(
      await fetch(`${h.url}${usersPath(org)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app}`, 'content-type': 'application/json', 'x-request-id': 'req-audit-1' },
        body: JSON.stringify(newUserBody(uniqueUsername('audited'))),
      }).then(async (r) => new Response(await r.text(), { status: r.status === 201 ? 200 : r.status })),
    );
    const admin = h.sim.store.users.get(h.sim.store.orgs.get(org)!.ownerId)!;
    const session = ((await (await passwordLogin(h, admin.username, DEMO_USER_PASSWORD)).json()) as { access_token: string }).access_token;
    const team = h.sim.store.rootTeamOf(org)!;
    const teamsPath = `/accounts/api/organizations/${org}/teams`;
    const made = (await (await h.send('POST', teamsPath, session, { team_name: 'By hand', parent_team_id: team.team_id, team_type: 'internal' })).json()) as { team_id: string };
    await h.send('PUT', `${teamsPath}/${made.team_id}/members/${created.id}`, session, { membership_type: 'maintainer' });
    // A refused write leaves nothing.
    await h.send('POST', usersPath(org), app, { username: 'bad name!' });
    const entries = h.sim.store.auditLog.slice(before);
    expect(entries.map((e) => `${e.objectType} ${e.action}`)).toEqual(['User Create', 'Team Create', 'TeamMember Add']);
    expect(entries[0]).toMatchObject({ objectId: created.id, clientId: h.sim.demoApp.clientId, userId: null, requestId: 'req-audit-1', object: { id: created.id, enabled: true } });
    expect(entries[0]!.object).not.toHaveProperty('password');
    expect(entries[1]).toMatchObject({ userId: admin.id, userName: admin.username, objectName: 'By hand', parentId: team.team_id });
    expect(entries[2]).toMatchObject({ objectId: created.id, parentId: made.team_id, properties: { membership_type: 'maintainer', team_name: 'By hand' } });
  });
});

/** Appends `n` entries straight to the log, from now on (the log is in time order, as appended). */
function seedEntries(n: number): AuditLogEntry[] {
  const log = h.sim.store.auditLog;
  const start = Date.now() + 10;
  const added: AuditLogEntry[] = [];
  for (let i = 0; i < n; i += 1) {
    const entry: AuditLogEntry = {
      id: String(log.length + 1).padStart(12, '0'),
      // Several entries share each millisecond: paging must not lose or repeat any of them.
      timestamp: new Date(start + Math.floor(i / 3)).toISOString(),
      organizationId: org,
      userId: null,
      userName: null,
      clientId: h.sim.demoApp.clientId,
      platform: 'Access Management',
      objectType: i % 2 ? 'User' : 'Team',
      objectId: `object-${i}`,
      objectName: null,
      parentId: null,
      action: 'Update',
      properties: {},
      requestId: null,
      object: { n: i },
    };
    log.push(entry);
    added.push(entry);
  }
  return added;
}

describe('querying', () => {
  let seeded: AuditLogEntry[];
  beforeAll(() => {
    seeded = seedEntries(10_000);
  });
  const from = () => seeded[0]!.timestamp;

  it('pages 10,000 entries by cursor, 200 at a time, losing and repeating nothing, and ends with an empty page without a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await json(await query({ startDate: from(), limit: 200, objectTypes: ['User', 'Team'], ...(cursor ? { cursor } : {}) }, '?cursorPagination=true'));
      pages += 1;
      expect(page).not.toHaveProperty('total');
      if (page.data.length === 0) {
        expect(page).not.toHaveProperty('cursor');
        break;
      }
      seen.push(...page.data.map((e: any) => e.id));
      cursor = page.cursor;
    }
    const expected = h.sim.store.auditLog.filter((e) => e.organizationId === org && Date.parse(e.timestamp) >= Date.parse(from()) && ['User', 'Team'].includes(e.objectType)).map((e) => e.id);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(expected.length / 200) + 1);
  });

  it('filters (ANDed), pages by offset with a total, sorts either way, and carries versioned objects on request', async () => {
    const users = await json(await query({ startDate: from(), objectTypes: ['User'], objectIds: ['object-1', 'object-3', 'object-4'], limit: 10 }));
    expect(users.data.map((e: any) => e.objectId)).toEqual(['object-1', 'object-3']);
    expect(users.total).toBe(2);
    expect(users.data[0]).not.toHaveProperty('versionedObject');
    const versioned = await json(await query({ startDate: from(), objectIds: ['object-1'] }, '?getVersionedObjectsInLogs=true'));
    expect(versioned.data[0].versionedObject).toEqual({ n: 1 });
    const newest = await json(await query({ startDate: from(), limit: 2, ascending: false }));
    const oldest = await json(await query({ startDate: from(), limit: 2, offset: 1 }));
    expect(newest.data[0].id > newest.data[1].id).toBe(true);
    expect(oldest.data[0].id).toBe(seeded[1]!.id);
    const until = await json(await query({ startDate: from(), endDate: Date.parse(seeded[5]!.timestamp), limit: 200 }));
    expect(until.data.every((e: any) => Date.parse(e.timestamp) <= Date.parse(seeded[5]!.timestamp))).toBe(true);
  });

  it('answers CSV with the same entries', async () => {
    const res = await query({ startDate: from(), objectIds: ['object-0', 'object-2'], limit: 1000 }, '', app).then(() =>
      h.send('POST', `/audit/v2/organizations/${org}/query.csv`, app, { startDate: from(), objectIds: ['object-0', 'object-2'], limit: 1000 }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]!.split(',')).toContain('objectId');
    expect(lines.slice(1).map((l) => l.split(',')[8])).toEqual(['object-0', 'object-2']);
  });

  it('refuses a query without startDate, a limit over 200, a bad cursor and a bad date', async () => {
    expect((await query({})).status).toBe(400);
    expect((await query({ startDate: from(), limit: 201 })).status).toBe(400);
    expect((await query({ startDate: from(), cursor: 'nope' }, '?cursorPagination=true')).status).toBe(400);
    expect((await query({ startDate: 'yesterday-ish' })).status).toBe(400);
    expect((await query({ startDate: from() }, '', 'not-a-token')).status).toBe(401);
  });
});

describe('the per-minute budget', () => {
  it('answers 503 with Retry-After once the budget is spent', async () => {
    const small = await startSimHarness({ preset: 'empty', auditQueriesPerMinute: 3 });
    try {
      const token = await small.token();
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i += 1) {
        const res = await small.send('POST', `/audit/v2/organizations/${small.sim.store.rootOrgId}/query`, token, { startDate: 0 });
        statuses.push(res.status);
        if (res.status === 503) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 503, 503]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});
