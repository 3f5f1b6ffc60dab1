import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AuditCursorError, type AuditLog, type AuditRecord } from '../../src/audit/types.js';
import { anyText } from './any-text.js';

/**
 * What every audit backend must do, run by each backend's test file (not a test file itself).
 * Every test writes under its own actor and filters on it, so a shared database table does not
 * let tests see each other's records.
 */
export function auditLogBehaviour(open: (instanceId: string) => Promise<AuditLog>): void {
  let log: AuditLog;
  let instanceId: string;
  let actor: string;

  beforeEach(async () => {
    instanceId = `test-${randomUUID()}`;
    actor = `key:${randomUUID()}`;
    log = await open(instanceId);
  });
  afterEach(() => log.close());

  const make = (extra: Partial<AuditRecord> = {}) => auditRecord({ actor, instanceId, ...extra });
  const all = async (filter = {}) => (await log.query({ actor, ...filter }, 100)).records;

  it('returns appended records oldest first, with every field as written', async () => {
    const intent = make({
      kind: 'intent',
      input: { userName: 'jdoe', nested: [{ a: 1 }, null, true] },
      plan: [{ method: 'POST', path: '/users', status: 'PLANNED', requestIds: [] }],
    });
    const outcome = make({
      attemptId: intent.attemptId,
      kind: 'outcome',
      at: later(intent.at, 250),
      status: 'SUCCEEDED',
      input: intent.input,
      plan: intent.plan,
      upstreamRequestIds: ['req-1.w1', 'req-1.w2'],
      result: { userId: 'u-1', added: 2 },
      error: { code: 'CONFLICT', message: 'kept verbatim: ünïcödé "quotes"\nnewline' },
      durationMs: 123,
    });
    await log.append(intent);
    await log.append(outcome);
    const page = await log.query({ actor }, 10);
    expect(page.records).toEqual([intent, outcome]);
    expect(page.hasNextPage).toBe(false);
    expect(page.endCursor).toEqual(expect.any(String));
  });

  it('keeps any text a caller sent, NUL and unpaired surrogates included, in every field, and reads it back exactly', async () => {
    // Records of refused input hold it as sent: a name with a NUL, a target built from a garbage id.
    await fc.assert(
      fc.asyncProperty(anyText(), anyText(), async (text, other) => {
        const record = make({
          target: `user:${text}`,
          input: { firstName: text, [other]: [other, text], nested: { lastName: `${other}${text}` } },
          result: { userErrors: [{ code: 'NAME_INVALID', field: ['input', 'firstName'], message: text }] },
          error: { code: 'NAME_INVALID', message: text },
        });
        await log.append(record);
        // The property runs again on the same texts while it shrinks: earlier records may match too.
        const found = await all({ target: record.target });
        expect(found.every((r) => r.target === record.target)).toBe(true);
        expect(found.find((r) => r.id === record.id)).toEqual(record);
      }),
      { numRuns: 40 },
    );
  });

  it('filters on a target holding a NUL or U+FFFF by the exact string, never by its stored form', async () => {
    const withNul = make({ target: 'user:a\u0000b' });
    const lookalike = make({ target: 'user:a\uffff0b' });
    await log.append(withNul);
    await log.append(lookalike);
    expect(await all({ target: 'user:a\u0000b' })).toEqual([withNul]);
    expect(await all({ target: 'user:a\uffff0b' })).toEqual([lookalike]);
  });

  it('answers a query nothing matches with no records and a null endCursor', async () => {
    await log.append(make());
    expect(await log.query({ actor: `${actor}-nobody` }, 10)).toEqual({ records: [], cursors: [], hasNextPage: false, endCursor: null });
  });

  it('filters on the exact actor, action and target', async () => {
    const create = make({ action: 'createUser', target: 'user:jdoe' });
    const push = make({ action: 'pushGroup', target: 'group:o1/g1' });
    const pushOther = make({ action: 'pushGroup', target: 'group:o1/g2' });
    const otherActor = make({ actor: `${actor}-2`, action: 'createUser', target: 'user:jdoe' });
    for (const r of [create, push, pushOther, otherActor]) await log.append(r);

    expect(await all()).toEqual([create, push, pushOther]);
    expect(await all({ action: 'pushGroup' })).toEqual([push, pushOther]);
    expect(await all({ target: 'user:jdoe' })).toEqual([create]);
    expect(await all({ action: 'pushGroup', target: 'group:o1/g2' })).toEqual([pushOther]);
    expect(await all({ action: 'push' })).toEqual([]);
    expect((await log.query({ actor: `${actor}-2` }, 10)).records).toEqual([otherActor]);
  });

  it('treats from as inclusive and to as exclusive', async () => {
    const t0 = '2024-03-01T10:00:00.000Z';
    const [r0, r1, r2] = [make({ at: t0 }), make({ at: later(t0, 1) }), make({ at: later(t0, 2) })] as [AuditRecord, AuditRecord, AuditRecord];
    for (const r of [r0, r1, r2]) await log.append(r);
    const at = (record: AuditRecord) => new Date(record.at);

    expect(await all({ from: at(r1) })).toEqual([r1, r2]);
    expect(await all({ to: at(r1) })).toEqual([r0]);
    expect(await all({ from: at(r1), to: at(r2) })).toEqual([r1]);
    expect(await all({ from: at(r1), to: at(r1) })).toEqual([]);
  });

  it('pages through every record once, in order, with first and after', async () => {
    const written = Array.from({ length: 7 }, (_, i) => make({ action: `step${i}` }));
    for (const r of written) await log.append(r);

    const seen: AuditRecord[] = [];
    const more: boolean[] = [];
    let after: string | null = null;
    do {
      const page = await log.query({ actor }, 3, after);
      seen.push(...page.records);
      more.push(page.hasNextPage);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    expect(seen).toEqual(written);
    expect(more).toEqual([true, true, false]);
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const written = Array.from({ length: 4 }, () => make());
    for (const r of written) await log.append(r);
    const first = await log.query({ actor }, 2);
    const second = await log.query({ actor }, 2, first.endCursor);
    expect([first.hasNextPage, second.hasNextPage]).toEqual([true, false]);
    expect([...first.records, ...second.records]).toEqual(written);
  });

  it('pages with a filter, skipping records the filter leaves out', async () => {
    const written = Array.from({ length: 6 }, (_, i) => make({ action: i % 2 ? 'odd' : 'even' }));
    for (const r of written) await log.append(r);
    const first = await log.query({ actor, action: 'odd' }, 2);
    const second = await log.query({ actor, action: 'odd' }, 2, first.endCursor);
    expect(first.records).toEqual([written[1], written[3]]);
    expect(second).toMatchObject({ records: [written[5]], hasNextPage: false });
  });

  it('hands out one cursor per record, each resuming right after its record', async () => {
    for (let i = 0; i < 3; i++) await log.append(make());
    const page = await log.query({ actor }, 3);
    expect(page.cursors).toHaveLength(3);
    expect(page.cursors.at(-1)).toBe(page.endCursor);
    const resumed = await log.query({ actor }, 3, page.cursors[0]);
    expect(resumed.records.map((r) => r.id)).toEqual(page.records.slice(1).map((r) => r.id));
  });

  it('answers first: 0 with no records but whether any exist', async () => {
    await log.append(make());
    expect(await log.query({ actor }, 0)).toEqual({ records: [], cursors: [], hasNextPage: true, endCursor: null });
  });

  it('throws AuditCursorError for cursors it did not hand out', async () => {
    await log.append(make());
    const { endCursor } = await log.query({ actor }, 1);
    // Same shape as a real cursor, pointing far past the end.
    const forge = (position: string) => Buffer.from(Buffer.from(endCursor!, 'base64url').toString('utf8').replace(/\d+$/, position), 'utf8').toString('base64url');
    for (const bad of ['not a cursor', '', Buffer.from('42').toString('base64url'), forge('987654321'), forge('9'.repeat(19))]) {
      await expect(log.query({ actor }, 1, bad), bad).rejects.toBeInstanceOf(AuditCursorError);
    }
  });

  it('returns records newest first with NEWEST_FIRST, paging back through every record once', async () => {
    const written = Array.from({ length: 7 }, (_, i) => make({ action: `step${i}` }));
    for (const r of written) await log.append(r);

    const seen: AuditRecord[] = [];
    const more: boolean[] = [];
    let after: string | null = null;
    do {
      const page = await log.query({ actor }, 3, after, 'NEWEST_FIRST');
      expect(page.cursors).toHaveLength(page.records.length);
      expect(page.endCursor).toBe(page.cursors.at(-1) ?? null);
      seen.push(...page.records);
      more.push(page.hasNextPage);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    expect(seen).toEqual([...written].reverse());
    expect(more).toEqual([true, true, false]);
  });

  it('pages newest first with a filter, and says there is no next page when the last page is exactly full', async () => {
    const written = Array.from({ length: 8 }, (_, i) => make({ action: i % 2 ? 'odd' : 'even' }));
    for (const r of written) await log.append(r);
    const first = await log.query({ actor, action: 'odd' }, 2, null, 'NEWEST_FIRST');
    const second = await log.query({ actor, action: 'odd' }, 2, first.endCursor, 'NEWEST_FIRST');
    expect(first).toMatchObject({ records: [written[7], written[5]], hasNextPage: true });
    expect(second).toMatchObject({ records: [written[3], written[1]], hasNextPage: false });
    expect(await log.query({ actor }, 0, null, 'NEWEST_FIRST')).toEqual({ records: [], cursors: [], hasNextPage: true, endCursor: null });
    expect(await log.query({ actor: `${actor}-nobody` }, 5, null, 'NEWEST_FIRST')).toEqual({ records: [], cursors: [], hasNextPage: false, endCursor: null });
  });

  it('treats a cursor as a position in both orders: later records oldest first, earlier ones newest first', async () => {
    const written = Array.from({ length: 5 }, () => make());
    for (const r of written) await log.append(r);
    const oldest = await log.query({ actor }, 5);
    const newest = await log.query({ actor }, 5, null, 'NEWEST_FIRST');
    expect(newest.records).toEqual([...written].reverse());
    // The same record gets the same cursor in either order.
    expect([...newest.cursors].reverse()).toEqual(oldest.cursors);
    const middle = oldest.cursors[2]!;
    expect((await log.query({ actor }, 5, middle, 'NEWEST_FIRST')).records).toEqual([written[1], written[0]]);
    expect((await log.query({ actor }, 5, middle, 'OLDEST_FIRST')).records).toEqual([written[3], written[4]]);
    expect(await log.query({ actor }, 5, oldest.cursors[0], 'NEWEST_FIRST')).toEqual({ records: [], cursors: [], hasNextPage: false, endCursor: null });
  });

  it('throws AuditCursorError for cursors it did not hand out, newest first too', async () => {
    await log.append(make());
    const { endCursor } = await log.query({ actor }, 1);
    const forge = (position: string) => Buffer.from(Buffer.from(endCursor!, 'base64url').toString('utf8').replace(/\d+$/, position), 'utf8').toString('base64url');
    for (const bad of ['not a cursor', Buffer.from('42').toString('base64url'), forge('987654321'), forge('9'.repeat(19))]) {
      await expect(log.query({ actor }, 1, bad, 'NEWEST_FIRST'), bad).rejects.toBeInstanceOf(AuditCursorError);
    }
  });

  it('counts the records a filter matches, in all', async () => {
    const t0 = '2024-03-01T10:00:00.000Z';
    const written = Array.from({ length: 5 }, (_, i) => make({ action: i < 3 ? 'createUser' : 'pushGroup', at: later(t0, i) }));
    for (const r of written) await log.append(r);
    expect(await log.count({ actor })).toBe(5);
    expect(await log.count({ actor, action: 'createUser' })).toBe(3);
    expect(await log.count({ actor, action: 'pushGroup', from: new Date(later(t0, 4)) })).toBe(1);
    expect(await log.count({ actor, to: new Date(t0) })).toBe(0);
    expect(await log.count({ actor: `${actor}-nobody` })).toBe(0);
  });

  it('marks an intent whose instance is gone as interrupted, once, keeping its attempt, input and plan', async () => {
    const intent = make({ kind: 'intent', instanceId: `dead-${randomUUID()}`, input: { groupId: 'g1' }, plan: [{ method: 'POST' }] });
    await log.append(intent);
    const before = Date.now();

    const recovered = mine(await log.recoverInterrupted(), actor);
    expect(recovered).toEqual([
      {
        id: expect.any(String),
        attemptId: intent.attemptId,
        kind: 'interrupted',
        at: expect.any(String),
        actor,
        action: intent.action,
        target: intent.target,
        instanceId,
        input: intent.input,
        plan: intent.plan,
        status: 'INTERRUPTED',
        error: { code: 'INTERRUPTED', message: expect.stringContaining('Re-run the mutation to converge') },
      },
    ]);
    expect(recovered[0]!.id).not.toBe(intent.id);
    expect(Date.parse(recovered[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(await all()).toEqual([intent, recovered[0]]);
    expect(mine(await log.recoverInterrupted(), actor)).toEqual([]);
  });

  it('leaves intents that have an outcome alone', async () => {
    const dead = `dead-${randomUUID()}`;
    const intent = make({ kind: 'intent', instanceId: dead });
    await log.append(intent);
    await log.append(make({ kind: 'outcome', attemptId: intent.attemptId, instanceId: dead, status: 'FAILED' }));
    expect(mine(await log.recoverInterrupted(), actor)).toEqual([]);
  });

  it("leaves this instance's own open intents alone: they are still in flight", async () => {
    await log.append(make({ kind: 'intent' }));
    expect(mine(await log.recoverInterrupted(), actor)).toEqual([]);
  });

  it('reports an intent once even when recovery runs twice at the same time', async () => {
    const intents = [make({ kind: 'intent', instanceId: `dead-${randomUUID()}` }), make({ kind: 'intent', instanceId: `dead-${randomUUID()}` })];
    for (const r of intents) await log.append(r);
    const [a, b] = await Promise.all([log.recoverInterrupted(), log.recoverInterrupted()]);
    const attempts = [...mine(a, actor), ...mine(b, actor)].map((r) => r.attemptId).sort();
    expect(attempts).toEqual(intents.map((r) => r.attemptId).sort());
    expect((await all()).filter((r) => r.kind === 'interrupted')).toHaveLength(2);
  });
}

/** A complete record; tests override what they look at. */
export function auditRecord(extra: Partial<AuditRecord> = {}): AuditRecord {
  const kind = extra.kind ?? 'outcome';
  return {
    id: randomUUID(),
    attemptId: randomUUID(),
    kind,
    at: new Date().toISOString(),
    actor: 'key:test',
    action: 'createUser',
    target: 'user:jdoe',
    instanceId: 'test-instance',
    // Only outcomes carry a status (intents are written before there is one).
    ...(kind === 'outcome' ? { status: 'SUCCEEDED' as const } : {}),
    ...extra,
  };
}

/** Recovery sees the whole trail; a test only judges its own records. */
export const mine = (records: AuditRecord[], actor: string) => records.filter((r) => r.actor === actor);

const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
