import type { PlatformView } from './sim-state.js';
import { CLIENT_CAP } from './stack.js';
import { EXCHANGE_PAGE_SIZE, bareListing, calls, idealMs, listing, listings, parallel, sequence, totalCalls, type Latency, type Wave } from './waves.js';

/**
 * Minimums and ideals of the governance exports and the incremental import (bench/README.md,
 * "Governance"), worked out from the simulator's own data like the read scenarios.
 */

/** The gateway's client concurrency cap (ANYPOINT_MAX_CONNECTIONS in the bench): bench/stack.ts's, the one place it is set. */
export const CAP = CLIENT_CAP;
/** The audit log's page size (src/anypoint/audit-log.ts). */
export const AUDIT_PAGE = 200;

export interface GovernancePlan {
  minimum: number;
  idealMs: number;
  derivation: string;
}

const orgsInTreeOrder = (view: PlatformView): string[] => {
  const under = (id: string): string[] => [id, ...view.liveOrgs.filter((o) => o.parentId === id).map((o) => o.id).flatMap(under)];
  return under(view.rootOrgId);
};

/**
 * One business group's access picture (src/loaders/access.ts orgAccess + review-inputs.ts):
 * its users, teams, role groups, the role search, its apps and its detail at once; then the
 * users' other pages, each team's members and roles, each role group's roles and users.
 */
function orgAccessWaves(view: PlatformView, orgId: string, first: boolean): Wave[] {
  const teams = view.teamsOf(orgId);
  const groups = view.roleGroupsOf(orgId);
  return parallel(
    listing('GET users', view.usersOf(orgId).length),
    sequence(listing('GET teams', teams.length), parallel(listings('GET members', teams.map((t) => view.membersOf(t.team_id).length)), calls('GET team roles', teams.length))),
    sequence(calls('GET rolegroups', 1), calls('GET rolegroup roles and users', 2 * groups.length)),
    listing('POST roles/users/search', view.directHoldersOf(orgId)),
    calls('GET connectedApplications', 1),
    calls('GET organization (environments)', 1),
    first ? calls('GET roles (catalogue, once)', 1) : [],
  );
}

/** The export reads one business group after another (the next while the last is written): the ideal is their sum. */
export function accessReviewExportPlan(view: PlatformView, latency: Latency): GovernancePlan {
  const orgs = orgsInTreeOrder(view);
  const tree = calls('GET hierarchy', 1);
  const perOrg = orgs.map((id, i) => orgAccessWaves(view, id, i === 0));
  const minimum = totalCalls(tree) + perOrg.reduce((n, w) => n + totalCalls(w), 0);
  const ideal = idealMs(tree, CAP, latency) + perOrg.reduce((ms, w) => ms + idealMs(w, CAP, latency), 0);
  return {
    minimum,
    idealMs: ideal,
    derivation: `1 hierarchy + per business group (${orgs.length}): users pages, teams, each team's members and roles, role groups with their roles and users, the role search, apps, detail; + 1 role catalogue. Ideal: the groups one after another, each in its waves at ${CAP} connections`,
  };
}

/**
 * One business group's inventory (src/exports/api-inventory.ts): its detail (environments), each
 * environment's API list, then its Exchange search and the three counts of each instance.
 */
function orgInventoryWaves(view: PlatformView, orgId: string): Wave[] {
  const envs = view.environmentsOf(orgId);
  const apis = envs.reduce((n, e) => n + view.apisOf(e.id).length, 0);
  return sequence(
    calls('GET organization (environments)', 1),
    listings('GET apis', envs.map((e) => view.apisOf(e.id).length)),
    parallel(bareListing('GET exchange assets', view.assetsOf(orgId).length, EXCHANGE_PAGE_SIZE), calls('GET policies, tiers, contracts (one each per instance)', 3 * apis)),
  );
}

export function inventoryExportPlan(view: PlatformView, latency: Latency): GovernancePlan {
  const orgs = orgsInTreeOrder(view);
  const tree = calls('GET hierarchy', 1);
  const perOrg = orgs.map((id) => orgInventoryWaves(view, id));
  const minimum = totalCalls(tree) + perOrg.reduce((n, w) => n + totalCalls(w), 0);
  const ideal = idealMs(tree, CAP, latency) + perOrg.reduce((ms, w) => ms + idealMs(w, CAP, latency), 0);
  return {
    minimum,
    idealMs: ideal,
    derivation: `1 hierarchy + per business group (${orgs.length}): 1 detail, each environment's API list, its Exchange search, 3 counts per instance. Ideal: the groups one after another at ${CAP} connections`,
  };
}

/** users(changedSince) after `changed` user changes: their audit pages and the empty one; no other call. */
export function incrementalPlan(changed: number): GovernancePlan {
  const pages = Math.ceil(changed / AUDIT_PAGE) + 1;
  return { minimum: 1 + pages, idealMs: 0, derivation: `1 hierarchy (the business groups) + ceil(${changed} / ${AUDIT_PAGE}) audit pages + 1 empty page` };
}

/** A full listing of every business group's users: the tree, then each org's pages. */
export function fullListingCalls(view: PlatformView): number {
  return 1 + view.liveOrgs.reduce((n, o) => n + totalCalls(listing('GET users', view.usersOf(o.id).length)), 0);
}
