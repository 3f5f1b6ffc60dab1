import {
  badRequest,
  boolParam,
  dataEnvelope,
  json,
  notFound,
  pageParams,
  type RouteContext,
  type RouteDef,
} from '../http.js';
import type { ContextParams, RoleGroupRecord, UserRecord, UserRoleRecord } from '../model.js';
import type { SimStore } from '../store.js';
import { requireOrg } from './organizations.js';
import { TEAMS_BASE, requireTeam } from './teams.js';
import { requireUser } from './users.js';

/**
 * Who holds which role, as the official Access Management spec has it
 * (anypoint/specs/official/access-management.yaml): role groups and their roles and users, roles
 * assigned straight to users, a user's teams, role groups and federated identities, team group
 * mappings, the role-assignment search, and an organization's connected apps.
 */

const ORG = '/accounts/api/organizations/{orgId}';
const ROLE_GROUP = `${ORG}/rolegroups/{roleGroupId}`;
const USER = `${ORG}/users/{userId}`;

function requireRoleGroup(ctx: RouteContext): RoleGroupRecord {
  const org = requireOrg(ctx);
  const group = ctx.store.roleGroups.get(ctx.params.roleGroupId!);
  if (!group || group.org_id !== org.id) throw notFound(`Role group ${ctx.params.roleGroupId}`);
  return group;
}

const roleName = (store: SimStore, roleId: string) => store.roles.get(roleId)?.name ?? roleId;
const roleDescription = (store: SimStore, roleId: string) => store.roles.get(roleId)?.description ?? '';

const roleGroupView = (store: SimStore, group: RoleGroupRecord) => ({
  role_group_id: group.role_group_id,
  name: group.name,
  description: group.description,
  external_names: group.external_names,
  org_id: group.org_id,
  editable: group.editable,
  created_at: group.created_at,
  updated_at: group.updated_at,
  user_count: store.usersOfRoleGroup(group.role_group_id).size,
  context_params: {},
  // The spec requires it on the org's listing too, where no user is in view; the group's own id stands in.
  user_role_group_id: group.role_group_id,
});

const memberView = (user: UserRecord) => ({
  id: user.id,
  username: user.username,
  firstName: user.firstName,
  lastName: user.lastName,
  email: user.email,
  organizationId: user.organizationId,
  enabled: user.enabled,
  idprovider_id: user.idprovider_id,
  context_params: {},
});

const assignmentView = (store: SimStore, roleId: string, context: ContextParams) => ({
  role_id: roleId,
  name: roleName(store, roleId),
  description: roleDescription(store, roleId),
  context_params: context,
});

/** Role groups of `user` in its organization, in name order. */
const roleGroupsOf = (store: SimStore, user: UserRecord) =>
  store.roleGroups
    .inGroup(user.organizationId)
    .filter((g) => store.usersOfRoleGroup(g.role_group_id).has(user.id))
    .sort((a, b) => a.name.localeCompare(b.name));

/** The teams of the user's organization it is a member of, root team included. */
const teamsOf = (store: SimStore, user: UserRecord) =>
  store
    .teamsOf(user.organizationId)
    .map((team) => ({ team, member: store.membersOf(team.team_id).get(user.id) }))
    .filter((t) => t.member !== undefined);

/** GET .../users/{userId}/roles: direct roles, plus role-group and team roles when asked (not those teams' ancestors'). */
function userRoles(ctx: RouteContext) {
  const user = requireUser(ctx);
  const store = ctx.store;
  const rows = store.userRoles.filter((r) => r.userId === user.id).map((r) => assignmentView(store, r.role_id, r.context_params));
  if (boolParam(ctx.query, 'role_groups', false)) {
    for (const group of roleGroupsOf(store, user)) {
      for (const r of store.roleGroupRoles.filter((a) => a.role_group_id === group.role_group_id)) rows.push(assignmentView(store, r.role_id, r.context_params));
    }
  }
  if (boolParam(ctx.query, 'teams', false)) {
    for (const { team } of teamsOf(store, user)) {
      for (const r of store.teamRoles.filter((a) => a.teamId === team.team_id)) rows.push(assignmentView(store, r.role_id, r.context_params));
    }
  }
  return dataEnvelope(rows, pageParams(ctx.query, 500));
}

/** POST .../users/{userId}/roles: `{ <roleId>: { org, envId? } }`, the spec's bulk assignment. */
function assignUserRoles(ctx: RouteContext) {
  const user = requireUser(ctx);
  const body = ctx.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) {
    throw badRequest('The body must map role ids to context params', { dataPath: '', keyword: 'type', data: body ?? null });
  }
  for (const [roleId, raw] of Object.entries(body as Record<string, unknown>)) {
    const context = (raw ?? {}) as Record<string, unknown>;
    if (!ctx.store.roles.has(roleId)) throw badRequest(`${roleId} is not a known role`, { dataPath: `.${roleId}`, keyword: 'exists', data: roleId });
    if (typeof context.org !== 'string' || !ctx.store.org(context.org)) {
      throw badRequest('context_params.org must be an organization id', { dataPath: `.${roleId}.org`, keyword: 'required', data: context.org ?? null });
    }
    const params: ContextParams = { org: context.org };
    if (typeof context.envId === 'string') params.envId = context.envId;
    const exists = ctx.store.userRoles.some((r) => r.userId === user.id && r.role_id === roleId && sameContext(r.context_params, params));
    if (!exists) ctx.store.userRoles.push({ userId: user.id, role_id: roleId, context_params: params, created_at: new Date().toISOString() });
  }
  return json(200, {});
}

const sameContext = (a: ContextParams, b: ContextParams) => a.org === b.org && a.envId === b.envId;

interface SearchOperand {
  role_id?: string;
  org_id?: string;
  context_params: Record<string, string>;
  match_type: 'exact' | 'partial';
}

/** Parses POST /roles/users/search's body (the spec's three named clauses), 400 on anything else. */
function readSearch(body: unknown): { operator: 'AND' | 'OR'; operands: SearchOperand[]; offset: number; limit: number } {
  const fail = (message: string): never => {
    throw badRequest(message, { dataPath: '', keyword: 'schema', data: null });
  };
  if (!Array.isArray(body) || body.length < 1 || body.length > 3) fail('The body must be an array of 1 to 3 clauses');
  let operator: 'AND' | 'OR' = 'OR';
  let operands: SearchOperand[] | null = null;
  let offset = 0;
  let limit = 25;
  for (const clause of body as Array<Record<string, unknown>>) {
    if (!clause || typeof clause !== 'object') fail('Each clause must be an object');
    if (clause.name === 'expression') {
      if (clause.operator !== 'AND' && clause.operator !== 'OR') fail('operator must be AND or OR');
      const list = clause.operands;
      if (!Array.isArray(list) || list.length < 1 || list.length > 5) fail('operands must hold 1 to 5 entries');
      operator = clause.operator as 'AND' | 'OR';
      operands = (list as Array<Record<string, unknown>>).map((o) => {
        if (!o || typeof o !== 'object' || (typeof o.role_id !== 'string' && typeof o.org_id !== 'string')) fail('each operand needs a role_id or an org_id');
        if (!o.context_params || typeof o.context_params !== 'object') fail('each operand needs context_params');
        const match = o.match_type ?? 'partial';
        if (match !== 'exact' && match !== 'partial') fail('match_type must be exact or partial');
        return { role_id: o.role_id as string | undefined, org_id: o.org_id as string | undefined, context_params: o.context_params as Record<string, string>, match_type: match as 'exact' | 'partial' };
      });
    } else if (clause.name === 'pagination') {
      if (!Number.isInteger(clause.limit) || (clause.limit as number) < 0 || (clause.limit as number) > 500) fail('limit must be an integer from 0 to 500');
      if (!Number.isInteger(clause.offset) || (clause.offset as number) < 0) fail('offset must be a non-negative integer');
      limit = clause.limit as number;
      offset = clause.offset as number;
    } else if (clause.name !== 'sort') {
      fail(`Unknown clause ${String(clause.name)}`);
    }
  }
  if (!operands) return fail('An expression clause is required');
  return { operator, operands, offset, limit };
}

function matches(assignment: UserRoleRecord, operand: SearchOperand): boolean {
  if (operand.role_id !== undefined && assignment.role_id !== operand.role_id) return false;
  if (operand.org_id !== undefined && assignment.context_params.org !== operand.org_id) return false;
  const wanted = Object.entries(operand.context_params);
  const held = assignment.context_params as unknown as Record<string, string | undefined>;
  if (wanted.some(([key, value]) => held[key] !== value)) return false;
  return operand.match_type === 'partial' || Object.keys(held).filter((k) => held[k] !== undefined).length === wanted.length;
}

/** POST /roles/users/search: users whose direct role assignments match, with those assignments, by username. */
function searchUsersByRole(ctx: RouteContext) {
  const { operator, operands, offset, limit } = readSearch(ctx.body);
  const byUser = new Map<string, UserRoleRecord[]>();
  for (const assignment of ctx.store.userRoles) {
    const hits = operands.map((o) => matches(assignment, o));
    if (hits.some(Boolean)) byUser.set(assignment.userId, [...(byUser.get(assignment.userId) ?? []), assignment]);
  }
  const users = [...byUser.keys()]
    .map((id) => ctx.store.liveUser(id))
    .filter((u): u is UserRecord => u !== undefined)
    .filter((u) => operator === 'OR' || operands.every((o) => byUser.get(u.id)!.some((a) => matches(a, o))))
    .sort((a, b) => a.username.localeCompare(b.username));
  const page = users.slice(offset, offset + limit).map((user) => ({
    id: user.id,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    enabled: user.enabled,
    idprovider_id: user.idprovider_id,
    type: user.type,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    // Required by the spec; null for a user who never signed in (deviations.ts).
    lastLogin: user.lastLogin ?? null,
    organizationId: user.organizationId,
    assignments: byUser.get(user.id)!.map((a) => ({ role_id: a.role_id, context_params: { ...a.context_params, user: user.id }, created_at: a.created_at })),
  }));
  return json(200, { data: page, total: users.length });
}

function connectedAppsOfOrg(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const apps = [...ctx.store.apps.values()].filter((a) => a.org_id === org.id).sort((a, b) => a.client_name.localeCompare(b.client_name));
  return dataEnvelope(apps, pageParams(ctx.query, 25), (page) =>
    page.map((app) => ({
      client_id: app.client_id,
      owner_org_id: app.org_id,
      owner_user_id: app.owner_user_id,
      client_name: app.client_name,
      // The official spec's listing carries the secret (unlike the single read); the gateway never reads it.
      client_secret: app.client_secret,
      public_keys: [],
      redirect_uris: [],
      grant_types: app.grant_types,
      scopes: app.scopes.map((scope) => ({ scope, context_params: app.scope_contexts?.[scope] ?? [{ org: app.org_id }] })),
      enabled: app.enabled,
      audience: app.audience,
      client_uri: null,
      policy_uri: null,
      tos_uri: null,
      generate_iss_claim_without_token: false,
    })),
  );
}

export const accessRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: `${ORG}/rolegroups`,
    scope: 'read:roles',
    errorStyle: 'status',
    handler: (ctx) => {
      const org = requireOrg(ctx);
      const groups = ctx.store.roleGroups.inGroup(org.id).sort((a, b) => a.name.localeCompare(b.name) || a.role_group_id.localeCompare(b.role_group_id));
      return dataEnvelope(groups, pageParams(ctx.query, 500), (page) => page.map((g) => roleGroupView(ctx.store, g)));
    },
  },
  { method: 'GET', template: ROLE_GROUP, scope: 'read:roles', errorStyle: 'status', handler: (ctx) => json(200, roleGroupView(ctx.store, requireRoleGroup(ctx))) },
  {
    method: 'GET',
    template: `${ROLE_GROUP}/roles`,
    scope: 'read:roles',
    errorStyle: 'status',
    handler: (ctx) => {
      const group = requireRoleGroup(ctx);
      const rows = ctx.store.roleGroupRoles
        .filter((r) => r.role_group_id === group.role_group_id)
        .map((r) => ({ ...r, name: roleName(ctx.store, r.role_id), description: roleDescription(ctx.store, r.role_id), internal: false, org_id: group.org_id }));
      return dataEnvelope(rows, pageParams(ctx.query, 500));
    },
  },
  {
    method: 'GET',
    template: `${ROLE_GROUP}/users`,
    scope: 'read:roles',
    errorStyle: 'status',
    handler: (ctx) => {
      const group = requireRoleGroup(ctx);
      const users = [...ctx.store.usersOfRoleGroup(group.role_group_id)]
        .map((id) => ctx.store.liveUser(id))
        .filter((u): u is UserRecord => u !== undefined)
        .sort((a, b) => a.username.localeCompare(b.username));
      return dataEnvelope(users, pageParams(ctx.query, 500), (page) => page.map(memberView));
    },
  },
  {
    method: 'POST',
    template: `${ROLE_GROUP}/users/{userId}`,
    scope: 'edit:users',
    errorStyle: 'status',
    handler: (ctx) => {
      const group = requireRoleGroup(ctx);
      const user = requireUser(ctx);
      ctx.store.usersOfRoleGroup(group.role_group_id).add(user.id);
      return json(200, {});
    },
  },
  {
    method: 'DELETE',
    template: `${ROLE_GROUP}/users/{userId}`,
    scope: 'edit:users',
    errorStyle: 'status',
    handler: (ctx) => {
      const group = requireRoleGroup(ctx);
      ctx.store.usersOfRoleGroup(group.role_group_id).delete(requireUser(ctx).id);
      return json(200, {});
    },
  },
  { method: 'GET', template: `${USER}/roles`, scope: 'read:users', errorStyle: 'status', handler: userRoles },
  { method: 'POST', template: `${USER}/roles`, scope: 'edit:users', errorStyle: 'status', handler: assignUserRoles },
  {
    method: 'GET',
    template: `${USER}/rolegroups`,
    scope: 'read:users',
    errorStyle: 'status',
    handler: (ctx) => {
      const user = requireUser(ctx);
      const groups = roleGroupsOf(ctx.store, user);
      return dataEnvelope(groups, pageParams(ctx.query, 500), (page) =>
        page.map((g) => ({ role_group_id: g.role_group_id, name: g.name, description: g.description, context_params: {}, user_role_group_id: `${g.role_group_id}:${user.id}` })),
      );
    },
  },
  {
    method: 'GET',
    template: `${USER}/teams`,
    scope: 'read:teams',
    errorStyle: 'status',
    handler: (ctx) => {
      const user = requireUser(ctx);
      const org = ctx.store.orgs.get(user.organizationId)!;
      const rows = teamsOf(ctx.store, user).map(({ team, member }) => ({
        team_id: team.team_id,
        team_name: team.team_name,
        org_id: team.org_id,
        org_name: org.name,
        team_type: team.team_type,
        ancestor_team_ids: ctx.store.teamAncestorIds(team.team_id),
        created_at: team.created_at,
        updated_at: team.updated_at,
        membership_type: member!.membership_type,
        is_assigned_via_external_groups: member!.is_assigned_via_external_groups,
      }));
      return dataEnvelope(rows, pageParams(ctx.query, 500));
    },
  },
  {
    method: 'GET',
    template: `${USER}/identityProviderProfiles`,
    scope: 'read:users',
    errorStyle: 'status',
    handler: (ctx) => {
      const user = requireUser(ctx);
      const profiles = ctx.store.idpProfiles.get(user.id) ?? [];
      return json(200, profiles.map((p) => ({ ...p, idpUserName: null, loginProfileData: JSON.stringify({ idpUserId: p.idpUserId }), isFederated: true })));
    },
  },
  {
    method: 'GET',
    template: `${TEAMS_BASE}/{teamId}/groupmappings`,
    scope: 'read:teams',
    errorStyle: 'validation',
    handler: (ctx) => {
      const team = requireTeam(ctx);
      const rows = (ctx.store.groupMappings.get(team.team_id) ?? []).map(({ teamId: _team, ...row }) => row);
      return dataEnvelope(rows, pageParams(ctx.query, 500));
    },
  },
  { method: 'POST', template: '/accounts/api/roles/users/search', scope: 'read:roles', errorStyle: 'status', handler: searchUsersByRole },
  {
    method: 'GET',
    template: '/accounts/api/roles/{roleId}/users',
    scope: 'read:roles',
    errorStyle: 'status',
    handler: (ctx) => {
      // The spec gives this route no schema: the users holding the role straight, with those assignments.
      const roleId = ctx.params.roleId!;
      if (!ctx.store.roles.has(roleId)) throw notFound(`Role ${roleId}`);
      const held = ctx.store.userRoles.filter((r) => r.role_id === roleId);
      const users = [...new Set(held.map((r) => r.userId))]
        .map((id) => ctx.store.liveUser(id))
        .filter((u): u is UserRecord => u !== undefined)
        .sort((a, b) => a.username.localeCompare(b.username));
      return dataEnvelope(users, pageParams(ctx.query, 25), (page) =>
        page.map((user) => ({ ...memberView(user), assignments: held.filter((r) => r.userId === user.id).map((r) => ({ role_id: r.role_id, context_params: r.context_params, created_at: r.created_at })) })),
      );
    },
  },
  { method: 'GET', template: `${ORG}/connectedApplications`, scope: 'read:organization', errorStyle: 'status', handler: connectedAppsOfOrg },
];
