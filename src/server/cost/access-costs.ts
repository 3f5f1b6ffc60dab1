import { ORG_INDEX_FROM_USERS } from '../../loaders/access.js';
import { ANY, ASSUMED_ROLE_GROUPS, ROLE_GROUP_CALLS } from './tally.js';
import { connection, firstOf, idOf, perOrg, perOrgList, teamsNear, type CostContext, type FieldCost, type Scope } from './field-costs.js';

/**
 * What the access fields cost upstream (src/loaders/access.ts): an organization's whole access
 * picture for reviews and for many users at once, a user's own routes for a few.
 */

/** Grants a user is assumed to hold, and paths per grant, for the answer's size. */
const GRANTS_PER_USER = 6;
const PATHS_PER_GRANT = 1.5;

/** orgAccess for the scope's organizations: users, teams with members and roles, role groups, the role search, role names. */
function orgAccess(cx: CostContext, scope: Scope): void {
  const orgs = perOrg(cx, scope);
  perOrgList(cx, orgs, 'usersList', 'users');
  const teams = perOrgList(cx, orgs, 'teamsList', 'teams');
  cx.tally.add('members', ANY, teams * cx.sizes.members.meanPages());
  cx.tally.add('teamRoles', ANY, teams);
  cx.tally.add('roleGroups', scope.org ?? ANY, orgs.n * ROLE_GROUP_CALLS);
  cx.tally.add('roleSearch', scope.org ?? ANY, orgs.n);
  cx.tally.add('roleCatalogue', 'all', 1);
}

/** A few users on their own: 3 routes each, their role groups' roles, the team listing and their teams' (and ancestors') roles. */
function ownRoutes(cx: CostContext, scope: Scope): void {
  cx.tally.add('userAccess', ANY, scope.n * 3);
  cx.tally.add('roleGroupRoles', ANY, Math.min(scope.n, ASSUMED_ROLE_GROUPS) * perOrg(cx, scope).n);
  perOrgList(cx, perOrg(cx, scope), 'teamsList', 'teams');
  cx.tally.add('teamRoles', ANY, scope.n * (cx.sizes.assumedTeamsPerUser + cx.sizes.orgDepth));
}

/** The organizations an access review covers. */
function reviewScope(cx: CostContext, org: string | undefined, includeDescendants: boolean): Scope {
  const id = org ?? cx.rootOrgId;
  if (!includeDescendants) return { n: 1, org: id };
  if (id === cx.rootOrgId) return { n: cx.sizes.organizations, all: true };
  // Below a business group: its children and theirs, bounded by the platform.
  return { n: Math.min(cx.sizes.organizations, 1 + cx.sizes.orgChildren.of(id) * cx.sizes.orgDepth) };
}

export const ACCESS_COSTS: Record<string, FieldCost> = {
  'User.access': (scope, _args, cx) => {
    const orgs = perOrg(cx, scope).n;
    if (scope.n / orgs >= ORG_INDEX_FROM_USERS) orgAccess(cx, scope);
    else ownRoutes(cx, scope);
    return { n: scope.n * GRANTS_PER_USER, org: scope.org };
  },
  'AccessGrant.environment': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, perOrg(cx, scope).n), null),
  'AccessGrant.organization': (scope) => ({ n: scope.n, org: scope.org }),
  'AccessGrant.paths': (scope) => ({ n: Math.ceil(scope.n * PATHS_PER_GRANT), org: scope.org }),
  'AccessPath.team': (scope, _args, cx) => (teamsNear(cx, scope), { n: scope.n, org: scope.org }),
  'AccessPath.inheritedFrom': (scope, _args, cx) => (teamsNear(cx, scope), { n: scope.n, org: scope.org }),

  'Team.effectiveRoles': (scope, _args, cx) => {
    perOrgList(cx, perOrg(cx, scope), 'teamsList', 'teams');
    cx.tally.add('teamRoles', ANY, scope.n * (1 + cx.sizes.orgDepth));
    return { n: scope.n * cx.sizes.roles.of(undefined) * (1 + cx.sizes.orgDepth), org: scope.org };
  },
  'EffectiveTeamRole.environment': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, perOrg(cx, scope).n), null),
  'EffectiveTeamRole.organization': (scope) => ({ n: scope.n, org: scope.org }),
  'EffectiveTeamRole.inheritedFrom': (scope, _args, cx) => (teamsNear(cx, scope), { n: scope.n, org: scope.org }),

  'Organization.connectedApps': (scope, _args, cx) => {
    const orgs = perOrg(cx, scope);
    cx.tally.add('connectedApps', scope.org ?? ANY, orgs.n);
    return { n: orgs.n * 4, org: scope.org };
  },
  // Owners are few and scattered: looked up one by one (a GET each), never through a listing.
  'ConnectedApp.owner': (scope, _args, cx) => (cx.tally.add('userGet', ANY, scope.n), { n: scope.n, org: scope.org }),
  'ConnectedApp.scopes': (scope) => ({ n: scope.n * 3, org: scope.org }),
  'AppScope.environment': (scope, _args, cx) => (cx.tally.add('orgDetail', scope.org ?? ANY, perOrg(cx, scope).n), null),

  'Query.accessReview': (_scope, args, cx) => {
    cx.tally.add('tree', 'root', 1);
    const scope = reviewScope(cx, idOf(args.organizationId), args.includeDescendants === true);
    orgAccess(cx, scope);
    cx.tally.add('connectedApps', scope.org ?? ANY, scope.n);
    cx.tally.add('orgDetail', scope.org ?? ANY, scope.n);
    const users = scope.org ? cx.sizes.users.of(scope.org) : scope.n * cx.sizes.users.of(undefined);
    return connection(Math.min(firstOf(args, 100), users * GRANTS_PER_USER * PATHS_PER_GRANT), {});
  },
};
