import { ROUTES as ALL_ROUTES } from './routes.js';
import { calls, idealMs, listing, pagesFor, parallel, sequence, waveMs, type Latency, type Wave } from './waves.js';

/**
 * The SCIM scenarios (/scim/v2, src/scim/): what an identity provider sends, and the minimum
 * upstream calls and ideal wall time of each, worked out here and in bench/README.md ("SCIM").
 *
 * 1. scim-sync: an IdP's first sync of N users, as Okta does it: for each user a lookup
 *    `GET /Users?filter=userName eq "x"&startIndex=1&count=100` (empty), then `POST /Users`.
 * 2. scim-group-push: `POST /Groups` with no members, then the N users added in sequential
 *    PATCHes of 100 members each.
 * 3. scim-import: `GET /Users?startIndex=1&count=100`, startIndex += 100 until past totalResults.
 *
 * Minimums are per simulator route (`METHOD template`, as GET /__sim/counts names them); the
 * measured calls must equal them route by route.
 */

/**
 * Requests the IdP has in flight. Okta's provisioning runs a handful of requests per app in
 * parallel and Entra's about 5, so 5 stands for both. It is below the gateway's starting upstream window (16)
 * even at 3 calls per user, so the sync measures the gateway's per-user path, not its queueing.
 */
export const IDP_CONCURRENCY = 5;
/** Members per group PATCH (an IdP pushing a large group sends its members in batches). */
export const PATCH_BATCH = 100;
/** Page size of the IdP's import (Okta's and Entra's default `count`). */
export const IMPORT_PAGE = 100;

/** The routes the SCIM minimums are counted by (bench/routes.ts). */
export const ROUTES = {
  users: ALL_ROUTES.users,
  createUser: ALL_ROUTES.createUser,
  hierarchy: ALL_ROUTES.hierarchy,
  teams: ALL_ROUTES.teams,
  createTeam: ALL_ROUTES.createTeam,
  members: ALL_ROUTES.members,
  putMember: ALL_ROUTES.putMember,
} as const;

export type RouteCounts = Record<string, number>;

export interface ScimPlan {
  /** The minimum, route by route. */
  byRoute: RouteCounts;
  minimum: number;
  minimumWrites: number;
  idealMs: number;
  /** The latency the ideal charges per call (the mean of the configured range). */
  latencyMs: number;
  /** How the minimum and the ideal were worked out, for the report. */
  derivation: string;
}

const sum = (counts: RouteCounts) => Object.values(counts).reduce((a, b) => a + b, 0);
const writesOf = (counts: RouteCounts) => Object.entries(counts).reduce((n, [route, c]) => n + (route.startsWith('GET ') ? 0 : c), 0);
const mean = (latency: Latency) => (latency.minMs + latency.maxMs) / 2;

/**
 * Usernames of one round: new (a fresh suffix), valid (letters, digits, underscore, <= 64) and
 * none a substring of another (fixed-width index), so each username search matches one user.
 */
export function usernames(label: string, n: number, suffix: string): string[] {
  const width = String(n - 1).length;
  return Array.from({ length: n }, (_, i) => `scim_${label}_${suffix}_${String(i).padStart(width, '0')}`.replace(/\W/g, '_'));
}

/** The body Okta POSTs to /Users (its SCIM 2.0 reference: password and groups included). */
export function oktaUser(userName: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ primary: true, value: `${userName.toLowerCase()}@example.com`, type: 'work' }],
    displayName: 'Ada Lovelace',
    locale: 'en-US',
    externalId: `00u${userName}`,
    groups: [],
    password: 'Okta-Sent-Secret-1',
    active: true,
  };
}

export const lookupPath = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;

export const newGroup = (displayName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] as unknown[] });

export const addMembers = (members: Array<{ id: string; userName: string }>) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'add', path: 'members', value: members.map((m) => ({ value: m.id, display: m.userName })) }],
});

/**
 * scim-sync of `n` users at IDP_CONCURRENCY.
 *
 * Calls per user (src/scim/users.ts, src/provisioning/users.ts createUserOperation):
 * - the lookup: a `userName eq` filter is one username search (findUserByUsername), never a listing;
 * - the create: one username search (usernames are platform-wide; the SCIM org is the root, so
 *   only the root org is searched), then the `POST` of the user. Nothing else: the answer is built
 *   from the POST's response, and `active: true` matches a new user.
 * So 3 calls per user, 2 of them on the users route, 1 a write, each waiting for the one before.
 * Once per gateway process (the first create of a pass) the org's teams are read for its root
 * team id (src/provisioning/root-teams.ts), which never changes: 1 call, in the first round only.
 *
 * Ideal: the IdP keeps C requests in flight and a user's 3 calls are sequential, so C users
 * progress side by side and each of the C chains does ceil(n / C) users one after the other:
 *     ideal = ceil(n / C) x 3 x L          (+ L in a pass's first round, for the root team)
 * With C = 5 <= the gateway's starting window of 16, nothing queues in the gateway. With jitter, L is the
 * mean latency: a chain's expected time is its number of calls times the mean (the slowest of the
 * C chains is expected a little later, ~2% for 600 calls a chain: the ideal is a lower bound).
 * At 20 ms: ceil(1000 / 5) x 3 x 20 ms = 12,000 ms.
 */
export function syncPlan(n: number, firstInProcess: boolean, latency: Latency): ScimPlan {
  const byRoute: RouteCounts = { [ROUTES.users]: 2 * n, [ROUTES.createUser]: n, ...(firstInProcess ? { [ROUTES.teams]: 1 } : {}) };
  const chain = Math.ceil(n / IDP_CONCURRENCY) * 3 * mean(latency) + (firstInProcess ? waveMs(1, 1, latency) : 0);
  return {
    byRoute,
    minimum: sum(byRoute),
    minimumWrites: writesOf(byRoute),
    idealMs: chain,
    latencyMs: mean(latency),
    derivation: `${n} x (1 lookup search + 1 create search + 1 POST)${firstInProcess ? ' + 1 teams listing (root team id, once per process)' : ''}; ideal ceil(${n} / ${IDP_CONCURRENCY}) x 3 x ${mean(latency)} ms${firstInProcess ? ` + ${Math.round(waveMs(1, 1, latency))} ms` : ''}`,
  };
}

/**
 * scim-group-push: `POST /Groups` (no members), then ceil(n / 100) PATCHes of 100 members, one
 * after the other (an IdP waits for each answer).
 *
 * The create (pushGroup with no members, src/scim/groups.ts create): it checks the organization
 * (1 `GET hierarchy`, as pushGroup does for any org) and reads the org's teams (the root team to
 * create under, and a sibling with the same name: 1 page while the root org has <= 500 teams),
 * then `POST`s the team. Those reads are counted once: the PATCHes need neither (a delta names the
 * team through the group's link). An empty group has no member to resolve, so no listing of the
 * org's users belongs to the minimum.
 * Each PATCH lists the team's members once (src/provisioning/group-patch.ts: an add skips members
 * already there, so a hand-made maintainer is never demoted; pages of 500, at least 1), then sends
 * 100 `PUT` member calls. Its member check (src/scim/groups.ts memberIds: are these users of the org?)
 * reads the org's users through the cache, which the round's import filled seconds before: no call.
 *
 * Ideal: the PUTs of a PATCH run at the gateway's write concurrency, the runner's `concurrency`,
 * which is config.upstream.maxConnections (ANYPOINT_MAX_CONNECTIONS, the bench's CLIENT_CAP):
 *     ideal = (hierarchy + teams together) + POST team + sum over PATCHes (member pages + ceil(100 / cap)) x L
 * At 20 ms: 20 + 20 + 10 x 7 x 20 + 14 x 20 ms = 1,720 ms (the listing's pages 2+ run in parallel: 10 x 20 ms of them). With jitter, each wave as in waves.ts.
 */
export function groupPushPlan(n: number, rootTeams: number, writeConcurrency: number, latency: Latency): ScimPlan {
  const teamPages = pagesFor(rootTeams);
  const batches = Array.from({ length: Math.ceil(n / PATCH_BATCH) }, (_, i) => Math.min(PATCH_BATCH, n - i * PATCH_BATCH));
  // Each PATCH first lists the team's members as they are (the ones before it added): pages of 500.
  const memberPages = batches.map((_, i) => pagesFor(i * PATCH_BATCH)).reduce((a, b) => a + b, 0);
  const byRoute: RouteCounts = { [ROUTES.hierarchy]: 1, [ROUTES.teams]: teamPages, [ROUTES.createTeam]: 1, [ROUTES.members]: memberPages, [ROUTES.putMember]: n };
  const create: Wave[] = sequence(parallel(calls('GET hierarchy', 1), listing('GET teams', rootTeams)), calls('POST team', 1, true));
  const patches = batches.reduce((ms, size, i) => ms + idealMs(listing('GET members', i * PATCH_BATCH), writeConcurrency, latency) + waveMs(size, writeConcurrency, latency), 0);
  return {
    byRoute,
    minimum: sum(byRoute),
    minimumWrites: writesOf(byRoute),
    idealMs: idealMs(create, writeConcurrency, latency) + patches,
    latencyMs: mean(latency),
    derivation: `1 hierarchy + ${teamPages} teams page + 1 POST team + ${memberPages} member-list pages + ${n} PUT member (${batches.length} PATCHes); ideal (hierarchy + teams) -> POST team -> ${batches.length} x (members listing, then ceil(${PATCH_BATCH} / ${writeConcurrency}) waves)`,
  };
}

/**
 * scim-import: the IdP pages through /Users. What it may cost at most is what listing the org's
 * users once costs the gateway: the pages of `GET .../users` at the client's page size (500,
 * src/anypoint/pagination.ts PAGE_SIZE), e.g. 3,000 users = 6 calls. The first SCIM page loads the
 * listing (cold: the sync's last create evicted it); the others are served from the cache.
 */
export function importPlan(orgUsers: number, cap: number, latency: Latency): ScimPlan {
  const byRoute: RouteCounts = { [ROUTES.users]: pagesFor(orgUsers) };
  return {
    byRoute,
    minimum: sum(byRoute),
    minimumWrites: 0,
    idealMs: idealMs(listing('GET users', orgUsers), cap, latency),
    latencyMs: mean(latency),
    derivation: `${orgUsers} users of the SCIM org = ${pagesFor(orgUsers)} pages of 500, once; ${Math.ceil(orgUsers / IMPORT_PAGE)} SCIM pages of ${IMPORT_PAGE}`,
  };
}

export interface RouteDifference {
  route: string;
  counted: number;
  minimum: number;
}

/** Routes whose counted calls differ from the minimum. */
export function routeDifferences(counted: RouteCounts, minimum: RouteCounts): RouteDifference[] {
  const routes = [...new Set([...Object.keys(counted), ...Object.keys(minimum)])].sort();
  return routes.filter((r) => (counted[r] ?? 0) !== (minimum[r] ?? 0)).map((route) => ({ route, counted: counted[route] ?? 0, minimum: minimum[route] ?? 0 }));
}

/** Differences of several rounds, one line per route: "GET ...: 7, 9, 11 vs 0". */
export function describeDifferences(rounds: RouteDifference[][]): string[] {
  const byRoute = new Map<string, RouteDifference[]>();
  for (const d of rounds.flat()) byRoute.set(d.route, [...(byRoute.get(d.route) ?? []), d]);
  const list = (values: number[]) => [...new Set(values)].join(', ');
  return [...byRoute].map(([route, ds]) => `${route}: ${list(ds.map((d) => d.counted))} vs ${list(ds.map((d) => d.minimum))}`);
}
