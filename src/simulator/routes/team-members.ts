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
  type RouteContext,
  type RouteDef,
} from '../http.js';
import { sortBy } from '../sorting.js';
import type { MemberRecord, MembershipType } from '../model.js';
import { MEMBER_IDENTITY_TYPE, memberName, memberView } from '../views.js';
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
  // Filter and sort on the few fields they need; only the page's members become full views.
  let rows: MemberRow[] = [];
  for (const member of ctx.store.membersOf(team.team_id).values()) {
    const user = ctx.store.liveUser(member.userId);
    if (user) rows.push({ member, name: memberName(user), identityType: MEMBER_IDENTITY_TYPE });
  }
  if (membershipType) rows = rows.filter((r) => r.member.membership_type === membershipType);
  if (identityType) rows = rows.filter((r) => r.identityType === identityType);
  if (ids.length) rows = rows.filter((r) => ids.includes(r.member.userId));
  if (search) rows = rows.filter((r) => r.name.toLowerCase().includes(search));
  sortBy(rows, (r) => (sort === 'name' ? r.name : r.identityType), ascending);
  return dataEnvelope(rows, page, (pageRows) => pageRows.map((r) => memberView(ctx.store, r.member)));
}

interface MemberRow {
  member: MemberRecord;
  name: string;
  identityType: typeof MEMBER_IDENTITY_TYPE;
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
