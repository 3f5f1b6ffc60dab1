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
  sortBy,
  type RouteContext,
  type RouteDef,
} from '../http.js';
import type { MembershipType } from '../model.js';
import { memberView } from '../views.js';
import { TEAMS_BASE, requireTeam } from './teams.js';

/** Team members (API.md §5): list with filters, put (add or change type), delete. */

const BASE = `${TEAMS_BASE}/{teamId}/members`;
const MEMBERSHIP_TYPES: readonly MembershipType[] = ['member', 'maintainer'];

function list(ctx: RouteContext) {
  const team = requireTeam(ctx);
  const q = ctx.query;
  const page = pageParams(q, 25);
  const membershipType = q.get('membership_type') ? enumParam(q, 'membership_type', MEMBERSHIP_TYPES, 'member') : null;
  const identityType = q.get('identity_type') ? enumParam(q, 'identity_type', ['user'] as const, 'user') : null;
  const sort = enumParam(q, 'sort', ['name', 'identity_type'] as const, 'name');
  const ascending = boolParam(q, 'ascending', true);
  const ids = q.getAll('member_ids');
  const search = q.get('search')?.toLowerCase();
  let members = [...ctx.store.membersOf(team.team_id).values()]
    .filter((m) => ctx.store.liveUser(m.userId))
    .map((m) => memberView(ctx.store, m));
  if (membershipType) members = members.filter((m) => m.membership_type === membershipType);
  if (identityType) members = members.filter((m) => m.identity_type === identityType);
  if (ids.length) members = members.filter((m) => ids.includes(m.id));
  if (search) members = members.filter((m) => m.name.toLowerCase().includes(search));
  sortBy(members, (m) => (sort === 'name' ? m.name : m.identity_type), ascending);
  return dataEnvelope(members, page);
}

function put(ctx: RouteContext) {
  const team = requireTeam(ctx);
  const user = ctx.store.liveUser(ctx.params.userId!);
  if (!user) throw notFound(`User ${ctx.params.userId}`);
  const body = requireObject(ctx.body ?? {});
  const type = (body.membership_type ?? 'member') as MembershipType;
  if (!MEMBERSHIP_TYPES.includes(type)) {
    throw badRequest('membership_type must be member or maintainer', { dataPath: '.membership_type', keyword: 'enum', data: body.membership_type });
  }
  const members = ctx.store.membersOf(team.team_id);
  const existing = members.get(user.id);
  const now = new Date().toISOString();
  if (existing) {
    existing.membership_type = type;
    existing.updated_at = now;
    return noContent();
  }
  const member = {
    teamId: team.team_id,
    userId: user.id,
    membership_type: type,
    is_assigned_via_external_groups: false,
    created_at: now,
    updated_at: now,
  };
  members.set(user.id, member);
  return json(201, memberView(ctx.store, member));
}

function remove(ctx: RouteContext) {
  const team = requireTeam(ctx);
  if (!ctx.store.membersOf(team.team_id).delete(ctx.params.userId!)) throw notFound(`Member ${ctx.params.userId}`);
  return noContent();
}

export const teamMemberRoutes: RouteDef[] = [
  { method: 'GET', template: BASE, scope: 'read:teams', errorStyle: 'validation', handler: list },
  { method: 'PUT', template: `${BASE}/{userId}`, scope: 'edit:teams', errorStyle: 'validation', handler: put },
  { method: 'DELETE', template: `${BASE}/{userId}`, scope: 'edit:teams', errorStyle: 'validation', handler: remove },
];
