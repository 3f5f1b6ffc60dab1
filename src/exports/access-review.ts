import { DEFAULT_STALE_DAYS, matchesFilter, reviewRows, type AccessReviewFilter, type AccessReviewRow } from '../access/review.js';
import { orgReviewInput, reviewScope } from '../access/review-inputs.js';
import type { Loaders } from '../loaders/index.js';
import type { OrgNode } from '../loaders/organizations.js';
import { notFound } from '../errors.js';
import { MembershipType } from '../graph/enums.js';
import { enumName } from './enum-names.js';
import { csvTable, type Column } from './csv.js';
import { readQuery, type QueryReader } from './query.js';

/**
 * The access review as a file: the rows of Query.accessReview, with its filters as query
 * parameters, read and written one business group at a time (its input built, its rows
 * written, then dropped), so memory holds one org's access picture, not the platform's.
 */
export interface AccessReviewRequest {
  organizationId: string;
  includeDescendants: boolean;
  filter: AccessReviewFilter;
  staleDays: number;
}

export const ACCESS_REVIEW_PARAMETERS = [
  'organizationId',
  'includeDescendants',
  'role',
  'environmentId',
  'privilegedOnly',
  'staleForDays',
  'disabledWithGrants',
  'principalType',
] as const;

/** The filters, checked as the GraphQL field checks them; a bad value is a 400 before any work. */
export function readAccessReviewRequest(query: URLSearchParams, rootOrgId: string, extra: readonly string[] = []): AccessReviewRequest {
  const q: QueryReader = readQuery(query, [...ACCESS_REVIEW_PARAMETERS, ...extra]);
  const staleForDays = q.int('staleForDays', 0, 36_500);
  const principalType = q.oneOf('principalType', ['USER', 'APP'] as const);
  const filter: AccessReviewFilter = {
    role: q.string('role'),
    environmentId: q.string('environmentId'),
    privilegedOnly: q.bool('privilegedOnly'),
    staleForDays,
    disabledWithGrants: q.bool('disabledWithGrants'),
    principalType,
  };
  return {
    organizationId: q.string('organizationId') ?? rootOrgId,
    includeDescendants: q.bool('includeDescendants') ?? false,
    filter,
    staleDays: staleForDays ?? DEFAULT_STALE_DAYS,
  };
}

/** The filters as the audit trail keeps them: only those sent. */
export function describeRequest(request: AccessReviewRequest): Record<string, unknown> {
  const filters = Object.fromEntries(Object.entries(request.filter).filter(([, v]) => v !== null && v !== undefined));
  return { organizationId: request.organizationId, includeDescendants: request.includeDescendants, ...filters };
}

export interface OrgRows {
  orgId: string;
  rows: AccessReviewRow[];
}

/**
 * The business groups of the review, checked before the first byte goes out (an unknown one
 * is a 404), then each one's filtered rows in the GraphQL field's order. The next org is read
 * while the caller writes this one's rows: at most two orgs are in memory.
 */
export async function accessReviewScope(tree: Loaders, request: AccessReviewRequest): Promise<{ orgIds: string[]; nodes: OrgNode[] }> {
  const orgIds = await reviewScope(tree, request.organizationId, request.includeDescendants);
  if (orgIds.length === 0) throw notFound('Organization', request.organizationId.slice(0, 64));
  return { orgIds, nodes: await tree.orgs.orgNodes() };
}

/**
 * A row as the export writes it: as the GraphQL field answers it, enums by their GraphQL names
 * (MEMBER, not Anypoint's member).
 */
export const exportedRow = (row: AccessReviewRow): AccessReviewRow => (row.membershipType ? { ...row, membershipType: enumName(MembershipType, row.membershipType) as never } : row);

export async function* accessReviewRows(tree: Loaders, perOrg: () => Loaders, request: AccessReviewRequest, orgIds: string[]): AsyncGenerator<OrgRows> {
  const now = Date.now();
  const read = (orgId: string) => orgReviewInput(perOrg(), orgId, tree);
  let next = orgIds[0] ? read(orgIds[0]) : null;
  for (let i = 0; next; i += 1) {
    const input = await next;
    // The next org's reads start before this one's rows are worked out and written: the CPU of
    // building rows is then off the critical path (the upstream waits are the export's time).
    next = orgIds[i + 1] ? read(orgIds[i + 1]!) : null;
    // Not left unhandled while this org's rows are written; awaited (and thrown) next turn.
    next?.catch(() => undefined);
    const rows = reviewRows(input, request.staleDays, now)
      .filter((row) => matchesFilter(row, request.filter, now))
      .map(exportedRow);
    yield { orgId: orgIds[i]!, rows };
  }
}

/** The flat CSV: every field of AccessReviewRow, in this order (docs/exports.md). */
export const ACCESS_REVIEW_COLUMNS: readonly Column<AccessReviewRow>[] = (
  [
    'principalType',
    'principalId',
    'principalName',
    'displayName',
    'email',
    'enabled',
    'lastLogin',
    'stale',
    'roleId',
    'roleName',
    'privileged',
    'organizationId',
    'organizationName',
    'environmentId',
    'environmentName',
    'via',
    'viaId',
    'viaName',
    'inheritedFromId',
    'inheritedFromName',
    'membershipType',
    'assignedViaExternalGroups',
    'externalGroups',
  ] as const satisfies readonly (keyof AccessReviewRow)[]
).map((key) => ({ header: key, value: (row: AccessReviewRow) => row[key] }));

export const accessReviewCsv = csvTable(ACCESS_REVIEW_COLUMNS);

