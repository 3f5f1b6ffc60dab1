import type { OperationRef } from './openapi.js';

/**
 * Where each simulator route is described in the vendored specs (test/contract/specs).
 *
 * The specs are written relative to their server URL, so a simulator path is the spec file's base
 * path plus the spec path (with the spec's own parameter names). `SPEC_BASES` records those server
 * prefixes; coverage.test.ts checks that every entry below really is base + spec path, unless
 * deviations.ts records that the spec files the body under another path.
 *
 * Routes with no spec operation at all are not listed here; they must appear in deviations.ts.
 */

export const SPEC_BASES: Record<string, string> = {
  'authorization.openapi.yaml': '/accounts',
  'connected_app.openapi.yaml': '/accounts/api',
  'env.openapi.yaml': '/accounts/api',
  'org.openapi.yaml': '/accounts/api',
  'user.openapi.yaml': '/accounts/api',
  'team.openapi.yaml': '/accounts/api',
  'team_members.openapi.yaml': '/accounts/api',
  'team_roles.openapi.yaml': '/accounts/api',
  'role.openapi.yaml': '/accounts/api',
  'apim.openapi.yaml': '/apimanager',
  'apim_policy.openapi.yaml': '/apimanager',
  'apim_contract.openapi.yaml': '/apimanager',
  'apim_tier.openapi.yaml': '/apimanager',
  'exchange_assets.openapi.yaml': '/exchange/api/v2',
  'official/access-management.yaml': '/accounts/api',
  'official/audit-log-query.yaml': '/audit/v2',
};

const AM = 'official/access-management.yaml';
const AM_ORG = '/organizations/{organizationId}';

const APIS = '/api/v1/organizations/{orgId}/environments/{envId}/apis';

/** Key: `${method} ${simulator template}`, as platformRoutes and GET /__sim/routes spell it. */
export const SPEC_OPERATIONS: Record<string, Omit<OperationRef, 'method'>> = {
  'POST /accounts/api/v2/oauth2/token': { file: 'authorization.openapi.yaml', path: '/api/v2/oauth2/token' },
  'GET /accounts/api/connectedApplications': { file: 'connected_app.openapi.yaml', path: '/connectedApplications' },
  'GET /accounts/api/connectedApplications/{clientId}': { file: 'connected_app.openapi.yaml', path: '/connectedApplications/{connAppId}' },
  'GET /accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes': {
    file: 'connected_app.openapi.yaml',
    path: '/organizations/{orgId}/connectedApplications/{connAppId}/scopes',
  },
  'GET /accounts/api/organizations/{orgId}': { file: 'org.openapi.yaml', path: '/organizations/{orgId}' },

  'GET /accounts/api/environments/{envId}': { file: AM, path: '/environments/{environmentId}' },
  'GET /accounts/api/organizations/{orgId}/environments': { file: 'env.openapi.yaml', path: '/organizations/{orgId}/environments' },
  'POST /accounts/api/organizations/{orgId}/environments': { file: 'env.openapi.yaml', path: '/organizations/{orgId}/environments' },
  'GET /accounts/api/organizations/{orgId}/environments/{envId}': { file: 'env.openapi.yaml', path: '/organizations/{orgId}/environments/{environmentId}' },
  'PUT /accounts/api/organizations/{orgId}/environments/{envId}': { file: 'env.openapi.yaml', path: '/organizations/{orgId}/environments/{environmentId}' },
  'DELETE /accounts/api/organizations/{orgId}/environments/{envId}': { file: 'env.openapi.yaml', path: '/organizations/{orgId}/environments/{environmentId}' },

  'GET /accounts/api/users/{userId}': { file: AM, path: '/users/{userId}' },
  'GET /accounts/api/organizations/{orgId}/users': { file: 'user.openapi.yaml', path: '/organizations/{orgId}/users' },
  'POST /accounts/api/organizations/{orgId}/users': { file: 'user.openapi.yaml', path: '/organizations/{orgId}/users' },
  'GET /accounts/api/organizations/{orgId}/users/{userId}': { file: 'user.openapi.yaml', path: '/organizations/{orgId}/users/{userId}' },
  'PUT /accounts/api/organizations/{orgId}/users/{userId}': { file: 'user.openapi.yaml', path: '/organizations/{orgId}/users/{userId}' },
  'DELETE /accounts/api/organizations/{orgId}/users/{userId}': { file: 'user.openapi.yaml', path: '/organizations/{orgId}/users/{userId}' },

  'GET /accounts/api/organizations/{orgId}/teams': { file: 'team.openapi.yaml', path: '/organizations/{orgId}/teams' },
  'POST /accounts/api/organizations/{orgId}/teams': { file: 'team.openapi.yaml', path: '/organizations/{orgId}/teams' },
  'GET /accounts/api/organizations/{orgId}/teams/{teamId}': { file: 'team.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}' },
  'PATCH /accounts/api/organizations/{orgId}/teams/{teamId}': { file: 'team.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}' },
  'PUT /accounts/api/organizations/{orgId}/teams/{teamId}/parent': { file: 'team.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}/parent' },
  'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}': { file: 'team.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}' },

  'GET /accounts/api/organizations/{orgId}/teams/{teamId}/members': { file: 'team_members.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}/members' },
  'PUT /accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}': {
    file: 'team_members.openapi.yaml',
    path: '/organizations/{orgId}/teams/{teamId}/members/{userId}',
  },
  'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}': {
    file: 'team_members.openapi.yaml',
    path: '/organizations/{orgId}/teams/{teamId}/members/{userId}',
  },

  'GET /accounts/api/roles': { file: 'role.openapi.yaml', path: '/roles' },
  'GET /accounts/api/organizations/{orgId}/teams/{teamId}/roles': { file: 'team_roles.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}/roles' },
  'POST /accounts/api/organizations/{orgId}/teams/{teamId}/roles': { file: 'team_roles.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}/roles' },
  'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}/roles': { file: 'team_roles.openapi.yaml', path: '/organizations/{orgId}/teams/{teamId}/roles' },

  'GET /accounts/api/organizations/{orgId}/rolegroups': { file: AM, path: `${AM_ORG}/rolegroups` },
  'GET /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}': { file: AM, path: `${AM_ORG}/rolegroups/{roleGroupId}` },
  'GET /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/roles': { file: AM, path: `${AM_ORG}/rolegroups/{roleGroupId}/roles` },
  'GET /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users': { file: AM, path: `${AM_ORG}/rolegroups/{roleGroupId}/users` },
  'POST /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users/{userId}': { file: AM, path: `${AM_ORG}/rolegroups/{roleGroupId}/users/{userId}` },
  'DELETE /accounts/api/organizations/{orgId}/rolegroups/{roleGroupId}/users/{userId}': { file: AM, path: `${AM_ORG}/rolegroups/{roleGroupId}/users/{userId}` },
  'GET /accounts/api/organizations/{orgId}/users/{userId}/roles': { file: AM, path: `${AM_ORG}/users/{userId}/roles` },
  'POST /accounts/api/organizations/{orgId}/users/{userId}/roles': { file: AM, path: `${AM_ORG}/users/{userId}/roles` },
  'GET /accounts/api/organizations/{orgId}/users/{userId}/rolegroups': { file: AM, path: `${AM_ORG}/users/{userId}/rolegroups` },
  'GET /accounts/api/organizations/{orgId}/users/{userId}/teams': { file: AM, path: `${AM_ORG}/users/{userId}/teams` },
  'GET /accounts/api/organizations/{orgId}/users/{userId}/identityProviderProfiles': { file: AM, path: `${AM_ORG}/users/{userId}/identityProviderProfiles` },
  'GET /accounts/api/organizations/{orgId}/teams/{teamId}/groupmappings': { file: AM, path: `${AM_ORG}/teams/{teamId}/groupmappings` },
  'POST /accounts/api/roles/users/search': { file: AM, path: '/roles/users/search' },
  'GET /accounts/api/roles/{roleId}/users': { file: AM, path: '/roles/{roleId}/users' },
  'GET /accounts/api/organizations/{orgId}/connectedApplications': { file: AM, path: `${AM_ORG}/connectedApplications` },

  // One spec path with a media-type suffix parameter (deviations.ts); the .csv variant is a no-spec route there.
  'POST /audit/v2/organizations/{orgId}/query': { file: 'official/audit-log-query.yaml', path: '/organizations/{id}/query{mediaTypeExtension}' },

  'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis': { file: 'apim.openapi.yaml', path: APIS },
  'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}': { file: 'apim.openapi.yaml', path: `${APIS}/{envApiId}` },
  'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies': { file: 'apim_policy.openapi.yaml', path: `${APIS}/{apiId}/policies` },
  'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts': { file: 'apim_contract.openapi.yaml', path: `${APIS}/{apiId}/contracts` },
  'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/tiers': { file: 'apim_tier.openapi.yaml', path: `${APIS}/{apiId}/tiers` },

  'GET /exchange/api/v2/assets': { file: 'exchange_assets.openapi.yaml', path: '/assets/search' },
  'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}': { file: 'exchange_assets.openapi.yaml', path: '/assets/{orgId}/{assetId}/{version}/asset' },
  'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}/asset': { file: 'exchange_assets.openapi.yaml', path: '/assets/{orgId}/{assetId}/{version}/asset' },
  'GET /exchange/api/v2/assets/{groupId}/{assetId}/asset': { file: 'exchange_assets.openapi.yaml', path: '/assets/{orgId}/{assetId}/asset' },
};

/** The spec operation for a route key, or undefined when the route has no spec. */
export function specOperation(routeKey: string): OperationRef | undefined {
  const entry = SPEC_OPERATIONS[routeKey];
  if (!entry) return undefined;
  return { ...entry, method: routeKey.split(' ')[0]! };
}

/** The simulator path a spec operation describes: base path + spec path, parameters renamed to `{}`. */
export function servedPathOf(op: Omit<OperationRef, 'method'>): string {
  return `${SPEC_BASES[op.file] ?? '?'}${op.path}`;
}

/** Compares templates ignoring parameter names ({envId} vs {environmentId}). */
export const sameShape = (a: string, b: string): boolean => a.replace(/\{\w+\}/g, '{}') === b.replace(/\{\w+\}/g, '{}');
