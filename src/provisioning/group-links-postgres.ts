import pg from 'pg';
import { ensureSchema } from '../storage/pg-ddl.js';
import { fromPgText, toPgText } from '../storage/pg-text.js';
import { byGroupId, type GroupLink, type GroupLinkStore, type PushedState, type TeamClaim } from './group-links.js';

/** Group links in PostgreSQL, shared by every replica. */
export interface PostgresGroupLinkStoreOptions {
  databaseUrl: string;
  onError?: (error: unknown) => void;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS group_links (
    org_id text NOT NULL,
    group_id text NOT NULL,
    team_id text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, group_id)
  )`,
  // Added after the table first shipped: nullable, so existing rows (links from before) stay valid
  // and read back with no pushed state. JSON as text, not jsonb: jsonb refuses \u0000, and ids
  // are escaped for PostgreSQL like every other text (pg-text.ts).
  'ALTER TABLE group_links ADD COLUMN IF NOT EXISTS pushed text',
  'CREATE INDEX IF NOT EXISTS group_links_team_idx ON group_links (org_id, team_id)',
  `CREATE TABLE IF NOT EXISTS group_team_claims (
    org_id text NOT NULL,
    group_id text NOT NULL,
    team_name text NOT NULL,
    claimed_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, group_id)
  )`,
];

interface Row {
  org_id: string;
  group_id: string;
  team_id: string;
  updated_at: Date;
  pushed: string | null;
}

const COLUMNS = 'org_id, group_id, team_id, updated_at';
const READ_COLUMNS = `${COLUMNS}, pushed`;

/**
 * Ids come from callers (an organizationId may hold anything), so every text is escaped for
 * PostgreSQL (pg-text.ts) on the way in and unescaped on the way out.
 */
const text = toPgText;

export async function openPostgresGroupLinkStore(options: PostgresGroupLinkStoreOptions): Promise<GroupLinkStore> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl });
  // Without a listener, an idle connection's error event would crash the process.
  pool.on('error', options.onError ?? (() => undefined));
  try {
    await ensureSchema(pool, 'group_links', SCHEMA);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresGroupLinkStore(pool);
}

class PostgresGroupLinkStore implements GroupLinkStore {
  readonly backend = 'postgres' as const;
  private closing: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async get(orgId: string, groupId: string): Promise<GroupLink | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${READ_COLUMNS} FROM group_links WHERE org_id = $1 AND group_id = $2`, [text(orgId), text(groupId)]);
    return rows[0] && toLink(rows[0]);
  }

  async findByTeam(orgId: string, teamId: string): Promise<GroupLink | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${READ_COLUMNS} FROM group_links WHERE org_id = $1 AND team_id = $2 ORDER BY updated_at DESC LIMIT 1`,
      [text(orgId), text(teamId)],
    );
    return rows[0] && toLink(rows[0]);
  }

  async list(orgId: string): Promise<GroupLink[]> {
    // Sorted here, not by ORDER BY: the collation would order (escaped) ids otherwise than the file backend does.
    const { rows } = await this.pool.query<Row>(`SELECT ${READ_COLUMNS} FROM group_links WHERE org_id = $1`, [text(orgId)]);
    return rows.map(toLink).sort(byGroupId);
  }

  async set(link: { orgId: string; groupId: string; teamId: string }): Promise<void> {
    // clock_timestamp, not now(): distinct per statement, so "most recently set" stays ordered.
    // One statement: the claim goes exactly when the link it was waiting for is there.
    await this.pool.query(
      `WITH claim AS (DELETE FROM group_team_claims WHERE org_id = $1 AND group_id = $2)
       INSERT INTO group_links (${COLUMNS}) VALUES ($1, $2, $3, clock_timestamp())
       ON CONFLICT (org_id, group_id) DO UPDATE SET team_id = EXCLUDED.team_id, updated_at = EXCLUDED.updated_at,
         pushed = CASE WHEN group_links.team_id = EXCLUDED.team_id THEN group_links.pushed END`,
      [text(link.orgId), text(link.groupId), text(link.teamId)],
    );
  }

  async recordPush(orgId: string, groupId: string, pushed: Omit<PushedState, 'at'>): Promise<void> {
    const state: PushedState = { ...pushed, at: new Date().toISOString() };
    await this.pool.query('UPDATE group_links SET pushed = $3 WHERE org_id = $1 AND group_id = $2', [text(orgId), text(groupId), text(JSON.stringify(state))]);
  }

  async delete(orgId: string, groupId: string): Promise<void> {
    await this.pool.query(
      `WITH claim AS (DELETE FROM group_team_claims WHERE org_id = $1 AND group_id = $2)
       DELETE FROM group_links WHERE org_id = $1 AND group_id = $2`,
      [text(orgId), text(groupId)],
    );
  }

  async claimTeam(claim: TeamClaim): Promise<void> {
    await this.pool.query(
      `INSERT INTO group_team_claims (org_id, group_id, team_name, claimed_at) VALUES ($1, $2, $3, clock_timestamp())
       ON CONFLICT (org_id, group_id) DO UPDATE SET team_name = EXCLUDED.team_name, claimed_at = EXCLUDED.claimed_at`,
      [text(claim.orgId), text(claim.groupId), text(claim.teamName)],
    );
  }

  async claimedTeamName(orgId: string, groupId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ team_name: string }>('SELECT team_name FROM group_team_claims WHERE org_id = $1 AND group_id = $2', [text(orgId), text(groupId)]);
    return rows[0] && fromPgText(rows[0].team_name);
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

const toLink = (row: Row): GroupLink => ({
  orgId: fromPgText(row.org_id),
  groupId: fromPgText(row.group_id),
  teamId: fromPgText(row.team_id),
  updatedAt: row.updated_at.toISOString(),
  ...(row.pushed ? { pushed: JSON.parse(fromPgText(row.pushed)) as PushedState } : {}),
});
