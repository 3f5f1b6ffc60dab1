import { badRequest, json, noContent, notFound, requireObject, requireString, type RouteContext, type RouteDef } from '../http.js';
import type { EnvironmentRecord, EnvironmentType } from '../model.js';
import { environmentView } from '../views.js';
import { requireOrg } from './organizations.js';

/** Environments (API.md §3): list, get, create, rename, delete. type and isProduction are immutable. */

const BASE = '/accounts/api/organizations/{orgId}/environments';
const TYPES: readonly EnvironmentType[] = ['production', 'sandbox', 'design'];

function requireEnv(ctx: RouteContext): EnvironmentRecord {
  const org = requireOrg(ctx);
  const env = ctx.store.environments.get(ctx.params.envId!);
  if (!env || env.organizationId !== org.id) throw notFound(`Environment ${ctx.params.envId}`);
  return env;
}

function uniqueName(ctx: RouteContext, orgId: string, name: string, exceptId?: string): void {
  const clash = ctx.store.environmentsOf(orgId).some((e) => e.name === name && e.id !== exceptId);
  if (clash) throw badRequest(`An environment named ${name} already exists`, { dataPath: '.name', keyword: 'unique', data: name });
}

function create(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const body = requireObject(ctx.body);
  const name = requireString(body, 'name');
  const type = (body.type ?? 'sandbox') as EnvironmentType;
  if (!TYPES.includes(type)) throw badRequest(`type must be one of ${TYPES.join(', ')}`, { dataPath: '.type', keyword: 'enum', data: body.type });
  if (body.isProduction !== undefined && typeof body.isProduction !== 'boolean') {
    throw badRequest('isProduction must be a boolean', { dataPath: '.isProduction', keyword: 'type', data: body.isProduction });
  }
  if (body.isProduction === true && type !== 'production') throw badRequest('Only a production environment can have isProduction true');
  uniqueName(ctx, org.id, name);
  const env: EnvironmentRecord = {
    id: ctx.store.random.uuid(),
    name,
    organizationId: org.id,
    isProduction: type === 'production',
    type,
    clientId: ctx.store.random.hex(32),
    arcNamespace: null,
  };
  ctx.store.environments.set(env.id, env);
  return json(201, environmentView(env));
}

function rename(ctx: RouteContext) {
  const env = requireEnv(ctx);
  const body = requireObject(ctx.body);
  const name = requireString(body, 'name');
  for (const field of ['type', 'isProduction'] as const) {
    if (body[field] !== undefined && body[field] !== env[field]) {
      throw badRequest(`${field} cannot be changed`, { dataPath: `.${field}`, keyword: 'immutable', data: body[field] });
    }
  }
  uniqueName(ctx, env.organizationId, name, env.id);
  env.name = name;
  return json(200, environmentView(env));
}

/**
 * GET /accounts/api/environments/{environmentId}: an environment by its id alone, whatever its
 * organization (MuleSoft's Access Management spec, operationId getEnvironments): 200 with the
 * environment (its organizationId included), 404 when no environment has that id.
 */
function environmentById(ctx: RouteContext) {
  const env = ctx.store.environments.get(ctx.params.envId!);
  if (!env || !ctx.store.org(env.organizationId)) throw notFound(`Environment ${ctx.params.envId}`);
  return json(200, environmentView(env));
}

export const environmentRoutes: RouteDef[] = [
  { method: 'GET', template: '/accounts/api/environments/{envId}', scope: 'read:organization', errorStyle: 'status', handler: environmentById },
  {
    method: 'GET',
    template: BASE,
    scope: 'read:organization',
    errorStyle: 'status',
    handler: (ctx) => {
      const envs = ctx.store.environmentsOf(requireOrg(ctx).id).map(environmentView);
      return json(200, { data: envs, total: envs.length });
    },
  },
  { method: 'POST', template: BASE, scope: 'edit:organization', errorStyle: 'status', handler: create },
  { method: 'GET', template: `${BASE}/{envId}`, scope: 'read:organization', errorStyle: 'status', handler: (ctx) => json(200, environmentView(requireEnv(ctx))) },
  { method: 'PUT', template: `${BASE}/{envId}`, scope: 'edit:organization', errorStyle: 'status', handler: rename },
  {
    method: 'DELETE',
    template: `${BASE}/{envId}`,
    scope: 'edit:organization',
    errorStyle: 'status',
    handler: (ctx) => {
      const env = requireEnv(ctx);
      ctx.store.environments.delete(env.id);
      return noContent();
    },
  },
];
