import DataLoader from 'dataloader';
import type { AnypointClient } from '../anypoint/client.js';
import type { SharedCache } from '../cache/shared-cache.js';
import { createApiLoaders } from './apis.js';
import { createOrganizationLoaders } from './organizations.js';
import { IdleScheduler } from './idle-scheduler.js';
import { ReadThrough, type CacheTtls } from './read-through.js';
import { createTeamLoaders } from './teams.js';
import { createUserLoaders } from './users.js';

export interface LoaderOptions {
  client: AnypointClient;
  /** Already partitioned by upstream identity. */
  cache: SharedCache;
  ttls: CacheTtls;
  rootOrgId: string;
  singleGetLimit: number;
  bypassCache?: boolean;
  signal?: AbortSignal;
  requestId?: string;
  /** Told the size of every DataLoader batch (metrics), by loader, e.g. "users.userById". */
  onBatch?: (loader: string, size: number) => void;
}

/** Every loader of one GraphQL request. Created per request: nothing here outlives it. */
export function createLoaders(options: LoaderOptions) {
  const scheduler = new IdleScheduler();
  const cache = new ReadThrough(options.cache, options.ttls, options.bypassCache ?? false, scheduler);
  const deps = {
    client: options.client,
    cache,
    call: { signal: options.signal, requestId: options.requestId },
    rootOrgId: options.rootOrgId,
    singleGetLimit: options.singleGetLimit,
    batchScheduleFn: scheduler.schedule,
  };
  const orgs = createOrganizationLoaders(deps);
  const families = { orgs, users: createUserLoaders(deps, orgs), teams: createTeamLoaders(deps, orgs), apis: createApiLoaders(deps, orgs) };
  if (options.onBatch) measureBatches(families, options.onBatch);
  return { cache, rootOrgId: options.rootOrgId, ...families };
}

/**
 * Reports each batch's size. DataLoader has no batch hook, so its batch function (the
 * `_batchLoadFn` field of dataloader 2.2.3, pinned) is wrapped here, once for every family,
 * instead of in each loader's definition.
 */
function measureBatches(families: Record<string, object>, onBatch: (loader: string, size: number) => void): void {
  for (const [family, members] of Object.entries(families)) {
    for (const [name, member] of Object.entries(members)) {
      if (!(member instanceof DataLoader)) continue;
      const loader = member as unknown as { _batchLoadFn: (keys: readonly unknown[]) => unknown };
      const batch = loader._batchLoadFn;
      loader._batchLoadFn = (keys) => {
        onBatch(`${family}.${name}`, keys.length);
        return batch.call(loader, keys);
      };
    }
  }
}

export type Loaders = ReturnType<typeof createLoaders>;
