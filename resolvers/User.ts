import type { TeamMembershipResolvers, UserResolvers } from '../src/generated/resolvers-types.js';
import { MembershipType } from '../src/graph/enums.js';
import { asEntity, hintOf } from './entity.js';

export const User: UserResolvers = {
  // Routers may reference a user by either key.
  __resolveReference: async (ref, ctx) =>
    asEntity('id' in ref ? ctx.loaders.users.userById.load({ id: ref.id, orgId: hintOf(ref, 'organization') }) : ctx.loaders.users.userByUsername.load(ref.username)),
  phoneNumber: (user) => user.phoneNumber ?? null,
  lastLogin: (user) => user.lastLogin ?? null,
  identityProvider: (user) => user.idprovider_id ?? null,
  organization: (user) => ({ id: user.organizationId }),
  teams: async (user, _, ctx) => (await ctx.loaders.teams.membershipsInOrg(user.organizationId))[user.id] ?? [],
};

export const TeamMembership: TeamMembershipResolvers = {
  team: ({ team }) => team,
  membershipType: ({ member }) => member.membership_type as MembershipType,
  assignedViaExternalGroups: ({ member }) => member.is_assigned_via_external_groups ?? false,
};
