import {
  boolParam,
  enumParam,
  json,
  notFound,
  pageParams,
  slicePage,
  type RouteContext,
  type RouteDef,
} from '../http.js';
import { sortedPage } from '../sorting.js';
import type { ApiInstanceRecord } from '../model.js';
import { apiEndpointView, apiInstanceView } from '../views.js';
import { requireOrg } from './organizations.js';

/**
 * API Manager (API.md §8): the instance list grouped by Exchange asset, one instance with its
 * endpoint, its policies (bare array), its contracts ({total, contracts}) and its SLA tiers
 * ({total, tiers}).
 * `total` counts instances, not asset groups (API.md leaves this open; S4 flattens the groups).
 */

const BASE = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';

function requireEnvironment(ctx: RouteContext) {
  const org = requireOrg(ctx);
  const env = ctx.store.environments.get(ctx.params.envId!);
  if (!env || env.organizationId !== org.id) throw notFound(`Environment ${ctx.params.envId}`);
  return env;
}

function requireApi(ctx: RouteContext): ApiInstanceRecord {
  const env = requireEnvironment(ctx);
  const id = Number(ctx.params.apiId);
  const api = Number.isInteger(id) ? ctx.store.apis.get(id) : undefined;
  if (!api || api.environmentId !== env.id) throw notFound(`API ${ctx.params.apiId}`);
  return api;
}

function assetName(ctx: RouteContext, api: ApiInstanceRecord): string {
  return ctx.store.assetOf(api)?.name ?? api.assetId;
}

function list(ctx: RouteContext) {
  const env = requireEnvironment(ctx);
  const q = ctx.query;
  const page = pageParams(q, 20);
  const sort = enumParam(q, 'sort', ['id', 'name', 'createdDate', 'updatedDate'] as const, 'name');
  const ascending = boolParam(q, 'ascending', true);
  const text = q.get('query')?.toLowerCase();
  const flags = q.getAll('filters').flatMap((f) => f.split(',')).filter(Boolean);
  let apis = ctx.store.apisIn(env.id);
  for (const field of ['groupId', 'assetId', 'assetVersion', 'productVersion', 'instanceLabel'] as const) {
    const value = q.get(field);
    if (value) apis = apis.filter((a) => a[field] === value);
  }
  const autodiscovery = q.get('autodiscoveryInstanceName');
  if (autodiscovery) apis = apis.filter((a) => `${a.productVersion}:${a.id}` === autodiscovery);
  if (flags.includes('active')) apis = apis.filter((a) => a.status === 'active');
  if (flags.includes('pinned')) apis = apis.filter((a) => a.pinned);
  if (text) {
    apis = apis.filter((a) =>
      [assetName(ctx, a), a.description ?? '', a.instanceLabel ?? '', ...a.tags].some((s) => s.toLowerCase().includes(text)),
    );
  }
  const key = (a: ApiInstanceRecord) => (sort === 'name' ? assetName(ctx, a) : sort === 'id' ? a.id : a[sort]);
  const pageItems = sortedPage(apis, key, ascending, page);
  const groups = new Map<string, ApiInstanceRecord[]>();
  for (const api of pageItems) {
    const groupKey = `${api.groupId}:${api.assetId}`;
    const group = groups.get(groupKey);
    if (group) group.push(api);
    else groups.set(groupKey, [api]);
  }
  const assets = [...groups.values()].map((instances) => {
    const first = instances[0]!;
    return {
      id: Number.parseInt(first.assetId.replace(/\D/g, '').slice(0, 6) || '0', 10) + 300_000,
      name: `groupId:${first.groupId}:assetId:${first.assetId}`,
      exchangeAssetName: assetName(ctx, first),
      groupId: first.groupId,
      assetId: first.assetId,
      organizationId: first.organizationId,
      masterOrganizationId: first.organizationId,
      autodiscoveryApiName: `groupId:${first.groupId}:assetId:${first.assetId}`,
      totalApis: instances.length,
      audit: { created: { date: first.createdDate }, updated: {} },
      apis: instances.map(apiInstanceView),
    };
  });
  return json(200, { total: apis.length, assets });
}

export const apiManagerRoutes: RouteDef[] = [
  { method: 'GET', template: BASE, scope: 'read:api_manager', errorStyle: 'apim', handler: list },
  {
    method: 'GET',
    template: `${BASE}/{apiId}`,
    scope: 'read:api_manager',
    errorStyle: 'apim',
    handler: (ctx) => {
      const api = requireApi(ctx);
      return json(200, { ...apiInstanceView(api), endpoint: apiEndpointView(api) });
    },
  },
  {
    method: 'GET',
    template: `${BASE}/{apiId}/policies`,
    scope: 'read:api_manager',
    errorStyle: 'apim',
    handler: (ctx) => {
      const api = requireApi(ctx);
      // The official spec: fullInfo=true (its default) lists the active policies only, false all of them.
      const activeOnly = boolParam(ctx.query, 'fullInfo', true);
      const policies = ctx.store.policies
        .filter((p) => p.apiId === api.id && !(activeOnly && p.disabled))
        .map((p) => ({
          ...p,
          groupId: '68ef9520-24e9-4cf2-b2f5-620025690913',
          pointcutData: null,
          type: 'system',
          masterOrganizationId: api.organizationId,
          organizationId: api.organizationId,
          audit: { created: { date: api.createdDate }, updated: {} },
        }));
      return json(200, policies);
    },
  },
  {
    method: 'GET',
    template: `${BASE}/{apiId}/contracts`,
    scope: 'read:api_manager',
    errorStyle: 'apim',
    handler: (ctx) => {
      const api = requireApi(ctx);
      const page = pageParams(ctx.query, 20);
      const contracts = ctx.store.contracts
        .filter((c) => c.apiId === api.id)
        .map((c) => ({
          id: c.id,
          status: c.status,
          applicationId: c.applicationId,
          application: { id: c.applicationId, name: c.applicationName, clientId: c.clientId, coreServicesId: c.clientId },
          tierId: c.tierId,
          // The spec's tier is a Tier object, not nullable: a contract without a tier has none.
          requestedTierId: null,
          approvedDate: c.approvedDate,
          rejectedDate: null,
          revokedDate: null,
          audit: { created: { date: c.createdDate }, updated: {} },
        }));
      return json(200, { total: contracts.length, contracts: slicePage(contracts, page) });
    },
  },
  {
    method: 'GET',
    template: `${BASE}/{apiId}/tiers`,
    scope: 'read:api_manager',
    errorStyle: 'apim',
    handler: (ctx) => {
      const api = requireApi(ctx);
      const page = pageParams(ctx.query, 20);
      const activeOnly = boolParam(ctx.query, 'active', false);
      const tiers = ctx.store.tiers
        .filter((t) => t.apiId === api.id && !(activeOnly && t.status !== 'ACTIVE'))
        .map((t) => ({
          id: t.id,
          name: t.name,
          description: t.description,
          limits: t.limits,
          status: t.status,
          autoApprove: t.autoApprove,
          applicationCount: ctx.store.contracts.filter((c) => c.tierId === t.id).length,
          apiId: api.id,
          apiVersionId: String(api.id),
          organizationId: api.organizationId,
          masterOrganizationId: api.organizationId,
          audit: { created: { date: t.createdDate }, updated: {} },
        }));
      return json(200, { total: tiers.length, tiers: slicePage(tiers, page) });
    },
  },
];
