import { createHash } from 'node:crypto';
import type { SharedCache } from '../cache/shared-cache.js';

/**
 * The first outcome of a mutation sent with an idempotencyKey, so a retry with the same key gets
 * that outcome back instead of writing again. Kept in the shared cache: every replica sharing
 * Redis replays it. The cache counts its failures as misses, so a sick Redis means a retry may
 * run again (the locks, not this store, are what keeps two runs from overlapping).
 */
export interface StoredOutcome {
  /** fingerprintOf the mutation's input: the same key reused with other input is refused, not replayed. */
  fingerprint: string;
  outcome: unknown;
  /** When it was stored (ISO 8601). */
  at: string;
}

export interface IdempotencyStore {
  lookup(scope: string, key: string): Promise<StoredOutcome | undefined>;
  save(scope: string, key: string, fingerprint: string, outcome: unknown): Promise<void>;
}

export function createIdempotencyStore(cache: SharedCache, ttlMs: number): IdempotencyStore {
  // Hashed: scope and key are caller-chosen strings, which must neither collide with other cache
  // keys (no separator can leak through a hex digest) nor sit in Redis key names as sent.
  const entry = (scope: string, key: string) => `idempotency:${sha256(scope)}:${sha256(key)}`;
  return {
    async lookup(scope, key) {
      const stored = await cache.get<StoredOutcome>(entry(scope, key));
      return stored !== undefined && typeof stored.fingerprint === 'string' ? stored : undefined;
    },
    async save(scope, key, fingerprint, outcome) {
      const stored: StoredOutcome = { fingerprint, outcome, at: new Date().toISOString() };
      await cache.set(entry(scope, key), stored, ttlMs);
    },
  };
}

/** sha256 of a canonical JSON of value: object keys sorted and undefined dropped, so key order does not matter. */
export function fingerprintOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * JSON with object keys in sorted order, written out by hand: JSON.stringify follows the
 * engine's property order, which puts integer-like keys first whatever order they were sorted in.
 */
function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON()); // e.g. a Date, as JSON.stringify would
  }
  if (Array.isArray(value)) return `[${value.map((item) => (isAbsent(item) ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Object.keys also covers the null-prototype objects GraphQL builds for input values.
    const record = value as Record<string, unknown>;
    const fields = Object.keys(record)
      .filter((key) => !isAbsent(record[key]))
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${fields.join(',')}}`;
  }
  // undefined at the top level has no JSON form; it fingerprints like null.
  return JSON.stringify(value) ?? 'null';
}

/** What JSON leaves out of an object (and writes as null in an array). */
const isAbsent = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
