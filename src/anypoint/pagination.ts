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
  const page = (offset: number) => client.request<DataEnvelope<T>>({ ...options, query: { ...options.query, offset, limit: pageSize } });
  const first = await page(0);
  const items = [...first.data];
  const offsets: number[] = [];
  for (let offset = first.data.length; offset < first.total && first.data.length > 0; offset += pageSize) offsets.push(offset);
  for (const rest of await Promise.all(offsets.map(page))) items.push(...rest.data);
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
  const page = (offset: number) => client.request<AnypointApiList>({ ...options, query: { ...options.query, offset, limit: pageSize } });
  const first = await page(0);
  const apis = flatten(first);
  const offsets: number[] = [];
  for (let offset = apis.length; offset < first.total && apis.length > 0; offset += pageSize) offsets.push(offset);
  for (const rest of await Promise.all(offsets.map(page))) apis.push(...flatten(rest));
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
