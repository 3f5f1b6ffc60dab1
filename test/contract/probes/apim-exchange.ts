import type { ProbeContext } from '../fixtures.js';
import { jsonOf } from '../fixtures.js';
import type { Probe } from './probe.js';

/** Success probes for API Manager, Exchange and the signed spec downloads Exchange links to. */

const apis = (ctx: ProbeContext): string => `/apimanager/api/v1/organizations/${ctx.ids.orgId}/environments/${ctx.ids.apiEnvId}/apis`;
const asset = (ctx: ProbeContext): string => {
  const { groupId, assetId, version } = ctx.ids.asset;
  return `${groupId}/${assetId}/${version}`;
};

export const apimExchangeProbes: Probe[] = [
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis',
    name: 'lists API instances grouped by asset',
    status: 200,
    run: (ctx) => ctx.get(`${apis(ctx)}?limit=50`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}',
    name: 'returns one API instance with its endpoint',
    status: 200,
    run: (ctx) => ctx.get(`${apis(ctx)}/${ctx.ids.apiId}`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies',
    name: 'lists the policies of an API instance',
    status: 200,
    run: (ctx) => ctx.get(`${apis(ctx)}/${ctx.ids.apiId}/policies?fullInfo=false`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts',
    name: 'lists the contracts of an API instance',
    status: 200,
    run: (ctx) => ctx.get(`${apis(ctx)}/${ctx.ids.apiId}/contracts`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/tiers',
    name: 'lists the SLA tiers of an API instance',
    status: 200,
    run: (ctx) => ctx.get(`${apis(ctx)}/${ctx.ids.apiId}/tiers`),
  },

  { route: 'GET /exchange/api/v2/assets', name: 'searches assets', status: 200, run: (ctx) => ctx.get(`/exchange/api/v2/assets?limit=50`) },
  {
    route: 'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}',
    name: 'returns one asset version',
    status: 200,
    run: (ctx) => ctx.get(`/exchange/api/v2/assets/${asset(ctx)}`),
  },
  {
    route: 'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}/asset',
    name: 'returns one asset version on the /asset path',
    status: 200,
    run: (ctx) => ctx.get(`/exchange/api/v2/assets/${asset(ctx)}/asset`),
  },
  {
    route: 'GET /exchange/api/v2/assets/{groupId}/{assetId}/asset',
    name: 'returns the latest version of an asset',
    status: 200,
    run: (ctx) => ctx.get(`/exchange/api/v2/assets/${ctx.ids.asset.groupId}/${ctx.ids.asset.assetId}/asset`),
  },
  {
    route: 'GET /exchange/api/v1/assets/{groupId}/{assetId}/{version}',
    name: 'returns one asset version on the v1 path',
    status: 200,
    run: (ctx) => ctx.get(`/exchange/api/v1/assets/${asset(ctx)}`),
  },
  {
    route: 'GET /__files/{groupId}/{assetId}/{version}/{fileName}',
    name: 'downloads the spec file an asset links to',
    status: 200,
    run: async (ctx) => {
      const detail = await jsonOf<{ files: Array<{ externalLink: string }> }>(await ctx.get(`/exchange/api/v2/assets/${asset(ctx)}`), 200);
      // The link is signed and needs no bearer token.
      return fetch(detail.files[0]!.externalLink);
    },
  },
];
