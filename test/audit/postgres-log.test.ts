import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/audit/index.js';
import { openPostgresAuditLog } from '../../src/audit/postgres-log.js';
import type { AuditLog } from '../../src/audit/types.js';
import { describeWithService, postgresAvailable } from '../helpers/services.js';
import { auditLogBehaviour, auditRecord, mine } from './behaviour.js';
import { isolatedSchema } from './pg-schema.js';

describeWithService('PostgreSQL audit log', postgresAvailable, () => {
  let schema: Awaited<ReturnType<typeof isolatedSchema>>;
  beforeAll(async () => {
    schema = await isolatedSchema();
  });
  afterAll(() => schema.drop());

  describe('shared behaviour', () => {
    auditLogBehaviour((instanceId) => openPostgresAuditLog({ databaseUrl: schema.url, instanceId }));
  });

  describe('between replicas', () => {
    const opened: AuditLog[] = [];
    const openLog = async (instanceId = `test-${randomUUID()}`, databaseUrl = schema.url) => {
      const log = await openPostgresAuditLog({ databaseUrl, instanceId });
      opened.push(log);
      return log;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((log) => log.close()));
    });

    it("does not mark a live replica's open intent interrupted, but does once that replica is gone", async () => {
      const actor = `key:${randomUUID()}`;
      const ownerId = `owner-${randomUUID()}`;
      const owner = await openLog(ownerId);
      const recoverer = await openLog();
      const intent = auditRecord({ kind: 'intent', actor, instanceId: ownerId });
      await owner.append(intent);

      expect(mine(await recoverer.recoverInterrupted(), actor)).toEqual([]);
      // Gone without writing the outcome: its session, and with it its instance lock, ends.
      await owner.close();
      const recovered = mine(await recoverer.recoverInterrupted(), actor);
      expect(recovered.map((r) => [r.kind, r.attemptId])).toEqual([['interrupted', intent.attemptId]]);
    });

    it("shows one replica's appends to another", async () => {
      const [a, b] = await Promise.all([openLog(), openLog()]);
      const record = auditRecord({ actor: `key:${randomUUID()}` });
      await a.append(record);
      expect((await b.query({ actor: record.actor }, 10)).records).toEqual([record]);
    });

    it('opens from several connections at once on a database without the table', async () => {
      const fresh = await isolatedSchema();
      try {
        const logs = await Promise.all(Array.from({ length: 5 }, () => openLog(`test-${randomUUID()}`, fresh.url)));
        expect(logs.map((log) => log.backend)).toEqual(Array(5).fill('postgres'));
        const record = auditRecord();
        await logs[0]!.append(record);
        expect((await logs[4]!.query({}, 10)).records).toEqual([record]);
      } finally {
        await Promise.all(opened.splice(0).map((log) => log.close()));
        await fresh.drop();
      }
    });

    it('refuses a second log with the instance id of one still open', async () => {
      const id = `test-${randomUUID()}`;
      await openLog(id);
      await expect(openLog(id)).rejects.toThrow(`Another live gateway uses the audit instance id ${id}`);
    });

    it("rejects a file log's cursor", async () => {
      const log = await openLog();
      await expect(log.query({}, 1, Buffer.from('f:0').toString('base64url'))).rejects.toThrow('The cursor is not one this audit trail handed out');
    });

    it('is what openAuditLog opens when a databaseUrl is set', async () => {
      const log = await openAuditLog({ path: '/nonexistent/never-written.jsonl', fsync: true, databaseUrl: schema.url, instanceId: `test-${randomUUID()}` });
      opened.push(log);
      expect(log.backend).toBe('postgres');
    });
  });
});
