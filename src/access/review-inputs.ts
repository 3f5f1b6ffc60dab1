import type { Loaders } from '../loaders/index.js';
import type { OrgReviewInput } from './review.js';

/**
 * The business groups a review covers: one, or one and every descendant (tree order, the
 * organization first).
 */
export async function reviewScope(loaders: Loaders, organizationId: string, includeDescendants: boolean): Promise<string[]> {
  const nodes = await loaders.orgs.orgNodes();
  const node = nodes.find((n) => n.id === organizationId);
  if (!node) return [];
  if (!includeDescendants) return [node.id];
  const under = (id: string): string[] => [id, ...nodes.filter((n) => n.parentId === id).flatMap((n) => under(n.id))];
  return under(node.id);
}

/**
 * One business group's share of a review: its access picture, apps, and the names rows show.
 * `tree` reads the business group tree (the names): an export reads each org with loaders of
 * its own, dropped after it, and the tree once, with the loaders of the whole export.
 */
export async function orgReviewInput(loaders: Loaders, orgId: string, tree: Loaders = loaders): Promise<OrgReviewInput> {
  const [access, apps, nodes, environments] = await Promise.all([
    loaders.access.orgAccess(orgId),
    loaders.access.connectedAppsOf(orgId),
    tree.orgs.orgNodes(),
    loaders.orgs.environmentsOf(orgId),
  ]);
  const orgNames = new Map(nodes.map((n) => [n.id, n.name]));
  const envNames = new Map(environments.map((e) => [e.id, e.name]));
  return {
    orgId,
    users: access.users,
    grantsOf: access.grantsOf,
    inNonRootTeam: access.inNonRootTeam,
    apps,
    orgName: (id) => orgNames.get(id) ?? id,
    envName: (id) => envNames.get(id) ?? null,
  };
}
