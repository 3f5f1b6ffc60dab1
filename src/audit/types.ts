/**
 * The audit trail's records. Every mutation writes an intent before its first upstream write and
 * an outcome after it, both carrying the same attemptId. An intent left without an outcome (the
 * process died in between) is reported as interrupted by the next start. An export (GET
 * /exports/...) writes one record when it ends: who exported what, with which filters, how many
 * rows, and whether it finished.
 */
export type AuditKind = 'intent' | 'outcome' | 'interrupted' | 'export';

export type AuditStatus = 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'DRY_RUN' | 'INTERRUPTED';

export interface AuditRecord {
  /** Unique per record. */
  id: string;
  /** Shared by an intent and its outcome (or interrupted record). */
  attemptId: string;
  kind: AuditKind;
  /** ISO-8601 time the record was made. */
  at: string;
  /** Who: `key:NAME`, `jwt:SUBJECT` or `anonymous`. */
  actor: string;
  /** The mutation, e.g. createUser. */
  action: string;
  /** What it acts on, e.g. `user:jdoe` or `group:{orgId}/{groupId}`. */
  target: string;
  /** Which gateway process wrote it (interrupted detection must not claim a live replica's work). */
  instanceId: string;
  /** The mutation input with secrets redacted. */
  input?: unknown;
  /** The planned upstream writes. */
  plan?: unknown;
  /** X-Request-Id of every upstream write made. */
  upstreamRequestIds?: string[];
  /** Outcome and interrupted records. */
  status?: AuditStatus;
  result?: unknown;
  error?: { code: string; message: string };
  durationMs?: number;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/**
 * Which end a page starts from. A cursor is a position in the trail, the same in both orders:
 * `after` a cursor means the records later than it (OLDEST_FIRST) or earlier than it (NEWEST_FIRST),
 * so a cursor handed out in one order can be used with the other.
 */
export type AuditOrder = 'OLDEST_FIRST' | 'NEWEST_FIRST';

export interface AuditPage {
  records: AuditRecord[];
  /** One opaque cursor per record, for Relay edges. */
  cursors: string[];
  hasNextPage: boolean;
  /** Opaque; pass as `after` for the next page. Null when the page is empty. */
  endCursor: string | null;
}

/** Where records go. Appends are durable when their promise resolves. */
export interface AuditLog {
  readonly backend: 'file' | 'postgres';
  append(record: AuditRecord): Promise<void>;
  /** Oldest first unless `order` says otherwise. Throws AuditCursorError for a cursor this log did not hand out. */
  query(filter: AuditFilter, first: number, after?: string | null, order?: AuditOrder): Promise<AuditPage>;
  /** How many records `filter` matches, in all (no cursor). Reads without holding the records. */
  count(filter: AuditFilter): Promise<number>;
  /**
   * Finds intents without an outcome whose process is gone, appends an interrupted record for
   * each (so they are reported once), and returns those interrupted records.
   */
  recoverInterrupted(): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

export class AuditCursorError extends Error {
  constructor() {
    super('The cursor is not one this audit trail handed out');
    this.name = 'AuditCursorError';
  }
}
