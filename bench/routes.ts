/**
 * Simulator routes as `GET /__sim/counts` names them (`METHOD template`): what a wave's part is
 * tagged with (bench/waves.ts `on`), so its calls can be charged the simulator's measured time
 * on that route, and what the SCIM minimums are counted by.
 */

const ORG = '/accounts/api/organizations/{orgId}';
const TEAMS = `${ORG}/teams`;

export const ROUTES = {
  organization: `GET ${ORG}`,
  hierarchy: `GET ${ORG}/hierarchy`,
  /** A username search (`?search=`) and a listing page share this route. */
  users: `GET ${ORG}/users`,
  user: `GET ${ORG}/users/{userId}`,
  /** A user by id alone, wherever its org (official Access Management spec). */
  userAnywhere: 'GET /accounts/api/users/{userId}',
  /** An environment by id alone, wherever its org. */
  environmentAnywhere: 'GET /accounts/api/environments/{envId}',
  createUser: `POST ${ORG}/users`,
  teams: `GET ${TEAMS}`,
  team: `GET ${TEAMS}/{teamId}`,
  createTeam: `POST ${TEAMS}`,
  members: `GET ${TEAMS}/{teamId}/members`,
  putMember: `PUT ${TEAMS}/{teamId}/members/{userId}`,
  apis: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis',
  api: 'GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}',
  exchangeSearch: 'GET /exchange/api/v2/assets',
  exchangeAsset: 'GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}',
} as const;
