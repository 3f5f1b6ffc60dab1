import type { AnypointClient } from './client.js';
import { listAllApis } from './pagination.js';
import type { AnypointApiInstance } from './types.js';

/** API Manager reads (API.md §8). */

type Call = { signal?: AbortSignal; requestId?: string };

export const API_ROUTES = {
  apis: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis',
  api: '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}',
} as const;

export const listAllApiInstances = (client: AnypointClient, orgId: string, envId: string, call: Call = {}) =>
  listAllApis(client, { route: API_ROUTES.apis, params: { orgId, envId }, ...call });

export const getApiInstance = (client: AnypointClient, orgId: string, envId: string, apiId: number, call: Call = {}) =>
  client.request<AnypointApiInstance>({ route: API_ROUTES.api, params: { orgId, envId, apiId }, ...call });
