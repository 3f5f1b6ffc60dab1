import DataLoader from 'dataloader';
import { listApiContractsPage, listApiPolicies, listApiTiersPage, type ApiRef } from '../anypoint/api-manager.js';
import type { AnypointApiInstance } from '../anypoint/types.js';
import type { LoaderDeps } from './deps.js';

/**
 * How many policies, contracts and SLA tiers each API instance has: what an inventory scanner
 * maps beside the instance. Anypoint has no call that counts them for several instances, so each
 * is one call per instance, the cheapest there is: contracts and tiers ask for a one-item page and
 * read its `total`; policies are a bare unpaged array, so its length. Each count goes through the
 * shared cache ('apis' TTL), and a failed count fails that instance's field alone.
 */
type Count = (deps: LoaderDeps, ref: ApiRef) => Promise<number>;

const COUNTS = {
  policies: async ({ client, call }, ref) => (await listApiPolicies(client, ref, call)).length,
  contracts: async ({ client, call }, ref) => (await listApiContractsPage(client, ref, 0, 1, call)).total,
  tiers: async ({ client, call }, ref) => (await listApiTiersPage(client, ref, 0, 1, call)).total,
} satisfies Record<string, Count>;

export type CountedKind = keyof typeof COUNTS;

const refOf = (api: AnypointApiInstance): ApiRef => ({ orgId: api.organizationId, envId: api.environmentId, apiId: api.id });

function countLoader(deps: LoaderDeps, kind: CountedKind) {
  return new DataLoader<AnypointApiInstance, number, number>(
    deps.measured(`apis.${kind}Count`, async (apis) => {
      const settled = await Promise.allSettled(
        apis.map((api) => deps.cache.get('apis', `${kind}:${api.id}`, () => COUNTS[kind](deps, refOf(api)))),
      );
      return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
    }),
    { batchScheduleFn: deps.batchScheduleFn, cacheKeyFn: (api) => api.id },
  );
}

export function createApiCountLoaders(deps: LoaderDeps) {
  return {
    policyCount: countLoader(deps, 'policies'),
    contractCount: countLoader(deps, 'contracts'),
    tierCount: countLoader(deps, 'tiers'),
  };
}
