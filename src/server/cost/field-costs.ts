import { EXCHANGE_PAGE_SIZE } from '../../anypoint/exchange.js';
import { PlatformSizes } from './platform-sizes.js';
import { ANY, type Tally } from './tally.js';

/**
 * What each field of the graph costs upstream on a cold cache, mirroring what its resolver and
 * loaders do (resolvers/*.ts, src/loaders/*.ts): which calls, for which entity, and how many
 * objects its selections then run for. A field not listed costs nothing upstream and yields one
 * object per parent (scalars, and objects the parent already holds).
 *
 * `Scope` is the set of parent objects a selection runs for: how many, and what is known of
 * them before running (the one organization, environment or team they belong to, from an id in
 * the arguments; `all` when they are every business group).
 */
export interface Scope {
  n: number;
  org?: string;
  env?: string;
  /** The teams, when known: from an id in the arguments, then their children from the team listings seen. */
  teams?: readonly string[];
  /** Every business group of the platform (Query.organizations). */
  all?: boolean;
  /** Under a connection type: how many connection objects there are (their own fields are one each; `nodes` and `edges` are `n`). */
  connections?: number;
  /** APIs that came from an environment listing, which names their assets (no Exchange call for `name`). */
  listed?: boolean;
}

export interface CostContext {
  sizes: PlatformSizes;
  rootOrgId: string;
  singleGetLimit: number;
  tally: Tally;
}

export type Args = Record<string, unknown>;

/** Returns the scope of the field's own selections (null: a leaf, or nothing below costs). */
export type FieldCost = (scope: Scope, args: Args, cx: CostContext) => Scope | null;

const pages = PlatformSizes.pages;
export const idOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const firstOf = (args: Args, fallback: number): number => (typeof args.first === 'number' ? Math.max(0, args.first) : fallback);

/** The org an environment belongs to, when the gateway has seen it. */
const orgOfEnv = (cx: CostContext, envId: string | undefined) => (envId ? cx.sizes.envOrg.get(envId) : undefined);

/**
 * An environment lookup (src/loaders/organizations.ts). With an org hint: that org's detail. By
 * id alone: one GET /environments/{id} each, up to the single-GET limit; more read the root
 * org's detail and, for an environment elsewhere, the tree and every other org's detail.
 */
function environmentLookup(cx: CostContext, n: number, org: string | undefined, hint?: string): void {
  if (hint) return cx.tally.add('orgDetail', hint, 1);
  if (n <= cx.singleGetLimit) return cx.tally.add('envGet', ANY, n);
  cx.tally.add('orgDetail', cx.rootOrgId, 1);
  if (org !== cx.rootOrgId) {
    cx.tally.add('tree', 'root', 1);
    cx.tally.add('orgDetail', ANY, cx.sizes.organizations - 1);
  }
}

/**
 * A team by id (src/loaders/teams.ts): one GET in the hinted org, or in the root org. A team
 * known (from listings read before) to live outside the root, without a hint, also costs the
 * bounded sweep: the tree and every other org's teams listing.
 */
export function teamLookup(cx: CostContext, teamId: string | undefined, hint: string | undefined): void {
  cx.tally.add('teamGet', ANY, 1);
  const org = teamId ? cx.sizes.teamOrg.get(teamId) : undefined;
  if (hint || !org || org === cx.rootOrgId) return;
  cx.tally.add('tree', 'root', 1);
  // At least a page per business group; the class cap keeps it within every org's listing.
  cx.tally.add('teamsList', ANY, cx.sizes.organizations - 1);
}

/** Calls for a per-organization list (users, teams) over the scope's orgs. */
export function perOrgList(cx: CostContext, scope: Scope, cls: 'usersList' | 'teamsList', table: 'users' | 'teams'): number {
  const sizes = cx.sizes[table];
  if (scope.org) {
    cx.tally.add(cls, scope.org, pages(sizes.of(scope.org)));
    return scope.n * sizes.of(scope.org);
  }
  const orgs = scope.all ? Math.min(scope.n, cx.sizes.organizations) : scope.n;
  cx.tally.add(cls, ANY, orgs * pages(sizes.of(undefined)));
  return scope.n * sizes.of(undefined);
}

/** loadUserNear: looked up in the org that references them (Tally prices the batches). */
export function usersNear(cx: CostContext, scope: Scope, users: number): void {
  cx.tally.add('userNear', scope.org ?? ANY, users);
}

/** Exchange assets of `n` APIs: a lone asset is one GET; several of one org, that org's search. */
function assets(cx: CostContext, scope: Scope): void {
  if (scope.n <= 1) {
    cx.tally.add('assetGet', ANY, scope.n);
    return;
  }
  const orgs = scope.org ? 1 : Math.min(scope.n, cx.sizes.organizations);
  const perOrg = scope.n / orgs;
  cx.tally.add('assetSearch', scope.org ?? ANY, orgs * (Math.floor(perOrg / EXCHANGE_PAGE_SIZE) + 1));
}

/** API listings of every environment of the scope's orgs. */
function apisOfOrgs(cx: CostContext, scope: Scope): number {
  cx.tally.add('orgDetail', scope.org ?? ANY, scope.org ? 1 : scope.n);
  const envs = scope.org ? cx.sizes.envs.of(scope.org) : scope.n * cx.sizes.envs.of(undefined);
  cx.tally.add('apiList', ANY, envs * pages(cx.sizes.apisPerEnv.of(undefined)));
  return envs * cx.sizes.apisPerEnv.of(undefined);
}

/** API listings of every environment of every business group (Query.apis with no organization). */
function apisOfPlatform(cx: CostContext): number {
  const envs = cx.sizes.environments;
  cx.tally.add('orgDetail', ANY, cx.sizes.organizations);
  cx.tally.add('apiList', ANY, cx.sizes.apisPerEnv.totalPages(envs));
  return cx.sizes.apisPerEnv.total(envs);
}

const organizationTree: FieldCost = (scope, _args, cx) => {
  cx.tally.add('tree', 'root', 1);
  return null;
};

/** The scope's distinct organizations, as a scope of one object per org (for per-org listings under it). */
export function perOrg(cx: CostContext, scope: Scope): Scope {
  const orgs = scope.org ? 1 : scope.all ? cx.sizes.organizations : Math.min(scope.n, cx.sizes.organizations);
  return { n: orgs, org: scope.org, all: scope.all };
}

/** A connection's scope: `nodes` objects across `parents` connections. */
export const connection = (nodes: number, inner: Omit<Scope, 'n'>, parents = 1): Scope => ({ ...inner, n: nodes, connections: parents });

export const FIELD_COSTS: Record<string, FieldCost> = {
  'Query.viewer': (scope) => ({ n: scope.n }),
  'Viewer.organization': (scope, _args, cx) => ({ n: scope.n, org: cx.rootOrgId }),
  'Query.organization': (_scope, args, cx) => (cx.tally.add('tree', 'root', 1), { n: 1, org: idOf(args.id) }),
  'Query.organizations': (_scope, _args, cx) => (cx.tally.add('tree', 'root', 1), { n: cx.sizes.organizations, all: true }),
  'Query.environment': (_scope, args, cx) => {
    const env = idOf(args.id);
    const hint = idOf(args.organizationId);
    const org = hint ?? orgOfEnv(cx, env);
    environmentLookup(cx, 1, org ?? cx.rootOrgId, hint);
    return { n: 1, env, org };
  },
  // One GET: in the hinted org, else GET /users/{id} wherever the user is (src/loaders/users.ts).
  'Query.user': (_scope, args, cx) => (cx.tally.add('userGet', ANY, 1), { n: 1, org: idOf(args.organizationId) }),
  // One search in the root org (src/loaders/users.ts); a user known (from listings read before) to
  // live in a business group adds the hierarchy and a search of every other org.
  'Query.userByUsername': (_scope, args, cx) => {
    cx.tally.add('userSearch', ANY, 1);
    const home = typeof args.username === 'string' ? cx.sizes.usernameOrg.get(args.username) : undefined;
    if (home && home !== cx.rootOrgId) {
      cx.tally.add('tree', 'root', 1);
      cx.tally.add('userSearch', ANY, cx.sizes.organizations - 1);
    }
    return { n: 1, org: home ?? cx.rootOrgId };
  },
  'Query.users': (_scope, args, cx) => {
    if (args.changedSince) return changedUsersCost(cx, args);
    const org = idOf(args.organizationId) ?? cx.rootOrgId;
    const users = perOrgList(cx, { n: 1, org }, 'usersList', 'users');
    return connection(Math.min(firstOf(args, 50), users), { org });
  },
  'Query.team': (_scope, args, cx) => {
    const id = idOf(args.id);
    const hint = idOf(args.organizationId);
    teamLookup(cx, id, hint);
    return { n: 1, org: hint ?? (id ? cx.sizes.teamOrg.get(id) : undefined) ?? cx.rootOrgId, teams: id ? [id] : undefined };
  },
  'Query.teams': (_scope, args, cx) => {
    const org = idOf(args.organizationId) ?? cx.rootOrgId;
    const teams = perOrgList(cx, { n: 1, org }, 'teamsList', 'teams');
    return connection(Math.min(firstOf(args, 50), teams), { org });
  },
  'Query.api': (_scope, args, cx) => {
    const env = idOf(args.environmentId);
    const org = orgOfEnv(cx, env);
    environmentLookup(cx, 1, org ?? cx.rootOrgId);
    cx.tally.add('apiGet', ANY, 1);
    return { n: 1, env, org };
  },
  'Query.apis': (_scope, args, cx) => {
    const env = idOf(args.environmentId);
    if (env) {
      const org = orgOfEnv(cx, env);
      environmentLookup(cx, 1, org ?? cx.rootOrgId);
      const apis = cx.sizes.apisPerEnv.of(env);
      cx.tally.add('apiList', env, pages(apis));
      return connection(Math.min(firstOf(args, 50), apis), { env, org, listed: true });
    }
    const org = idOf(args.organizationId);
    cx.tally.add('tree', 'root', 1);
    if (!org) return connection(Math.min(firstOf(args, 50), apisOfPlatform(cx)), { all: true, listed: true });
    return connection(Math.min(firstOf(args, 50), apisOfOrgs(cx, { n: 1, org })), { org, listed: true });
  },

  'Organization.name': organizationTree,
  'Organization.isRoot': organizationTree,
  'Organization.parent': (scope, _args, cx) => (cx.tally.add('tree', 'root', 1), { n: scope.n }),
  'Organization.ancestors': (scope, _args, cx) => (cx.tally.add('tree', 'root', 1), { n: scope.n * cx.sizes.orgDepth }),
  'Organization.children': (scope, _args, cx) => {
    cx.tally.add('tree', 'root', 1);
    const children = scope.all ? Math.max(0, cx.sizes.organizations - 1) : scope.n * cx.sizes.orgChildren.of(scope.org);
    return { n: children };
  },
  'Organization.environments': (scope, _args, cx) => {
    cx.tally.add('orgDetail', scope.org ?? ANY, scope.n);
    return { n: scope.org ? scope.n * cx.sizes.envs.of(scope.org) : scope.all ? cx.sizes.environments : scope.n * cx.sizes.envs.of(undefined), org: scope.org };
  },
  'Organization.users': (scope, args, cx) => connection(Math.min(scope.n * firstOf(args, 50), perOrgList(cx, scope, 'usersList', 'users')), { org: scope.org, all: scope.all }, scope.n),
  'Organization.teams': (scope, args, cx) => connection(Math.min(scope.n * firstOf(args, 50), perOrgList(cx, scope, 'teamsList', 'teams')), { org: scope.org, all: scope.all }, scope.n),
  'TeamMembership.team': (scope) => ({ n: scope.n, org: scope.org, all: scope.all }),
  'Organization.rootTeam': (scope, _args, cx) => (perOrgList(cx, scope, 'teamsList', 'teams'), { n: scope.n, org: scope.org, all: scope.all }),
  'Organization.apis': (scope, args, cx) => connection(Math.min(scope.n * firstOf(args, 50), apisOfOrgs(cx, scope)), { org: scope.org, listed: true }, scope.n),
  'Organization.owner': (scope, _args, cx) => {
    cx.tally.add('orgDetail', scope.org ?? ANY, scope.n);
    // One owner per org, fetched next to it: one GET each (their orgs differ).
    cx.tally.add('userGet', ANY, scope.n);
    return { n: scope.n };
  },
  'Organization.createdAt': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, scope.n), null),
  'Organization.entitlements': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, scope.n), null),

  'Environment.organization': (scope) => ({ n: scope.n, org: scope.org }),
  'Environment.apiCount': (scope, _args, cx) => (cx.tally.add('apiCount', scope.env ?? ANY, scope.n), null),
  'Environment.apis': (scope, args, cx) => {
    const apis = scope.env ? cx.sizes.apisPerEnv.of(scope.env) : cx.sizes.apisPerEnv.of(undefined);
    cx.tally.add('apiList', scope.env ?? ANY, scope.n * pages(apis));
    return connection(scope.n * Math.min(firstOf(args, 50), apis), { org: scope.org, env: scope.env, listed: true }, scope.n);
  },

  'Api.name': (scope, _args, cx) => (scope.listed ? null : (assets(cx, scope), null)),
  'Api.apiType': (scope, _args, cx) => (assets(cx, scope), null),
  'Api.exchangeAsset': (scope, _args, cx) => (assets(cx, scope), { n: scope.n }),
  'Api.specification': (scope, _args, cx) => (assets(cx, scope), { n: scope.n }),
  'ApiSpecification.content': (scope, _args, cx) => (cx.tally.add('spec', ANY, scope.n), null),
  // The API's own organization's detail (resolvers/environment-of.ts): already read by a listing of its APIs.
  'Api.environment': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, perOrg(cx, scope).n), { n: scope.n, org: scope.org }),
  'Api.organization': (scope) => ({ n: scope.n, org: scope.org }),
  // One call per instance whatever the batch (Anypoint counts one instance at a time).
  'Api.policyCount': (scope, _args, cx) => (cx.tally.add('apiPolicies', ANY, scope.n), null),
  'Api.slaTierCount': (scope, _args, cx) => (cx.tally.add('apiTiers', ANY, scope.n), null),
  'Api.contractCount': (scope, _args, cx) => (cx.tally.add('apiContracts', ANY, scope.n), null),

  'Team.organization': (scope) => ({ n: scope.n, org: scope.org }),
  'Team.parent': (scope, _args, cx) => (teamsNear(cx, scope), { n: scope.n, org: scope.org }),
  'Team.ancestors': (scope, _args, cx) => (teamsNear(cx, scope), { n: scope.n * 2, org: scope.org }),
  'Team.children': (scope, _args, cx) => {
    perOrgList(cx, perOrg(cx, scope), 'teamsList', 'teams');
    const known = scope.teams?.every((id) => cx.sizes.childTeamIds.has(id));
    if (scope.teams && known) {
      const children = scope.teams.flatMap((id) => cx.sizes.childTeamIds.get(id) ?? []);
      return { n: children.length, org: scope.org, teams: children };
    }
    return { n: scope.n * cx.sizes.teamChildren.of(undefined), org: scope.org };
  },
  'Team.members': (scope, args, cx) => {
    const first = firstOf(args, 100);
    if (scope.teams) {
      let nodes = 0;
      for (const id of scope.teams) {
        const members = cx.sizes.members.of(id);
        cx.tally.add('members', id, pages(members));
        nodes += Math.min(first, members);
      }
      return connection(nodes, { org: scope.org }, scope.n);
    }
    cx.tally.add('members', ANY, scope.n * cx.sizes.members.meanPages());
    return connection(scope.n * Math.min(first, cx.sizes.members.of(undefined)), { org: scope.org }, scope.n);
  },
  'Team.roles': (scope, _args, cx) => {
    if (scope.teams) for (const id of scope.teams) cx.tally.add('teamRoles', id, 1);
    else cx.tally.add('teamRoles', ANY, scope.n);
    const roles = scope.teams ? scope.teams.reduce((sum, id) => sum + cx.sizes.roles.of(id), 0) : scope.n * cx.sizes.roles.of(undefined);
    return { n: roles, org: scope.org };
  },
  'TeamRole.environment': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, perOrg(cx, scope).n), null),
  'TeamRole.organization': (scope) => ({ n: scope.n }),
  'TeamMember.user': (scope, _args, cx) => (usersNear(cx, scope, scope.n), { n: scope.n, org: scope.org }),

  'User.organization': (scope) => ({ n: scope.n, org: scope.org }),
  'User.teams': (scope, _args, cx) => {
    // membershipsInOrg: the org's teams, then every team's members.
    const teams = perOrgList(cx, perOrg(cx, scope), 'teamsList', 'teams');
    cx.tally.add('members', ANY, teams * cx.sizes.members.meanPages());
    return { n: scope.n * cx.sizes.assumedTeamsPerUser, org: scope.org, all: scope.all };
  },
};

/**
 * users(changedSince): the audit log read from the token (resolvers/Changes.ts): typically one
 * page of changes and the empty page that says it is current, without organizationId the
 * business group tree too. Users come from the log itself, so nothing else is called.
 */
function changedUsersCost(cx: CostContext, args: Args): Scope {
  if (!idOf(args.organizationId)) cx.tally.add('tree', 'root', 1);
  cx.tally.add('auditQuery', ANY, CHANGE_PAGES_ASSUMED);
  return connection(firstOf(args, 50), { org: idOf(args.organizationId) });
}

/** Pages of the audit log a read of the change feed is assumed to take (one of changes, one empty). */
export const CHANGE_PAGES_ASSUMED = 2;

/** teamById for teams of one org: one GET for a lone team, else the org's team listing. */
export function teamsNear(cx: CostContext, scope: Scope): void {
  if (scope.n <= 1) cx.tally.add('teamGet', ANY, scope.n);
  else perOrgList(cx, perOrg(cx, scope), 'teamsList', 'teams');
}
