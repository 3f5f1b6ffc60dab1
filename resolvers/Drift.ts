import type { DriftCause as GqlDriftCause, GroupDriftItemResolvers, GroupDriftKind, GroupDriftResolvers, MembershipType, PushedMemberResolvers, QueryResolvers } from '../src/generated/resolvers-types.js';
import { driftCauses, type DriftCause } from '../src/changes/drift-causes.js';
import type { DriftItem, GroupDriftResult } from '../src/provisioning/drift.js';
import { isNotFound } from '../src/loaders/deps.js';
import type { GatewayContext } from '../src/server/context.js';
import { loadUserNear } from './load-user.js';

/**
 * Drift (schema/drift.graphql, src/provisioning/drift.ts): read with the same role as teams and
 * their members (any caller that may read), since it names the same memberships.
 */
export const groupDrift: NonNullable<QueryResolvers['groupDrift']> = (_, { groupId, organizationId }, ctx) =>
  ctx.provisioning.groupDrift(organizationId, groupId, ctx.loaders);

export const drifts: NonNullable<QueryResolvers['drifts']> = (_, { organizationId }, ctx) => {
  const orgId = organizationId ?? ctx.loaders.rootOrgId;
  // How many groups the org has linked prices the next drifts query (demand control).
  return ctx.provisioning.drifts(orgId, ctx.loaders, (count) => ctx.loaders.cache.tell('teams', `links:${orgId}`, count));
};

/** A user who may have been deleted since: null then, not an error. */
async function userOrNull(ctx: GatewayContext, userId: string, orgId: string) {
  try {
    return await loadUserNear(ctx, userId, orgId);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** One read of the platform log per group (and request), from its last push, for all its items' causes. */
const causesOf = new WeakMap<GroupDriftResult, Promise<(item: DriftItem) => DriftCause | null>>();

function causeOf(ctx: GatewayContext, drift: GroupDriftResult, item: DriftItem) {
  if (!ctx.feed || !drift.pushed?.at) return null;
  let pending = causesOf.get(drift);
  if (!pending) {
    pending = driftCauses(ctx.feed, drift.orgId, drift.teamId, drift.pushed.at);
    causesOf.set(drift, pending);
  }
  return pending.then((lookup) => lookup(item));
}

export const GroupDrift: GroupDriftResolvers = {
  organization: (drift) => ({ id: drift.orgId }),
  lastPushedAt: (drift) => drift.pushed?.at ?? null,
  pushedTeamName: (drift) => drift.pushed?.teamName ?? null,
  pushedParentTeamId: (drift) => drift.pushed?.parentTeamId ?? null,
  pushedMembers: (drift) => (drift.pushed?.members ?? []).map((member) => ({ orgId: drift.orgId, member })),
  inSync: (drift) => drift.items.length === 0,
  items: (drift) => drift.items.map((item) => ({ orgId: drift.orgId, item, drift })),
};

export const PushedMember: PushedMemberResolvers = {
  userId: ({ member }) => member.userId,
  user: ({ orgId, member }, _, ctx) => userOrNull(ctx, member.userId, orgId),
  membershipType: ({ member }) => member.membershipType as MembershipType,
};

export const GroupDriftItem: GroupDriftItemResolvers = {
  kind: ({ item }) => item.kind as GroupDriftKind,
  userId: ({ item }) => item.userId,
  user: ({ orgId, item }, _, ctx) => (item.userId ? userOrNull(ctx, item.userId, orgId) : null),
  before: ({ item }) => item.before,
  after: ({ item }) => item.after,
  cause: async ({ item, drift }, _, ctx) => ((drift ? await causeOf(ctx, drift, item) : null) as GqlDriftCause | null),
};
