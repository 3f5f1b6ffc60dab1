import type { EnvironmentResolvers } from '../src/generated/resolvers-types.js';
import { connectionFrom } from './connection.js';
import { asEntity, hintOf } from './entity.js';
import { apisOfEnvironment } from './lists.js';

export const Environment: EnvironmentResolvers = {
  __resolveReference: async (ref, ctx) => {
    const orgId = hintOf(ref, 'organization');
    return asEntity(orgId ? ctx.loaders.orgs.environmentInOrg(orgId, ref.id) : ctx.loaders.orgs.environmentById.load(ref.id));
  },
  organization: (env) => ({ id: env.organizationId }),
  apiCount: (env, _, ctx) => ctx.loaders.apis.apiCount(env.organizationId, env.id),
  apis: async (env, { filter, first, after }, ctx) =>
    connectionFrom(await apisOfEnvironment(ctx, env.organizationId, env.id, filter), { first, after }, ctx.maxPageSize),
};
