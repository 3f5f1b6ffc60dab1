import type { Pool } from 'pg';

/**
 * Advisory-lock class for schema creation. Every two-int advisory lock the gateway takes has its
 * own class, so these keys can never meet the per-instance ones (see postgres-log.ts).
 */
const DDL_LOCK_CLASS = 0x41474444; // "AGDD"

/**
 * Runs `statements` (CREATE ... IF NOT EXISTS) in one transaction under a lock. IF NOT EXISTS
 * alone is not enough: two processes creating the same table at once can both pass the check and
 * one then fails on a duplicate catalog row, so replicas starting together would crash.
 */
export async function ensureSchema(pool: Pool, name: string, statements: string[]): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DDL_LOCK_CLASS, name]);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
