import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileScimRecordStore, type FileScimRecordStoreOptions } from '../../src/scim/records-file.js';
import { openScimRecordStore, type ScimRecord, type ScimRecordStore, type ScimResourceType } from '../../src/scim/records.js';
import { anyText } from '../audit/any-text.js';
import { describeWithService, postgresAvailable } from '../helpers/services.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const record = (fields: Partial<ScimRecord> & { orgId: string; id: string }): ScimRecord => ({
  type: 'User',
  anypointId: fields.id,
  retired: [],
  externalId: null,
  ended: false,
  created: '2024-05-01T10:00:00.000Z',
  lastModified: '2024-05-01T10:00:00.000Z',
  ...fields,
});

/** Opens the same store again each call: the same file, or the same database. */
type Opener = () => Promise<ScimRecordStore>;

/**
 * What both backends must do. Each test works in an org of its own, so tests sharing the
 * PostgreSQL table (this file's and any run alongside it) cannot see each other's records.
 */
function scimRecordBehaviour(newOpener: () => Promise<Opener>, orgs: string[]) {
  let open: Opener;
  let store: ScimRecordStore;
  let orgId: string;
  beforeEach(async () => {
    orgId = `org-${randomUUID()}`;
    orgs.push(orgId);
    open = await newOpener();
    store = await open();
  });
  afterEach(() => store.close());

  const reopen = async () => {
    await store.close();
    store = await open();
  };

  it('has no record never put, and returns a put one as it was put', async () => {
    expect(await store.get('User', orgId, 'u1')).toBeUndefined();
    const r = record({ orgId, id: 'u1', retired: ['old-1'], externalId: 'okta-1' });
    await store.put(r);
    expect(await store.get('User', orgId, 'u1')).toEqual(r);
    expect(await store.get('Group', orgId, 'u1')).toBeUndefined();
  });

  it('replaces the record of the same type, org and id, and writes its times as toISOString does', async () => {
    await store.put(record({ orgId, id: 'u1', externalId: 'e1' }));
    await store.put(record({ orgId, id: 'u1', anypointId: 'a2', retired: ['u1'], externalId: 'e2', ended: true, lastModified: '2024-05-02T10:00:00Z' }));
    expect(await store.get('User', orgId, 'u1')).toEqual(
      record({ orgId, id: 'u1', anypointId: 'a2', retired: ['u1'], externalId: 'e2', ended: true, lastModified: '2024-05-02T10:00:00.000Z' }),
    );
    expect(await store.findByExternalId('User', orgId, 'e1')).toEqual([]);
    expect(await store.list('User', orgId)).toHaveLength(1);
  });

  it('hands out copies: changing what was put or what was read changes nothing stored', async () => {
    const put = record({ orgId, id: 'u1', retired: ['r1'] });
    await store.put(put);
    put.retired.push('r2');
    put.externalId = 'changed';
    const read = (await store.get('User', orgId, 'u1'))!;
    read.retired.push('r3');
    read.ended = true;
    (await store.list('User', orgId))[0]!.retired.push('r4');
    (await store.findByAnypointId(orgId, 'u1'))!.retired.push('r5');
    expect(await store.get('User', orgId, 'u1')).toEqual(record({ orgId, id: 'u1', retired: ['r1'] }));
  });

  it('finds a User record by the Anypoint id it is now and by the ones it retired, in its own org only', async () => {
    await store.put(record({ orgId, id: 'scim-1', anypointId: 'a3', retired: ['a1', 'a2'] }));
    await store.put(record({ orgId, type: 'Group', id: 'g1', anypointId: 'a9' }));
    for (const id of ['a1', 'a2', 'a3']) expect((await store.findByAnypointId(orgId, id))?.id).toBe('scim-1');
    expect(await store.findByAnypointId(orgId, 'scim-1')).toBeUndefined();
    expect(await store.findByAnypointId(orgId, 'a9')).toBeUndefined();
    expect(await store.findByAnypointId(`${orgId}-other`, 'a3')).toBeUndefined();
  });

  it('prefers the record an Anypoint id is now over one that retired it, then the newest', async () => {
    await store.put(record({ orgId, id: 'was', anypointId: 'a-other', retired: ['a1'], lastModified: '2024-06-01T00:00:00.000Z' }));
    await store.put(record({ orgId, id: 'is', anypointId: 'a1', lastModified: '2024-01-01T00:00:00.000Z' }));
    expect((await store.findByAnypointId(orgId, 'a1'))?.id).toBe('is');
    await store.put(record({ orgId, id: 'also-was', anypointId: null, retired: ['a2'], lastModified: '2024-01-01T00:00:00.000Z' }));
    await store.put(record({ orgId, id: 'newer-was', anypointId: null, retired: ['a2'], lastModified: '2024-02-01T00:00:00.000Z' }));
    expect((await store.findByAnypointId(orgId, 'a2'))?.id).toBe('newer-was');
  });

  it('stops finding an Anypoint id the record no longer holds', async () => {
    await store.put(record({ orgId, id: 'u1', anypointId: 'a1', retired: ['a0'] }));
    await store.put(record({ orgId, id: 'u1', anypointId: 'a2', retired: [] }));
    expect(await store.findByAnypointId(orgId, 'a1')).toBeUndefined();
    expect(await store.findByAnypointId(orgId, 'a0')).toBeUndefined();
    expect((await store.findByAnypointId(orgId, 'a2'))?.id).toBe('u1');
  });

  it('finds every record of a type with an externalId, ordered by id', async () => {
    await store.put(record({ orgId, id: 'u2', externalId: 'e' }));
    await store.put(record({ orgId, id: 'u1', externalId: 'e' }));
    await store.put(record({ orgId, id: 'u3', externalId: 'f' }));
    await store.put(record({ orgId, type: 'Group', id: 'g1', anypointId: null, externalId: 'e' }));
    expect((await store.findByExternalId('User', orgId, 'e')).map((r) => r.id)).toEqual(['u1', 'u2']);
    expect((await store.findByExternalId('Group', orgId, 'e')).map((r) => r.id)).toEqual(['g1']);
    expect(await store.findByExternalId('User', orgId, 'none')).toEqual([]);
    expect(await store.findByExternalId('User', `${orgId}-other`, 'e')).toEqual([]);
  });

  it('lists the records of one type and one org, ordered by id', async () => {
    const otherOrg = `${orgId}-other`;
    orgs.push(otherOrg);
    for (const id of ['u-b', 'u-c', 'u-a']) await store.put(record({ orgId, id }));
    await store.put(record({ orgId, type: 'Group', id: 'g1', anypointId: null }));
    await store.put(record({ orgId: otherOrg, id: 'u-z' }));
    expect((await store.list('User', orgId)).map((r) => r.id)).toEqual(['u-a', 'u-b', 'u-c']);
    expect((await store.list('Group', orgId)).map((r) => r.id)).toEqual(['g1']);
    expect((await store.list('User', otherOrg)).map((r) => r.id)).toEqual(['u-z']);
    expect(await store.list('Group', otherOrg)).toEqual([]);
  });

  it('forgets a deleted record everywhere, and shrugs at deleting one that is not there', async () => {
    await store.put(record({ orgId, id: 'u1', retired: ['a0'], externalId: 'e1' }));
    await store.put(record({ orgId, type: 'Group', id: 'u1', anypointId: null }));
    await store.delete('User', orgId, 'u1');
    await store.delete('User', orgId, 'never');
    expect(await store.get('User', orgId, 'u1')).toBeUndefined();
    expect(await store.findByAnypointId(orgId, 'u1')).toBeUndefined();
    expect(await store.findByAnypointId(orgId, 'a0')).toBeUndefined();
    expect(await store.findByExternalId('User', orgId, 'e1')).toEqual([]);
    expect(await store.list('User', orgId)).toEqual([]);
    expect((await store.list('Group', orgId)).map((r) => r.id)).toEqual(['u1']);
  });

  it('keeps records, replacements and deletes across a reopen', async () => {
    await store.put(record({ orgId, id: 'u1', externalId: 'e1' }));
    await store.put(record({ orgId, id: 'u1', anypointId: 'a2', retired: ['u1'], externalId: 'e1' }));
    await store.put(record({ orgId, id: 'u2' }));
    await store.put(record({ orgId, type: 'Group', id: 'g1', anypointId: null, ended: true }));
    await store.delete('User', orgId, 'u2');
    const users = await store.list('User', orgId);
    await reopen();
    expect(await store.list('User', orgId)).toEqual(users);
    expect((await store.findByAnypointId(orgId, 'u1'))?.id).toBe('u1');
    expect((await store.findByExternalId('User', orgId, 'e1')).map((r) => r.id)).toEqual(['u1']);
    expect(await store.get('Group', orgId, 'g1')).toEqual(record({ orgId, type: 'Group', id: 'g1', anypointId: null, ended: true }));
  });

  it('keeps every one of 1,000 puts made at once, across a reopen', async () => {
    const all = Array.from({ length: 1000 }, (_, i) => record({ orgId, id: `u${String(i).padStart(4, '0')}`, anypointId: `a${i}`, externalId: `e${i % 10}` }));
    await Promise.all(all.map((r) => store.put(r)));
    await reopen();
    expect(await store.list('User', orgId)).toEqual(all);
    expect(await store.findByExternalId('User', orgId, 'e3')).toHaveLength(100);
    expect((await store.findByAnypointId(orgId, 'a999'))?.id).toBe('u0999');
  });

  it('keeps ids with quotes, unicode and NUL as given, across a reopen', async () => {
    const tricky = record({
      orgId: `${orgId}"'\\`,
      id: 'id "quoted" \u0000 nul, 日本語, 🎉, \u2028',
      anypointId: "it's \u0000",
      retired: ['\u0000', '"', '{"a":1}', '\uffff0'],
      externalId: 'ext \u0000 \ud800 lone',
    });
    orgs.push(tricky.orgId);
    await store.put(tricky);
    await reopen();
    expect(await store.get('User', tricky.orgId, tricky.id)).toEqual(tricky);
    expect((await store.findByAnypointId(tricky.orgId, '\u0000'))?.id).toBe(tricky.id);
    expect((await store.findByAnypointId(tricky.orgId, '\uffff0'))?.id).toBe(tricky.id);
    expect((await store.findByExternalId('User', tricky.orgId, tricky.externalId!)).map((r) => r.id)).toEqual([tricky.id]);
  });

  it('keeps any text (NUL, unpaired surrogates, U+FFFF) in every field as given, each apart from the others', async () => {
    await fc.assert(
      fc.asyncProperty(anyText(), anyText(), fc.array(anyText(), { maxLength: 3 }), anyText(), async (id, anypointId, retired, externalId) => {
        const r = record({ orgId, id, anypointId, retired, externalId });
        await store.put(r);
        expect(await store.get('User', orgId, id)).toEqual(r);
        expect((await store.findByAnypointId(orgId, anypointId))?.anypointId).toBe(anypointId);
        expect((await store.findByExternalId('User', orgId, externalId)).map((found) => found.id)).toContain(id);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a malformed record, and stores nothing of it', async () => {
    const bad = [
      { ...record({ orgId, id: 'u1' }), type: 'Team' },
      { ...record({ orgId, id: 'u1' }), retired: [1] },
      { ...record({ orgId, id: 'u1' }), created: 'yesterday' },
      { ...record({ orgId, id: 'u1' }), ended: 'no' },
    ];
    for (const r of bad) await expect(store.put(r as unknown as ScimRecord)).rejects.toThrow(/Not a SCIM record/);
    expect(await store.list('User', orgId)).toEqual([]);
  });
}

describe('file SCIM records', () => {
  const dirs: string[] = [];
  const newPath = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scim-records-'));
    dirs.push(dir);
    return join(dir, 'data', 'scim-records.jsonl');
  };
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describe('shared behaviour', () => {
    scimRecordBehaviour(async () => {
      const path = await newPath();
      return () => openScimRecordStore({ path, databaseUrl: null });
    }, []);
  });

  let path: string;
  beforeEach(async () => {
    path = await newPath();
  });
  const openFile = (options?: FileScimRecordStoreOptions) => openFileScimRecordStore(path, options);
  const logLines = async () => (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  const u = (id: string, fields: Partial<ScimRecord> = {}) => record({ orgId: 'o', id, ...fields });

  it('is the file backend, and starts empty when the log does not exist', async () => {
    const store = await openScimRecordStore({ path, databaseUrl: null });
    expect(store.backend).toBe('file');
    expect(await store.list('User', 'o')).toEqual([]);
    await store.close();
  });

  it('writes 1,000 puts made at once in far fewer than 1,000 flushes, each put resolving after its line is durable', async () => {
    const flushes: number[] = [];
    let durable = 0;
    const store = await openFile({ onFlush: (lines) => (flushes.push(lines), (durable += lines)), compactAfterLines: 1_000_000 });
    let resolved = 0;
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        store.put(u(`u${i}`)).then(() => {
          resolved++;
          // A put resolves only once a flush has made at least as many lines durable.
          expect(durable).toBeGreaterThanOrEqual(resolved);
        }),
      ),
    );
    await store.close();
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(flushes.length).toBeLessThanOrEqual(10);
    expect(await logLines()).toHaveLength(1000);
  });

  it('groups the puts of 10 clients, each waiting for its last, into shared flushes', async () => {
    const flushes: number[] = [];
    const store = await openFile({ onFlush: (lines) => flushes.push(lines), compactAfterLines: 1_000_000 });
    await Promise.all(
      Array.from({ length: 10 }, async (_, client) => {
        for (let i = 0; i < 100; i++) await store.put(u(`c${client}-${i}`));
      }),
    );
    await store.close();
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(flushes.length).toBeLessThan(250);
    const reopened = await openFile();
    expect(await reopened.list('User', 'o')).toHaveLength(1000);
    await reopened.close();
  });

  it('ignores a torn last line a crash left, keeps the lines before it, and appends cleanly after it', async () => {
    let store = await openFile();
    await store.put(u('u1'));
    await store.put(u('u2', { externalId: 'e2' }));
    await store.close();
    // A write cut short inside a multi-byte character.
    await appendFile(path, Buffer.concat([Buffer.from('{"put":{"type":"User","orgId":"o","id":"u3","anypointId":"caf'), Buffer.from('é').subarray(0, 1)]));

    store = await openFile();
    expect((await store.list('User', 'o')).map((r) => r.id)).toEqual(['u1', 'u2']);
    await store.put(u('u4'));
    await store.close();
    store = await openFile();
    expect((await store.list('User', 'o')).map((r) => r.id)).toEqual(['u1', 'u2', 'u4']);
    await store.close();
    for (const line of await logLines()) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('refuses a log damaged before its last line, naming the file and the line', async () => {
    const store = await openFile();
    await store.put(u('u1'));
    await store.put(u('u2'));
    await store.close();
    const [first, second] = await logLines();
    await writeFile(path, `${first}\n{"put":{"type":"Us\n${second}\n`);
    await expect(openFile()).rejects.toThrow(/The SCIM records log .*scim-records\.jsonl is unreadable at line 2/);
  });

  it('compacts the log to exactly the live records, and keeps appending to the compacted log', async () => {
    // Line 11 is more than 10 lines and more than twice the 5 live records: compaction is due.
    const churn = async (store: ScimRecordStore, round: string) => {
      for (let i = 1; i <= 6; i++) await store.put(u('u0', { externalId: `${round}${i}` }));
    };
    let store = await openFile({ compactAfterLines: 10 });
    for (let i = 0; i < 5; i++) await store.put(u(`u${i}`));
    await churn(store, 'v');
    const live = await store.list('User', 'o');
    expect(live[0]!.externalId).toBe('v6');
    // Closing waits for the compaction a put's flush started.
    await store.close();
    const compacted = (await logLines()).map((line) => JSON.parse(line).put);
    expect(compacted).toHaveLength(5);
    expect(compacted).toEqual(expect.arrayContaining(live));

    // Within one open: a put queued behind a compaction lands in the new log, not the replaced one.
    store = await openFile({ compactAfterLines: 10 });
    await churn(store, 'w');
    await store.put(u('u5'));
    const after = await store.list('User', 'o');
    await store.close();
    expect(await logLines()).toHaveLength(6);
    expect(await readdir(join(path, '..'))).toEqual(['scim-records.jsonl']);
    store = await openFile();
    expect(await store.list('User', 'o')).toEqual(after);
    expect(after.map((r) => r.id)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
    await store.close();
  });

  it('compacts deleted records away', async () => {
    const store = await openFile({ compactAfterLines: 4 });
    for (const id of ['a', 'b', 'c']) await store.put(u(id));
    await store.delete('User', 'o', 'a');
    await store.delete('User', 'o', 'b');
    await store.close();
    expect((await logLines()).map((line) => JSON.parse(line))).toEqual([{ put: u('c') }]);
  });

  it('clears away a temporary file a crash left mid-compaction, and is not misled by it', async () => {
    let store = await openFile();
    await store.put(u('u1'));
    await store.close();
    await writeFile(join(path, '..', `scim-records.jsonl.99999999.${randomUUID()}.tmp`), '{"put":{"type":"User","orgId":"o","id":"ghost"');
    store = await openFile();
    expect((await store.list('User', 'o')).map((r) => r.id)).toEqual(['u1']);
    await store.close();
    expect(await readdir(join(path, '..'))).toEqual(['scim-records.jsonl']);
  });

  it('is kept to one open at a time by its lock file, and refuses puts once closed', async () => {
    const store = await openFile();
    await expect(openFile()).rejects.toThrow(/already open in this process/);
    await store.close();
    await expect(store.put(u('u1'))).rejects.toThrow(/closed/);
    const again = await openFile();
    await again.close();
  });
});

describeWithService('PostgreSQL SCIM records', postgresAvailable, () => {
  const orgs: string[] = [];
  const openPg = () => openScimRecordStore({ path: '/nonexistent/never-written.jsonl', databaseUrl: DATABASE_URL });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    // As the store escapes them (pg-text), so the tricky org ids go too.
    const { toPgText } = await import('../../src/storage/pg-text.js');
    await client.query('DELETE FROM scim_resources WHERE org_id = ANY($1)', [orgs.map(toPgText)]);
    await client.end();
  });

  describe('shared behaviour', () => {
    scimRecordBehaviour(async () => openPg, orgs);
  });

  it("opens from several connections at once, and shows one replica's records to another", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, openPg));
    try {
      expect(stores.map((s) => s.backend)).toEqual(Array(4).fill('postgres'));
      const orgId = `org-${randomUUID()}`;
      orgs.push(orgId);
      const type: ScimResourceType = 'User';
      await stores[0]!.put(record({ orgId, type, id: 'u1', retired: ['a0'] }));
      expect((await stores[3]!.findByAnypointId(orgId, 'a0'))?.id).toBe('u1');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
