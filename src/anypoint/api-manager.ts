import type { AnypointClient } from './client.js';
import { listAllApis } from './pagination.js';
import type { AnypointApiInstance, AnypointApiPolicy, AnypointContractList, AnypointTierList } from './types.js';

/** API Manager reads (API.md §8). */

type Call = { signal?: AbortSignal; requestId?: string };

export const API_ROUTES = {
  apis: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis',
  api: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}',
  policies: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies',
  contracts: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts',
  tiers: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/tiers',
} as const;

/** Where one API instance lives: every per-instance route is under its org and environment. */
export interface ApiRef {
  orgId: string;
  envId: string;
  apiId: number;
}

export const listAllApiInstances = (client: AnypointClient, orgId: string, envId: string, call: Call = {}) =>
  listAllApis(client, { route: API_ROUTES.apis, params: { orgId, envId }, ...call });

export const getApiInstance = (client: AnypointClient, orgId: string, envId: string, apiId: number, call: Call = {}) =>
  client.request<AnypointApiInstance>({ route: API_ROUTES.api, params: { orgId, envId, apiId }, ...call });

/**
 * Every policy applied to the instance, disabled ones included: `fullInfo=false` (the official
 * spec's default, true, lists only the active ones, with their templates). A bare array, unpaged.
 */
export const listApiPolicies = (client: AnypointClient, ref: ApiRef, call: Call = {}) =>
  client.request<AnypointApiPolicy[]>({ route: API_ROUTES.policies, params: { ...ref }, query: { fullInfo: false }, ...call });

/** One page of the instance's contracts ({total, contracts}); `limit: 1` just reads the total. */
export const listApiContractsPage = (client: AnypointClient, ref: ApiRef, offset: number, limit: number, call: Call = {}) =>
  client.request<AnypointContractList>({ route: API_ROUTES.contracts, params: { ...ref }, query: { offset, limit }, ...call });

/** One page of the instance's SLA tiers ({total, tiers}); `limit: 1` just reads the total. */
export const listApiTiersPage = (client: AnypointClient, ref: ApiRef, offset: number, limit: number, call: Call = {}) =>
  client.request<AnypointTierList>({ route: API_ROUTES.tiers, params: { ...ref }, query: { offset, limit }, ...call });
