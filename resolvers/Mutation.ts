import type { MutationResolvers } from '../src/generated/resolvers-types.js';
import type { Outcome } from '../src/provisioning/index.js';
import type { GatewayContext } from '../src/server/context.js';

/**
 * Mutations hand their input to the provisioning engine and spread its outcome into the payload.
 * The provisioner role is checked before any resolver runs (server/authorization.ts).
 */
async function settle<R extends object>(ctx: GatewayContext, pending: Promise<Outcome<R>>) {
  const { result, ...rest } = await pending;
  // Whatever this request loaded before the write is stale now: later fields read afresh.
  if (!rest.dryRun) ctx.loaders = ctx.newLoaders();
  return { ...rest, ...(result ?? {}) } as Omit<Outcome<R>, 'result'> & Partial<R>;
}

const call = (ctx: GatewayContext) => ({ caller: ctx.caller!, requestId: ctx.requestId });

export const Mutation: MutationResolvers = {
  createUser: (_, { input }, ctx) => settle(ctx, ctx.provisioning.createUser(input, call(ctx))),
  updateUserProfile: (_, { input }, ctx) => settle(ctx, ctx.provisioning.updateUserProfile(input, call(ctx))),
  changeUsername: (_, { input }, ctx) => settle(ctx, ctx.provisioning.changeUsername(input, call(ctx))),
  deactivateUser: (_, { input }, ctx) => settle(ctx, ctx.provisioning.deactivateUser(input, call(ctx))),
  reactivateUser: (_, { input }, ctx) => settle(ctx, ctx.provisioning.reactivateUser(input, call(ctx))),
  pushGroup: (_, { input }, ctx) => settle(ctx, ctx.provisioning.pushGroup(input, call(ctx))),
  unlinkGroup: (_, { input }, ctx) => settle(ctx, ctx.provisioning.unlinkGroup(input, call(ctx))),
  deleteGroup: (_, { input }, ctx) => settle(ctx, ctx.provisioning.deleteGroup(input, call(ctx))),
};
