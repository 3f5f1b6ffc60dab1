import type { TeamMemberResolvers, TeamResolvers, TeamRoleResolvers } from '../src/generated/resolvers-types.js';
import { MembershipType, TeamType } from '../src/graph/enums.js';
import { connectionFrom } from './connection.js';
import { asEntity, hintOf } from './entity.js';
import { environmentIn } from './environment-of.js';
import { loadUserNear } from './load-user.js';

export const Team: TeamResolvers = {
  __resolveReference: async (ref, ctx) => asEntity(ctx.loaders.teams.teamById.load({ id: ref.id, orgId: hintOf(ref, 'organization') })),
  id: (team) => team.team_id,
  name: (team) => team.team_name,
  type: (team) => team.team_type as TeamType,
  organization: (team) => ({ id: team.org_id }),
  // Anypoint has no parent field: the parent is the last of the ancestors (API.md §5).
  parent: (team, _, ctx) => {
    const parentId = team.ancestor_team_ids.at(-1);
    return parentId ? ctx.loaders.teams.teamById.load({ id: parentId, orgId: team.org_id }) : null;
  },
  ancestors: (team, _, ctx) =>
    Promise.all(team.ancestor_team_ids.map((id) => ctx.loaders.teams.teamById.load({ id, orgId: team.org_id }))),
  children: async (team, _, ctx) =>
    (await ctx.loaders.teams.teamsOfOrg(team.org_id)).filter((t) => t.ancestor_team_ids.at(-1) === team.team_id),
  members: async (team, { membershipType, first, after }, ctx) => {
    const members = await ctx.loaders.teams.membersOfTeam(team.org_id, team.team_id);
    const kept = members.filter((m) => !membershipType || m.membership_type === membershipType);
    return connectionFrom(kept.map((member) => ({ orgId: team.org_id, member })), { first, after }, ctx.maxPageSize);
  },
  roles: (team, _, ctx) => ctx.loaders.teams.rolesOfTeam(team.org_id, team.team_id),
  createdAt: (team) => team.created_at ?? null,
  updatedAt: (team) => team.updated_at ?? null,
};

export const TeamMember: TeamMemberResolvers = {
  user: ({ orgId, member }, _, ctx) => loadUserNear(ctx, member.id, orgId),
  membershipType: ({ member }) => member.membership_type as MembershipType,
  assignedViaExternalGroups: ({ member }) => member.is_assigned_via_external_groups ?? false,
};

export const TeamRole: TeamRoleResolvers = {
  roleId: (role) => role.role_id,
  organization: (role) => ({ id: role.context_params.org }),
  environment: (role, _, ctx) => environmentIn(ctx, role.context_params.org, role.context_params.envId),
};
