import DataLoader from 'dataloader';
import { findUserByUsername, getUser, getUserAnywhere, listAllUsers } from '../anypoint/accounts.js';
import { PAGE_SIZE } from '../anypoint/pagination.js';
import type { AnypointUser } from '../anypoint/types.js';
import { notFound } from '../errors.js';
import { isNotFound, pagesFor, type LoaderDeps } from './deps.js';
import type { OrganizationLoaders } from './organizations.js';

export interface UserKey {
  id: string;
  /** The org the user belongs to, when the caller knows it. */
  orgId?: string;
}

/**
 * Users. Anypoint has no batch-by-ids endpoint, so each batch chooses per org between one GET
 * per user and one paged listing of the org, whichever costs fewer calls: 3 users of a
 * 10,000-user org are 3 GETs, 200 users are one listing.
 */
export function createUserLoaders(deps: LoaderDeps, orgs: OrganizationLoaders) {
  const { client, cache, call, rootOrgId } = deps;

  const usersOfOrg = (orgId: string) =>
    cache.get('users', `org:${orgId}`, async () => {
      const users = await listAllUsers(client, orgId, call);
      await cache.put('users', `total:${orgId}`, users.length);
      return users;
    });

  /** Whether listing the org is cheaper than `wanted` single GETs. */
  async function listingIsCheaper(orgId: string, wanted: number): Promise<boolean> {
    if (await cache.peek('users', `org:${orgId}`)) return true;
    const total = await cache.peek<number>('users', `total:${orgId}`);
    return total !== undefined ? pagesFor(total, PAGE_SIZE) < wanted : wanted > deps.singleGetLimit;
  }

  async function findInOrg(orgId: string, ids: string[]): Promise<Map<string, AnypointUser>> {
    const found = new Map<string, AnypointUser>();
    if (await listingIsCheaper(orgId, ids.length)) {
      const wanted = new Set(ids);
      for (const user of await usersOfOrg(orgId)) if (wanted.has(user.id)) found.set(user.id, user);
      return found;
    }
    await Promise.all(
      ids.map(async (id) => {
        try {
          found.set(id, await cache.get('users', `id:${id}`, () => getUser(client, orgId, id, call)));
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }),
    );
    return found;
  }

  /** Users by id alone, each with GET /users/{id} (official spec): one call whatever the org. */
  async function findAnywhere(ids: string[]): Promise<Map<string, AnypointUser>> {
    const found = new Map<string, AnypointUser>();
    await Promise.all(
      ids.map(async (id) => {
        try {
          const user = await cache.get('users', `id:${id}`, () => getUserAnywhere(client, id, call));
          if (user.id === id) found.set(id, user);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }),
    );
    return found;
  }

  /** Many users not in the root org: every other org's listing (cached) settles them all. */
  async function sweep(ids: string[], skipOrg: string): Promise<Map<string, AnypointUser>> {
    const wanted = new Set(ids);
    const found = new Map<string, AnypointUser>();
    const others = (await orgs.orgNodes()).filter((n) => n.id !== skipOrg);
    for (const users of await Promise.all(others.map((n) => usersOfOrg(n.id)))) {
      for (const user of users) if (wanted.has(user.id)) found.set(user.id, user);
    }
    return found;
  }

  /**
   * Calls the sweep would make: a listing page (at least one) of every org but `skipOrg`, none
   * for an org whose listing is cached. Asks for the hierarchy, which the sweep needs anyway.
   */
  async function sweepCost(skipOrg: string): Promise<number> {
    const others = (await orgs.orgNodes()).filter((n) => n.id !== skipOrg);
    const pages = await Promise.all(
      others.map(async (n) => {
        if (await cache.peek('users', `org:${n.id}`)) return 0;
        const total = await cache.peek<number>('users', `total:${n.id}`);
        return total === undefined ? 1 : pagesFor(total, PAGE_SIZE);
      }),
    );
    return pages.reduce((sum, n) => sum + n, 0);
  }

  /**
   * Users whose org is not known. A few are one GET /users/{id} each, wherever they are. Many
   * (more than SINGLE_GET_LIMIT, or the root listing already loaded) read the root org's listing
   * first, where most users are. Those not there are GETs again while they are fewer than the
   * sweep's pages (20 users of business groups: 20 GETs, not 50 listings), else the bounded
   * sweep: the hierarchy and one listing of every business group.
   */
  async function findUnplaced(ids: string[]): Promise<Map<string, AnypointUser>> {
    if (!(await listingIsCheaper(rootOrgId, ids.length))) return findAnywhere(ids);
    const found = await findInOrg(rootOrgId, ids);
    const rest = ids.filter((id) => !found.has(id));
    if (rest.length) {
      const oneByOne = rest.length <= deps.singleGetLimit || rest.length <= (await sweepCost(rootOrgId));
      (oneByOne ? await findAnywhere(rest) : await sweep(rest, rootOrgId)).forEach((u, id) => found.set(id, u));
    }
    return found;
  }

  /**
   * Users by id. With an org (a hint, or the org that references the user) that org is asked:
   * a GET each, or its listing when cheaper; the user must belong to it, or it is not found.
   * Without one, see findUnplaced.
   */
  const userById = new DataLoader<UserKey, AnypointUser, string>(
    deps.measured('users.userById', async (keys) => {
      const byOrg = new Map<string, string[]>();
      const unplaced = new Set<string>();
      for (const key of keys) {
        if (key.orgId) byOrg.set(key.orgId, [...(byOrg.get(key.orgId) ?? []), key.id]);
        else unplaced.add(key.id);
      }
      const found = new Map<string, AnypointUser>();
      const inOrgs = new Map<string, Map<string, AnypointUser>>();
      await Promise.all([
        ...[...byOrg].map(async ([orgId, ids]) => void inOrgs.set(orgId, await findInOrg(orgId, ids))),
        (async () => {
          if (unplaced.size) (await findUnplaced([...unplaced])).forEach((u, id) => found.set(id, u));
        })(),
      ]);
      return keys.map((k) => {
        const user = k.orgId ? inOrgs.get(k.orgId)?.get(k.id) : found.get(k.id);
        return user && (!k.orgId || user.organizationId === k.orgId) ? user : notFound('User', k.id);
      });
    }),
    { batchScheduleFn: deps.batchScheduleFn, cacheKeyFn: (key) => `${key.orgId ?? ''}/${key.id}` },
  );

  /** Far above any real username: a longer one is nobody's, and asked for it would only build a URL the platform refuses. */
  const MAX_USERNAME_LENGTH = 255;

  /** The user with exactly this username in the org: the users list's `search` (one call), unless the org's listing is cached. */
  async function searchIn(orgId: string, username: string): Promise<AnypointUser | null> {
    // The abuse suite's 900 KB username answered 431 from the platform: NOT_FOUND without a call instead.
    if (username.length > MAX_USERNAME_LENGTH) return null;
    const listed = await cache.peek<AnypointUser[]>('users', `org:${orgId}`);
    if (listed) return listed.find((u) => u.username === username) ?? null;
    // Not kept in the shared cache: a "no such user" answer would outlive the user's creation
    // (writes evict the org's listing, not per-username entries). The DataLoader dedupes within the request.
    return findUserByUsername(client, orgId, username, call);
  }

  /**
   * Anypoint has no lookup by username across organizations. A few usernames are searched for
   * (the users list's `search`, official spec): in the root org first, then, for those not
   * there, in every business group at once, a search each. Many usernames at once list the orgs
   * instead (a listing answers them all). Bounded either way: one call per org per username, at
   * most SINGLE_GET_LIMIT usernames searched.
   */
  const userByUsername = new DataLoader<string, AnypointUser>(deps.measured('users.userByUsername', async (usernames) => {
    const found = new Map<string, AnypointUser>();
    const searching = usernames.length <= deps.singleGetLimit;
    if (searching) {
      for (const [i, user] of (await Promise.all(usernames.map((u) => searchIn(rootOrgId, u)))).entries()) if (user) found.set(usernames[i]!, user);
    } else {
      for (const user of await usersOfOrg(rootOrgId)) found.set(user.username, user);
    }
    const missing = usernames.filter((u) => !found.has(u));
    if (missing.length) {
      const others = (await orgs.orgNodes()).filter((n) => n.id !== rootOrgId);
      if (searching) {
        const hits = await Promise.all(others.flatMap((n) => missing.map((u) => searchIn(n.id, u))));
        for (const user of hits) if (user) found.set(user.username, user);
      } else {
        for (const users of await Promise.all(others.map((n) => usersOfOrg(n.id)))) users.forEach((u) => found.set(u.username, u));
      }
    }
    return usernames.map((name) => found.get(name) ?? notFound('User', name));
  }), { batchScheduleFn: deps.batchScheduleFn });

  return { usersOfOrg, userById, userByUsername };
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;
