import type { OrganizationResolvers } from '../src/generated/resolvers-types.js';
import { connectionFrom } from './connection.js';
import { apisOfOrganization, teamsOf, usersOf } from './lists.js';
import { loadUserNear } from './load-user.js';

export const Organization: OrganizationResolvers = {
  __resolveReference: async ({ id }, ctx) => ({ id: (await ctx.loaders.orgs.orgNode(id)).id }),
  name: async ({ id }, _, ctx) => (await ctx.loaders.orgs.orgNode(id)).name,
  isRoot: async ({ id }, _, ctx) => (await ctx.loaders.orgs.orgNode(id)).parentId === null,
  parent: async ({ id }, _, ctx) => {
    const { parentId } = await ctx.loaders.orgs.orgNode(id);
    return parentId ? { id: parentId } : null;
  },
  ancestors: async ({ id }, _, ctx) => {
    const chain: Array<{ id: string }> = [];
    let node = await ctx.loaders.orgs.orgNode(id);
    while (node.parentId) {
      chain.unshift({ id: node.parentId });
      node = await ctx.loaders.orgs.orgNode(node.parentId);
    }
    return chain;
  },
  children: async ({ id }, _, ctx) => (await ctx.loaders.orgs.orgNode(id)).childIds.map((childId) => ({ id: childId })),
  environments: async ({ id }, { type }, ctx) => (await ctx.loaders.orgs.environmentsOf(id)).filter((e) => !type || e.type === type),
  users: async ({ id }, { filter, first, after }, ctx) => connectionFrom(await usersOf(ctx, id, filter), { first, after }, ctx.maxPageSize),
  teams: async ({ id }, { filter, first, after }, ctx) => connectionFrom(await teamsOf(ctx, id, filter), { first, after }, ctx.maxPageSize),
  rootTeam: ({ id }, _, ctx) => ctx.loaders.teams.rootTeamOf(id),
  apis: async ({ id }, { filter, first, after }, ctx) => connectionFrom(await apisOfOrganization(ctx, id, filter), { first, after }, ctx.maxPageSize),
  owner: async ({ id }, _, ctx) => {
    const { ownerId } = await ctx.loaders.orgs.orgDetail.load(id);
    return ownerId ? loadUserNear(ctx, ownerId, id) : null;
  },
  createdAt: async ({ id }, _, ctx) => (await ctx.loaders.orgs.orgDetail.load(id)).createdAt ?? null,
  entitlements: async ({ id }, _, ctx) => (await ctx.loaders.orgs.orgDetail.load(id)).entitlements ?? null,
};
