import { AuditCursorError } from '../src/audit/types.js';
import type { Change as FeedChange, ChangeEntityType, ChangeSource } from '../src/changes/change.js';
import { readFeed, type FeedOptions } from '../src/changes/feed.js';
import { decodePosition, encodePosition, startAt, type FeedPosition } from '../src/changes/position.js';
import { readUserChanges, USER_CHANGES_MAX_PAGES } from '../src/changes/users.js';
import { GatewayError, badInput, notFound } from '../src/errors.js';
import type { ChangeResolvers, QueryResolvers } from '../src/generated/resolvers-types.js';
import type { GatewayContext } from '../src/server/context.js';
import { connectionFrom, matchesSearch, pageBounds } from './connection.js';
import { loadUserNear } from './load-user.js';
import { requireAuditor } from './require-auditor.js';
import { reviewScope } from '../src/access/review-inputs.js';
import type { UserFilterArgs } from './lists.js';

const DAY_MS = 86_400_000;
/** The incremental import reads at most this many pages of the platform log (200 entries each). */
export const CHANGED_SINCE_MAX_PAGES = USER_CHANGES_MAX_PAGES;

function feedOf(ctx: GatewayContext) {
  if (!ctx.feed) throw new GatewayError('INTERNAL_SERVER_ERROR', 'The change feed is not configured');
  return ctx.feed;
}

/** The organization and every business group under it. */
async function scopeOf(ctx: GatewayContext, orgId: string): Promise<Set<string>> {
  const orgIds = await reviewScope(ctx.loaders, orgId, true);
  if (!orgIds.length) throw notFound('Organization', orgId.slice(0, 64));
  return new Set(orgIds);
}

/** A time, or a token this feed handed out for the organization. */
function startFrom(value: string, orgId: string): FeedPosition {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw badInput('changedSince is neither a time (ISO 8601) nor a delta token');
    return startAt(orgId, at);
  }
  return decodePosition(value, orgId);
}

/** A trail cursor from another audit trail (demo mode starts a new one each run) is the caller's mistake, said as such. */
async function guarded<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AuditCursorError) throw badInput('The change token is from another audit trail (a demo-mode restart, or another deployment): start again from a time');
    throw error;
  }
}

export const changes: QueryResolvers['changes'] = async (_, args, ctx) => {
  requireAuditor(ctx, 'changes');
  const orgId = args.organizationId ?? ctx.loaders.rootOrgId;
  const orgIds = await scopeOf(ctx, orgId);
  const { first } = pageBounds({ first: args.first }, ctx.maxPageSize);
  if (args.after && args.since) throw badInput('Give after or since, not both');
  // The DateTime scalar hands over a Date (a string only from a hand-built context).
  const since = args.since ? new Date(args.since as unknown as Date | string).getTime() : Date.now() - DAY_MS;
  if (Number.isNaN(since)) throw badInput('since is not a time');
  const start = args.after ? decodePosition(args.after, orgId) : startAt(orgId, since);
  const types = args.filter?.entityTypes?.length ? new Set<ChangeEntityType>(args.filter.entityTypes as ChangeEntityType[]) : null;
  const sources = args.filter?.sources?.length ? new Set<ChangeSource>(args.filter.sources as ChangeSource[]) : null;
  const options: FeedOptions = { first, orgIds, keep: (c: FeedChange) => (!types || types.has(c.entityType)) && (!sources || sources.has(c.source)) };
  const read = await guarded(() => readFeed(feedOf(ctx), start, options));
  const edges = read.changes.map((node, i) => ({ node, cursor: encodePosition(read.positions[i]!) }));
  const endCursor = encodePosition(read.position);
  return {
    edges,
    nodes: read.changes,
    pageInfo: { hasNextPage: read.hasMore, hasPreviousPage: Boolean(args.after), startCursor: edges[0]?.cursor ?? null, endCursor },
    deltaToken: read.hasMore ? null : endCursor,
  };
};

export const Change: ChangeResolvers = {
  organization: (change) => ({ id: change.organizationId }),
  user: (change, _, ctx) =>
    change.entityType === 'USER' || (change.source === 'ANYPOINT' && change.entityType === 'MEMBERSHIP')
      ? loadUserNear(ctx, change.entityId, change.organizationId).catch(() => null)
      : null,
  team: (change, _, ctx) => {
    if (change.source !== 'ANYPOINT') return null;
    const id = change.entityType === 'TEAM' ? change.entityId : change.entityType === 'MEMBERSHIP' || change.entityType === 'TEAM_ROLE' ? change.parentId : null;
    return id ? ctx.loaders.teams.teamById.load({ id, orgId: change.organizationId }).catch(() => null) : null;
  },
};

/**
 * users(changedSince): the platform log's user entries since the position, each user's last one
 * kept (with the user as it was after it), instead of listing every user. Costs one call per 200
 * entries plus the empty page that says the log is current.
 */
export async function changedUsers(
  ctx: GatewayContext,
  args: { organizationId?: string | null; changedSince: string; filter?: UserFilterArgs | null; first?: number | null; after?: string | null },
) {
  const logOrg = args.organizationId ?? ctx.loaders.rootOrgId;
  const orgIds = args.organizationId ? new Set([args.organizationId]) : await scopeOf(ctx, logOrg);
  const read = await guarded(() => readUserChanges(feedOf(ctx), startFrom(args.changedSince, logOrg), orgIds, CHANGED_SINCE_MAX_PAGES));
  if (!read.complete) {
    throw badInput(`More than ${CHANGED_SINCE_MAX_PAGES * 200} user changes since then: list the users (without changedSince) instead`);
  }
  const users = [...read.changed.values()].map((c) => c.user);
  const removed = read.removed;
  const filter = args.filter;
  const kept = users
    .filter((u) => (filter?.enabled == null || u.enabled === filter.enabled) && matchesSearch(filter?.search, u.username, u.firstName, u.lastName, u.email))
    .sort((a, b) => a.username.localeCompare(b.username));
  return { ...connectionFrom(kept, { first: args.first, after: args.after }, ctx.maxPageSize), removedUserIds: removed.sort(), deltaToken: encodePosition(read.position) };
}
