import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openGroupLinkStore, type GroupLinkStore } from '../../src/provisioning/group-links.js';
import { anyText } from '../audit/any-text.js';
import { describeWithService, postgresAvailable } from '../helpers/services.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * What both backends must do. Each test works in an org of its own, so tests sharing the
 * PostgreSQL table cannot see each other's links.
 */
function groupLinkBehaviour(open: () => Promise<GroupLinkStore>, orgs: string[]) {
  let store: GroupLinkStore;
  let orgId: string;
  beforeEach(async () => {
    orgId = `org-${randomUUID()}`;
    orgs.push(orgId);
    store = await open();
  });
  afterEach(() => store.close());

  it('has no link for a group never set', async () => {
    expect(await store.get(orgId, 'never')).toBeUndefined();
    expect(await store.findByTeam(orgId, 'never')).toBeUndefined();
  });

  it('keeps what the last push left the team as, drops it when the link moves to another team, and records nothing without a link', async () => {
    const pushed = { members: [{ userId: 'u1', membershipType: 'member' as const }, { userId: 'u\u00002', membershipType: 'maintainer' as const }], teamName: 'Team One', parentTeamId: 'root' };
    await store.recordPush(orgId, 'g1', pushed);
    expect(await store.get(orgId, 'g1')).toBeUndefined();
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    const before = Date.now();
    await store.recordPush(orgId, 'g1', pushed);
    const link = await store.get(orgId, 'g1');
    expect(link?.pushed).toEqual({ ...pushed, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(Date.parse(link!.pushed!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect((await store.list(orgId))[0]?.pushed).toEqual(link?.pushed);
    expect((await store.findByTeam(orgId, 't1'))?.pushed).toEqual(link?.pushed);
    // A later push replaces it whole.
    await store.recordPush(orgId, 'g1', { members: [], teamName: 'Renamed', parentTeamId: null });
    expect((await store.get(orgId, 'g1'))?.pushed).toMatchObject({ members: [], teamName: 'Renamed', parentTeamId: null });
    // Linked again to the same team: kept; to another: what was pushed to the old team is no baseline.
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    expect((await store.get(orgId, 'g1'))?.pushed?.teamName).toBe('Renamed');
    await store.set({ orgId, groupId: 'g1', teamId: 't2' });
    expect((await store.get(orgId, 'g1'))?.pushed).toBeUndefined();
  });

  it('returns a set link by group and by team, stamped with when it was set', async () => {
    const before = Date.now();
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    const link = await store.get(orgId, 'g1');
    expect(link).toEqual({ orgId, groupId: 'g1', teamId: 't1', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(Date.parse(link!.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await store.findByTeam(orgId, 't1')).toEqual(link);
  });

  it('replaces the link of the same group, so its old team no longer finds it', async () => {
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    await store.set({ orgId, groupId: 'g1', teamId: 't2' });
    expect((await store.get(orgId, 'g1'))?.teamId).toBe('t2');
    expect(await store.findByTeam(orgId, 't1')).toBeUndefined();
    expect((await store.findByTeam(orgId, 't2'))?.groupId).toBe('g1');
  });

  it('keeps orgs apart: the same group and team ids in another org are other links', async () => {
    const otherOrg = `${orgId}-other`;
    orgs.push(otherOrg);
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    await store.set({ orgId: otherOrg, groupId: 'g1', teamId: 't9' });
    expect((await store.get(orgId, 'g1'))?.teamId).toBe('t1');
    expect(await store.findByTeam(otherOrg, 't1')).toBeUndefined();
    expect((await store.findByTeam(otherOrg, 't9'))?.orgId).toBe(otherOrg);
  });

  it('finds the most recently set group when two link the same team', async () => {
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    await store.set({ orgId, groupId: 'g2', teamId: 't1' });
    expect((await store.findByTeam(orgId, 't1'))?.groupId).toBe('g2');
  });

  it('forgets a deleted link and shrugs at deleting one that is not there', async () => {
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    await store.delete(orgId, 'g1');
    await store.delete(orgId, 'never');
    expect(await store.get(orgId, 'g1')).toBeUndefined();
    expect(await store.findByTeam(orgId, 't1')).toBeUndefined();
  });

  it("lists the org's links ordered by groupId, without other orgs' links, claims or deleted links", async () => {
    expect(await store.list(orgId)).toEqual([]);
    const otherOrg = `${orgId}-other`;
    orgs.push(otherOrg);
    for (const groupId of ['g-b', 'g-c', 'g-a', 'g-d']) await store.set({ orgId, groupId, teamId: `t-${groupId}` });
    await store.set({ orgId: otherOrg, groupId: 'g-z', teamId: 't-z' });
    await store.claimTeam({ orgId, groupId: 'g-claimed', teamName: 'Being Made' });
    await store.delete(orgId, 'g-d');
    const links = await store.list(orgId);
    expect(links.map((l) => [l.groupId, l.teamId])).toEqual([
      ['g-a', 't-g-a'],
      ['g-b', 't-g-b'],
      ['g-c', 't-g-c'],
    ]);
    expect(links[0]).toEqual(await store.get(orgId, 'g-a'));
    expect((await store.list(otherOrg)).map((l) => l.groupId)).toEqual(['g-z']);
  });

  it('hands out copies from list: changing one changes nothing stored', async () => {
    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    (await store.list(orgId))[0]!.teamId = 'changed';
    expect((await store.get(orgId, 'g1'))?.teamId).toBe('t1');
  });

  it('lists ids holding NUL, unpaired surrogates or U+FFFF as given, in UTF-16 code-unit order', async () => {
    const groupIds = ['b\u0000', 'a\uffff', 'a\ud800', 'a"\'', '\u{1f389}', '\ue000'];
    for (const groupId of groupIds) await store.set({ orgId, groupId, teamId: groupId });
    // Array.prototype.sort's own order is UTF-16 code units.
    expect((await store.list(orgId)).map((l) => l.groupId)).toEqual([...groupIds].sort());
  });

  it('remembers the team name claimed for a group until the group is linked, which clears it', async () => {
    expect(await store.claimedTeamName(orgId, 'g1')).toBeUndefined();
    await store.claimTeam({ orgId, groupId: 'g1', teamName: 'Payments' });
    expect(await store.claimedTeamName(orgId, 'g1')).toBe('Payments');
    expect(await store.claimedTeamName(orgId, 'g2')).toBeUndefined();
    expect(await store.get(orgId, 'g1')).toBeUndefined();

    await store.set({ orgId, groupId: 'g1', teamId: 't1' });
    expect(await store.claimedTeamName(orgId, 'g1')).toBeUndefined();
  });

  it('replaces a claim with the newer one, and forgets it when the group is deleted', async () => {
    await store.claimTeam({ orgId, groupId: 'g1', teamName: 'Old Name' });
    await store.claimTeam({ orgId, groupId: 'g1', teamName: 'New Name' });
    expect(await store.claimedTeamName(orgId, 'g1')).toBe('New Name');
    await store.delete(orgId, 'g1');
    expect(await store.claimedTeamName(orgId, 'g1')).toBeUndefined();
  });

  it('keeps ids and names holding NUL, unpaired surrogates or U+FFFF as given, each apart from the others', async () => {
    await fc.assert(
      fc.asyncProperty(anyText(), anyText(), async (groupId, teamId) => {
        await store.set({ orgId, groupId, teamId });
        expect(await store.get(orgId, groupId)).toMatchObject({ orgId, groupId, teamId });
        expect((await store.findByTeam(orgId, teamId))?.teamId).toBe(teamId);
        await store.claimTeam({ orgId, groupId: `${groupId}-claim`, teamName: teamId });
        expect(await store.claimedTeamName(orgId, `${groupId}-claim`)).toBe(teamId);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps every one of many changes made at the same time', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set({ orgId, groupId: `g${i}`, teamId: `t${i}` })));
    const links = await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(orgId, `g${i}`)));
    expect(links.map((l) => l?.teamId)).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
  });
}

describe('file group links', () => {
  const dirs: string[] = [];
  let path: string;
  const newPath = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'group-links-'));
    dirs.push(dir);
    return join(dir, 'data', 'group-links.json');
  };
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describe('shared behaviour', () => {
    groupLinkBehaviour(async () => openGroupLinkStore({ path: await newPath(), databaseUrl: null }), []);
  });

  beforeEach(async () => {
    path = await newPath();
  });

  it('starts empty when the file does not exist, and keeps links across a reopen', async () => {
    let store = await openGroupLinkStore({ path, databaseUrl: null });
    expect(store.backend).toBe('file');
    expect(await store.get('o', 'g1')).toBeUndefined();
    await Promise.all([store.set({ orgId: 'o', groupId: 'g1', teamId: 't1' }), store.set({ orgId: 'o', groupId: 'g2', teamId: 't2' })]);
    const before = await store.get('o', 'g1');
    await store.close();

    store = await openGroupLinkStore({ path, databaseUrl: null });
    expect(await store.get('o', 'g1')).toEqual(before);
    expect((await store.list('o')).map((l) => l.groupId)).toEqual(['g1', 'g2']);
    expect((await store.findByTeam('o', 't2'))?.groupId).toBe('g2');
    await store.close();
  });

  it('keeps a claim across a reopen, and reads a file written before claims existed', async () => {
    let store = await openGroupLinkStore({ path, databaseUrl: null });
    await store.claimTeam({ orgId: 'o', groupId: 'g1', teamName: 'Being Made' });
    await store.close();
    store = await openGroupLinkStore({ path, databaseUrl: null });
    expect(await store.claimedTeamName('o', 'g1')).toBe('Being Made');
    await store.close();

    await writeFile(path, JSON.stringify({ links: [{ orgId: 'o', groupId: 'g2', teamId: 't2', updatedAt: '2024-01-01T00:00:00.000Z' }] }));
    store = await openGroupLinkStore({ path, databaseUrl: null });
    expect((await store.get('o', 'g2'))?.teamId).toBe('t2');
    expect(await store.claimedTeamName('o', 'g1')).toBeUndefined();
    await store.close();
  });

  it('is not corrupted by a temporary file a crash left half written, and clears it away', async () => {
    const store = await openGroupLinkStore({ path, databaseUrl: null });
    await store.set({ orgId: 'o', groupId: 'g1', teamId: 't1' });
    await store.close();
    const committed = await readFile(path, 'utf8');
    // Named like a real one, from a pid no process can have.
    const leftover = `group-links.json.99999999.${randomUUID()}.tmp`;
    await writeFile(join(path, '..', leftover), '{"links":[{"orgId":"o","groupId":"g1","te');

    const reopened = await openGroupLinkStore({ path, databaseUrl: null });
    expect((await reopened.get('o', 'g1'))?.teamId).toBe('t1');
    await reopened.close();
    expect(await readFile(path, 'utf8')).toBe(committed);
    expect(await readdir(join(path, '..'))).toEqual(['group-links.json']);
  });

  it('leaves the file whole, and no temporary file behind, after each change', async () => {
    const store = await openGroupLinkStore({ path, databaseUrl: null });
    await store.set({ orgId: 'o', groupId: 'g1', teamId: 't1' });
    await store.set({ orgId: 'o', groupId: 'g2', teamId: 't2' });
    await store.delete('o', 'g1');
    await store.close();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ links: [{ orgId: 'o', groupId: 'g2', teamId: 't2', updatedAt: expect.any(String) }] });
    expect(await readdir(join(path, '..'))).toEqual(['group-links.json']);
  });

  it('reads a file written before pushes were recorded, and keeps the pushed state across a reopen', async () => {
    await (await openGroupLinkStore({ path, databaseUrl: null })).close();
    await writeFile(path, JSON.stringify({ links: [{ orgId: 'o', groupId: 'g1', teamId: 't1', updatedAt: '2024-01-01T00:00:00.000Z' }] }));
    let store = await openGroupLinkStore({ path, databaseUrl: null });
    expect(await store.get('o', 'g1')).toEqual({ orgId: 'o', groupId: 'g1', teamId: 't1', updatedAt: '2024-01-01T00:00:00.000Z' });
    await store.recordPush('o', 'g1', { members: [{ userId: 'u1', membershipType: 'maintainer' }], teamName: 'One', parentTeamId: 'root' });
    await store.close();
    store = await openGroupLinkStore({ path, databaseUrl: null });
    expect((await store.get('o', 'g1'))?.pushed).toMatchObject({ members: [{ userId: 'u1', membershipType: 'maintainer' }], teamName: 'One', parentTeamId: 'root' });
    await store.close();
  });

  it('refuses to open a file that is not a group links file, naming it', async () => {
    const store = await openGroupLinkStore({ path, databaseUrl: null });
    await store.close();
    await writeFile(path, 'not json');
    await expect(openGroupLinkStore({ path, databaseUrl: null })).rejects.toThrow(/The group links file .*group-links\.json is unreadable/);
  });
});

describeWithService('PostgreSQL group links', postgresAvailable, () => {
  const orgs: string[] = [];
  afterAll(async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query('DELETE FROM group_links WHERE org_id = ANY($1)', [orgs]);
    await client.query('DELETE FROM group_team_claims WHERE org_id = ANY($1)', [orgs]);
    await client.end();
  });

  describe('shared behaviour', () => {
    groupLinkBehaviour(() => openGroupLinkStore({ path: '/nonexistent/never-written.json', databaseUrl: DATABASE_URL }), orgs);
  });

  it('adds the pushed column to a table made before it existed, whose links read back with no pushed state', async () => {
    const schema = `links_migration_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      // The table as the first release made it.
      await admin.query(`CREATE TABLE ${schema}.group_links (org_id text NOT NULL, group_id text NOT NULL, team_id text NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (org_id, group_id))`);
      await admin.query(`INSERT INTO ${schema}.group_links VALUES ('o', 'old', 't-old', now())`);
      const url = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const stores = await Promise.all([openGroupLinkStore({ path: '/nonexistent/never-written.json', databaseUrl: url }), openGroupLinkStore({ path: '/nonexistent/never-written.json', databaseUrl: url })]);
      try {
        const old = await stores[0]!.get('o', 'old');
        expect(old).toEqual({ orgId: 'o', groupId: 'old', teamId: 't-old', updatedAt: expect.any(String) });
        await stores[0]!.recordPush('o', 'old', { members: [{ userId: 'u1', membershipType: 'member' }], teamName: 'Old', parentTeamId: 'root' });
        expect((await stores[1]!.get('o', 'old'))?.pushed?.members).toEqual([{ userId: 'u1', membershipType: 'member' }]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      const { rows } = await admin.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'group_links' ORDER BY ordinal_position`, [schema]);
      expect(rows.map((r) => r.column_name)).toEqual(['org_id', 'group_id', 'team_id', 'updated_at', 'pushed']);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });

  it("opens from several connections at once, and shows one replica's links to another", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openGroupLinkStore({ path: '/nonexistent/never-written.json', databaseUrl: DATABASE_URL })));
    try {
      expect(stores.map((s) => s.backend)).toEqual(Array(4).fill('postgres'));
      const orgId = `org-${randomUUID()}`;
      orgs.push(orgId);
      await stores[0]!.set({ orgId, groupId: 'g1', teamId: 't1' });
      expect((await stores[3]!.get(orgId, 'g1'))?.teamId).toBe('t1');
      expect((await stores[2]!.list(orgId)).map((l) => l.groupId)).toEqual(['g1']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
