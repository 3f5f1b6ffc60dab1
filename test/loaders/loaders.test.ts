import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { createSharedCache, type SharedCache } from '../../src/cache/shared-cache.js';
import { createLoaders } from '../../src/loaders/index.js';
import type { CacheTtls } from '../../src/loaders/read-through.js';

const TTLS: CacheTtls = { organizations: 60_000, environments: 60_000, users: 30_000, teams: 60_000, members: 60_000, apis: 60_000, exchange: 60_000 };

let shared: SharedCache;
beforeEach(() => {
  shared = createSharedCache();
});
afterEach(() => shared.close());

/** The families are made on first use (loaders/index.ts); a request must still see one of each. */
describe('a request’s loaders', () => {
  // Nothing here calls upstream: making loaders must not touch the client.
  const client = {} as AnypointClient;

  it('hands out the same family on every use', () => {
    const loaders = createLoaders({ client, cache: shared, ttls: TTLS, rootOrgId: 'root', singleGetLimit: 10 });
    const { orgs, users, teams, apis } = loaders;
    expect(loaders.orgs).toBe(orgs);
    expect(loaders.users).toBe(users);
    expect(loaders.teams).toBe(teams);
    expect(loaders.apis).toBe(apis);
    expect(loaders.rootOrgId).toBe('root');
  });

  it('gives each request families of its own', () => {
    const one = createLoaders({ client, cache: shared, ttls: TTLS, rootOrgId: 'root', singleGetLimit: 10 });
    const two = createLoaders({ client, cache: shared, ttls: TTLS, rootOrgId: 'root', singleGetLimit: 10 });
    expect(one.users).not.toBe(two.users);
    expect(one.cache).not.toBe(two.cache);
  });
});
