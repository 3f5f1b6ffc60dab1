import { json, notFound, type RouteContext, type RouteDef } from '../http.js';
import type { OrgRecord } from '../model.js';
import { hierarchyView, organizationView } from '../views.js';

/** Organizations and business groups (API.md §2). Reads only: business-group CRUD is not modelled. */

export function requireOrg(ctx: RouteContext): OrgRecord {
  const org = ctx.store.org(ctx.params.orgId!);
  if (!org) throw notFound(`Organization ${ctx.params.orgId}`);
  return org;
}

export const organizationRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/accounts/api/organizations/{orgId}',
    scope: 'read:organization',
    errorStyle: 'status',
    handler: (ctx) => json(200, organizationView(ctx.store, requireOrg(ctx))),
  },
  {
    method: 'GET',
    template: '/accounts/api/organizations/{orgId}/hierarchy',
    scope: 'read:organization',
    errorStyle: 'status',
    handler: (ctx) => json(200, hierarchyView(ctx.store, requireOrg(ctx))),
  },
];
