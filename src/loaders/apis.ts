import DataLoader from 'dataloader';
import { API_ROUTES, getApiInstance, listAllApiInstances } from '../anypoint/api-manager.js';
import { DownloadError } from '../anypoint/download-errors.js';
import { getAsset, searchAssetsOfOrganizations } from '../anypoint/exchange.js';
import type { AnypointApiInstance, AnypointApiList, AnypointEnvironment, AnypointExchangeAsset, AnypointExchangeFile } from '../anypoint/types.js';
import { GatewayError, notFound } from '../errors.js';
import { createApiCountLoaders } from './api-counts.js';
import { isNotFound, type LoaderDeps } from './deps.js';
import type { OrganizationLoaders } from './organizations.js';
import { readZipEntry } from './zip-entry.js';

export interface ApiKey {
  id: number;
  /** Known when the caller names the environment: one GET. */
  envId?: string;
  /** An org hint (a reference's organization): only that org's environments are listed. */
  orgId?: string;
}

export interface AssetKey {
  groupId: string;
  assetId: string;
  version: string;
}

export interface ApiList {
  apis: AnypointApiInstance[];
  /** `${groupId}/${assetId}` -> Exchange asset name, from the list's asset groups. */
  assetNames: Record<string, string>;
}

/** API Manager instances and their Exchange assets and specifications. */
export function createApiLoaders(deps: LoaderDeps, orgs: OrganizationLoaders) {
  const { client, cache, call } = deps;

  const apisOfEnv = (orgId: string, envId: string): Promise<ApiList> =>
    cache.get('apis', `env:${envId}`, async () => {
      const { apis, assetNames } = await listAllApiInstances(client, orgId, envId, call);
      return { apis, assetNames: Object.fromEntries(assetNames) };
    });

  /** An environment's instance count: from a loaded listing if there is one, else a one-item page. */
  const apiCount = (orgId: string, envId: string): Promise<number> =>
    cache.get('apis', `count:${envId}`, async () => {
      const listed = await cache.peek<ApiList>('apis', `env:${envId}`);
      if (listed) return listed.apis.length;
      const page = await client.request<AnypointApiList>({ route: API_ROUTES.apis, params: { orgId, envId }, query: { offset: 0, limit: 1 }, ...call });
      return page.total;
    });

  const assetNameOf = async (api: AnypointApiInstance): Promise<string | undefined> =>
    (await cache.peek<ApiList>('apis', `env:${api.environmentId}`))?.assetNames[`${api.groupId}/${api.assetId}`];

  /**
   * Instances by id. API Manager serves an instance only under its organization and environment
   * (no GET by id alone in the official specs, and Exchange's search finds assets, not
   * instances). With an environment: one GET (or its listing when loaded). With only an org
   * hint: that org's detail and one listing per environment of it. With neither, the bounded
   * sweep: the root org's environments first (where most APIs live), then, only for what is
   * still missing, every business group's: 1 hierarchy + 1 detail per org + 1 listing per
   * environment at most. A hint is checked: an instance of another environment or org is not found.
   */
  const apiById = new DataLoader<ApiKey, AnypointApiInstance, string>(
    deps.measured('apis.apiById', async (keys) => {
      const found = new Map<number, AnypointApiInstance>();
      const skipNotFound = (e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      };
      const listEnvs = async (envs: AnypointEnvironment[]) => {
        for (const list of await Promise.all(envs.map((e) => apisOfEnv(e.organizationId, e.id)))) {
          for (const api of list.apis) if (!found.has(api.id)) found.set(api.id, api);
        }
      };
      const hintedOrgs = [...new Set(keys.filter((k) => !k.envId && k.orgId).map((k) => k.orgId!))];
      await Promise.all([
        ...keys
          .filter((k) => k.envId)
          .map(async (k) => {
            const env = await (k.orgId ? orgs.environmentInOrg(k.orgId, k.envId!) : orgs.environmentById.load(k.envId!)).catch(skipNotFound);
            if (!env) return;
            const listed = await cache.peek<ApiList>('apis', `env:${env.id}`);
            const api = listed
              ? listed.apis.find((a) => a.id === k.id)
              : await cache.get('apis', `id:${k.id}`, () => getApiInstance(client, env.organizationId, env.id, k.id, call)).catch(skipNotFound);
            if (api) found.set(k.id, api);
          }),
        ...hintedOrgs.map(async (orgId) => listEnvs((await orgs.environmentsOf(orgId).catch(skipNotFound)) ?? [])),
      ]);
      const missing = () => keys.some((k) => !k.envId && !k.orgId && !found.has(k.id));
      const sweep = async (orgIds: string[]) => listEnvs((await Promise.all(orgIds.map((id) => orgs.environmentsOf(id)))).flat());
      if (missing()) await sweep([deps.rootOrgId]);
      if (missing()) await sweep((await orgs.orgNodes()).map((n) => n.id).filter((id) => id !== deps.rootOrgId));
      return keys.map((k) => {
        const api = found.get(k.id);
        return api && (!k.envId || api.environmentId === k.envId) && (!k.orgId || api.organizationId === k.orgId) ? api : notFound('API', k.id);
      });
    }),
    { batchScheduleFn: deps.batchScheduleFn, cacheKeyFn: (key) => `${key.orgId ?? ''}/${key.envId ?? ''}/${key.id}` },
  );

  /**
   * Exchange assets. Several assets of one org cost one search of that org (bare-array pages);
   * a lone asset is one GET.
   */
  const exchangeAsset = new DataLoader<AssetKey, AnypointExchangeAsset, string>(
    deps.measured('apis.exchangeAsset', async (keys) => {
      const keyOf = (k: AssetKey) => `${k.groupId}/${k.assetId}/${k.version}`;
      const byGroup = new Map<string, AssetKey[]>();
      for (const key of keys) byGroup.set(key.groupId, [...(byGroup.get(key.groupId) ?? []), key]);
      const found = new Map<string, AnypointExchangeAsset>();
      await Promise.all(
        [...byGroup].map(async ([groupId, group]) => {
          const listed = await cache.peek<AnypointExchangeAsset[]>('exchange', `org:${groupId}`);
          if (listed || group.length > 1) {
            const assets = listed ?? (await cache.get('exchange', `org:${groupId}`, () => searchAssetsOfOrganizations(client, [groupId], call)));
            for (const asset of assets) found.set(keyOf(asset), asset);
          }
          await Promise.all(
            group
              .filter((k) => !found.has(keyOf(k)))
              .map(async (k) => {
                try {
                  found.set(keyOf(k), await cache.get('exchange', `asset:${keyOf(k)}`, () => getAsset(client, k.groupId, k.assetId, k.version, call)));
                } catch (error) {
                  if (!isNotFound(error)) throw error;
                }
              }),
          );
        }),
      );
      return keys.map((k) => found.get(keyOf(k)) ?? notFound('Exchange asset', keyOf(k)));
    }),
    { batchScheduleFn: deps.batchScheduleFn, cacheKeyFn: (k) => `${k.groupId}/${k.assetId}/${k.version}` },
  );

  /**
   * The spec file's text: YAML/JSON as served, or the main file out of a zip. The link comes from
   * upstream data, so the download and the inflate are bounded (DOWNLOAD_* settings); a refusal
   * fails this field alone.
   */
  const specContent = (asset: AnypointExchangeAsset, file: AnypointExchangeFile): Promise<string> =>
    cache.get('exchange', `spec:${asset.groupId}/${asset.assetId}/${asset.version}/${file.classifier}`, async () => {
      const link = file.externalLink ?? file.downloadURL;
      if (!link) throw notFound('Specification file of', `${asset.groupId}/${asset.assetId}/${asset.version}`);
      let body: unknown;
      try {
        ({ body } = await client.download(link, call));
      } catch (error) {
        if (error instanceof DownloadError) throw new GatewayError(error.code, error.message);
        throw error;
      }
      if (Buffer.isBuffer(body)) {
        return file.packaging === 'zip' ? readZipEntry(body, file.mainFile ?? undefined, deps.archiveLimits) : body.toString('utf8');
      }
      return typeof body === 'string' ? body : JSON.stringify(body);
    });

  return { apisOfEnv, apiCount, assetNameOf, apiById, exchangeAsset, specContent, ...createApiCountLoaders(deps) };
}

export type ApiLoaders = ReturnType<typeof createApiLoaders>;
