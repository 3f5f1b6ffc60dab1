import pg from 'pg';
import type { PoolClient } from 'pg';
import { checkPageSize, decodeCursor, encodeCursor } from './cursor.js';
import { interruptedRecord } from './interrupted.js';
import { ensureSchema } from '../storage/pg-ddl.js';
import { fromPgJson, toPgJson, toPgText } from '../storage/pg-text.js';
import { AuditCursorError, type AuditFilter, type AuditLog, type AuditOrder, type AuditPage, type AuditRecord } from './types.js';

/**
 * The audit trail in PostgreSQL, shared by every replica. Each log holds a session advisory lock
 * on its instance id for as long as it is open; PostgreSQL drops it when the process (or its
 * connection) dies. That lock is how one replica tells a dead replica's unfinished intents from
 * a live one's in-flight work.
 */
export interface PostgresAuditLogOptions {
  databaseUrl: string;
  instanceId: string;
  /** Connection failures outside a call (an idle connection dropped, the instance lock lost). */
  onError?: (error: unknown) => void;
}

/**
 * Advisory-lock class for instance liveness; distinct from the DDL class in pg-ddl.ts. The key is
 * hashtext(instance id): only sessions of one server compare it, so its stability across
 * PostgreSQL versions does not matter. Two ids with the same hash only make recovery wait for
 * both processes to be gone.
 */
const INSTANCE_LOCK_CLASS = 0x41554449; // "AUDI"

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS audit_events (
    seq bigserial PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    attempt_id text NOT NULL,
    kind text NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    instance_id text NOT NULL,
    status text,
    record jsonb NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS audit_events_attempt_id_idx ON audit_events (attempt_id)',
  'CREATE INDEX IF NOT EXISTS audit_events_actor_idx ON audit_events (actor)',
  'CREATE INDEX IF NOT EXISTS audit_events_action_idx ON audit_events (action)',
  'CREATE INDEX IF NOT EXISTS audit_events_target_idx ON audit_events (target)',
  'CREATE INDEX IF NOT EXISTS audit_events_at_idx ON audit_events (at)',
];

/** Intents with nothing closing them (no outcome, no interrupted record). */
const OPEN_INTENT = `kind = 'intent' AND NOT EXISTS (
  SELECT 1 FROM audit_events closing WHERE closing.attempt_id = audit_events.attempt_id AND closing.kind <> 'intent'
)`;

const TRY_LOCK = 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked';
const UNLOCK = 'SELECT pg_advisory_unlock($1, hashtext($2))';

export async function openPostgresAuditLog(options: PostgresAuditLogOptions): Promise<AuditLog> {
  // Without a listener, an idle connection's error event would crash the process.
  const report = options.onError ?? (() => undefined);
  const pool = new pg.Pool({ connectionString: options.databaseUrl });
  pool.on('error', report);
  // Its own connection, outside the pool: the lock lives exactly as long as this session.
  const owner = new pg.Client({ connectionString: options.databaseUrl });
  owner.on('error', (error) => report(new Error(`The audit trail lost its instance lock connection; other replicas may now report this one's in-flight mutations as interrupted: ${error.message}`)));
  try {
    await ensureSchema(pool, 'audit_events', SCHEMA);
    await owner.connect();
    const { rows } = await owner.query<{ locked: boolean }>(TRY_LOCK, [INSTANCE_LOCK_CLASS, options.instanceId]);
    // A blocking lock would hang the start; a duplicate id is a configuration mistake to report.
    if (!rows[0]?.locked) throw new Error(`Another live gateway uses the audit instance id ${options.instanceId}; each process needs its own`);
  } catch (error) {
    await owner.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresAuditLog(pool, owner, options.instanceId);
}

class PostgresAuditLog implements AuditLog {
  readonly backend = 'postgres' as const;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly owner: pg.Client,
    private readonly instanceId: string,
  ) {}

  async append(record: AuditRecord): Promise<void> {
    // Committed (and so durable, with synchronous_commit on) when the query returns.
    await insert(this.pool, record);
  }

  async query(filter: AuditFilter, first: number, after?: string | null, order: AuditOrder = 'OLDEST_FIRST'): Promise<AuditPage> {
    checkPageSize(first);
    const where = new Where();
    if (after !== undefined && after !== null) {
      const seq = decodeCursor('p', after).toString();
      const found = await this.pool.query('SELECT 1 FROM audit_events WHERE seq = $1', [seq]);
      if (found.rowCount === 0) throw new AuditCursorError();
      // A position, the same in both orders: later records oldest first, earlier ones newest first.
      where.add((p) => (order === 'NEWEST_FIRST' ? `seq < ${p}` : `seq > ${p}`), seq);
    }
    filterWhere(where, filter);
    const limit = where.param(first + 1);
    const sql = `SELECT seq, record FROM audit_events ${where.sql()} ORDER BY seq ${order === 'NEWEST_FIRST' ? 'DESC' : 'ASC'} LIMIT ${limit}`;
    const { rows } = await this.pool.query<{ seq: string; record: unknown }>(sql, where.params);
    const page = rows.slice(0, first);
    const cursors = page.map((r) => encodeCursor('p', BigInt(r.seq)));
    return { records: page.map((r) => fromPgJson<AuditRecord>(r.record)), cursors, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null };
  }

  async count(filter: AuditFilter): Promise<number> {
    const where = new Where();
    filterWhere(where, filter);
    const { rows } = await this.pool.query<{ count: string }>(`SELECT count(*) AS count FROM audit_events ${where.sql()}`, where.params);
    return Number(rows[0]!.count);
  }

  async recoverInterrupted(): Promise<AuditRecord[]> {
    const { rows } = await this.pool.query<{ instance_id: string }>(
      `SELECT DISTINCT instance_id FROM audit_events WHERE instance_id <> $1 AND ${OPEN_INTENT}`,
      [this.instanceId],
    );
    const interrupted: AuditRecord[] = [];
    for (const { instance_id } of rows) interrupted.push(...(await this.closeIfGone(instance_id)));
    return interrupted;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Ending the owner session releases the instance lock: from here on this log counts as gone.
      await Promise.allSettled([this.owner.end(), this.pool.end()]);
    })();
    return this.closing;
  }

  /**
   * Closes `instanceId`'s open intents when its lock is free (its process is gone). A replica
   * that still holds its lock is left alone, and so are intents another recoverer is closing
   * right now (it holds the lock meanwhile).
   */
  private async closeIfGone(instanceId: string): Promise<AuditRecord[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK, [INSTANCE_LOCK_CLASS, instanceId]);
      if (!rows[0]?.locked) return [];
      try {
        return await closeOpenIntents(client, instanceId, this.instanceId);
      } finally {
        await client.query(UNLOCK, [INSTANCE_LOCK_CLASS, instanceId]);
      }
    } catch (error) {
      // The session may still hold the lock: do not hand it back to the pool.
      broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Reads the open intents again under the lock (the owner may have closed some before it went). */
async function closeOpenIntents(client: PoolClient, deadInstanceId: string, instanceId: string): Promise<AuditRecord[]> {
  const { rows } = await client.query<{ record: unknown }>(`SELECT record FROM audit_events WHERE instance_id = $1 AND ${OPEN_INTENT} ORDER BY seq`, [deadInstanceId]);
  const records = rows.map((r) => interruptedRecord(fromPgJson<AuditRecord>(r.record), instanceId));
  if (!records.length) return records;
  // All or none: a half-written batch would be reported partly now and partly on the next start.
  await client.query('BEGIN');
  try {
    for (const record of records) await insert(client, record);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return records;
}

/** A WHERE clause built from parameters, numbered as they are added. */
class Where {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Adds `value` as a parameter and returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: (placeholder: string) => string, value: unknown): void {
    this.conditions.push(condition(this.param(value)));
  }

  sql(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** The columns hold their values escaped (pg-text.ts), so the filter is escaped the same way. */
function filterWhere(where: Where, filter: AuditFilter): void {
  if (filter.actor !== undefined) where.add((p) => `actor = ${p}`, toPgText(filter.actor));
  if (filter.action !== undefined) where.add((p) => `action = ${p}`, toPgText(filter.action));
  if (filter.target !== undefined) where.add((p) => `target = ${p}`, toPgText(filter.target));
  if (filter.from !== undefined) where.add((p) => `at >= ${p}`, filter.from.toISOString());
  if (filter.to !== undefined) where.add((p) => `at < ${p}`, filter.to.toISOString());
}

/**
 * Every text a caller may have chosen (the actor names their credential, the target their input,
 * the record holds all of it) is escaped for PostgreSQL (pg-text.ts): any input, NUL included, is
 * kept and reads back as sent. Ids, kind and status are the gateway's own and need no escape.
 */
function insert(db: pg.Pool | PoolClient, r: AuditRecord) {
  return db.query(
    `INSERT INTO audit_events (id, attempt_id, kind, at, actor, action, target, instance_id, status, record)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
    [r.id, r.attemptId, r.kind, r.at, toPgText(r.actor), toPgText(r.action), toPgText(r.target), r.instanceId, r.status ?? null, toPgJson(r)],
  );
}
