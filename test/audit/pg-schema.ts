import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** The test database (trust auth, as in CI). */
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A schema of its own for one test file, reached through search_path: recovery scans the whole
 * audit table, so test files running in parallel must not share one (one file's "dead"
 * instance would be recovered by another's test). Not a test file itself.
 */
export async function isolatedSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `audit_test_${randomUUID().replaceAll('-', '')}`;
  await admin(`CREATE SCHEMA ${name}`);
  return {
    url: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
    drop: () => admin(`DROP SCHEMA IF EXISTS ${name} CASCADE`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
