import { AuditCursorError } from '../src/audit/types.js';
import { AuditEventOrder, type AuditEventConnectionResolvers, type AuditEventResolvers, type QueryResolvers } from '../src/generated/resolvers-types.js';
import { badInput } from '../src/errors.js';
import { requireAuditor } from './require-auditor.js';

/** The audit trail, for callers with the auditor role only (require-auditor.ts). */
export const auditEvents: QueryResolvers['auditEvents'] = async (_, { filter, first, after, order }, ctx) => {
  requireAuditor(ctx, 'auditEvents');
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 0 || size > ctx.maxPageSize) throw badInput(`first must be between 0 and ${ctx.maxPageSize}`);
  const range = { from: filter?.from ? new Date(filter.from) : undefined, to: filter?.to ? new Date(filter.to) : undefined };
  const auditFilter = { actor: filter?.actor ?? undefined, action: filter?.action ?? undefined, target: filter?.target ?? undefined, ...range };
  try {
    const page = await ctx.audit.query(auditFilter, size, after ?? null, order === AuditEventOrder.NewestFirst ? 'NEWEST_FIRST' : 'OLDEST_FIRST');
    const edges = page.records.map((node, i) => ({ cursor: page.cursors[i]!, node }));
    let counted: Promise<number> | undefined;
    return {
      count: () => (counted ??= ctx.audit.count(auditFilter)),
      edges,
      nodes: page.records,
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: Boolean(after), startCursor: edges[0]?.cursor ?? null, endCursor: page.endCursor },
    };
  } catch (error) {
    if (error instanceof AuditCursorError) throw badInput(error.message);
    throw error;
  }
};

export const AuditEventConnection: AuditEventConnectionResolvers = {
  totalCount: (c) => c.count(),
};

export const AuditEvent: AuditEventResolvers = {
  kind: (r) => r.kind.toUpperCase() as never,
  upstreamRequestIds: (r) => r.upstreamRequestIds ?? [],
  status: (r) => (r.status ?? null) as never,
  errorCode: (r) => r.error?.code ?? null,
  errorMessage: (r) => r.error?.message ?? null,
  durationMs: (r) => r.durationMs ?? null,
  input: (r) => r.input ?? null,
  plan: (r) => r.plan ?? null,
  result: (r) => r.result ?? null,
};
