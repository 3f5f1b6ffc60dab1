import { AuditCursorError } from './types.js';

/**
 * Cursors are a position in the log, wrapped so callers treat them as opaque. The backend tag
 * keeps a file log's cursor from being mistaken for a PostgreSQL one (and vice versa).
 */
export type CursorTag = 'f' | 'p';

const MAX_POSITION = 2n ** 63n - 1n;

export function encodeCursor(tag: CursorTag, position: number | bigint): string {
  return Buffer.from(`${tag}:${position}`, 'utf8').toString('base64url');
}

/** The position inside `cursor`; throws AuditCursorError when it is not one of `tag`'s cursors. */
export function decodeCursor(tag: CursorTag, cursor: string): bigint {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^([fp]):(0|[1-9]\d{0,18})$/.exec(text);
  if (!match || match[1] !== tag) throw new AuditCursorError();
  const position = BigInt(match[2]!);
  // Past PostgreSQL's bigint, a seq lookup would fail with a database error instead.
  if (position > MAX_POSITION) throw new AuditCursorError();
  return position;
}

/** `first` is a page size: a whole number, 0 allowed (it still answers hasNextPage). */
export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a whole number >= 0, got ${first}`);
}
