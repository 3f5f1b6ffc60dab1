import { badRequest, boolParam, json, type RouteContext, type RouteDef } from '../http.js';
import type { AuditLogEntry } from '../model.js';
import { requireOrg } from './organizations.js';

/**
 * The Audit Log Query API (anypoint/specs/official/audit-log-query.yaml): POST a logQuery,
 * filters ANDed, startDate required, offset paging (limit 1..200) or `?cursorPagination=true`
 * with the cursor sent back in the body (none on an empty page), and a `.csv` variant (limit up
 * to 300,000). An organization's log includes its business groups' entries. The per-minute
 * budget (503) is applied by the server before the handler.
 */

const BASE = '/audit/v2/organizations/{orgId}/query';
const JSON_LIMIT = 200;
const CSV_LIMIT = 300_000;

interface LogQuery {
  from: number;
  to: number;
  lists: Partial<Record<'userIds' | 'objectIds' | 'parentIds' | 'platforms' | 'objectTypes' | 'actions', Set<string>>>;
  limit: number;
  offset: number;
  ascending: boolean;
  cursor: string | null;
}

function instant(value: unknown, field: string): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(`${field} must be Unix milliseconds or an ISO 8601 date`, { dataPath: `.${field}`, keyword: 'format', data: value ?? null });
  return ms;
}

function readQuery(body: unknown, csv: boolean): LogQuery {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a logQuery object', { dataPath: '', keyword: 'type', data: body ?? null });
  const q = body as Record<string, unknown>;
  if (q.startDate === undefined) throw badRequest('startDate is required', { dataPath: '.startDate', keyword: 'required', data: null });
  const lists: LogQuery['lists'] = {};
  for (const field of ['userIds', 'objectIds', 'parentIds', 'platforms', 'objectTypes', 'actions'] as const) {
    const value = q[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest(`${field} must be an array of strings`, { dataPath: `.${field}`, keyword: 'type', data: value });
    if (value.length) lists[field] = new Set(value as string[]);
  }
  const max = csv ? CSV_LIMIT : JSON_LIMIT;
  const limit = q.limit === undefined ? 25 : q.limit;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > max) throw badRequest(`limit must be an integer from 1 to ${max}`, { dataPath: '.limit', keyword: 'maximum', data: limit });
  const offset = q.offset === undefined ? 0 : q.offset;
  if (!Number.isInteger(offset) || (offset as number) < 0) throw badRequest('offset must be a non-negative integer', { dataPath: '.offset', keyword: 'minimum', data: offset });
  if (q.cursor !== undefined && typeof q.cursor !== 'string') throw badRequest('cursor must be a string', { dataPath: '.cursor', keyword: 'type', data: q.cursor });
  return {
    from: instant(q.startDate, 'startDate'),
    to: q.endDate === undefined ? Number.POSITIVE_INFINITY : instant(q.endDate, 'endDate'),
    lists,
    limit: limit as number,
    offset: offset as number,
    ascending: q.ascending === undefined ? true : q.ascending === true,
    cursor: (q.cursor as string | undefined) ?? null,
  };
}

const FIELD_OF = { userIds: 'userId', objectIds: 'objectId', parentIds: 'parentId', platforms: 'platform', objectTypes: 'objectType', actions: 'action' } as const;

function matches(entry: AuditLogEntry, q: LogQuery): boolean {
  const at = Date.parse(entry.timestamp);
  if (at < q.from || at > q.to) return false;
  for (const [list, values] of Object.entries(q.lists) as Array<[keyof typeof FIELD_OF, Set<string>]>) {
    const value = entry[FIELD_OF[list]];
    // An app's entries name it as their user: userIds filters on either.
    if (list === 'userIds' ? !values.has(entry.userId ?? '') && !values.has(entry.clientId) : !values.has(String(value ?? ''))) return false;
  }
  return true;
}

function descendants(ctx: RouteContext, orgId: string): string[] {
  const children = ctx.store.orgChildIds(orgId);
  return [...children, ...children.flatMap((id) => descendants(ctx, id))];
}

const encodeCursor = (entry: AuditLogEntry) => Buffer.from(`e:${entry.id}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const m = /^e:(\d{12})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badRequest('cursor is not one this API handed out', { dataPath: '.cursor', keyword: 'format', data: cursor });
  return m[1]!;
}

function view(entry: AuditLogEntry, versioned: boolean) {
  const { object, ...rest } = entry;
  return versioned ? { ...rest, versionedObject: object } : rest;
}

const CSV_COLUMNS = ['id', 'timestamp', 'organizationId', 'userId', 'userName', 'clientId', 'platform', 'objectType', 'objectId', 'objectName', 'parentId', 'action', 'requestId'] as const;

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function query(csv: boolean) {
  return (ctx: RouteContext) => {
    const org = requireOrg(ctx);
    const q = readQuery(ctx.body, csv);
    const cursorPaging = boolParam(ctx.query, 'cursorPagination', false);
    const includeTotal = boolParam(ctx.query, 'doIncludeTotal', false);
    const versioned = boolParam(ctx.query, 'getVersionedObjectsInLogs', false);
    // An organization's log holds its business groups' entries too (narrow with parentIds or
    // objectIds). Entries are appended in id order, which is time order.
    const orgs = new Set([org.id, ...descendants(ctx, org.id)]);
    let entries = ctx.store.auditLog.filter((e) => orgs.has(e.organizationId) && matches(e, q));
    if (!q.ascending) entries = entries.reverse();
    let start = q.offset;
    if (cursorPaging && q.cursor) {
      const after = decodeCursor(q.cursor);
      const index = entries.findIndex((e) => (q.ascending ? e.id > after : e.id < after));
      start = index === -1 ? entries.length : index;
    }
    const page = entries.slice(start, start + q.limit);
    if (csv) {
      const lines = [CSV_COLUMNS.join(','), ...page.map((e) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(','))];
      return { status: 200, raw: Buffer.from(`${lines.join('\r\n')}\r\n`), contentType: 'text/csv' };
    }
    const body: Record<string, unknown> = { data: page.map((e) => view(e, versioned)) };
    if (!cursorPaging || includeTotal) body.total = entries.length;
    if (cursorPaging && page.length) body.cursor = encodeCursor(page.at(-1)!);
    return json(200, body);
  };
}

export const auditRoutes: RouteDef[] = [
  { method: 'POST', template: BASE, scope: 'read:audit_logs', errorStyle: 'status', handler: query(false) },
  { method: 'POST', template: `${BASE}.csv`, scope: 'read:audit_logs', errorStyle: 'status', handler: query(true) },
];
