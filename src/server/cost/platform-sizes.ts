import type { CacheKind } from '../../loaders/read-through.js';
import { pagesFor } from '../../loaders/deps.js';
import { PAGE_SIZE } from '../../anypoint/pagination.js';

/**
 * How big the platform is, as far as this process has seen: the number of business groups, and
 * per entity the length of each list the gateway has loaded (an org's users, an environment's
 * APIs, a team's members). Demand control multiplies by these to estimate an operation's
 * upstream calls before it runs. They are learned from every read that passes through the
 * loaders (cache hits included), so they follow the platform as it changes; before a list has
 * been seen, an assumed size stands in for it.
 */
export interface ListSizes {
  /** Per entity id; the entity's list length. */
  readonly byId: ReadonlyMap<string, number>;
  /** Used before any list of the kind has been seen. */
  readonly assumed: number;
}

/** What a list is assumed to hold before one has been seen (a medium business group). */
const ASSUMED = {
  orgs: 10,
  envsPerOrg: 4,
  usersPerOrg: 200,
  teamsPerOrg: 30,
  membersPerTeam: 20,
  apisPerEnv: 20,
  childTeamsPerTeam: 3,
  teamsPerUser: 3,
  rolesPerTeam: 3,
  orgDepth: 3,
  linkedGroupsPerOrg: 5,
} as const;

class SizeTable implements ListSizes {
  readonly byId = new Map<string, number>();
  private sum = 0;
  /** Bumped whenever a size changes, so estimates made before can be told apart from stale ones. */
  changes = 0;
  /** Entries beyond this are not kept (a platform has a bounded number of entities; a hostile id stream must not grow memory). */
  private static readonly MAX_ENTRIES = 100_000;

  constructor(readonly assumed: number) {}

  set(id: string, size: number): void {
    const before = this.byId.get(id);
    if (before === size || (before === undefined && this.byId.size >= SizeTable.MAX_ENTRIES)) return;
    this.sum += size - (before ?? 0);
    this.byId.set(id, size);
    this.changes += 1;
  }

  /** The list of `id` when seen; else the mean of those seen; else the assumed size. */
  of(id: string | undefined): number {
    const known = id === undefined ? undefined : this.byId.get(id);
    if (known !== undefined) return known;
    return this.byId.size ? this.sum / this.byId.size : this.assumed;
  }

  /** The largest list seen (or assumed): an upper bound for an entity not yet seen. */
  max(): number {
    let max = 0;
    for (const size of this.byId.values()) if (size > max) max = size;
    return this.byId.size ? max : this.assumed;
  }

  /** Pages of listing every one of `count` entities' lists (each at least one page). */
  totalPages(count: number, pageSize = PAGE_SIZE): number {
    let pages = 0;
    for (const size of this.byId.values()) pages += pagesFor(size, pageSize);
    const unseen = Math.max(0, count - this.byId.size);
    return pages + unseen * pagesFor(Math.ceil(this.of(undefined)), pageSize);
  }

  /** Pages of one entity's listing, on average over those seen (a few long lists weigh in). */
  meanPages(pageSize = PAGE_SIZE): number {
    if (!this.byId.size) return pagesFor(this.assumed, pageSize);
    let pages = 0;
    for (const size of this.byId.values()) pages += pagesFor(size, pageSize);
    return pages / this.byId.size;
  }

  /** The sum over `count` entities: the known total when every entity was seen, else the mean times count. */
  total(count: number): number {
    return this.byId.size >= count ? this.sum : this.of(undefined) * count;
  }
}

export class PlatformSizes {
  private orgCount: number | null = null;
  private depth: number | null = null;
  readonly envs = new SizeTable(ASSUMED.envsPerOrg);
  readonly users = new SizeTable(ASSUMED.usersPerOrg);
  readonly teams = new SizeTable(ASSUMED.teamsPerOrg);
  readonly members = new SizeTable(ASSUMED.membersPerTeam);
  readonly apisPerEnv = new SizeTable(ASSUMED.apisPerEnv);
  readonly orgChildren = new SizeTable(1);
  readonly teamChildren = new SizeTable(ASSUMED.childTeamsPerTeam);
  /** Team id -> its child teams' ids, from the team listings seen (a subtree is then known exactly). */
  readonly childTeamIds = new Map<string, string[]>();
  readonly roles = new SizeTable(ASSUMED.rolesPerTeam);
  /** Org id -> how many identity-provider groups are linked to its teams (from drift queries, see ReadThrough.tell). */
  readonly linkedGroups = new SizeTable(ASSUMED.linkedGroupsPerOrg);
  /** Environment id -> its organization, from the org details seen. */
  readonly envOrg = new Map<string, string>();
  /** Team id -> its org, from the teams listings read: a team found by id outside the root costs the sweep. */
  readonly teamOrg = new Map<string, string>();
  /** API instance id -> its org, from the environment listings read: an instance referenced by id alone outside the root costs the sweep. */
  readonly apiOrg = new Map<string, string>();
  /** User id -> its org, from the users listings and GETs read: users referenced by id alone outside the root cost GETs or the sweep. */
  readonly userOrg = new Map<string, string>();
  /** Username -> its user's org, learned with userOrg: a business group's user by username costs the search of every org. */
  readonly usernameOrg = new Map<string, string>();
  readonly assumedTeamsPerUser = ASSUMED.teamsPerUser;

  private ownChanges = 0;
  /** Cache entries already learned from (held weakly: they go when the cache drops them). */
  private readonly observed = new WeakSet<object>();

  /** Changes whenever anything an estimate reads changes: an estimate made at the same version is still right. */
  get version(): number {
    let version = this.ownChanges;
    for (const table of [this.envs, this.users, this.teams, this.members, this.apisPerEnv, this.orgChildren, this.teamChildren, this.roles, this.linkedGroups]) version += table.changes;
    return version;
  }

  get organizations(): number {
    return this.orgCount ?? ASSUMED.orgs;
  }

  get orgDepth(): number {
    return this.depth ?? ASSUMED.orgDepth;
  }

  get environments(): number {
    return this.envs.total(this.organizations);
  }

  /** Pages of a full listing of `items` at the client's page size. */
  static pages(items: number, pageSize = PAGE_SIZE): number {
    return pagesFor(Math.ceil(items), pageSize);
  }

  /**
   * Learns from one value read through the loaders' cache (ReadThrough), by its key; `entry` is
   * the cache entry it came from, if any. Only the shapes listed are understood; anything else is
   * ignored.
   */
  observe(kind: CacheKind, key: string, value: unknown, entry?: object): void {
    // The in-memory cache hands every request the same entry object until the key is refilled:
    // learn from each entry once (a warm query reads hundreds; learning again changes nothing).
    if (entry !== undefined) {
      if (this.observed.has(entry)) return;
      this.observed.add(entry);
    }
    const colon = key.indexOf(':');
    const what = key.slice(0, colon);
    const id = key.slice(colon + 1);
    if (kind === 'organizations' && what === 'tree' && Array.isArray(value)) this.learnTree(value as TreeNode[]);
    else if (kind === 'organizations' && what === 'detail') this.learnDetail(id, value as OrgDetail);
    else if (kind === 'organizations' && what === 'env') this.learnEnvironment(value as { id?: unknown; organizationId?: unknown });
    else if (kind === 'users' && what === 'org' && Array.isArray(value)) this.learnUsers(id, value as UserRow[]);
    else if (kind === 'users' && what === 'id' && value && typeof value === 'object') this.learnUserHome(value as UserRow);
    else if (kind === 'users' && what === 'total' && typeof value === 'number') this.users.set(id, value);
    else if (kind === 'teams' && what === 'org' && Array.isArray(value)) this.learnTeams(id, value as TeamRow[]);
    else if (kind === 'teams' && what === 'roles' && Array.isArray(value)) this.roles.set(id, value.length);
    else if (kind === 'teams' && what === 'links' && typeof value === 'number') this.linkedGroups.set(id, value);
    else if (kind === 'members' && what === 'team' && Array.isArray(value)) this.members.set(id, value.length);
    else if (kind === 'apis' && what === 'env' && value && Array.isArray((value as { apis?: unknown }).apis)) this.learnApis(id, (value as { apis: ApiRow[] }).apis);
    else if (kind === 'apis' && what === 'count' && typeof value === 'number') this.apisPerEnv.set(id, value);
  }

  private learnTree(nodes: TreeNode[]): void {
    if (this.orgCount !== nodes.length) this.ownChanges += 1;
    this.orgCount = nodes.length;
    const parentOf = new Map<string, string | null>();
    for (const node of nodes) {
      this.orgChildren.set(node.id, node.childIds.length);
      parentOf.set(node.id, node.parentId);
    }
    let deepest = 0;
    for (const node of nodes) {
      let depth = 0;
      for (let at = node.parentId; at && depth <= nodes.length; at = parentOf.get(at) ?? null) depth += 1;
      deepest = Math.max(deepest, depth);
    }
    if (this.depth !== deepest) this.ownChanges += 1;
    this.depth = deepest;
  }

  private learnDetail(orgId: string, detail: OrgDetail): void {
    const envs = Array.isArray(detail?.environments) ? detail.environments : [];
    this.envs.set(orgId, envs.length);
    for (const env of envs) {
      if (typeof env?.id !== 'string' || this.envOrg.get(env.id) === orgId) continue;
      this.envOrg.set(env.id, orgId);
      this.ownChanges += 1;
    }
  }

  private learnApis(envId: string, apis: ApiRow[]): void {
    this.apisPerEnv.set(envId, apis.length);
    for (const api of apis) {
      if (typeof api?.organizationId !== 'string') continue;
      const id = String(api.id);
      if (this.apiOrg.get(id) === api.organizationId || (this.apiOrg.size >= 100_000 && !this.apiOrg.has(id))) continue;
      this.apiOrg.set(id, api.organizationId);
      this.ownChanges += 1;
    }
  }

  /** An environment read by id alone (GET /environments/{id}) names its org. */
  private learnEnvironment(env: { id?: unknown; organizationId?: unknown } | null): void {
    if (typeof env?.id !== 'string' || typeof env.organizationId !== 'string' || this.envOrg.get(env.id) === env.organizationId) return;
    this.envOrg.set(env.id, env.organizationId);
    this.ownChanges += 1;
  }

  private learnUsers(orgId: string, users: UserRow[]): void {
    this.users.set(orgId, users.length);
    for (const user of users) this.learnUserHome(user);
  }

  private learnUserHome(user: UserRow): void {
    if (typeof user?.id !== 'string' || typeof user.organizationId !== 'string') return;
    if (this.userOrg.get(user.id) === user.organizationId || (this.userOrg.size >= 100_000 && !this.userOrg.has(user.id))) return;
    this.userOrg.set(user.id, user.organizationId);
    if (typeof user.username === 'string') this.usernameOrg.set(user.username, user.organizationId);
    this.ownChanges += 1;
  }

  private learnTeams(orgId: string, teams: TeamRow[]): void {
    this.teams.set(orgId, teams.length);
    for (const team of teams) {
      if (this.teamOrg.get(team.team_id) === orgId || (this.teamOrg.size >= 100_000 && !this.teamOrg.has(team.team_id))) continue;
      this.teamOrg.set(team.team_id, orgId);
      this.ownChanges += 1;
    }
    const children = new Map<string, string[]>();
    for (const team of teams) {
      const parent = team.ancestor_team_ids?.at(-1);
      if (parent) children.set(parent, [...(children.get(parent) ?? []), team.team_id]);
    }
    for (const team of teams) {
      const ids = children.get(team.team_id) ?? [];
      this.teamChildren.set(team.team_id, ids.length);
      const known = this.childTeamIds.get(team.team_id);
      if (known && known.length === ids.length && known.every((id, i) => id === ids[i])) continue;
      if (this.childTeamIds.size >= 100_000 && !known) continue;
      this.childTeamIds.set(team.team_id, ids);
      this.ownChanges += 1;
    }
  }
}

interface TreeNode {
  id: string;
  parentId: string | null;
  childIds: string[];
}

interface OrgDetail {
  environments?: Array<{ id?: string }>;
}

interface ApiRow {
  id?: unknown;
  organizationId?: unknown;
}

interface UserRow {
  id?: unknown;
  username?: unknown;
  organizationId?: unknown;
}

interface TeamRow {
  team_id: string;
  ancestor_team_ids?: string[];
}
