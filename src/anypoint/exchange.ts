import type { AnypointClient } from './client.js';
import { listAllBare } from './pagination.js';
import type { AnypointExchangeAsset } from './types.js';

/** Exchange reads (API.md §9). */

type Call = { signal?: AbortSignal; requestId?: string };

export const EXCHANGE_ROUTES = {
  search: '/exchange/api/v2/assets',
  asset: '/exchange/api/v2/assets/{groupId}/{assetId}/{version}',
} as const;

/** Exchange's page size cap is not documented; 250 is what the simulator honours. */
export const EXCHANGE_PAGE_SIZE = 250;

export const getAsset = (client: AnypointClient, groupId: string, assetId: string, version: string, call: Call = {}) =>
  client.request<AnypointExchangeAsset>({ route: EXCHANGE_ROUTES.asset, params: { groupId, assetId, version }, ...call });

/** Every asset of the given organizations (one search, repeatable organizationId). */
export const searchAssetsOfOrganizations = (client: AnypointClient, organizationIds: string[], call: Call = {}) =>
  listAllBare<AnypointExchangeAsset>(client, { route: EXCHANGE_ROUTES.search, query: { organizationId: organizationIds }, ...call }, EXCHANGE_PAGE_SIZE);
