import { changedUsers } from './Changes.js';
import { badInput } from '../src/errors.js';
import type { QueryResolvers } from '../src/generated/resolvers-types.js';
import { connectionFrom } from './connection.js';
import { apisOfEnvironment, apisOfOrganization, apisOfPlatform, teamsOf, usersOf } from './lists.js';
import { parseApiId } from './ids.js';

export const Query: QueryResolvers = {
  viewer: (_, __, ctx) => ({ clientId: ctx.viewer.clientId, orgId: ctx.viewer.orgId }),

  organization: async (_, { id }, ctx) => ({ id: (await ctx.loaders.orgs.orgNode(id)).id }),

  organizations: async (_, { filter }, ctx) => {
    let nodes = await ctx.loaders.orgs.orgNodes();
    if (filter?.underId) {
      const root = await ctx.loaders.orgs.orgNode(filter.underId);
      const keep = new Set<string>();
      const visit = (id: string) => {
        keep.add(id);
        nodes.find((n) => n.id === id)?.childIds.forEach(visit);
      };
      visit(root.id);
      nodes = nodes.filter((n) => keep.has(n.id));
    }
    const search = filter?.search?.toLowerCase();
    if (search) nodes = nodes.filter((n) => n.name.toLowerCase().includes(search));
    return nodes.map((n) => ({ id: n.id }));
  },

  environment: (_, { id, organizationId }, ctx) => (organizationId ? ctx.loaders.orgs.environmentInOrg(organizationId, id) : ctx.loaders.orgs.environmentById.load(id)),

  user: (_, { id, organizationId }, ctx) => ctx.loaders.users.userById.load({ id, orgId: organizationId ?? undefined }),

  userByUsername: (_, { username }, ctx) => ctx.loaders.users.userByUsername.load(username),

  users: async (_, { organizationId, filter, first, after, changedSince }, ctx) =>
    changedSince
      ? changedUsers(ctx, { organizationId, changedSince, filter, first, after })
      : connectionFrom(await usersOf(ctx, organizationId ?? ctx.loaders.rootOrgId, filter), { first, after }, ctx.maxPageSize),

  team: (_, { id, organizationId }, ctx) => ctx.loaders.teams.teamById.load({ id, orgId: organizationId ?? undefined }),

  teams: async (_, { organizationId, filter, first, after }, ctx) =>
    connectionFrom(await teamsOf(ctx, organizationId ?? ctx.loaders.rootOrgId, filter), { first, after }, ctx.maxPageSize),

  api: (_, { environmentId, id }, ctx) => ctx.loaders.apis.apiById.load({ id: parseApiId(id), envId: environmentId }),

  apis: async (_, { organizationId, environmentId, filter, first, after }, ctx) => {
    if (environmentId) {
      const env = await ctx.loaders.orgs.environmentById.load(environmentId);
      if (organizationId && env.organizationId !== organizationId) {
        throw badInput(`Environment ${environmentId} does not belong to organization ${organizationId}`);
      }
      return connectionFrom(await apisOfEnvironment(ctx, env.organizationId, env.id, filter), { first, after }, ctx.maxPageSize);
    }
    if (!organizationId) return connectionFrom(await apisOfPlatform(ctx, filter), { first, after }, ctx.maxPageSize);
    await ctx.loaders.orgs.orgNode(organizationId);
    return connectionFrom(await apisOfOrganization(ctx, organizationId, filter), { first, after }, ctx.maxPageSize);
  },
};
