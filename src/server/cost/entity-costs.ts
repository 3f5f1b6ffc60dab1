import { PlatformSizes } from './platform-sizes.js';
import { idOf, teamLookup, type CostContext, type Scope } from './field-costs.js';
import { ANY } from './tally.js';

/**
 * Federation's _entities: what resolving a batch of representations of one type costs
 * (each type's __resolveReference and its loader), and the scope their selections run in.
 */
const pages = PlatformSizes.pages;

/** A representation's nested key field (organization { id }, environment { id }), when it has one. */
const hintOf = (rep: Record<string, unknown>, field: 'organization' | 'environment'): string | undefined =>
  idOf((rep[field] as Record<string, unknown> | null | undefined)?.id);
const orgHint = (rep: Record<string, unknown>) => hintOf(rep, 'organization');

type EntityCost = (representations: Array<Record<string, unknown>>, cx: CostContext) => Scope;

export const ENTITY_COSTS: Record<string, EntityCost> = {
  User: (reps, cx) => {
    const withId = reps.filter((r) => 'id' in r);
    const byUsername = reps.length - withId.length;
    const rootListing = pages(cx.sizes.users.of(cx.rootOrgId));
    // With an org (organization { id }): that org's GETs or listing, whichever is fewer.
    const hinted = withId.filter((r) => orgHint(r));
    for (const r of hinted) cx.tally.add('userNear', orgHint(r)!, 1);
    // By id alone: one GET each up to the single-GET limit (or when cheaper), else the root org's
    // listing, and for those known (from listings read before) to live elsewhere GETs again, or
    // the bounded sweep when they outnumber its pages (src/loaders/users.ts findUnplaced).
    const plain = withId.filter((r) => !orgHint(r));
    if (plain.length > cx.singleGetLimit || plain.length > rootListing * 2) {
      cx.tally.add('usersList', cx.rootOrgId, rootListing);
      const elsewhere = plain.filter((r) => {
        const home = cx.sizes.userOrg.get(String(r.id));
        return home !== undefined && home !== cx.rootOrgId;
      }).length;
      if (elsewhere > 0) {
        cx.tally.add('tree', 'root', 1);
        const sweep = Math.max(1, cx.sizes.users.totalPages(cx.sizes.organizations) - rootListing);
        if (elsewhere <= cx.singleGetLimit || elsewhere <= sweep) cx.tally.add('userGet', ANY, elsewhere);
        else cx.tally.add('usersList', ANY, sweep);
      }
    } else cx.tally.add('userGet', ANY, plain.length);
    // By username: a search each in the root org up to the single-GET limit (src/loaders/users.ts), else its listing.
    // Users outside the root org cost a search per business group too; here the root is assumed
    // (Query.userByUsername prices a learned home, a batch of usernames does not yet).
    if (byUsername > cx.singleGetLimit) cx.tally.add('usersList', cx.rootOrgId, rootListing);
    else cx.tally.add('userSearch', ANY, byUsername);
    return { n: reps.length, org: cx.rootOrgId };
  },
  Team: (reps, cx) => {
    // With an org (organization { id }) that org is asked; without one the root, and a team
    // known to live elsewhere adds the bounded sweep (teamLookup).
    const hinted = reps.filter((r) => orgHint(r));
    const plain = reps.filter((r) => !orgHint(r));
    if (plain.length > 1) cx.tally.add('teamsList', cx.rootOrgId, pages(cx.sizes.teams.of(cx.rootOrgId)));
    else for (const r of plain) teamLookup(cx, idOf(r.id), undefined);
    cx.tally.add('teamGet', ANY, hinted.length);
    const orgs = new Set(hinted.map(orgHint));
    return { n: reps.length, org: orgs.size === 1 && !plain.length ? [...orgs][0] : cx.rootOrgId };
  },
  Organization: (reps, cx) => {
    cx.tally.add('tree', 'root', 1);
    return { n: reps.length };
  },
  Environment: (reps, cx) => {
    // By id alone one GET /environments/{id} each (up to the single-GET limit); with an org, that org's detail.
    const plain = reps.filter((r) => !orgHint(r)).length;
    if (plain > cx.singleGetLimit) cx.tally.add('orgDetail', cx.rootOrgId, 1);
    else cx.tally.add('envGet', ANY, plain);
    for (const org of new Set(reps.map(orgHint))) if (org) cx.tally.add('orgDetail', org, 1);
    return { n: reps.length, org: cx.rootOrgId };
  },
  Api: (reps, cx) => {
    let listed = false;
    for (const r of reps) {
      const env = hintOf(r, 'environment');
      const org = orgHint(r);
      if (env) {
        // An environment: that environment (a GET, or its org's detail) and one instance GET.
        if (org) cx.tally.add('orgDetail', org, 1);
        else cx.tally.add('envGet', ANY, 1);
        cx.tally.add('apiGet', ANY, 1);
      } else if (org) {
        // An org: its detail and one listing per environment of it.
        cx.tally.add('orgDetail', org, 1);
        cx.tally.add('apiList', ANY, cx.sizes.envs.of(org) * pages(cx.sizes.apisPerEnv.of(undefined)));
        listed = true;
      } else {
        // Neither: the root org's environments are listed first; an instance known (from
        // listings read before) to live elsewhere adds the bounded sweep of every other org.
        cx.tally.add('orgDetail', cx.rootOrgId, 1);
        const rootEnvs = cx.sizes.envs.of(cx.rootOrgId);
        cx.tally.add('apiList', ANY, rootEnvs * pages(cx.sizes.apisPerEnv.of(undefined)));
        const home = cx.sizes.apiOrg.get(String(r.id));
        if (home && home !== cx.rootOrgId) {
          cx.tally.add('tree', 'root', 1);
          cx.tally.add('orgDetail', ANY, cx.sizes.organizations - 1);
          cx.tally.add('apiList', ANY, Math.max(0, cx.sizes.environments - rootEnvs));
        }
        listed = true;
      }
    }
    return { n: reps.length, org: cx.rootOrgId, listed };
  },
};
