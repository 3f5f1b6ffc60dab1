import pg from 'pg';
import { ensureSchema } from '../storage/pg-ddl.js';
import { fromPgText, toPgText } from '../storage/pg-text.js';
import { byId, checkedRecord, type ScimRecord, type ScimRecordStore, type ScimResourceType } from './records.js';

/** SCIM records in PostgreSQL, shared by every replica. */
export interface PostgresScimRecordStoreOptions {
  databaseUrl: string;
  onError?: (error: unknown) => void;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS scim_resources (
    type text NOT NULL CHECK (type IN ('User', 'Group')),
    org_id text NOT NULL,
    id text NOT NULL,
    anypoint_id text,
    retired text[] NOT NULL DEFAULT '{}',
    external_id text,
    ended boolean NOT NULL,
    created timestamptz NOT NULL,
    last_modified timestamptz NOT NULL,
    PRIMARY KEY (type, org_id, id)
  )`,
  // findByAnypointId looks in both: the id a user is now, and the ids it was before renames.
  `CREATE INDEX IF NOT EXISTS scim_resources_anypoint_idx ON scim_resources (org_id, anypoint_id) WHERE type = 'User'`,
  `CREATE INDEX IF NOT EXISTS scim_resources_retired_idx ON scim_resources USING GIN (retired) WHERE type = 'User'`,
  'CREATE INDEX IF NOT EXISTS scim_resources_external_idx ON scim_resources (type, org_id, external_id) WHERE external_id IS NOT NULL',
];

interface Row {
  type: ScimResourceType;
  org_id: string;
  id: string;
  anypoint_id: string | null;
  retired: string[];
  external_id: string | null;
  ended: boolean;
  created: Date;
  last_modified: Date;
}

const COLUMNS = 'type, org_id, id, anypoint_id, retired, external_id, ended, created, last_modified';

/**
 * Ids come from callers (SCIM ids, externalIds and organizationIds may hold anything), so every
 * text is escaped for PostgreSQL (pg-text.ts) on the way in and unescaped on the way out.
 */
const text = toPgText;
const maybeText = (value: string | null) => (value === null ? null : toPgText(value));

export async function openPostgresScimRecordStore(options: PostgresScimRecordStoreOptions): Promise<ScimRecordStore> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl });
  // Without a listener, an idle connection's error event would crash the process.
  pool.on('error', options.onError ?? (() => undefined));
  try {
    await ensureSchema(pool, 'scim_resources', SCHEMA);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresScimRecordStore(pool);
}

class PostgresScimRecordStore implements ScimRecordStore {
  readonly backend = 'postgres' as const;
  private closing: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async get(type: ScimResourceType, orgId: string, id: string): Promise<ScimRecord | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM scim_resources WHERE type = $1 AND org_id = $2 AND id = $3`, [type, text(orgId), text(id)]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByAnypointId(orgId: string, anypointId: string): Promise<ScimRecord | undefined> {
    // IS NOT DISTINCT FROM: a null anypoint_id must rank as "not its current id", not sort first.
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM scim_resources
       WHERE type = 'User' AND org_id = $1 AND (anypoint_id = $2 OR retired @> ARRAY[$2::text])
       ORDER BY (anypoint_id IS NOT DISTINCT FROM $2::text) DESC, last_modified DESC LIMIT 1`,
      [text(orgId), text(anypointId)],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async findByExternalId(type: ScimResourceType, orgId: string, externalId: string): Promise<ScimRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM scim_resources WHERE type = $1 AND org_id = $2 AND external_id = $3`, [
      type,
      text(orgId),
      text(externalId),
    ]);
    return sorted(rows);
  }

  async list(type: ScimResourceType, orgId: string): Promise<ScimRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM scim_resources WHERE type = $1 AND org_id = $2`, [type, text(orgId)]);
    return sorted(rows);
  }

  async put(record: ScimRecord): Promise<void> {
    const r = checkedRecord(record);
    await this.pool.query(
      `INSERT INTO scim_resources (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (type, org_id, id) DO UPDATE SET anypoint_id = EXCLUDED.anypoint_id, retired = EXCLUDED.retired,
         external_id = EXCLUDED.external_id, ended = EXCLUDED.ended, created = EXCLUDED.created, last_modified = EXCLUDED.last_modified`,
      [r.type, text(r.orgId), text(r.id), maybeText(r.anypointId), r.retired.map(text), maybeText(r.externalId), r.ended, r.created, r.lastModified],
    );
  }

  async delete(type: ScimResourceType, orgId: string, id: string): Promise<void> {
    await this.pool.query('DELETE FROM scim_resources WHERE type = $1 AND org_id = $2 AND id = $3', [type, text(orgId), text(id)]);
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

/** Sorted here, not by ORDER BY: the database's collation would order escaped ids otherwise than the file backend. */
const sorted = (rows: Row[]): ScimRecord[] => rows.map(toRecord).sort(byId);

const toRecord = (row: Row): ScimRecord => ({
  type: row.type,
  orgId: fromPgText(row.org_id),
  id: fromPgText(row.id),
  anypointId: row.anypoint_id === null ? null : fromPgText(row.anypoint_id),
  retired: row.retired.map(fromPgText),
  externalId: row.external_id === null ? null : fromPgText(row.external_id),
  ended: row.ended,
  created: row.created.toISOString(),
  lastModified: row.last_modified.toISOString(),
});
