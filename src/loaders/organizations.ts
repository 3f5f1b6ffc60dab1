import DataLoader from 'dataloader';
import { getEnvironmentAnywhere, getHierarchy, getOrganization } from '../anypoint/accounts.js';
import type { AnypointEnvironment, AnypointHierarchyNode, AnypointOrganization } from '../anypoint/types.js';
import { notFound } from '../errors.js';
import { isNotFound, type LoaderDeps } from './deps.js';

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
   * Environments by id alone. Free when an organization detail this request (or the shared
   * cache) already holds lists it; otherwise GET /environments/{id} (official spec), one call
   * whatever the organization. A batch of more than SINGLE_GET_LIMIT unknown ids reads org
   * details instead, the root first and then every business group's (bounded: one call per org).
   */
  const environmentById = new DataLoader<string, AnypointEnvironment>(deps.measured('orgs.environmentById', async (ids) => {
    const found = new Map<string, AnypointEnvironment>();
    const collect = (envs: AnypointEnvironment[]) => envs.forEach((e) => found.set(e.id, e));
    const wanted = () => ids.filter((id) => !found.has(id));
    collect((await cache.peek<AnypointOrganization>('organizations', `detail:${rootOrgId}`))?.environments ?? []);
    if (wanted().length > deps.singleGetLimit) {
      collect(await environmentsOf(rootOrgId));
      if (wanted().length) {
        const others = (await orgNodes()).filter((n) => n.id !== rootOrgId);
        (await Promise.all(others.map((n) => environmentsOf(n.id)))).forEach(collect);
      }
    } else {
      await Promise.all(
        wanted().map(async (id) => {
          try {
            const env = await cache.get('organizations', `env:${id}`, () => getEnvironmentAnywhere(client, id, call));
            if (env.id === id) found.set(id, env);
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
        }),
      );
    }
    return ids.map((id) => found.get(id) ?? notFound('Environment', id));
  }), { batchScheduleFn: deps.batchScheduleFn });

  /**
   * An environment said to belong to `orgId` (an org hint): that organization's detail, one
   * call (often already read), which lists its environments. Not found when it does not list it,
   * even if the id exists elsewhere: a wrong hint finds nothing rather than another org's object.
   */
  const environmentInOrg = async (orgId: string, envId: string): Promise<AnypointEnvironment> => {
    let envs: AnypointEnvironment[];
    try {
      envs = await environmentsOf(orgId);
    } catch (error) {
      if (isNotFound(error)) throw notFound('Environment', envId);
      throw error;
    }
    const env = envs.find((e) => e.id === envId);
    if (!env) throw notFound('Environment', envId);
    return env;
  };

  return { orgNodes, orgNode, orgDetail, environmentsOf, environmentById, environmentInOrg };
}

export type OrganizationLoaders = ReturnType<typeof createOrganizationLoaders>;
