import { createHmac, timingSafeEqual } from 'node:crypto';
import { SimError, intParam, json, notFound, type RouteContext, type RouteDef } from '../http.js';
import type { ExchangeAssetRecord } from '../model.js';
import { overriddenLink, servedSpecFile } from '../spec-file-overrides.js';
import { assetDetailView, assetSummaryView } from '../views.js';

/**
 * Exchange (API.md §9): v2 search as a bare array, asset detail on the v2 and v1 paths, and the
 * signed spec downloads that the asset's files[].externalLink point at.
 */

const LINK_LIFETIME_SECONDS = 3600;
export const FILES_TEMPLATE = '/__files/{groupId}/{assetId}/{version}/{fileName}';

function sign(secret: string, path: string, expires: number): string {
  return createHmac('sha256', secret).update(`${path}|${expires}`).digest('hex').slice(0, 32);
}

function fileLink(ctx: RouteContext, asset: ExchangeAssetRecord): string {
  if (!asset.mainFile) return '';
  const overridden = overriddenLink(ctx.store, asset);
  if (overridden !== undefined) return overridden;
  const fileName = asset.specFormat === 'raml' ? `${asset.assetId}-${asset.version}-raml.zip` : asset.mainFile;
  const path = `/__files/${asset.groupId}/${asset.assetId}/${asset.version}/${fileName}`;
  const expires = Math.floor(Date.now() / 1000) + LINK_LIFETIME_SECONDS;
  return `${ctx.baseUrl}${path}?expires=${expires}&signature=${sign(ctx.store.fileSecret, path, expires)}`;
}

function requireAsset(ctx: RouteContext, latest = false): ExchangeAssetRecord {
  const { groupId, assetId, version } = ctx.params;
  const asset = latest
    ? [...ctx.store.assets.values()]
        .filter((a) => a.groupId === groupId && a.assetId === assetId)
        .sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true }))[0]
    : ctx.store.assets.get(ctx.store.assetKey(groupId!, assetId!, version!));
  if (!asset) throw notFound(`Asset ${groupId}/${assetId}${latest ? '' : `/${version}`}`);
  return asset;
}

function search(ctx: RouteContext) {
  const q = ctx.query;
  const offset = intParam(q, 'offset', 0);
  // Exchange's default page size is not documented; 20 keeps clients honest about paging.
  const limit = Math.min(intParam(q, 'limit', 20), 250);
  const orgIds = q.getAll('organizationId');
  const masterOrgId = q.get('masterOrganizationId');
  const types = q.getAll('types').flatMap((t) => t.split(',')).filter(Boolean);
  const text = q.get('search')?.toLowerCase();
  let assets = [...ctx.store.assets.values()];
  if (orgIds.length) assets = assets.filter((a) => orgIds.includes(a.organizationId));
  if (masterOrgId) assets = assets.filter((a) => ctx.store.orgAncestorIds(a.organizationId)[0] === masterOrgId || a.organizationId === masterOrgId);
  if (types.length) assets = assets.filter((a) => types.includes(a.type));
  if (text) assets = assets.filter((a) => a.name.toLowerCase().includes(text) || a.assetId.includes(text));
  assets.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return json(200, assets.slice(offset, offset + limit).map((a) => assetSummaryView(ctx.store, a, fileLink(ctx, a))));
}

const detail = (latest: boolean) => (ctx: RouteContext) => {
  const asset = requireAsset(ctx, latest);
  return json(200, assetDetailView(ctx.store, asset, fileLink(ctx, asset)));
};

function download(ctx: RouteContext) {
  const { groupId, assetId, version, fileName } = ctx.params;
  const path = `/__files/${groupId}/${assetId}/${version}/${fileName}`;
  const expires = Number(ctx.query.get('expires'));
  const given = Buffer.from(ctx.query.get('signature') ?? '');
  const expected = Buffer.from(sign(ctx.store.fileSecret, path, expires));
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || expires * 1000 < Date.now()) {
    throw new SimError(403, 'The download link is invalid or has expired');
  }
  const file = servedSpecFile(ctx.store, requireAsset(ctx));
  if (!file) throw notFound(`File ${fileName}`);
  return { status: 200, raw: file.content, contentType: file.contentType };
}

const ASSET = '/exchange/api/v2/assets/{groupId}/{assetId}';

export const exchangeRoutes: RouteDef[] = [
  { method: 'GET', template: '/exchange/api/v2/assets', scope: 'read:exchange', errorStyle: 'status', handler: search },
  // Before `${ASSET}/{version}`: the router takes the first match, and "asset" is not a version.
  { method: 'GET', template: `${ASSET}/asset`, scope: 'read:exchange', errorStyle: 'status', handler: detail(true) },
  { method: 'GET', template: `${ASSET}/{version}`, scope: 'read:exchange', errorStyle: 'status', handler: detail(false) },
  { method: 'GET', template: `${ASSET}/{version}/asset`, scope: 'read:exchange', errorStyle: 'status', handler: detail(false) },
  { method: 'GET', template: '/exchange/api/v1/assets/{groupId}/{assetId}/{version}', scope: 'read:exchange', errorStyle: 'status', handler: detail(false) },
  { method: 'GET', template: FILES_TEMPLATE, scope: null, errorStyle: 'status', handler: download },
];
