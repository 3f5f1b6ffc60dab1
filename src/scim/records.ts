import { openFileScimRecordStore } from './records-file.js';
import { openPostgresScimRecordStore } from './records-postgres.js';

/**
 * What the gateway knows about a SCIM resource that Anypoint does not. SCIM ids must be stable for
 * the life of a resource, but an Anypoint user's id changes with its username, and Anypoint has no
 * externalId: so one record per resource the gateway knows more about, kept across restarts.
 */
export type ScimResourceType = 'User' | 'Group';

export interface ScimRecord {
  type: ScimResourceType;
  orgId: string;
  /** The SCIM id: stable for the life of the resource. */
  id: string;
  /** Users: the Anypoint user id the resource is now (it changes when the userName changes). Groups: null. */
  anypointId: string | null;
  /** Users: Anypoint user ids the resource was before userName changes (deactivated, hidden from lists). */
  retired: string[];
  externalId: string | null;
  /** DELETE ended the resource (it answers 404), though its Anypoint user lives on, deactivated. */
  ended: boolean;
  /** ISO-8601. */
  created: string;
  /** ISO-8601. */
  lastModified: string;
}

/**
 * Every answer is a copy: callers may change it without changing the store. Lists are ordered by
 * id (UTF-16 code units, the same in both backends).
 */
export interface ScimRecordStore {
  readonly backend: 'file' | 'postgres';
  get(type: ScimResourceType, orgId: string, id: string): Promise<ScimRecord | undefined>;
  /**
   * The User record whose anypointId is this id, or whose retired list holds it. Should several
   * match, one whose anypointId it is comes first, then the most recently modified.
   */
  findByAnypointId(orgId: string, anypointId: string): Promise<ScimRecord | undefined>;
  findByExternalId(type: ScimResourceType, orgId: string, externalId: string): Promise<ScimRecord[]>;
  list(type: ScimResourceType, orgId: string): Promise<ScimRecord[]>;
  /** Durable when it resolves; upsert by (type, orgId, id). Rejects a malformed record. */
  put(record: ScimRecord): Promise<void>;
  /** Forgets the record; shrugs at one that is not there. */
  delete(type: ScimResourceType, orgId: string, id: string): Promise<void>;
  close(): Promise<void>;
}

export interface ScimRecordStoreOptions {
  /** The JSON Lines file, used when databaseUrl is null. */
  path: string;
  /** PostgreSQL, shared by replicas. */
  databaseUrl: string | null;
  /** PostgreSQL connection failures outside a call. */
  onError?: (error: unknown) => void;
}

export function openScimRecordStore(options: ScimRecordStoreOptions): Promise<ScimRecordStore> {
  if (options.databaseUrl) return openPostgresScimRecordStore({ databaseUrl: options.databaseUrl, onError: options.onError });
  return openFileScimRecordStore(options.path);
}

/**
 * A checked copy of `record`, its times as Date.toISOString writes them. Both backends store
 * this, so they answer alike (PostgreSQL would normalize the times anyway) and a record read back
 * from a file is held to the same shape as one put.
 */
export function checkedRecord(record: ScimRecord): ScimRecord {
  const value = record as unknown as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new TypeError(`Not a SCIM record: ${what}`);
  };
  if (value === null || typeof value !== 'object') fail('not an object');
  if (value.type !== 'User' && value.type !== 'Group') fail('type is neither "User" nor "Group"');
  for (const key of ['orgId', 'id'] as const) if (typeof value[key] !== 'string') fail(`${key} is not a string`);
  for (const key of ['anypointId', 'externalId'] as const) if (value[key] !== null && typeof value[key] !== 'string') fail(`${key} is neither a string nor null`);
  if (!Array.isArray(value.retired) || !value.retired.every((id) => typeof id === 'string')) fail('retired is not a list of strings');
  if (typeof value.ended !== 'boolean') fail('ended is not a boolean');
  return {
    type: record.type,
    orgId: record.orgId,
    id: record.id,
    anypointId: record.anypointId,
    retired: [...record.retired],
    externalId: record.externalId,
    ended: record.ended,
    created: isoTime(record.created, 'created', fail),
    lastModified: isoTime(record.lastModified, 'lastModified', fail),
  };
}

function isoTime(value: unknown, name: string, fail: (what: string) => never): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? fail(`${name} is not an ISO-8601 time`) : new Date(time).toISOString();
}

/** A copy callers may change: the only mutable part of a record is its retired list. */
export const copyRecord = (record: ScimRecord): ScimRecord => ({ ...record, retired: [...record.retired] });

/** Code-unit order, not locale order: the same answer in every backend and every locale. */
export const byId = (a: ScimRecord, b: ScimRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
