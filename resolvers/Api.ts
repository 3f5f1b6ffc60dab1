import { environmentIn } from './environment-of.js';
import { GatewayError } from '../src/errors.js';
import type { AnypointApiInstance } from '../src/anypoint/types.js';
import type { ApiResolvers, ApiSpecificationResolvers, ExchangeAssetResolvers, ExchangeFileResolvers } from '../src/generated/resolvers-types.js';
import type { GatewayContext } from '../src/server/context.js';
import { SpecificationFormat } from '../src/graph/enums.js';
import { asEntity, hintOf } from './entity.js';
import { parseApiId } from './ids.js';

const assetOf = (api: AnypointApiInstance, ctx: GatewayContext) =>
  ctx.loaders.apis.exchangeAsset.load({ groupId: api.groupId, assetId: api.assetId, version: api.assetVersion });

const SPEC_CLASSIFIERS = ['oas', 'raml'];

export const Api: ApiResolvers = {
  // An organization or environment in the reference narrows the search (issue 15); without one it is the bounded sweep.
  __resolveReference: async (ref, ctx) =>
    asEntity(ctx.loaders.apis.apiById.load({ id: parseApiId(ref.id), envId: hintOf(ref, 'environment'), orgId: hintOf(ref, 'organization') })),
  id: (api) => String(api.id),
  // The API list names each asset group, so the name costs no Exchange call when listed.
  name: async (api, _, ctx) => (await ctx.loaders.apis.assetNameOf(api)) ?? (await assetOf(api, ctx)).name,
  apiType: async (api, _, ctx) => (await assetOf(api, ctx)).type,
  // The API knows its organization: its detail lists the environment (issue 15: no sweep of every org).
  environment: async (api, _, ctx) => (await environmentIn(ctx, api.organizationId, api.environmentId)) ?? ctx.loaders.orgs.environmentById.load(api.environmentId),
  organization: (api) => ({ id: api.organizationId }),
  exchangeAsset: (api, _, ctx) => assetOf(api, ctx),
  policyCount: (api, _, ctx) => ctx.loaders.apis.policyCount.load(api),
  slaTierCount: (api, _, ctx) => ctx.loaders.apis.tierCount.load(api),
  contractCount: (api, _, ctx) => ctx.loaders.apis.contractCount.load(api),
  specification: async (api, _, ctx) => {
    const asset = await assetOf(api, ctx);
    const file = asset.files?.find((f) => f.classifier && SPEC_CLASSIFIERS.includes(f.classifier));
    return file ? { asset, file } : null;
  },
};

export const ExchangeAsset: ExchangeAssetResolvers = {
  isPublic: (asset) => asset.isPublic ?? false,
  labels: (asset) => asset.labels ?? [],
  categories: (asset) => (asset.categories ?? []).map((c) => ({ key: c.key, displayName: c.displayName ?? null, values: c.value })),
  files: (asset) => asset.files ?? [],
};

export const ExchangeFile: ExchangeFileResolvers = {
  downloadUrl: (file) => file.externalLink ?? file.downloadURL ?? null,
};

export const ApiSpecification: ApiSpecificationResolvers = {
  format: ({ file }) => file.classifier as SpecificationFormat,
  mainFile: ({ file }) => file.mainFile ?? null,
  downloadUrl: ({ file }) => file.externalLink ?? file.downloadURL ?? null,
  content: async ({ asset, file }, _, ctx) => {
    const text = await ctx.loaders.apis.specContent(asset, file);
    const budget = ctx.specBudget;
    if (budget) {
      // What it will take in the answer's JSON (escapes included), not its own length.
      budget.left -= JSON.stringify(text).length;
      if (budget.left < 0) throw new GatewayError('RESPONSE_TOO_LARGE', 'The specifications asked for add up to more than the answer may hold (GRAPHQL_MAX_RESPONSE_MB); ask for fewer at a time');
    }
    return text;
  },
};
