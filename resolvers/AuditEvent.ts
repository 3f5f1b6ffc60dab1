import { AuditCursorError } from '../src/audit/types.js';
import type { AuditEventResolvers, QueryResolvers } from '../src/generated/resolvers-types.js';
import { GatewayError, badInput } from '../src/errors.js';

/** The audit trail, for callers with the auditor role only. */
export const auditEvents: QueryResolvers['auditEvents'] = async (_, { filter, first, after }, ctx) => {
  if (!ctx.caller?.roles.has('auditor')) throw new GatewayError('FORBIDDEN', 'auditEvents needs the auditor role');
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 0 || size > ctx.maxPageSize) throw badInput(`first must be between 0 and ${ctx.maxPageSize}`);
  const range = { from: filter?.from ? new Date(filter.from) : undefined, to: filter?.to ? new Date(filter.to) : undefined };
  try {
    const page = await ctx.audit.query(
      { actor: filter?.actor ?? undefined, action: filter?.action ?? undefined, target: filter?.target ?? undefined, ...range },
      size,
      after ?? null,
    );
    const edges = page.records.map((node, i) => ({ cursor: page.cursors[i]!, node }));
    return {
      edges,
      nodes: page.records,
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: Boolean(after), startCursor: edges[0]?.cursor ?? null, endCursor: page.endCursor },
    };
  } catch (error) {
    if (error instanceof AuditCursorError) throw badInput(error.message);
    throw error;
  }
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
