import type { Loaders } from '../loaders/index.js';

/** What every resolver sees for one GraphQL request. */
export interface GatewayContext {
  loaders: Loaders;
  /** The connected app the gateway acts as. */
  viewer: { clientId: string; orgId: string };
  maxPageSize: number;
  requestId: string;
}
