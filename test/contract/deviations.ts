import type { Relaxation } from './openapi.js';

/**
 * Every place where the simulator knowingly differs from the vendored OpenAPI specs, each backed
 * by a section of the contract reference (API.md, kept outside this repository; its sources are
 * summarised in test/contract/specs/SOURCES.md). The specs are community-written (S1) and
 * sometimes wrong; API.md weighs them against MuleSoft's own clients (S2, S4) and captured
 * responses. The contract tests consult this list and nothing else when they relax a check:
 *
 * - `no-spec`:   no spec describes the route; it is requested but not schema-validated.
 * - `spec-path`: the body is validated against a spec operation filed under another path
 *                (the mapping is in spec-map.ts).
 * - `status`:    the simulator answers `served` where the spec says `spec`; the body is validated
 *                against the spec's schema for `spec`.
 * - `property`:  the spec's schema for one property is wrong: the value may also be null
 *                (`accepts: 'null'`) or is shaped differently (`accepts: 'anything'`). Only that
 *                property is widened; the rest of the body is still validated.
 * - `semantics`: the body matches the schema but means something the spec does not say.
 */

interface Base {
  /** `${method} ${template}`, as in platformRoutes. */
  route: string;
  differs: string;
  /** Section of API.md (and its source tags) that records the difference. */
  source: string;
}

export type Deviation =
  | (Base & { kind: 'no-spec' })
  | (Base & { kind: 'spec-path' })
  | (Base & { kind: 'status'; served: number; spec: number })
  | (Base & Relaxation & { kind: 'property' })
  | (Base & { kind: 'semantics' });

const ORG = '/accounts/api/organizations/{orgId}';
const APIS = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';
const ASSET_DETAIL_ROUTES = [
  'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}',
  'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}/asset',
  'GET /exchange/api/v2/assets/{groupId}/{assetId}/asset',
];

/** One `property` deviation per property path, for properties API.md records as nullable. */
const nullable = (route: string, properties: string[], differs: string, source: string): Deviation[] =>
  properties.map((property) => ({ route, kind: 'property', property, accepts: 'null', differs, source }));

export const DEVIATIONS: readonly Deviation[] = [
  ...nullable(
    'POST /accounts/api/roles/users/search',
    ['data[].lastLogin'],
    'The official spec requires lastLogin as a string; a user who never signed in has none, so the simulator sends null.',
    'API.md §4 (lastLogin "ISO or absent")',
  ),
  // Routes no spec describes.
  { route: 'GET /accounts/api/me', kind: 'no-spec', differs: 'No S1 spec covers /me; shapes come from a captured response and S2.', source: 'API.md §1.2 (S5, S2)' },
  { route: 'GET /accounts/api/users/me', kind: 'no-spec', differs: 'No S1 spec covers /users/me; the fields are what anypoint-cli-v4 reads.', source: 'API.md §1.3 (S4)' },
  { route: 'GET /accounts/api/profile', kind: 'no-spec', differs: 'No S1 spec covers /profile; public scripts read it as a flat User.', source: 'API.md §1.3 (X)' },
  {
    route: 'GET /accounts/api/username/{username}',
    kind: 'no-spec',
    differs: "No vendored spec covers it; MuleSoft's own Access Management spec does (getUsername: 200 taken, 404 free, no body described).",
    source: 'API.md §4 (usernames are never reusable; official access-management.yaml)',
  },
  { route: `GET ${ORG}/hierarchy`, kind: 'no-spec', differs: 'The org spec has no /hierarchy path; the recursive shape comes from S7.', source: 'API.md §2.2 (S7)' },
  {
    route: 'GET /exchange/api/v1/assets/{groupId}/{assetId}/{version}',
    kind: 'no-spec',
    differs: 'The Exchange spec covers v2 only; anypoint-cli-v4 `exchange asset describe` calls this v1 path.',
    source: 'API.md §9.2 (S4)',
  },
  {
    route: 'GET /__files/{groupId}/{assetId}/{version}/{fileName}',
    kind: 'no-spec',
    differs: "Not an Anypoint API: the simulator's stand-in for the short-lived signed externalLink of an asset file.",
    source: 'API.md §9.2 (files[].externalLink, X)',
  },

  // Bodies the spec files under another path.
  {
    route: 'POST /audit/v2/organizations/{orgId}/query',
    kind: 'spec-path',
    differs: 'The official spec files it as /organizations/{id}/query{mediaTypeExtension} (no suffix, or .csv); the simulator serves the two paths it names.',
    source: 'anypoint/specs/official/audit-log-query.yaml',
  },
  {
    route: 'POST /audit/v2/organizations/{orgId}/query.csv',
    kind: 'no-spec',
    differs: 'The official spec gives the text/csv answer the JSON schema of the JSON one; a CSV body cannot be validated against it. Its rows are the JSON entries\' fields.',
    source: 'anypoint/specs/official/audit-log-query.yaml',
  },
  {
    route: 'GET /exchange/api/v2/assets',
    kind: 'spec-path',
    differs: 'S1 documents the search as GET /assets/search (types required); clients call GET /assets. Same bare-array body.',
    source: 'API.md §9.1 (S1, X)',
  },
  {
    route: 'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}',
    kind: 'spec-path',
    differs: 'S1 has no GET on this path; it describes the same detail body at .../{version}/asset.',
    source: 'API.md §9.2 (S1, X)',
  },

  // Success statuses the spec gets wrong.
  { route: `PUT ${ORG}/environments/{envId}`, kind: 'status', served: 200, spec: 201, differs: 'S1 says 201 for the rename; S2 expects 200.', source: 'API.md §3 (S1, S2)' },
  {
    route: `PUT ${ORG}/users/{userId}`,
    kind: 'status',
    served: 200,
    spec: 204,
    differs: 'S1 lists 204 with a User body; treated as 200 + User.',
    source: 'API.md §4 (S1)',
  },
  { route: `GET ${ORG}/teams/{teamId}`, kind: 'status', served: 200, spec: 201, differs: 'S1 says 201 on a GET.', source: 'API.md §5 (S1)' },
  { route: `PATCH ${ORG}/teams/{teamId}`, kind: 'status', served: 200, spec: 201, differs: 'S1 says 201; API.md records 200 Team for the rename.', source: 'API.md §5 (S1, S2)' },
  { route: `PUT ${ORG}/teams/{teamId}/parent`, kind: 'status', served: 200, spec: 201, differs: 'S1 says 201; API.md allows 200 or 201 for the move.', source: 'API.md §5 (S1)' },
  { route: `GET ${ORG}/teams/{teamId}/members`, kind: 'status', served: 200, spec: 201, differs: 'S1 says 201 on a GET.', source: 'API.md §5 (S1)' },
  {
    route: `PUT ${ORG}/teams/{teamId}/members/{userId}`,
    kind: 'status',
    served: 204,
    spec: 201,
    differs: 'S1 lists only 201; changing the type of an existing member answers 204 (201/204, no body needed).',
    source: 'API.md §5 (S1, S3)',
  },
  { route: `POST ${ORG}/teams/{teamId}/roles`, kind: 'status', served: 204, spec: 201, differs: 'S1 lists only 201 (no body); API.md allows 201 or 204.', source: 'API.md §5 (S1)' },

  // Property types the spec gets wrong.
  ...ASSET_DETAIL_ROUTES.map(
    (route): Deviation => ({
      route,
      kind: 'property',
      property: 'versions',
      accepts: 'anything',
      differs: 'S1 types versions[] as string[]; anypoint-cli-v4 reads versions[].version, so the simulator emits objects.',
      source: 'API.md §9.2 (S1 vs S4)',
    }),
  ),
  ...nullable(`GET ${ORG}`, ['gdotId'], 'S1 types gdotId as a string; API.md lists it as nullable.', 'API.md §2.1'),
  ...nullable(`GET ${ORG}`, ['domain'], 'S1 types domain as a string; business groups have domain null.', 'API.md §2.1 (example)'),
  ...nullable(
    `GET ${APIS}`,
    ['assets[].apis[].instanceLabel', 'assets[].apis[].description', 'assets[].apis[].lastActiveDate', 'assets[].apis[].providerId'],
    'S1 types these instance fields as plain strings in the list; API.md records them as nullable.',
    'API.md §8.1 (S1, S5)',
  ),
  ...nullable(`GET ${APIS}/{apiId}`, ['instanceLabel'], 'S1 types instanceLabel as a plain string; API.md records it as nullable.', 'API.md §8.1, §8.2 (S1, S5)'),
  // getUserById (official spec): the user's organization in full, as the simulator models organizations.
  ...nullable(
    'GET /accounts/api/users/{userId}',
    ['phoneNumber'],
    'The official spec requires phoneNumber as a string; a user created without one has none, so the simulator sends null.',
    'API.md §4 (phoneNumber optional on create)',
  ),
  ...nullable(
    'GET /accounts/api/users/{userId}',
    ['organization.domain'],
    "The official spec types the user's organization.domain as a string; a business group's domain is null.",
    'API.md §2.1 (example)',
  ),
  ...(['organization.parentOrganizationIds[]', 'organization.subOrganizationIds[]'] as const).map(
    (property): Deviation => ({
      route: 'GET /accounts/api/users/{userId}',
      kind: 'property',
      property,
      accepts: 'anything',
      differs: 'The official spec describes these as "Identifiers of the organizations" but types the items as objects; the simulator sends the id strings, as the organization detail does.',
      source: 'API.md §2.1 (parentOrganizationIds example), official spec description',
    }),
  ),
  {
    route: 'GET /accounts/api/users/{userId}',
    kind: 'property',
    property: 'organization.entitlements',
    accepts: 'anything',
    differs: "The official spec requires 67 entitlements on the user's organization; the simulator models three (createSubOrgs, createEnvironments, globalDeployment), as in its organization detail.",
    source: 'API.md §2.1 (entitlements; anything beyond id/name/subOrganizations unverified)',
  },
  ...nullable(
    'GET /exchange/api/v2/assets',
    ['[].organization.domain'],
    "S1 types the asset's organization.domain as a string; a business group's domain is null.",
    'API.md §2.1 (example), §9.1',
  ),

  // Same shape, different meaning.
  {
    route: `GET ${APIS}`,
    kind: 'semantics',
    differs: 'The spec types total as an integer only; the simulator counts instances, not asset groups (unverified on the platform).',
    source: 'API.md §8.1 (S1, S4, S5)',
  },
];

export const deviationsFor = (route: string): Deviation[] => DEVIATIONS.filter((d) => d.route === route);
