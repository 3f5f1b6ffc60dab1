import type { AnypointUser } from '../src/anypoint/types.js';
import { isNotFound } from '../src/loaders/deps.js';
import type { GatewayContext } from '../src/server/context.js';

/**
 * A user referenced from another object (a team member, an org owner): most likely in the
 * referencing org, so look there first (it batches with its neighbours), anywhere after that.
 */
export async function loadUserNear(ctx: GatewayContext, id: string, orgId: string): Promise<AnypointUser> {
  try {
    return await ctx.loaders.users.userById.load({ id, orgId });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return ctx.loaders.users.userById.load({ id });
  }
}
