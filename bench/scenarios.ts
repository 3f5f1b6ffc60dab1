import { readFileSync } from 'node:fs';
import type { PlatformView } from './sim-state.js';
import { ROUTES } from './routes.js';
import { EXCHANGE_PAGE_SIZE, bareListing, calls, listing, listings, on, parallel, pagesFor, sequence, type Wave } from './waves.js';

/**
 * The benchmark's scenarios: a GraphQL document from bench/queries/, its variables, and the
 * waves of upstream calls its shape needs at minimum, all worked out from the simulator's own
 * data so that a different seed or preset still gets the right figures. bench/README.md shows
 * the same arithmetic for the large preset.
 */

/** ANYPOINT_SINGLE_GET_LIMIT, as the bench sets it: up to this many users are fetched one by one. */
export const SINGLE_GET_LIMIT = 10;
/** How deep bench/queries/team-subtree.graphql goes below the team it starts from. */
const SUBTREE_DEPTH = 3;
/** Users scenario 5 resolves in one _entities batch. */
const ENTITY_BATCH = 100;
/** User references by id alone in scenario 8: above SINGLE_GET_LIMIT, so the root listing is read first (large preset). */
const GROUP_ENTITY_USERS = 20;
/** Users pushed as a group in scenario 9. */
export const PUSH_MEMBERS = 1_000;

export interface ReadScenario {
  id: string;
  title: string;
  /** What the variables point at, for the report. */
  subject: string;
  query: string;
  variables: Record<string, unknown>;
  waves: Wave[];
  /** Checks the answer is complete; returns a problem, or null. */
  check(data: any): string | null;
}

export interface PushScenario {
  id: 'push-group';
  title: string;
  subject: string;
  query: string;
  /** Usernames of existing, enabled users of the root org. */
  members: string[];
  /** Waves of the first push, given how many teams the root org has by then. */
  firstWaves(rootTeams: number): Wave[];
  /** Waves of the same push again: reads only. */
  rerunWaves(rootTeams: number): Wave[];
}

const query = (file: string) => readFileSync(new URL(`./queries/${file}`, import.meta.url), 'utf8');

export function orgTree(view: PlatformView): ReadScenario {
  const orgs = view.liveOrgs;
  const envs = orgs.flatMap((o) => view.environmentsOf(o.id));
  const apis = envs.reduce((sum, e) => sum + view.apisOf(e.id).length, 0);
  return {
    id: 'org-tree',
    title: 'Org tree with environments and API counts',
    subject: `${orgs.length} organizations, ${envs.length} environments`,
    query: query('org-tree.graphql'),
    variables: {},
    waves: sequence(
      on(ROUTES.hierarchy, calls('GET hierarchy', 1)),
      on(ROUTES.organization, calls('GET organization (embeds its environments)', orgs.length)),
      on(ROUTES.apis, calls('GET API instances with limit=1 (the total)', envs.length)),
    ),
    check: (data) => {
      const counted = data.organizations.flatMap((o: any) => o.environments).reduce((sum: number, e: any) => sum + e.apiCount, 0);
      if (data.organizations.length !== orgs.length) return `${data.organizations.length} organizations instead of ${orgs.length}`;
      return counted === apis ? null : `API counts add up to ${counted} instead of ${apis}`;
    },
  };
}

export function groupUsers(view: PlatformView): ReadScenario {
  const group = firstGroup(view);
  const users = view.usersOf(group.id);
  const teams = view.teamsOf(group.id);
  return {
    id: 'group-users',
    title: 'Users of a business group (first 200) with their teams',
    subject: `${group.name}: ${users.length} users, ${teams.length} teams`,
    query: query('group-users.graphql'),
    variables: { orgId: group.id },
    waves: sequence(
      on(ROUTES.hierarchy, calls('GET hierarchy (the organization exists)', 1)),
      on(ROUTES.users, listing('GET users of the group', users.length)),
      // Anypoint has no "teams of a user": the group's teams, then each team's members.
      on(ROUTES.teams, listing('GET teams of the group', teams.length)),
      on(ROUTES.members, listings('GET members of each team', teams.map((t) => view.membersOf(t.team_id).length))),
    ),
    check: (data) => {
      const nodes = data.organization.users.nodes.length;
      return nodes === Math.min(200, users.length) ? null : `${nodes} users instead of ${Math.min(200, users.length)}`;
    },
  };
}

/** A team and its descendants down to `depth` levels below it. */
function subtree(view: PlatformView, teamId: string, depth: number): string[][] {
  const levels: string[][] = [[teamId]];
  for (let d = 1; d <= depth; d += 1) levels.push(levels[d - 1]!.flatMap((id) => view.childTeams(id).map((t) => t.team_id)));
  return levels;
}

export function teamSubtree(view: PlatformView): ReadScenario {
  const root = view.rootOrgId;
  const rootTeam = view.teamsOf(root).find((t) => t.parentId === null);
  // The root org's team (below its root team) with the largest subtree the query reaches.
  const candidates = view.teamsOf(root).filter((t) => t.parentId !== null);
  const size = (id: string) => subtree(view, id, SUBTREE_DEPTH).flat().length;
  const team = candidates.reduce((best, t) => (size(t.team_id) > size(best.team_id) ? t : best), candidates[0]!);
  if (!team || !rootTeam) throw new Error('The simulator has no teams in the root organization');
  const levels = subtree(view, team.team_id, SUBTREE_DEPTH);
  const descendants = levels.slice(1).flat();
  const people = new Set(levels.flat().flatMap((id) => view.membersOf(id)));
  const rootUsers = view.usersOf(root).length;
  // Members are users of the root org. Up to SINGLE_GET_LIMIT of them cost a GET each; more cost
  // the org's users listing, which is then also the cheaper way (pages < people).
  const userWaves = people.size <= SINGLE_GET_LIMIT ? on(ROUTES.user, calls('GET user', people.size)) : on(ROUTES.users, listing('GET users of the root org', rootUsers));
  return {
    id: 'team-subtree',
    title: 'Team subtree with members',
    subject: `${team.team_name}: ${levels.flat().length} teams over ${levels.filter((l) => l.length).length} levels, ${people.size} distinct members`,
    query: query('team-subtree.graphql'),
    variables: { teamId: team.team_id },
    waves: sequence(
      on(ROUTES.team, calls('GET team', 1)),
      // Children come from the org's team listing (one page), not a call per team.
      parallel(on(ROUTES.teams, listing('GET teams of the org', view.teamsOf(root).length)), on(ROUTES.members, listing('GET members of the team', view.membersOf(team.team_id).length))),
      on(ROUTES.members, listings('GET members of each descendant', descendants.map((id) => view.membersOf(id).length))),
      userWaves,
    ),
    check: (data) => (data.team?.id === team.team_id ? null : 'the team was not returned'),
  };
}

export function apiInventory(view: PlatformView): ReadScenario {
  const root = view.rootOrgId;
  const envs = view.environmentsOf(root);
  const apis = envs.flatMap((e) => view.apisOf(e.id));
  const assetKeys = new Set(apis.map((a) => `${a.groupId}/${a.assetId}/${a.assetVersion}`));
  const groups = new Set(apis.map((a) => a.groupId));
  // Exchange: several assets of one org cost one search of that org; a lone asset one GET.
  const exchange = [...groups].map((groupId) => {
    const wanted = [...assetKeys].filter((k) => k.startsWith(`${groupId}/`)).length;
    return wanted > 1 ? on(ROUTES.exchangeSearch, bareListing('GET Exchange search of the org', view.assetsOf(groupId).length, EXCHANGE_PAGE_SIZE)) : on(ROUTES.exchangeAsset, calls('GET Exchange asset', 1));
  });
  return {
    id: 'api-inventory',
    title: 'API inventory of the root org (Exchange name, type, status, spec format)',
    subject: `${apis.length} API instances in ${envs.length} environments, ${assetKeys.size} Exchange assets`,
    query: query('api-inventory.graphql'),
    variables: { orgId: root },
    waves: sequence(
      on(ROUTES.hierarchy, calls('GET hierarchy (the organization exists)', 1)),
      on(ROUTES.organization, calls('GET organization (its environments)', 1)),
      on(ROUTES.apis, listings('GET API instances of each environment', envs.map((e) => view.apisOf(e.id).length))),
      parallel(...exchange),
    ),
    check: (data) => (data.organization.apis.totalCount === apis.length ? null : `totalCount ${data.organization.apis.totalCount} instead of ${apis.length}`),
  };
}

/** Business groups in the gateway's order (the hierarchy walked depth first, the root first). */
function orgsInTreeOrder(view: PlatformView) {
  const out: PlatformView['liveOrgs'] = [];
  const walk = (id: string) => {
    const org = view.liveOrgs.find((o) => o.id === id);
    if (!org) return;
    out.push(org);
    for (const child of view.liveOrgs.filter((o) => o.parentId === id)) walk(child.id);
  };
  walk(view.rootOrgId);
  return out;
}

/** How many instances the first page of the whole inventory holds. */
export const FULL_INVENTORY_PAGE = 500;

export function fullInventory(view: PlatformView): ReadScenario {
  const orgs = orgsInTreeOrder(view);
  const envs = orgs.flatMap((o) => view.environmentsOf(o.id));
  const apis = envs.flatMap((e) => view.apisOf(e.id));
  const page = apis.slice(0, FULL_INVENTORY_PAGE);
  // Exchange for the page's instances only, as in scenario 4: one search per org with several of them.
  const exchange = [...new Set(page.map((a) => a.groupId))].map((groupId) => {
    const wanted = new Set(page.filter((a) => a.groupId === groupId).map((a) => `${a.assetId}/${a.assetVersion}`)).size;
    return wanted > 1 ? on(ROUTES.exchangeSearch, bareListing('GET Exchange search of the org', view.assetsOf(groupId).length, EXCHANGE_PAGE_SIZE)) : on(ROUTES.exchangeAsset, calls('GET Exchange asset', 1));
  });
  return {
    id: 'full-inventory',
    title: `Whole API inventory, every business group (first ${FULL_INVENTORY_PAGE}), with policy, SLA tier and contract counts`,
    subject: `${apis.length} API instances in ${envs.length} environments of ${orgs.length} organizations`,
    query: query('full-inventory.graphql'),
    variables: {},
    waves: sequence(
      on(ROUTES.hierarchy, calls('GET hierarchy (every business group)', 1)),
      on(ROUTES.organization, calls('GET organization (its environments)', orgs.length)),
      on(ROUTES.apis, listings('GET API instances of each environment', envs.map((e) => view.apisOf(e.id).length))),
      // Anypoint counts one instance at a time: policies (a bare array), tiers and contracts (a one-item page's total);
      // three routes in one part, so charged the run's mean over all routes.
      parallel(calls('GET policies, SLA tiers and contracts of each instance', 3 * page.length), ...exchange),
    ),
    check: (data) => {
      if (data.apis.totalCount !== apis.length) return `totalCount ${data.apis.totalCount} instead of ${apis.length}`;
      return data.apis.nodes.length === page.length ? null : `${data.apis.nodes.length} instances instead of ${page.length}`;
    },
  };
}

export function entitiesUsers(view: PlatformView): ReadScenario {
  const root = view.rootOrgId;
  const users = view.usersOf(root).slice(0, ENTITY_BATCH);
  const rootUsers = view.usersOf(root).length;
  // References carry no org: they are looked for in the root org first, where these are.
  const waves = users.length <= SINGLE_GET_LIMIT ? on(ROUTES.user, calls('GET user', users.length)) : on(ROUTES.users, listing('GET users of the root org', rootUsers));
  if (users.length > SINGLE_GET_LIMIT && pagesFor(rootUsers) >= users.length) throw new Error('scenario 5 expects the listing to be cheaper than single GETs');
  return {
    id: 'entities-users',
    title: `Federation _entities batch of ${users.length} users`,
    subject: `${users.length} users of the root org (${rootUsers} users)`,
    query: query('entities-users.graphql'),
    variables: { r: users.map((u) => ({ __typename: 'User', id: u.id })) },
    waves,
    check: (data) => {
      const ids = data._entities.map((u: any) => u?.id);
      return ids.length === users.length && ids.every((id: string, i: number) => id === users[i]!.id) ? null : 'the entities do not match the representations';
    },
  };
}

/** The first business group under the root (a division: 160 users, 38 teams, 4 environments on the large preset). */
function firstGroup(view: PlatformView) {
  const group = view.liveOrgs.find((o) => o.parentId === view.rootOrgId);
  if (!group) throw new Error('The simulator has no business group under the root organization');
  return group;
}

/** Business groups: every live organization but the root. */
const businessGroups = (view: PlatformView) => view.liveOrgs.filter((o) => o.id !== view.rootOrgId);

export function apiEnvironments(view: PlatformView): ReadScenario {
  const group = firstGroup(view);
  const envs = view.environmentsOf(group.id);
  const apis = envs.flatMap((e) => view.apisOf(e.id));
  if (apis.length === 0 || apis.length > 500) throw new Error(`scenario 6 expects 1-500 API instances in ${group.name}, not ${apis.length}`);
  return {
    id: 'api-environments',
    title: 'API instances of a business group with their environments',
    subject: `${group.name}: ${apis.length} API instances in ${envs.length} environments`,
    query: query('api-environments.graphql'),
    variables: { orgId: group.id },
    // An instance's environment is in its own org's detail, already read to list the instances.
    waves: sequence(
      on(ROUTES.hierarchy, calls('GET hierarchy (the organization exists)', 1)),
      on(ROUTES.organization, calls('GET organization (its environments)', 1)),
      on(ROUTES.apis, listings('GET API instances of each environment', envs.map((e) => view.apisOf(e.id).length))),
    ),
    check: (data) => {
      const nodes = data.organization.apis.nodes as Array<{ id: string; environment: { id: string } | null }>;
      const envOf = new Map(apis.map((a) => [String(a.id), a.environmentId]));
      if (nodes.length !== apis.length) return `${nodes.length} instances instead of ${apis.length}`;
      return nodes.every((n) => n.environment?.id === envOf.get(n.id)) ? null : 'an instance has the wrong environment';
    },
  };
}

export function userByUsername(view: PlatformView): ReadScenario {
  const group = firstGroup(view);
  const user = view.usersOf(group.id)[0];
  if (!user) throw new Error(`${group.name} has no users`);
  return {
    id: 'user-by-username',
    title: 'A business group\'s user found by username',
    subject: `a user of ${group.name}, searched for in ${view.liveOrgs.length} organizations`,
    query: query('user-by-username.graphql'),
    variables: { username: user.username },
    // No lookup by username across organizations: the root org's search, then (not there) the
    // hierarchy and a search of every business group at once, the bounded sweep.
    waves: sequence(
      on(ROUTES.users, calls('GET users of the root org ?search=', 1)),
      on(ROUTES.hierarchy, calls('GET hierarchy (the business groups)', 1)),
      on(ROUTES.users, calls('GET users of each business group ?search=', businessGroups(view).length)),
    ),
    check: (data) => (data.userByUsername?.id === user.id && data.userByUsername.organization.id === group.id ? null : 'the user was not found in its organization'),
  };
}

export function entitiesGroup(view: PlatformView): ReadScenario {
  const group = firstGroup(view);
  const sweepPages = businessGroups(view).reduce((sum, o) => sum + pagesFor(view.usersOf(o.id).length), 0);
  // No more users than the sweep's listings, so they are GETs by id (a smaller preset has fewer groups).
  const users = view.usersOf(group.id).slice(0, Math.min(GROUP_ENTITY_USERS, sweepPages));
  const team = view.teamsOf(group.id)[0];
  const api = view.environmentsOf(group.id).flatMap((e) => view.apisOf(e.id))[0];
  // An environment other than the instance's (when the group has one): two GETs by id, nothing shared.
  const env = view.environmentsOf(group.id).find((e) => e.id !== api?.environmentId);
  if (!users.length || !team || !api) throw new Error(`scenario 8 needs users, a team and an API instance in ${group.name}`);
  const rootUsers = view.usersOf(view.rootOrgId).length;
  const r = [
    ...users.map((u) => ({ __typename: 'User', id: u.id })),
    { __typename: 'Team', id: team.team_id, organization: { id: group.id } },
    ...(env ? [{ __typename: 'Environment', id: env.id }] : []),
    { __typename: 'Api', id: String(api.id), environment: { id: api.environmentId } },
  ];
  const others = [
    on(ROUTES.team, calls('GET team in its org', 1)),
    sequence(on(ROUTES.environmentAnywhere, calls(`GET environment by id (${env ? 'the reference, the instance\'s' : 'the instance\'s'})`, env ? 2 : 1)), on(ROUTES.api, calls('GET API instance in its environment', 1))),
  ];
  const waves =
    users.length <= SINGLE_GET_LIMIT
      ? parallel(on(ROUTES.userAnywhere, calls('GET user by id', users.length)), ...others)
      : sequence(
          // More than SINGLE_GET_LIMIT users by id alone: the root org's listing first (most users are there)...
          parallel(on(ROUTES.users, listing('GET users of the root org', rootUsers)), ...others),
          // ...then, for those not there, the hierarchy prices the sweep, and fewer users than its pages are GETs.
          on(ROUTES.hierarchy, calls('GET hierarchy (what the sweep would cost)', 1)),
          on(ROUTES.userAnywhere, calls('GET user by id', users.length)),
        );
  return {
    id: 'entities-group',
    title: `Federation _entities batch of a business group's objects`,
    subject: `${group.name}: ${users.length} users by id alone, a team with its org, ${env ? 'an environment, ' : ''}an API instance with its environment`,
    query: query('entities-group.graphql'),
    variables: { r },
    waves,
    check: (data) => {
      const got = data._entities as Array<Record<string, any> | null>;
      if (got.length !== r.length || got.some((e) => !e)) return 'an entity is missing';
      if (!users.every((u, i) => got[i]!.id === u.id)) return 'the users do not match the representations';
      return got.at(-1)!.organization?.id === group.id ? null : 'the API instance has the wrong organization';
    },
  };
}

export function pushGroup(view: PlatformView): PushScenario {
  const root = view.rootOrgId;
  const enabled = view.usersOf(root).filter((u) => u.enabled);
  if (enabled.length < PUSH_MEMBERS) throw new Error(`The root org has only ${enabled.length} enabled users; scenario 9 needs ${PUSH_MEMBERS}`);
  const members = enabled.slice(0, PUSH_MEMBERS).map((u) => u.username);
  const rootUsers = view.usersOf(root).length;
  // Reads that need only the org id can all start at once.
  const reads = (rootTeams: number, team: Wave[][]) =>
    parallel(on(ROUTES.hierarchy, calls('GET hierarchy (the organization exists)', 1)), on(ROUTES.teams, listing('GET teams of the org', rootTeams)), on(ROUTES.users, listing('GET users of the org', rootUsers)), ...team);
  return {
    id: 'push-group',
    title: `pushGroup of ${PUSH_MEMBERS} existing users into a new team`,
    subject: `${PUSH_MEMBERS} enabled users of the root org (${rootUsers} users)`,
    query: query('push-group.graphql'),
    members,
    firstWaves: (rootTeams) =>
      sequence(reads(rootTeams, []), on(ROUTES.createTeam, calls('POST team', 1, true)), on(ROUTES.putMember, calls('PUT team member', PUSH_MEMBERS, true))),
    // The link names the team, so its member listing starts with the other reads.
    rerunWaves: (rootTeams) => reads(rootTeams, [on(ROUTES.members, listing('GET members of the team', PUSH_MEMBERS))]),
  };
}

export function planScenarios(view: PlatformView) {
  return {
    reads: [orgTree(view), groupUsers(view), teamSubtree(view), apiInventory(view), entitiesUsers(view), apiEnvironments(view), userByUsername(view), entitiesGroup(view)],
    push: pushGroup(view),
  };
}
