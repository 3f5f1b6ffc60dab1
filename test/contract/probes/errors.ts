import type { ProbeContext } from '../fixtures.js';
import { createEnvironment, createUser, orgPath, type Probe } from './probe.js';

/**
 * Error probes: requests the simulator must refuse with a status the spec documents for that
 * operation, so the error body can be checked against the spec's error schema where it has one.
 * (401 without a token is swept over every route in errors.test.ts.)
 */

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const apis = (ctx: ProbeContext): string => `/apimanager/api/v1/organizations/${ctx.ids.orgId}/environments/${ctx.ids.apiEnvId}/apis`;
const team = (ctx: ProbeContext, teamId = ctx.ids.teamId): string => `${orgPath(ctx)}/teams/${teamId}`;

export const errorProbes: Probe[] = [
  {
    route: 'POST /accounts/api/v2/oauth2/token',
    name: 'refuses a wrong client secret',
    status: 401,
    run: ({ h }) =>
      fetch(`${h.url}/accounts/api/v2/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: h.sim.demoApp.clientId, client_secret: 'wrong' }),
      }),
  },
  {
    route: 'POST /accounts/api/organizations/{orgId}/environments',
    name: 'refuses an environment without a name',
    status: 400,
    run: (ctx) => ctx.send('POST', `${orgPath(ctx)}/environments`, { type: 'sandbox' }),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/environments/{envId}',
    name: 'refuses to change the type of an environment',
    status: 400,
    run: async (ctx) => ctx.send('PUT', `${orgPath(ctx)}/environments/${await createEnvironment(ctx)}`, { name: ctx.unique('env'), type: 'production' }),
  },
  {
    route: 'POST /accounts/api/organizations/{orgId}/users',
    name: 'refuses a username with a dash',
    status: 400,
    run: (ctx) => ctx.send('POST', `${orgPath(ctx)}/users`, { username: 'has-dash', firstName: 'A', lastName: 'B', email: 'a@example.test' }),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/users/{userId}',
    name: 'refuses to change a username',
    status: 400,
    run: async (ctx) => ctx.send('PUT', `${orgPath(ctx)}/users/${await createUser(ctx)}`, { username: ctx.unique('other') }),
  },
  { route: 'GET /accounts/api/environments/{envId}', name: 'answers 404 for an unknown environment', status: 404, run: (ctx) => ctx.get(`/accounts/api/environments/${UNKNOWN}`) },
  { route: 'GET /accounts/api/users/{userId}', name: 'answers 404 for an unknown user', status: 404, run: (ctx) => ctx.get(`/accounts/api/users/${UNKNOWN}`) },
  {
    route: 'GET /accounts/api/users/{userId}',
    name: 'answers 404 for a deleted user',
    status: 404,
    run: async (ctx) => {
      const id = await createUser(ctx);
      await ctx.send('DELETE', `${orgPath(ctx)}/users/${id}`);
      return ctx.get(`/accounts/api/users/${id}`);
    },
  },
  { route: 'GET /accounts/api/organizations/{orgId}/teams', name: 'refuses an unknown sort key', status: 400, run: (ctx) => ctx.get(`${orgPath(ctx)}/teams?sort=size`) },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams',
    name: 'answers 404 for an unknown organization',
    status: 404,
    run: (ctx) => ctx.get(`/accounts/api/organizations/${UNKNOWN}/teams`),
  },
  { route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}', name: 'answers 404 for an unknown team', status: 404, run: (ctx) => ctx.get(team(ctx, UNKNOWN)) },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/members',
    name: 'refuses an unknown membership type',
    status: 400,
    run: (ctx) => ctx.get(`${team(ctx)}/members?membership_type=owner`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/members',
    name: 'answers 404 for an unknown team',
    status: 404,
    run: (ctx) => ctx.get(`${team(ctx, UNKNOWN)}/members`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/roles',
    name: 'refuses a negative limit',
    status: 400,
    run: (ctx) => ctx.get(`${team(ctx)}/roles?limit=-1`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/roles',
    name: 'answers 404 for an unknown team',
    status: 404,
    run: (ctx) => ctx.get(`${team(ctx, UNKNOWN)}/roles`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis',
    name: 'refuses an unknown sort key',
    status: 400,
    run: (ctx) => ctx.get(`${apis(ctx)}?sort=popularity`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}',
    name: 'answers 404 for an unknown API instance',
    status: 404,
    run: (ctx) => ctx.get(`${apis(ctx)}/1`),
  },
  {
    route: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies',
    name: 'answers 404 for an unknown API instance',
    status: 404,
    run: (ctx) => ctx.get(`${apis(ctx)}/1/policies`),
  },
  { route: 'GET /exchange/api/v2/assets', name: 'refuses a non-numeric offset', status: 400, run: (ctx) => ctx.get('/exchange/api/v2/assets?offset=first') },
  {
    route: 'GET /__files/{groupId}/{assetId}/{version}/{fileName}',
    name: 'refuses a download link with a bad signature',
    status: 403,
    run: ({ h, ids }) => fetch(`${h.url}/__files/${ids.asset.groupId}/${ids.asset.assetId}/${ids.asset.version}/spec.yaml?expires=1&signature=bad`),
  },
];
