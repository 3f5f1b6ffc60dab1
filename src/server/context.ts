import type { AuditLog } from '../audit/types.js';
import type { FeedDeps } from '../changes/feed.js';
import type { Loaders } from '../loaders/index.js';
import type { CallMeter } from '../observability/call-meters.js';
import type { RequestScope } from '../observability/request-scope.js';
import type { Provisioning } from '../provisioning/index.js';
import type { CostEstimate } from './cost/estimate.js';
import type { Caller } from './roles.js';

/** What every resolver sees for one GraphQL request. */
export interface GatewayContext {
  /** Replaced after a mutation wrote, so later fields read past what this request had loaded. */
  loaders: Loaders;
  /** A fresh set of loaders for this request (same cache, same cancellation). */
  newLoaders(): Loaders;
  /** The connected app the gateway acts as. */
  viewer: { clientId: string; orgId: string };
  /** Who is calling; null when no credentials were sent and anonymous reads are off. */
  caller: Caller | null;
  provisioning: Provisioning;
  audit: AuditLog;
  /** What the change feed reads: the platform's audit log and the gateway's trail (absent when a test builds a context by hand). */
  feed?: FeedDeps;
  maxPageSize: number;
  requestId: string;
  /** The HTTP request's observability scope (absent when a test builds a context by hand). */
  scope?: RequestScope;
  /** Demand control's estimate and the upstream calls actually made (set by its plugin). */
  cost?: { estimate: CostEstimate | null; meter: CallMeter };
  /**
   * JSON characters of spec files this request may still put in its answer (GRAPHQL_MAX_RESPONSE_MB):
   * one file fits the download limits, but a query over many APIs must not hold them all.
   */
  specBudget?: { left: number };
  /** Aborts the operation's upstream calls when GRAPHQL_EXECUTION_TIMEOUT_MS runs out. */
  execution?: { controller: AbortController; timedOut: boolean };
}
