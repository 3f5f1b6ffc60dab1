import type {
  AccessGrantResolvers,
  AccessPathResolvers,
  AccessReviewRowResolvers,
  AppScopeResolvers,
  ConnectedAppResolvers,
  EffectiveTeamRoleResolvers,
  QueryResolvers,
} from '../src/generated/resolvers-types.js';
import type { AccessPathKind } from '../src/generated/resolvers-types.js';
import type { AccessPath as Path } from '../src/access/grants.js';
import { DEFAULT_STALE_DAYS, ADMIN_SCOPE, matchesFilter, reviewRows, summarize, type AccessReviewFilter } from '../src/access/review.js';
import { orgReviewInput, reviewScope } from '../src/access/review-inputs.js';
import { badInput, notFound } from '../src/errors.js';
import type { GatewayContext } from '../src/server/context.js';
import { MembershipType } from '../src/graph/enums.js';
import { connectionFrom } from './connection.js';
import { environmentIn } from './environment-of.js';
import { loadUserNear } from './load-user.js';
import { requireAuditor } from './require-auditor.js';



const teamRef = (ctx: GatewayContext, team: { id: string } | null, orgId: string) => (team ? ctx.loaders.teams.teamById.load({ id: team.id, orgId }) : null);

export function describePath(path: Path): string {
  switch (path.kind) {
    case 'DIRECT':
      return 'assigned directly';
    case 'ROLE_GROUP':
      return `role group ${path.roleGroup?.name ?? '?'}`;
    case 'ROOT_TEAM':
      return `root team ${path.team?.name ?? '?'}`;
    case 'TEAM':
      return `team ${path.team?.name ?? '?'}`;
    case 'INHERITED_TEAM':
      return `team ${path.team?.name ?? '?'}, inherited from ${path.inheritedFrom?.name ?? '?'}`;
  }
}

export const AccessGrant: AccessGrantResolvers = {
  organization: (grant) => ({ id: grant.orgId }),
  environment: (grant, _, ctx) => environmentIn(ctx, grant.orgId, grant.envId),
  paths: (grant) => grant.paths.map((path) => ({ path, orgId: grant.orgId })),
};

export const AccessPath: AccessPathResolvers = {
  kind: ({ path }) => path.kind as AccessPathKind,
  roleGroup: ({ path }) => path.roleGroup,
  team: ({ path, orgId }, _, ctx) => teamRef(ctx, path.team, orgId),
  inheritedFrom: ({ path, orgId }, _, ctx) => teamRef(ctx, path.inheritedFrom, orgId),
  membershipType: ({ path }) => (path.membershipType as MembershipType | null) ?? null,
  assignedViaExternalGroups: ({ path }) => path.assignedViaExternalGroups,
  description: ({ path }) => describePath(path),
};

export const EffectiveTeamRole: EffectiveTeamRoleResolvers = {
  name: (role) => role.roleName,
  organization: (role) => ({ id: role.orgId }),
  environment: (role, _, ctx) => environmentIn(ctx, role.orgId, role.envId),
  inheritedFrom: (role, _, ctx) => teamRef(ctx, role.inheritedFrom, role.teamOrgId),
};

export const ConnectedApp: ConnectedAppResolvers = {
  clientId: (app) => app.client_id,
  name: (app) => app.client_name,
  grantTypes: (app) => app.grant_types ?? [],
  owner: (app, _, ctx) => (app.owner_user_id ? loadUserNear(ctx, app.owner_user_id, app.owner_org_id ?? ctx.loaders.rootOrgId).catch(() => null) : null),
  enabled: (app) => app.enabled ?? true,
  audience: (app) => app.audience ?? null,
  scopes: (app) =>
    (app.scopes ?? []).flatMap(({ scope, context_params }) => (Array.isArray(context_params) ? context_params : [context_params]).map((context) => ({ scope, context }))),
  hasAdminScopes: (app) => (app.scopes ?? []).some((s) => ADMIN_SCOPE.test(s.scope)),
};

export const AppScope: AppScopeResolvers = {
  organization: ({ context }) => (context?.org ? { id: context.org } : null),
  environment: ({ context }, _, ctx) => (context?.org ? environmentIn(ctx, context.org, context.envId) : null),
};

export const AccessReviewRow: AccessReviewRowResolvers = {
  membershipType: (row) => (row.membershipType as MembershipType | null) ?? null,
};

export const userAccess = (user: { id: string; organizationId: string }, ctx: GatewayContext) =>
  ctx.loaders.access.userAccess.load({ id: user.id, orgId: user.organizationId });

export const teamEffectiveRoles = async (team: { team_id: string; org_id: string }, ctx: GatewayContext) =>
  (await ctx.loaders.access.teamEffectiveRoles(team.org_id, team.team_id)).map((role) => ({ ...role, teamOrgId: team.org_id }));

export const connectedApps = (org: { id: string }, ctx: GatewayContext) => {
  requireAuditor(ctx, 'connectedApps');
  return ctx.loaders.access.connectedAppsOf(org.id);
};

export const accessReview: QueryResolvers['accessReview'] = async (_, args, ctx) => {
  requireAuditor(ctx, 'accessReview');
  const filter: AccessReviewFilter = args.filter ?? {};
  if (filter.staleForDays != null && (filter.staleForDays < 0 || filter.staleForDays > 36_500)) throw badInput('staleForDays must be between 0 and 36500');
  const organizationId = args.organizationId ?? ctx.loaders.rootOrgId;
  const orgIds = await reviewScope(ctx.loaders, organizationId, args.includeDescendants ?? false);
  if (orgIds.length === 0) throw notFound('Organization', organizationId.slice(0, 64));
  const inputs = await Promise.all(orgIds.map((id) => orgReviewInput(ctx.loaders, id)));
  const staleDays = filter.staleForDays ?? DEFAULT_STALE_DAYS;
  const now = Date.now();
  const rows = inputs.flatMap((input) => reviewRows(input, staleDays, now));
  const kept = rows.filter((row) => matchesFilter(row, filter, now));
  return { ...connectionFrom(kept, { first: args.first, after: args.after }, ctx.maxPageSize), summary: summarize(inputs, rows, staleDays) };
};
