import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogEntry } from '../../src/simulator/model.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { API_KEYS, KEYS } from '../provisioning/support.js';
import { changesFixture, type ChangesFixture } from './support.js';

/**
 * The change feed against a real gateway over the simulator: hand changes in Anypoint show with
 * the admin as actor, the gateway's writes show once (from its own trail), tokens survive
 * restarts and page through 10,000 entries losing and repeating nothing.
 */

let f: ChangesFixture;
const auditor = { 'x-api-key': KEYS.auditor };
const CHANGES = `query($since: DateTime, $after: String, $first: Int, $filter: ChangeFilter) {
  changes(since: $since, after: $after, first: $first, filter: $filter) {
    nodes { id source actor action entityType entityId entityName parentId user { username } team { name } detail }
    pageInfo { hasNextPage endCursor } deltaToken } }`;

async function readAll(gw: GatewayHarness, start: { since?: string; after?: string }, first = 100, filter?: unknown) {
  const nodes: any[] = [];
  let after = start.after;
  let since = start.since;
  for (let pages = 0; pages < 1000; pages += 1) {
    const { data, errors } = await gw.gql(CHANGES, { since, after, first, filter }, auditor);
    expect(errors).toBeUndefined();
    nodes.push(...data!.changes.nodes);
    if (!data!.changes.pageInfo.hasNextPage) return { nodes, deltaToken: data!.changes.deltaToken as string, pages: pages + 1 };
    after = data!.changes.pageInfo.endCursor;
    since = undefined;
  }
  throw new Error('the feed never became current');
}

beforeAll(async () => {
  f = await changesFixture();
});
afterAll(() => f.close());

describe('changes', () => {
  let since: string;
  let handUser: { id: string };
  let team: { team_id: string };

  beforeAll(async () => {
    since = new Date(Date.now() - 1000).toISOString();
    handUser = await f.byHand('POST', '/users', { username: 'made_by_hand', firstName: 'Hand', lastName: 'Made', email: 'hand@example.test' });
    team = await f.byHand('POST', '/teams', { team_name: 'Hand Team', parent_team_id: f.stack.rootTeamId, team_type: 'internal' });
    await f.byHand('PUT', `/teams/${team.team_id}/members/${handUser.id}`, { membership_type: 'member' });
    await f.byHand('PATCH', `/teams/${team.team_id}`, { team_name: 'Hand Team Renamed' });
    const created = await f.stack.gw.gql(
      'mutation { createUser(input: { username: "made_by_gateway", firstName: "Gate", lastName: "Way", email: "gate@example.test" }) { userErrors { code } user { id } } }',
      {},
      { 'x-api-key': KEYS.provisioner },
    );
    expect(created.data!.createUser.userErrors).toEqual([]);
  });

  it('lists hand changes in Anypoint with the admin as actor, linked to their entities', async () => {
    const { nodes } = await readAll(f.stack.gw, { since });
    const hand = nodes.filter((n) => n.source === 'ANYPOINT');
    expect(hand.map((n) => `${n.entityType} ${n.action}`)).toEqual(['USER Create', 'TEAM Create', 'MEMBERSHIP Add', 'TEAM Update']);
    expect(hand.every((n) => n.actor === `user:${f.admin.username}`)).toBe(true);
    expect(hand[0]).toMatchObject({ entityId: handUser.id, entityName: 'made_by_hand', user: { username: 'made_by_hand' } });
    expect(hand[2]).toMatchObject({ entityId: handUser.id, parentId: team.team_id, user: { username: 'made_by_hand' }, team: { name: 'Hand Team Renamed' }, detail: { membership_type: 'member' } });
    expect(hand[3].detail).toMatchObject({ team_name: 'Hand Team Renamed' });
  });

  it('lists a gateway write once, from the gateway\'s trail, with the gateway caller as actor', async () => {
    const { nodes } = await readAll(f.stack.gw, { since });
    const mine = nodes.filter((n) => n.entityName === 'made_by_gateway' || n.entityId === 'made_by_gateway');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ source: 'GATEWAY', actor: 'key:idp', action: 'createUser', entityType: 'USER', user: { username: 'made_by_gateway' } });
    // The platform logged it too, as the gateway's app: left out, not listed twice.
    const logged = f.stack.store.auditLog.filter((e) => e.objectName === 'made_by_gateway');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.clientId).toBe(f.stack.sim.sim.demoApp.clientId);
  });

  it('keeps only what the filter asks for, and hands back a delta token once current that reads only what came after', async () => {
    const memberships = await readAll(f.stack.gw, { since }, 100, { entityTypes: ['MEMBERSHIP'] });
    expect(memberships.nodes.map((n) => n.entityType)).toEqual(['MEMBERSHIP']);
    const { deltaToken } = await readAll(f.stack.gw, { since });
    expect(deltaToken).toEqual(expect.any(String));
    const nothing = await readAll(f.stack.gw, { after: deltaToken });
    expect(nothing.nodes).toEqual([]);
    await f.byHand('DELETE', `/teams/${team.team_id}/members/${handUser.id}`);
    const next = await readAll(f.stack.gw, { after: deltaToken });
    expect(next.nodes.map((n) => `${n.entityType} ${n.action}`)).toEqual(['MEMBERSHIP Remove']);
  });

  it('refuses tokens it did not hand out, and callers without the auditor role', async () => {
    const bad = await f.stack.gw.gql(CHANGES, { after: 'not-a-token' }, auditor);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const forged = Buffer.from('chg1:["another-org",0,[],null,0]').toString('base64url');
    expect((await f.stack.gw.gql(CHANGES, { after: forged }, auditor)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const key of [KEYS.reader, KEYS.provisioner]) {
      expect((await f.stack.gw.gql(CHANGES, {}, { 'x-api-key': key })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await f.stack.gw.gql(CHANGES, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('paging 10,000 entries with a restart between pages', () => {
  it('loses and repeats nothing', async () => {
    const store = f.stack.store;
    const start = Math.max(Date.now(), Date.parse(store.auditLog.at(-1)?.timestamp ?? '1970-01-01')) + 5;
    const expected: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const entry: AuditLogEntry = {
        id: String(store.auditLog.length + 1).padStart(12, '0'),
        // Four entries per millisecond: a restart in the middle of a millisecond must skip exactly what was read.
        timestamp: new Date(start + Math.floor(i / 4)).toISOString(),
        organizationId: f.stack.rootOrgId,
        userId: f.admin.id,
        userName: f.admin.username,
        clientId: f.stack.sim.sim.demoApp.clientId,
        platform: 'Access Management',
        objectType: 'User',
        objectId: `bulk-${i}`,
        objectName: `bulk_${i}`,
        parentId: null,
        action: 'Update',
        properties: {},
        requestId: null,
        object: null,
      };
      store.auditLog.push(entry);
      expected.push(`anypoint:${entry.id}`);
    }
    const seen: string[] = [];
    let gw = f.stack.gw;
    let after: string | undefined;
    let restarts = 0;
    for (let page = 0; page < 100; page += 1) {
      const { data, errors } = await gw.gql(CHANGES, after ? { after, first: 333 } : { since: new Date(start).toISOString(), first: 333 }, auditor);
      expect(errors).toBeUndefined();
      seen.push(...data!.changes.nodes.map((n: any) => n.id));
      if (!data!.changes.pageInfo.hasNextPage) break;
      after = data!.changes.pageInfo.endCursor;
      // A new gateway process every page: the token is all that carries over.
      // (Closing the fixture's own gateway here is safe: closing twice is a no-op.)
      await gw.close();
      gw = await startGatewayFor(f.stack.sim, { API_KEYS, AUDIT_LOG_PATH: f.stack.auditPath, GROUP_LINKS_PATH: `${f.stack.auditPath}.links.json` });
      restarts += 1;
    }
    if (gw !== f.stack.gw) await gw.close();
    expect(restarts).toBeGreaterThanOrEqual(29);
    expect(seen).toEqual(expected);
  }, 120_000);
});
