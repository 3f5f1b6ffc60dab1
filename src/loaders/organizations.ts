import DataLoader from 'dataloader';
import { getHierarchy, getOrganization } from '../anypoint/accounts.js';
import type { AnypointEnvironment, AnypointHierarchyNode, AnypointOrganization } from '../anypoint/types.js';
import { notFound } from '../errors.js';
import type { LoaderDeps } from './deps.js';

/** A business group as the hierarchy describes it: enough for id, name, parent, children. */
export interface OrgNode {
  id: string;
  name: string;
  parentId: string | null;
  childIds: string[];
}

/** The hierarchy's tree as a list, root first, each node with its parent and children. */
export function flattenHierarchy(root: AnypointHierarchyNode): OrgNode[] {
  const nodes: OrgNode[] = [];
  const walk = (node: AnypointHierarchyNode, parentId: string | null) => {
    nodes.push({ id: node.id, name: node.name, parentId, childIds: node.subOrganizations.map((c) => c.id) });
    for (const child of node.subOrganizations) walk(child, node.id);
  };
  walk(root, null);
  return nodes;
}

export function createOrganizationLoaders(deps: LoaderDeps) {
  const { client, cache, call, rootOrgId } = deps;

  /** The whole tree in one call (GET /hierarchy of the root), flattened root first. */
  const orgNodes = () => cache.get('organizations', `tree:${rootOrgId}`, async () => flattenHierarchy(await getHierarchy(client, rootOrgId, call)));

  const orgNode = async (id: string): Promise<OrgNode> => {
    const node = (await orgNodes()).find((n) => n.id === id);
    if (!node) throw notFound('Organization', id);
    return node;
  };

  /**
   * Organization detail (GET /organizations/{id}), which also embeds its environments. One GET
   * per org whatever the batch, so no DataLoader: a batch would hand every detail out only when
   * the slowest had come back, and the org tree's API counts of an org that answered early
   * would wait for all 51 (a whole extra wave). The request's memo dedupes repeats.
   */
  const orgDetail = {
    load: (id: string): Promise<AnypointOrganization> => cache.get('organizations', `detail:${id}`, () => getOrganization(client, id, call)),
  };

  const environmentsOf = async (orgId: string): Promise<AnypointEnvironment[]> => (await orgDetail.load(orgId)).environments ?? [];

  /**
   * Environments by id. Anypoint only serves environments under their org, so an unknown id is
   * looked for in the root org first, then in every business group (each org detail is cached).
   */
  const environmentById = new DataLoader<string, AnypointEnvironment>(deps.measured('orgs.environmentById', async (ids) => {
    const found = new Map<string, AnypointEnvironment>();
    const collect = (envs: AnypointEnvironment[]) => envs.forEach((e) => found.set(e.id, e));
    collect(await environmentsOf(rootOrgId));
    if (ids.some((id) => !found.has(id))) {
      const others = (await orgNodes()).filter((n) => n.id !== rootOrgId);
      (await Promise.all(others.map((n) => environmentsOf(n.id)))).forEach(collect);
    }
    return ids.map((id) => found.get(id) ?? notFound('Environment', id));
  }), { batchScheduleFn: deps.batchScheduleFn });

  return { orgNodes, orgNode, orgDetail, environmentsOf, environmentById };
}

export type OrganizationLoaders = ReturnType<typeof createOrganizationLoaders>;
