import { PlatformSizes } from './platform-sizes.js';

/**
 * Upstream calls an operation is estimated to make, by class of call and the entity it is made
 * for ("usersList|<orgId>", or "|*" when the entity is not known before running). The loaders
 * make each call at most once per request, so two fields that need the same listing count it
 * once: per entity a class is capped at what one load of it costs, and per class at what loading
 * every entity of the platform costs.
 */
export type CallClass =
  | 'tree'
  | 'orgDetail'
  /** GET /environments/{id}: an environment by id alone, one call whatever its org. */
  | 'envGet'
  | 'usersList'
  | 'userGet'
  /** Users fetched next to the org that references them (loadUserNear): GETs, or that org's listing. */
  | 'userNear'
  | 'teamsList'
  | 'teamGet'
  | 'members'
  | 'teamRoles'
  | 'apiList'
  | 'apiCount'
  | 'apiGet'
  /** One call per API instance for each of its counts (policies, contracts, SLA tiers). */
  | 'apiPolicies'
  | 'apiContracts'
  | 'apiTiers'
  /** A user's own access routes (direct roles, role groups, teams): 3 per user. */
  | 'userAccess'
  /** An organization's role groups, then each group's roles and users. */
  | 'roleGroups'
  /** One role group's roles (a user's access read on its own). */
  | 'roleGroupRoles'
  /** The role-assignment search for an organization's direct grants. */
  | 'roleSearch'
  | 'roleCatalogue'
  | 'connectedApps'
  /** A users list `search` for one username (userByUsername). */
  | 'userSearch'
  /** Pages of the platform's audit log (the change feed). */
  | 'auditQuery'
  | 'assetSearch'
  | 'assetGet'
  | 'spec'
  | 'write';

export const ANY = '*';

export class Tally {
  readonly calls = new Map<string, number>();
  /** Fields of the answer (each instance of each selected field). */
  fields = 0;

  add(cls: CallClass, id: string, units: number): void {
    if (units <= 0) return;
    const key = `${cls}|${id}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + units);
  }

  merge(other: Tally): void {
    for (const [key, units] of other.calls) this.calls.set(key, (this.calls.get(key) ?? 0) + units);
    this.fields += other.fields;
  }

  /** The estimate: per entity and per class capped at what loading it all costs. */
  total(sizes: PlatformSizes, singleGetLimit: number): number {
    const byClass = new Map<CallClass, number>();
    for (const [key, units] of this.calls) {
      const bar = key.indexOf('|');
      const cls = key.slice(0, bar) as CallClass;
      const id = key.slice(bar + 1);
      const capped = cls === 'userNear' ? usersNear(units, id, sizes, singleGetLimit) : id === ANY ? units : Math.min(units, entityCap(cls, id, sizes));
      byClass.set(cls, (byClass.get(cls) ?? 0) + capped);
    }
    let total = 0;
    for (const [cls, units] of byClass) total += Math.min(units, classCap(cls, sizes));
    return Math.ceil(total);
  }
}

const pages = PlatformSizes.pages;

/**
 * An organization's role groups: the listing, then each group's roles and users. Role groups are
 * few (an org starts with none; Anypoint's defaults and a handful of admin-made ones), and the
 * gateway does not learn their number, so this assumes 3 per organization: 1 + 3 x 2 calls.
 */
export const ASSUMED_ROLE_GROUPS = 3;
export const ROLE_GROUP_CALLS = 1 + 2 * ASSUMED_ROLE_GROUPS;

/**
 * `units` user lookups in one org (userById): with the org's size known, a batch lists the org
 * when that takes fewer pages than the batch has users, and once listed every later lookup reads
 * the listing; with the size unknown, batches up to the single-GET limit are GETs, a larger one
 * lists. Never more than the lookups themselves.
 */
function usersNear(units: number, orgId: string, sizes: PlatformSizes, singleGetLimit: number): number {
  const listing = pages(orgId === ANY ? sizes.users.of(undefined) : sizes.users.of(orgId));
  if (orgId !== ANY && sizes.users.byId.has(orgId)) return Math.min(units, listing);
  return units <= singleGetLimit ? units : Math.min(units, singleGetLimit + listing);
}

/** What loading one entity's data of the class costs at most. */
function entityCap(cls: CallClass, id: string, sizes: PlatformSizes): number {
  switch (cls) {
    case 'usersList':
      return pages(sizes.users.of(id));
    case 'teamsList':
      return pages(sizes.teams.of(id));
    case 'members':
      return pages(sizes.members.of(id));
    case 'apiList':
      return pages(sizes.apisPerEnv.of(id));
    case 'assetSearch':
      return Number.POSITIVE_INFINITY;
    case 'userAccess':
      return 3;
    case 'roleGroups':
      return ROLE_GROUP_CALLS;
    case 'write':
      return Number.POSITIVE_INFINITY;
    default:
      return 1;
  }
}

/** What loading the class for every entity of the platform costs. */
function classCap(cls: CallClass, sizes: PlatformSizes): number {
  const orgs = sizes.organizations;
  const teams = sizes.teams.total(orgs);
  const envs = sizes.environments;
  const apis = sizes.apisPerEnv.total(envs);
  switch (cls) {
    case 'tree':
    case 'roleCatalogue':
      return 1;
    case 'roleGroups':
    case 'roleSearch':
    case 'connectedApps':
      return orgs * entityCap(cls, ANY, sizes);
    case 'orgDetail':
      return orgs;
    case 'envGet':
      return Math.max(1, envs);
    case 'usersList':
      return sizes.users.totalPages(orgs);
    case 'userGet':
      return sizes.users.total(orgs);
    case 'teamsList':
      return sizes.teams.totalPages(orgs);
    case 'teamGet':
    case 'members':
    case 'teamRoles':
      return Math.max(1, teams);
    case 'apiList':
      return sizes.apisPerEnv.totalPages(envs);
    case 'apiCount':
      return Math.max(1, envs);
    case 'apiPolicies':
    case 'apiContracts':
    case 'apiTiers':
      return Math.max(1, apis);
    default:
      return Number.POSITIVE_INFINITY;
  }
}
