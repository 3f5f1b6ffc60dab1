import type { AnypointClient } from './client.js';

/**
 * The platform's Audit Log Query API (MuleSoft's official audit-log-query spec): every write the
 * platform accepted, by whom, oldest first. One route; the change feed decides how to page it.
 */

type Call = { signal?: AbortSignal; requestId?: string };

export const AUDIT_ROUTES = { query: '/audit/v2/organizations/{orgId}/query' } as const;

/** What the spec allows per page of a JSON query. */
export const AUDIT_PAGE_SIZE = 200;

export interface AnypointAuditEntry {
  id: string;
  timestamp: string;
  organizationId: string;
  userId?: string | null;
  userName?: string | null;
  clientId?: string | null;
  platform?: string;
  objectType: string;
  objectId: string;
  objectName?: string | null;
  parentId?: string | null;
  action: string;
  properties?: Record<string, unknown>;
  requestId?: string | null;
  /** With getVersionedObjectsInLogs=true: the object right after the write (null once deleted). */
  versionedObject?: Record<string, unknown> | null;
}

export interface AuditQuery {
  /** Unix milliseconds, inclusive. */
  startDate: number;
  objectTypes?: string[];
  /** The previous page's cursor (cursor paging). */
  cursor?: string;
}

export interface AuditQueryPage {
  data: AnypointAuditEntry[];
  /** Absent on an empty page: the log has nothing more yet. */
  cursor?: string;
}

/** One page, oldest first, by cursor; a read (POST), so retried like a GET. */
export const queryAuditLog = (client: AnypointClient, orgId: string, query: AuditQuery, options: { versioned?: boolean } & Call = {}) =>
  client.request<AuditQueryPage>({
    method: 'POST',
    route: AUDIT_ROUTES.query,
    params: { orgId },
    query: { cursorPagination: true, ...(options.versioned ? { getVersionedObjectsInLogs: true } : {}) },
    body: { startDate: query.startDate, ascending: true, limit: AUDIT_PAGE_SIZE, ...(query.objectTypes?.length ? { objectTypes: query.objectTypes } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) },
    readOnly: true,
    signal: options.signal,
    requestId: options.requestId,
  });
