import type { AnypointClient, RequestOptions } from './client.js';
import type { AnypointApiInstance, AnypointApiList, DataEnvelope } from './types.js';

/**
 * Pagination for each of Anypoint's envelopes (API.md §0). Pages are fetched in parallel once
 * the first page reveals the total, so a long listing costs one round trip plus one wave.
 */

export const PAGE_SIZE = 500;

type ListOptions = Omit<RequestOptions, 'method'>;

/** Every item of a {data,total} list. */
export async function listAllData<T>(client: AnypointClient, options: ListOptions, pageSize = PAGE_SIZE): Promise<T[]> {
  const page = (offset: number, limit = pageSize) => client.request<DataEnvelope<T>>({ ...options, query: { ...options.query, offset, limit } });
  const first = await page(0);
  const items = [...first.data];
  const offsets: number[] = [];
  // Step by what the platform actually served: a server-side cap below pageSize must not leave gaps.
  const step = Math.min(pageSize, first.data.length);
  for (let offset = first.data.length; offset < first.total && step > 0; offset += step) offsets.push(offset);
  for (const rest of await Promise.all(offsets.map((offset) => page(offset, step)))) items.push(...rest.data);
  return items;
}

/** Every API instance of an API Manager list ({total, assets:[{apis}]}), flattened. */
export async function listAllApis(client: AnypointClient, options: ListOptions, pageSize = PAGE_SIZE): Promise<{ apis: AnypointApiInstance[]; assetNames: Map<string, string> }> {
  const assetNames = new Map<string, string>();
  const flatten = (list: AnypointApiList) =>
    list.assets.flatMap((group) => {
      if (group.exchangeAssetName) assetNames.set(`${group.groupId}/${group.assetId}`, group.exchangeAssetName);
      return group.apis;
    });
  const page = (offset: number, limit = pageSize) => client.request<AnypointApiList>({ ...options, query: { ...options.query, offset, limit } });
  const first = await page(0);
  const apis = flatten(first);
  const offsets: number[] = [];
  const step = Math.min(pageSize, apis.length);
  for (let offset = apis.length; offset < first.total && step > 0; offset += step) offsets.push(offset);
  for (const rest of await Promise.all(offsets.map((offset) => page(offset, step)))) apis.push(...flatten(rest));
  return { apis, assetNames };
}

/**
 * Every item of a bare-array list (Exchange search): no total, so pages come one after another
 * until a page is shorter than asked for.
 */
export async function listAllBare<T>(client: AnypointClient, options: ListOptions, pageSize: number): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await client.request<T[]>({ ...options, query: { ...options.query, offset, limit: pageSize } });
    items.push(...page);
    if (page.length < pageSize) return items;
  }
}
