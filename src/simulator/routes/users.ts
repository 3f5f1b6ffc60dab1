import {
  badRequest,
  conflict,
  dataEnvelope,
  enumParam,
  json,
  noContent,
  notFound,
  optionalString,
  pageParams,
  requireObject,
  requireString,
  type RouteContext,
  type RouteDef,
} from '../http.js';
import type { UserRecord } from '../model.js';
import { globalUserView, userView, userViews } from '../views.js';
import { requireOrg } from './organizations.js';

/**
 * Users (API.md §4) with the platform's soft rules: usernames are case-sensitive, letters, digits
 * and underscore only, unique across every org and never reusable after deletion; e-mail and
 * username cannot change through an update; disabling a user ends its sessions.
 */

const BASE = '/accounts/api/organizations/{orgId}/users';
export const USERNAME_PATTERN = /^[A-Za-z0-9_]+$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function requireUser(ctx: RouteContext): UserRecord {
  const org = requireOrg(ctx);
  const user = ctx.store.liveUser(ctx.params.userId!);
  if (!user || user.organizationId !== org.id) throw notFound(`User ${ctx.params.userId}`);
  return user;
}

function checkEmail(email: string): void {
  if (!EMAIL_PATTERN.test(email)) throw badRequest('email must be a valid e-mail address');
}

/**
 * The `search` parameter of MuleSoft's spec: "search for an user by username, firstName, lastName
 * or email". A case-insensitive substring of any of the four, taken literally (no wildcards or
 * patterns); an empty value filters nothing, as on the other Access Management lists.
 */
function matchesSearch(user: UserRecord, text: string): boolean {
  return !text.includes('\0') && searchTextOf(user).includes(text);
}

/**
 * The four fields lower-cased, joined by a NUL (which no field holds, so no match spans two),
 * kept per record until one of them changes: an identity provider's sync searches the org once or twice
 * per user, and lower-casing every field of thousands of users each time was most of its CPU.
 */
const searchTexts = new WeakMap<UserRecord, { stamp: string; text: string }>();

function searchTextOf(user: UserRecord): string {
  // The fields themselves, not updatedAt: two changes within one millisecond must not share a stamp.
  const stamp = `${user.username}\0${user.firstName}\0${user.lastName}\0${user.email}`;
  const known = searchTexts.get(user);
  if (known?.stamp === stamp) return known.text;
  const text = stamp.toLowerCase();
  searchTexts.set(user, { stamp, text });
  return text;
}

function list(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const type = enumParam(ctx.query, 'type', ['host', 'proxy', 'all'] as const, 'all');
  const search = ctx.query.get('search')?.toLowerCase();
  const page = pageParams(ctx.query, 25);
  // Filtered before paging, so total counts the matches and offset/limit page through them.
  const users = ctx.store.usersOf(org.id).filter((u) => (type === 'all' || u.type === type) && (!search || matchesSearch(u, search)));
  return dataEnvelope(users, page, (pageUsers) => userViews(ctx.store, pageUsers));
}

function create(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const body = requireObject(ctx.body);
  const username = requireString(body, 'username');
  if (!USERNAME_PATTERN.test(username)) throw badRequest('username may contain only letters, digits and underscores');
  if (ctx.store.usernamesEverUsed.has(username)) throw conflict(`The username ${username} is already taken`);
  const firstName = requireString(body, 'firstName');
  const lastName = requireString(body, 'lastName');
  const email = requireString(body, 'email');
  checkEmail(email);
  const phoneNumber = optionalString(body, 'phoneNumber') ?? null;
  const password = optionalString(body, 'password');
  const now = new Date().toISOString();
  const user: UserRecord = {
    id: ctx.store.random.uuid(),
    username,
    firstName,
    lastName,
    email,
    phoneNumber,
    organizationId: org.id,
    enabled: true,
    deleted: false,
    type: 'host',
    idprovider_id: 'mulesoft',
    createdAt: now,
    updatedAt: now,
    lastLogin: null,
    // Without a password the platform e-mails a reset link; no login works until it is used.
    password: password ?? ctx.store.random.hex(40),
  };
  ctx.store.users.set(user.id, user);
  ctx.store.usernamesEverUsed.add(username);
  // New users join the org's root team, as every user of an org is a member of it.
  const rootTeam = ctx.store.rootTeamOf(org.id);
  if (rootTeam) {
    ctx.store.membersOf(rootTeam.team_id).set(user.id, {
      teamId: rootTeam.team_id,
      userId: user.id,
      membership_type: 'member',
      is_assigned_via_external_groups: false,
      created_at: now,
      updated_at: now,
    });
  }
  return json(201, userView(ctx.store, user));
}

function update(ctx: RouteContext) {
  const user = requireUser(ctx);
  const body = requireObject(ctx.body);
  if (body.username !== undefined && body.username !== user.username) {
    throw badRequest('username cannot be changed; create a new user instead');
  }
  if (body.email !== undefined && body.email !== user.email) throw badRequest('email cannot be changed');
  const next: Partial<UserRecord> = {};
  for (const field of ['firstName', 'lastName'] as const) {
    if (body[field] !== undefined) next[field] = requireString(body, field);
  }
  if (body.phoneNumber !== undefined) next.phoneNumber = optionalString(body, 'phoneNumber') ?? null;
  if (body.password !== undefined) next.password = requireString(body, 'password');
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw badRequest('enabled must be a boolean');
    next.enabled = body.enabled;
  }
  Object.assign(user, next, { updatedAt: new Date().toISOString() });
  if (next.enabled === false) ctx.store.revokeUserSessions(user.id);
  return json(200, userView(ctx.store, user));
}

function remove(ctx: RouteContext) {
  const user = requireUser(ctx);
  user.deleted = true;
  user.enabled = false;
  ctx.store.revokeUserSessions(user.id);
  for (const members of ctx.store.members.values()) members.delete(user.id);
  return noContent();
}

/**
 * Whether a username was ever used, on any org, deleted users included: 200 taken, 404 free.
 * Needs no token on the platform (MuleSoft's spec, operation getUsername).
 */
function usernameTaken(ctx: RouteContext) {
  const username = ctx.params.username!;
  if (!ctx.store.usernamesEverUsed.has(username)) throw notFound(`Username ${username}`);
  return json(200, { username });
}

/**
 * GET /accounts/api/users/{userId}: a user by id alone, whatever its organization (MuleSoft's
 * Access Management spec, getUserById). 404 "User does not exist" for an unknown or deleted user.
 * Declared after /accounts/api/users/me (routes/auth.ts), which the router matches first.
 */
function userByIdAnywhere(ctx: RouteContext) {
  const user = ctx.store.liveUser(ctx.params.userId!);
  if (!user || !ctx.store.org(user.organizationId)) throw notFound(`User ${ctx.params.userId}`);
  return json(200, globalUserView(ctx.store, user));
}

export const userRoutes: RouteDef[] = [
  { method: 'GET', template: '/accounts/api/users/{userId}', scope: 'read:users', errorStyle: 'status', handler: userByIdAnywhere },
  { method: 'GET', template: '/accounts/api/username/{username}', scope: null, errorStyle: 'status', handler: usernameTaken },
  { method: 'GET', template: BASE, scope: 'read:users', errorStyle: 'status', handler: list },
  { method: 'POST', template: BASE, scope: 'edit:users', errorStyle: 'status', handler: create },
  { method: 'GET', template: `${BASE}/{userId}`, scope: 'read:users', errorStyle: 'status', handler: (ctx) => json(200, userView(ctx.store, requireUser(ctx))) },
  { method: 'PUT', template: `${BASE}/{userId}`, scope: 'edit:users', errorStyle: 'status', handler: update },
  { method: 'DELETE', template: `${BASE}/{userId}`, scope: 'edit:users', errorStyle: 'status', handler: remove },
];

