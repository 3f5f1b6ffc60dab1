import type { AnypointEnvironment } from '../src/anypoint/types.js';
import type { GatewayContext } from '../src/server/context.js';

/**
 * An environment through the organization it belongs to, when that is known (an API's, a role's
 * context): that organization's detail, one call, not a sweep of every organization. Null when
 * the organization does not list it (anymore).
 */
export async function environmentIn(ctx: GatewayContext, orgId: string | null | undefined, envId: string | null | undefined): Promise<AnypointEnvironment | null> {
  if (!envId) return null;
  if (!orgId) return ctx.loaders.orgs.environmentById.load(envId);
  return (await ctx.loaders.orgs.environmentsOf(orgId)).find((e) => e.id === envId) ?? null;
}
