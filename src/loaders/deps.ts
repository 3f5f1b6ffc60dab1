import type { AnypointClient } from '../anypoint/client.js';
import type { ReadThrough } from './read-through.js';
import type { ArchiveLimits } from './zip-entry.js';

/** What every loader family needs for one GraphQL request. */
export interface LoaderDeps {
  client: AnypointClient;
  cache: ReadThrough;
  /** Passed to every upstream call: cancellation and request-id propagation. */
  call: { signal?: AbortSignal; requestId?: string };
  rootOrgId: string;
  /** How far a downloaded spec archive may be read (entries, inflated bytes). */
  archiveLimits: ArchiveLimits;
  /**
   * Batches up to this size fetch entities one by one; larger ones list the collection instead.
   * Used when the collection's size is not known yet (a known size decides by page count).
   */
  singleGetLimit: number;
  /** When DataLoaders dispatch their batches (see IdleScheduler). */
  batchScheduleFn: (dispatch: () => void) => void;
  /** Wraps a DataLoader batch function so each batch's size is reported (metrics), as `name`. */
  measured<K, V>(name: string, batch: (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>>): (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>>;
}

export const isNotFound = (error: unknown): boolean => (error as { code?: string }).code === 'NOT_FOUND';

/** Pages a listing of `total` items costs at the client's page size. */
export const pagesFor = (total: number, pageSize: number): number => Math.max(1, Math.ceil(total / pageSize));
