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
  // Already read by id in this request (GET /environments/{id}, e.g. to find an API by its environment): no call.
  const known = await ctx.loaders.cache.peek<AnypointEnvironment>('organizations', `env:${envId}`);
  if (known?.id === envId && known.organizationId === orgId) return known;
  return (await ctx.loaders.orgs.environmentsOf(orgId)).find((e) => e.id === envId) ?? null;
}
