import { createEnvironment, createUser, orgPath, type Probe } from './probe.js';

/** Success probes for identity, organization, environment and user routes. */

const ENVS = 'environments';
const USERS = 'users';

export const accountProbes: Probe[] = [
  {
    route: 'POST /accounts/api/v2/oauth2/token',
    name: 'issues a client-credentials token',
    status: 200,
    run: ({ h }) =>
      fetch(`${h.url}/accounts/api/v2/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: h.sim.demoApp.clientId, client_secret: h.sim.demoApp.clientSecret }),
      }),
  },
  { route: 'GET /accounts/api/me', name: 'describes the calling connected app', status: 200, run: (ctx) => ctx.get('/accounts/api/me') },
  { route: 'GET /accounts/api/users/me', name: 'returns the flat caller user', status: 200, run: (ctx) => ctx.get('/accounts/api/users/me') },
  { route: 'GET /accounts/api/profile', name: 'returns the flat caller profile', status: 200, run: (ctx) => ctx.get('/accounts/api/profile') },
  {
    route: 'GET /accounts/api/connectedApplications',
    name: 'lists connected applications',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/connectedApplications?orgId=${ctx.ids.orgId}`),
  },
  {
    route: 'GET /accounts/api/connectedApplications/{clientId}',
    name: 'returns one connected application',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/connectedApplications/${ctx.ids.clientId}`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes',
    name: 'lists the scopes of a connected application',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/connectedApplications/${ctx.ids.clientId}/scopes`),
  },
  { route: 'GET /accounts/api/organizations/{orgId}', name: 'returns the root organization', status: 200, run: (ctx) => ctx.get(orgPath(ctx)) },
  {
    route: 'GET /accounts/api/organizations/{orgId}',
    name: 'returns a business group',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/organizations/${ctx.ids.businessGroupId}`),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/hierarchy',
    name: 'returns the business-group tree',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/hierarchy`),
  },

  {
    route: 'GET /accounts/api/environments/{envId}',
    name: 'returns a root-org environment by id alone',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/${ENVS}/${ctx.ids.envId}`),
  },
  {
    route: 'GET /accounts/api/environments/{envId}',
    name: 'returns a business group\'s environment by id alone',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/${ENVS}/${ctx.h.sim.store.environmentsOf(ctx.ids.businessGroupId)[0]!.id}`),
  },
  { route: 'GET /accounts/api/organizations/{orgId}/environments', name: 'lists environments', status: 200, run: (ctx) => ctx.get(`${orgPath(ctx)}/${ENVS}`) },
  {
    route: 'POST /accounts/api/organizations/{orgId}/environments',
    name: 'creates an environment',
    status: 201,
    run: (ctx) => ctx.send('POST', `${orgPath(ctx)}/${ENVS}`, { name: ctx.unique('env'), type: 'sandbox', isProduction: false }),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/environments/{envId}',
    name: 'returns one environment',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/${ENVS}/${ctx.ids.envId}`),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/environments/{envId}',
    name: 'renames an environment',
    status: 200,
    run: async (ctx) => ctx.send('PUT', `${orgPath(ctx)}/${ENVS}/${await createEnvironment(ctx)}`, { name: ctx.unique('renamed') }),
  },
  {
    route: 'DELETE /accounts/api/organizations/{orgId}/environments/{envId}',
    name: 'deletes an environment',
    status: 204,
    run: async (ctx) => ctx.send('DELETE', `${orgPath(ctx)}/${ENVS}/${await createEnvironment(ctx)}`),
  },

  // acme_admin: the owner of the seeded root organization.
  { route: 'GET /accounts/api/username/{username}', name: 'says that a username is taken', status: 200, run: (ctx) => ctx.get('/accounts/api/username/acme_admin') },
  { route: 'GET /accounts/api/organizations/{orgId}/users', name: 'lists users', status: 200, run: (ctx) => ctx.get(`${orgPath(ctx)}/${USERS}?limit=50`) },
  {
    route: 'POST /accounts/api/organizations/{orgId}/users',
    name: 'creates a user',
    status: 201,
    run: (ctx) => {
      const username = ctx.unique('contract');
      return ctx.send('POST', `${orgPath(ctx)}/${USERS}`, {
        username,
        firstName: 'Contract',
        lastName: 'Probe',
        email: `${username}@example.test`,
        phoneNumber: '+1-555-0100',
      });
    },
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/users/{userId}',
    name: 'returns one user',
    status: 200,
    run: (ctx) => ctx.get(`${orgPath(ctx)}/${USERS}/${ctx.ids.userId}`),
  },
  {
    route: 'GET /accounts/api/users/{userId}',
    name: 'returns a root-org user by id alone',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/${USERS}/${ctx.ids.userId}`),
  },
  {
    route: 'GET /accounts/api/users/{userId}',
    name: 'returns a business group\'s user by id alone',
    status: 200,
    run: (ctx) => ctx.get(`/accounts/api/${USERS}/${ctx.h.sim.store.usersOf(ctx.ids.businessGroupId)[0]!.id}`),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/users/{userId}',
    name: 'updates a user',
    status: 200,
    run: async (ctx) => ctx.send('PUT', `${orgPath(ctx)}/${USERS}/${await createUser(ctx)}`, { firstName: 'Renamed', enabled: false }),
  },
  {
    route: 'DELETE /accounts/api/organizations/{orgId}/users/{userId}',
    name: 'deletes a user',
    status: 204,
    run: async (ctx) => ctx.send('DELETE', `${orgPath(ctx)}/${USERS}/${await createUser(ctx)}`),
  },
];
