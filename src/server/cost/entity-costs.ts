import { PlatformSizes } from './platform-sizes.js';
import type { CostContext, Scope } from './field-costs.js';
import { ANY } from './tally.js';

/**
 * Federation's _entities: what resolving a batch of representations of one type costs
 * (each type's __resolveReference and its loader), and the scope their selections run in.
 */
const pages = PlatformSizes.pages;

type EntityCost = (representations: Array<Record<string, unknown>>, cx: CostContext) => Scope;

export const ENTITY_COSTS: Record<string, EntityCost> = {
  User: (reps, cx) => {
    const byId = reps.filter((r) => 'id' in r).length;
    const byUsername = reps.length - byId;
    const rootListing = pages(cx.sizes.users.of(cx.rootOrgId));
    // By id: one GET each up to the single-GET limit (or when cheaper), else the root org's listing.
    if (byId > cx.singleGetLimit || byId > rootListing * 2) cx.tally.add('usersList', cx.rootOrgId, rootListing);
    else cx.tally.add('userGet', ANY, byId);
    // By username: a search each in the root org up to the single-GET limit (src/loaders/users.ts), else its listing.
    // Users outside the root org cost a search per business group too; like by id, the root is assumed.
    if (byUsername > cx.singleGetLimit) cx.tally.add('usersList', cx.rootOrgId, rootListing);
    else cx.tally.add('userSearch', ANY, byUsername);
    return { n: reps.length, org: cx.rootOrgId };
  },
  Team: (reps, cx) => {
    if (reps.length > 1) cx.tally.add('teamsList', cx.rootOrgId, pages(cx.sizes.teams.of(cx.rootOrgId)));
    else cx.tally.add('teamGet', ANY, reps.length);
    return { n: reps.length, org: cx.rootOrgId };
  },
  Organization: (reps, cx) => {
    cx.tally.add('tree', 'root', 1);
    return { n: reps.length };
  },
  Environment: (reps, cx) => {
    cx.tally.add('orgDetail', cx.rootOrgId, 1);
    return { n: reps.length, org: cx.rootOrgId };
  },
  Api: (reps, cx) => {
    // Without an environment, an API is found by listing the root org's environments.
    cx.tally.add('orgDetail', cx.rootOrgId, 1);
    const envs = cx.sizes.envs.of(cx.rootOrgId);
    cx.tally.add('apiList', ANY, envs * pages(cx.sizes.apisPerEnv.of(undefined)));
    return { n: reps.length, org: cx.rootOrgId, listed: true };
  },
};
