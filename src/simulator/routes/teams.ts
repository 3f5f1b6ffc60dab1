import {
  badRequest,
  boolParam,
  dataEnvelope,
  enumParam,
  json,
  noContent,
  notFound,
  pageParams,
  requireObject,
  requireString,
  type RouteContext,
  type RouteDef,
} from '../http.js';
import { sortBy } from '../sorting.js';
import type { TeamRecord, TeamType } from '../model.js';
import { teamView } from '../views.js';
import { requireOrg } from './organizations.js';

/**
 * Teams (API.md §5). Each org has one root team (no ancestors) that cannot be deleted or moved.
 * Responses carry ancestor_team_ids, root first; there is no parent field, only the chain.
 */

export const TEAMS_BASE = '/accounts/api/organizations/{orgId}/teams';
const TEAM_TYPES: readonly TeamType[] = ['internal', 'shared', 'private', 'external'];

export function requireTeam(ctx: RouteContext): TeamRecord {
  const org = requireOrg(ctx);
  const team = ctx.store.teams.get(ctx.params.teamId!);
  if (!team || team.org_id !== org.id) throw notFound(`Team ${ctx.params.teamId}`);
  return team;
}

function parentIn(ctx: RouteContext, orgId: string, parentId: unknown): TeamRecord {
  if (typeof parentId !== 'string' || parentId === '') {
    throw badRequest('parent_team_id is required', { dataPath: '.parent_team_id', keyword: 'required', data: parentId ?? null });
  }
  const parent = ctx.store.teams.get(parentId);
  if (!parent || parent.org_id !== orgId) {
    throw badRequest(`parent_team_id ${parentId} is not a team of this organization`, { dataPath: '.parent_team_id', keyword: 'exists', data: parentId });
  }
  return parent;
}

function assertUniqueSiblingName(ctx: RouteContext, orgId: string, parentId: string, name: string, exceptId?: string): void {
  // Siblings share their parent's org, so the org's teams are all there is to look at.
  for (const team of ctx.store.teamsOf(orgId)) {
    if (team.parentId === parentId && team.team_name === name && team.team_id !== exceptId) {
      throw badRequest(`A team named ${name} already exists under this parent`, { dataPath: '.team_name', keyword: 'unique', data: name });
    }
  }
}

function list(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const q = ctx.query;
  const page = pageParams(q, 25);
  const sort = enumParam(q, 'sort', ['team_name', 'created_at', 'team_id'] as const, 'team_name');
  const ascending = boolParam(q, 'ascending', true);
  const type = q.get('team_type') ? enumParam(q, 'team_type', TEAM_TYPES, 'internal') : null;
  const ancestorIds = q.getAll('ancestor_team_id');
  const parentIds = q.getAll('parent_team_id');
  const teamId = q.get('team_id');
  const search = q.get('search')?.toLowerCase();
  let teams = ctx.store.teamsOf(org.id);
  if (type) teams = teams.filter((t) => t.team_type === type);
  if (teamId) teams = teams.filter((t) => t.team_id === teamId);
  if (parentIds.length) teams = teams.filter((t) => t.parentId !== null && parentIds.includes(t.parentId));
  if (ancestorIds.length) teams = teams.filter((t) => ctx.store.teamAncestorIds(t.team_id).some((id) => ancestorIds.includes(id)));
  if (search) teams = teams.filter((t) => t.team_name.toLowerCase().includes(search));
  sortBy(teams, (t) => t[sort], ascending);
  return dataEnvelope(teams, page, (pageTeams) => pageTeams.map((t) => teamView(ctx.store, t)));
}

function create(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const body = requireObject(ctx.body);
  const name = requireString(body, 'team_name');
  const parent = parentIn(ctx, org.id, body.parent_team_id);
  const type = (body.team_type ?? 'internal') as TeamType;
  if (!TEAM_TYPES.includes(type)) {
    throw badRequest(`team_type must be one of ${TEAM_TYPES.join(', ')}`, { dataPath: '.team_type', keyword: 'enum', data: body.team_type });
  }
  assertUniqueSiblingName(ctx, org.id, parent.team_id, name);
  const now = new Date().toISOString();
  const team: TeamRecord = {
    team_id: ctx.store.random.uuid(),
    team_name: name,
    team_type: type,
    org_id: org.id,
    parentId: parent.team_id,
    created_at: now,
    updated_at: now,
  };
  ctx.store.teams.set(team.team_id, team);
  return json(201, teamView(ctx.store, team));
}

function rename(ctx: RouteContext) {
  const team = requireTeam(ctx);
  const body = requireObject(ctx.body);
  const name = requireString(body, 'team_name');
  if (body.team_type !== undefined && body.team_type !== team.team_type) {
    throw badRequest('team_type cannot be changed', { dataPath: '.team_type', keyword: 'immutable', data: body.team_type });
  }
  if (team.parentId) assertUniqueSiblingName(ctx, team.org_id, team.parentId, name, team.team_id);
  team.team_name = name;
  team.updated_at = new Date().toISOString();
  return json(200, teamView(ctx.store, team));
}

function move(ctx: RouteContext) {
  const team = requireTeam(ctx);
  if (team.parentId === null) throw badRequest('The root team cannot be moved');
  const body = requireObject(ctx.body);
  const parent = parentIn(ctx, team.org_id, body.parent_team_id);
  if (parent.team_id === team.team_id || ctx.store.teamAncestorIds(parent.team_id).includes(team.team_id)) {
    throw badRequest('A team cannot be moved under itself or its descendants', { dataPath: '.parent_team_id', keyword: 'cycle', data: parent.team_id });
  }
  const previous = ctx.store.teamAncestorIds(team.team_id);
  assertUniqueSiblingName(ctx, team.org_id, parent.team_id, team.team_name, team.team_id);
  team.parentId = parent.team_id;
  team.updated_at = new Date().toISOString();
  return json(200, { ...teamView(ctx.store, team), previous_ancestor_team_ids: previous });
}

function remove(ctx: RouteContext) {
  const team = requireTeam(ctx);
  if (team.parentId === null) throw badRequest('The root team cannot be deleted');
  if (ctx.store.teamsOf(team.org_id).some((t) => t.parentId === team.team_id)) {
    throw badRequest('A team with child teams cannot be deleted; move or delete its children first');
  }
  ctx.store.teams.delete(team.team_id);
  ctx.store.members.delete(team.team_id);
  ctx.store.teamRoles = ctx.store.teamRoles.filter((r) => r.teamId !== team.team_id);
  return noContent();
}

export const teamRoutes: RouteDef[] = [
  { method: 'GET', template: TEAMS_BASE, scope: 'read:teams', errorStyle: 'validation', handler: list },
  { method: 'POST', template: TEAMS_BASE, scope: 'edit:teams', errorStyle: 'validation', handler: create },
  { method: 'GET', template: `${TEAMS_BASE}/{teamId}`, scope: 'read:teams', errorStyle: 'validation', handler: (ctx) => json(200, teamView(ctx.store, requireTeam(ctx))) },
  { method: 'PATCH', template: `${TEAMS_BASE}/{teamId}`, scope: 'edit:teams', errorStyle: 'validation', handler: rename },
  { method: 'PUT', template: `${TEAMS_BASE}/{teamId}/parent`, scope: 'edit:teams', errorStyle: 'validation', handler: move },
  { method: 'DELETE', template: `${TEAMS_BASE}/{teamId}`, scope: 'edit:teams', errorStyle: 'validation', handler: remove },
];
