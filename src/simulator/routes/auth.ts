import { SimError, badRequest, json, notFound, type RouteDef, type RouteContext } from '../http.js';
import { userView } from '../views.js';

/** Access-token issue and identity routes (API.md §1, §7). */

function issueToken(ctx: RouteContext, clientId: string, userId: string | null) {
  const token = ctx.store.random.uuid();
  ctx.store.tokens.set(token, {
    token,
    clientId,
    userId,
    expiresAt: Date.now() + ctx.tokenLifetimeSeconds * 1000,
  });
  return json(200, { access_token: token, token_type: 'bearer', expires_in: ctx.tokenLifetimeSeconds });
}

function token(ctx: RouteContext) {
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const grant = body.grant_type;
  if (grant !== 'client_credentials' && grant !== 'password') {
    throw badRequest('grant_type must be client_credentials or password', { dataPath: '.grant_type', keyword: 'enum', data: grant ?? null });
  }
  const app = ctx.store.apps.get(String(body.client_id ?? ''));
  if (!app || !app.enabled || app.client_secret !== body.client_secret) throw new SimError(401, 'Invalid client credentials');
  if (!app.grant_types.includes(grant)) throw new SimError(401, `The client is not allowed the ${grant} grant`);
  if (grant === 'client_credentials') return issueToken(ctx, app.client_id, null);
  const user = [...ctx.store.users.values()].find((u) => u.username === body.username && !u.deleted);
  // Disabled users cannot start new sessions.
  if (!user || user.password !== body.password || !user.enabled) throw new SimError(401, 'Invalid username or password');
  user.lastLogin = new Date().toISOString();
  return issueToken(ctx, app.client_id, user.id);
}

function callerUser(ctx: RouteContext) {
  const auth = ctx.auth!;
  const app = ctx.store.apps.get(auth.clientId)!;
  const user = ctx.store.liveUser(auth.userId ?? app.owner_user_id);
  if (!user) throw notFound('User');
  return user;
}

function me(ctx: RouteContext) {
  const auth = ctx.auth!;
  if (auth.userId) {
    const user = callerUser(ctx);
    const record = ctx.store.tokens.get(auth.token)!;
    return json(200, {
      user: userView(ctx.store, user),
      access_token: { access_token: auth.token, expires_in: Math.max(0, Math.round((record.expiresAt - Date.now()) / 1000)) },
    });
  }
  return json(200, { client: { client_id: auth.clientId, org_id: auth.orgId } });
}

const flatUser = (ctx: RouteContext) => json(200, userView(ctx.store, callerUser(ctx)));

function connectedAppView(ctx: RouteContext, clientId: string) {
  const app = ctx.store.apps.get(clientId);
  if (!app) throw notFound('Connected application');
  // The secret is only ever shown on creation; reads leave it out.
  const { client_secret: _secret, scopes, ...rest } = app;
  // No client_uri: the seeded apps have none, and the spec types it as a plain string.
  return { ...rest, owner_org_id: app.org_id, scopes, redirect_uris: [], public_keys: [] };
}

export const authRoutes: RouteDef[] = [
  { method: 'POST', template: '/accounts/api/v2/oauth2/token', scope: null, errorStyle: 'status', handler: token },
  { method: 'GET', template: '/accounts/api/me', scope: 'read:organization', errorStyle: 'status', handler: me },
  { method: 'GET', template: '/accounts/api/users/me', scope: 'read:organization', errorStyle: 'status', handler: flatUser },
  { method: 'GET', template: '/accounts/api/profile', scope: 'read:organization', errorStyle: 'status', handler: flatUser },
  {
    method: 'GET',
    template: '/accounts/api/connectedApplications',
    scope: 'read:organization',
    errorStyle: 'status',
    handler: (ctx) => {
      const apps = [...ctx.store.apps.values()].filter((a) => a.org_id === (ctx.query.get('orgId') ?? a.org_id));
      return json(200, { data: apps.map((a) => connectedAppView(ctx, a.client_id)), total: apps.length });
    },
  },
  {
    method: 'GET',
    template: '/accounts/api/connectedApplications/{clientId}',
    scope: 'read:organization',
    errorStyle: 'status',
    handler: (ctx) => json(200, connectedAppView(ctx, ctx.params.clientId!)),
  },
  {
    method: 'GET',
    template: '/accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes',
    scope: 'read:organization',
    errorStyle: 'status',
    handler: (ctx) => {
      const app = ctx.store.apps.get(ctx.params.clientId!);
      if (!app || app.org_id !== ctx.params.orgId) throw notFound('Connected application');
      return json(200, { scopes: app.scopes.map((scope) => ({ scope, context_params: { org: app.org_id } })) });
    },
  },
];
