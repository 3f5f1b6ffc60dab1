import {
  badRequest,
  boolParam,
  dataEnvelope,
  noContent,
  pageParams,
  type RouteContext,
  type RouteDef,
} from '../http.js';
import { sortBy } from '../sorting.js';
import type { ContextParams, TeamRoleRecord } from '../model.js';
import { TEAMS_BASE, requireTeam } from './teams.js';

/** Role catalogue (API.md §6) and team role assignments (API.md §5). */

const TEAM_ROLES = `${TEAMS_BASE}/{teamId}/roles`;

function parseAssignments(ctx: RouteContext): Array<{ role_id: string; context_params: ContextParams }> {
  if (!Array.isArray(ctx.body) || ctx.body.length === 0) {
    throw badRequest('The body must be a non-empty array of role assignments', { dataPath: '', keyword: 'type', data: ctx.body ?? null });
  }
  return ctx.body.map((item: unknown, i) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const roleId = entry.role_id;
    if (typeof roleId !== 'string' || !ctx.store.roles.has(roleId)) {
      throw badRequest(`role_id ${String(roleId)} is not a known role`, { dataPath: `[${i}].role_id`, keyword: 'exists', data: roleId ?? null });
    }
    const params = (entry.context_params ?? {}) as Record<string, unknown>;
    if (typeof params.org !== 'string' || !ctx.store.org(params.org)) {
      throw badRequest('context_params.org must be an organization id', { dataPath: `[${i}].context_params.org`, keyword: 'required', data: params.org ?? null });
    }
    if (params.envId !== undefined && (typeof params.envId !== 'string' || !ctx.store.environments.has(params.envId))) {
      throw badRequest('context_params.envId must be an environment id', { dataPath: `[${i}].context_params.envId`, keyword: 'exists', data: params.envId });
    }
    const context: ContextParams = { org: params.org };
    if (typeof params.envId === 'string') context.envId = params.envId;
    return { role_id: roleId, context_params: context };
  });
}

const sameAssignment = (a: TeamRoleRecord, teamId: string, b: { role_id: string; context_params: ContextParams }) =>
  a.teamId === teamId && a.role_id === b.role_id && a.context_params.org === b.context_params.org && a.context_params.envId === b.context_params.envId;

export const roleRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/accounts/api/roles',
    scope: 'read:roles',
    errorStyle: 'status',
    handler: (ctx) => {
      const page = pageParams(ctx.query, 25);
      const ascending = boolParam(ctx.query, 'ascending', true);
      const includeInternal = boolParam(ctx.query, 'include_internal', false);
      const name = ctx.query.get('name');
      const description = ctx.query.get('description');
      const search = ctx.query.get('search')?.toLowerCase();
      let roles = [...ctx.store.roles.values()].filter((r) => includeInternal || !r.internal);
      if (name) roles = roles.filter((r) => r.name === name);
      if (description) roles = roles.filter((r) => r.description === description);
      if (search) roles = roles.filter((r) => `${r.name} ${r.description}`.toLowerCase().includes(search));
      return dataEnvelope(sortBy(roles, (r) => r.name, ascending), page);
    },
  },
  {
    method: 'GET',
    template: TEAM_ROLES,
    scope: 'read:teams',
    errorStyle: 'validation',
    handler: (ctx) => {
      const team = requireTeam(ctx);
      const page = pageParams(ctx.query, 25);
      const roleId = ctx.query.get('role_id');
      const search = ctx.query.get('search')?.toLowerCase();
      let rows = ctx.store.teamRoles
        .filter((r) => r.teamId === team.team_id && (!roleId || r.role_id === roleId))
        .map((r) => ({ role_id: r.role_id, name: ctx.store.roles.get(r.role_id)?.name ?? r.role_id, context_params: r.context_params }));
      if (search) rows = rows.filter((r) => r.name.toLowerCase().includes(search));
      return dataEnvelope(rows, page);
    },
  },
  {
    method: 'POST',
    template: TEAM_ROLES,
    scope: 'edit:teams',
    errorStyle: 'validation',
    handler: (ctx) => {
      const team = requireTeam(ctx);
      for (const assignment of parseAssignments(ctx)) {
        if (!ctx.store.teamRoles.some((r) => sameAssignment(r, team.team_id, assignment))) {
          ctx.store.teamRoles.push({ teamId: team.team_id, ...assignment });
        }
      }
      return noContent();
    },
  },
  {
    method: 'DELETE',
    template: TEAM_ROLES,
    scope: 'edit:teams',
    errorStyle: 'validation',
    handler: (ctx) => {
      const team = requireTeam(ctx);
      const doomed = parseAssignments(ctx);
      ctx.store.teamRoles = ctx.store.teamRoles.filter((r) => !doomed.some((d) => sameAssignment(r, team.team_id, d)));
      return noContent();
    },
  },
];
