import { quote } from '../provisioning/validate.js';
import { findUserByUsername, searchUsers } from '../anypoint/accounts.js';
import type { AnypointUser } from '../anypoint/types.js';
import { sameEmail } from '../provisioning/user-steps.js';
import type { ScimDeps, ScimRequest } from './context.js';
import { mutability, notFound, ScimError, uniqueness } from './errors.js';
import { startAt } from '../changes/position.js';
import { readUserChanges } from '../changes/users.js';
import { equalityLookup, modifiedSinceLookup } from './filter.js';
import { listPage, type ListQuery } from './list-query.js';
import { resultOf } from './outcomes.js';
import { applyUserPatch, readPatchRequest } from './patch-ops.js';
import type { ScimRecord } from './records.js';
import { readUserInput, type UserInput } from './resource-bodies.js';
import { userGroups } from './user-groups.js';
import { toUserResource, type UserResource } from './user-resource.js';
import { ifMatchAllows } from './version.js';

/**
 * /Users over the provisioning engine. Every write goes through the same operations as the
 * GraphQL mutations (validated, audited, retried without duplicates); what SCIM adds is the
 * mapping, the record that keeps a SCIM id across username changes, and DELETE's meaning.
 */
type Found = { user: AnypointUser; record: ScimRecord | undefined; changedAt?: string };

const now = () => new Date().toISOString();

export function createScimUsers(deps: ScimDeps) {
  const { settings, records, provisioning, users: directory } = deps;
  const orgId = settings.orgId;
  /**
   * One write of a SCIM user at a time (across replicas with Redis): two concurrent userName
   * changes would each make a new Anypoint user from the same record, and leave one of them an
   * enabled account nobody's SCIM id names. Each write reads the user and its record inside.
   */
  const locked = <T>(key: string, run: () => Promise<T>) => deps.locks.withLock(`scim-user:${orgId}:${key}`, run);
  const org = { organizationId: orgId };

  async function resource(req: ScimRequest, found: Found, withGroups = false): Promise<UserResource> {
    const groups = withGroups ? await userGroups(deps, req.loaders, found.user.id) : undefined;
    return toUserResource(found.user, found.record, req.baseUrl, groups, found.changedAt);
  }

  /** A one-resource filter is answered by a lookup (one call, or none), not by listing everyone. */
  async function candidates(req: ScimRequest, query: ListQuery): Promise<Found[]> {
    const lookup = query.filter ? equalityLookup(query.filter, 'User') : null;
    const call = { requestId: req.call.requestId, signal: req.signal };
    const present = async (found: AnypointUser[]) => (await Promise.all(found.map((u) => directory.present(u)))).filter((f): f is Found => f !== null);
    switch (lookup?.attribute) {
      case 'id': {
        const found = await directory.find(req.loaders, lookup.value);
        return found ? [found] : [];
      }
      case 'userName': {
        const user = await findUserByUsername(deps.client, orgId, lookup.value, call);
        return user ? present([user]) : [];
      }
      case 'emails.value':
        return present((await searchUsers(deps.client, orgId, lookup.value, call)).filter((u) => sameEmail(u.email, lookup.value)));
      case 'externalId': {
        const matching = await records.findByExternalId('User', orgId, lookup.value);
        const found = await Promise.all(matching.map((r) => directory.find(req.loaders, r.id)));
        return found.filter((f): f is Found => f !== null);
      }
      default: {
        const since = query.filter ? modifiedSinceLookup(query.filter, 'User') : null;
        return since === null ? directory.list(req.loaders) : modifiedSince(req, since);
      }
    }
  }

  /**
   * The candidates of `meta.lastModified gt "T"` (or ge): the users the platform log says changed
   * since T (as they were after their last entry, with its time) and those whose record changed
   * since T, instead of listing and loading everyone. Users removed since T are not there (SCIM
   * lists only existing resources). Past the log's page budget, or without a feed, everyone is
   * listed, with the entry times read so far.
   */
  async function modifiedSince(req: ScimRequest, since: number): Promise<Found[]> {
    if (!deps.feed) return directory.list(req.loaders);
    const feed = { ...deps.feed, call: { signal: req.signal, requestId: req.call.requestId } };
    const [log, all] = await Promise.all([readUserChanges(feed, startAt(orgId, since), new Set([orgId])), records.list('User', orgId)]);
    const changedAt = (found: Found): Found => {
      const at = log.changed.get(found.user.id)?.at;
      return at ? { ...found, changedAt: at } : found;
    };
    if (!log.complete) return (await directory.list(req.loaders)).map(changedAt);
    const removed = new Set(log.removed);
    const fromLog = await directory.presentMany([...log.changed.values()].map((c) => c.user), all);
    // Records changed since T about users the log did not name (an externalId-only change): a
    // load each, through the cache.
    const recordOnly = all.filter((r) => !r.ended && r.anypointId && Date.parse(r.lastModified) >= since && !log.changed.has(r.anypointId) && !removed.has(r.anypointId));
    const loaded = await Promise.all(recordOnly.map((r) => directory.find(req.loaders, r.id)));
    return [...fromLog.map(changedAt), ...loaded.filter((f): f is Found => f !== null)];
  }

  async function current(req: ScimRequest, id: string): Promise<Found> {
    const found = await directory.find(req.fresh, id);
    if (!found) throw notFound(`User ${quote(id)} not found`);
    return found;
  }

  function checkVersion(req: ScimRequest, resource: UserResource) {
    const version = (resource.meta as { version: string }).version;
    if (!ifMatchAllows(req.ifMatch, version)) throw new ScimError(412, `The user has changed (its version is ${version}); read it again`);
  }

  /** Brings the Anypoint user to `desired`: username, then profile, then active, then the record. */
  async function apply(req: ScimRequest, found: Found, desired: UserInput, scimId: string): Promise<Found> {
    let { user } = found;
    if (!sameEmail(desired.email, user.email)) throw mutability('emails: the e-mail of an Anypoint user is set when it is created and can never change');
    let record = found.record;
    if (desired.userName !== user.username) {
      const renamed = resultOf(await provisioning.changeUsername({ id: user.id, ...org, newUsername: desired.userName }, req.call));
      const next = renamed!.user!;
      // A rename back to an earlier userName makes that user current again: it is no longer retired.
      const retired = [...(record?.retired ?? []), ...(next.id !== user.id ? [user.id] : [])].filter((id) => id !== next.id);
      record = { ...baseRecord(scimId, record), anypointId: next.id, retired, lastModified: now() };
      // Saved at once: the SCIM id must follow the new user even if a later step fails.
      await records.put(record);
      user = next;
    }
    const profile: Record<string, string | null> = {};
    if (desired.givenName.trim() !== user.firstName) profile.firstName = desired.givenName;
    if (desired.familyName.trim() !== user.lastName) profile.lastName = desired.familyName;
    if ((desired.phoneNumber || null) !== (user.phoneNumber || null)) profile.phoneNumber = desired.phoneNumber;
    if (Object.keys(profile).length) user = resultOf(await provisioning.updateUserProfile({ id: user.id, ...org, ...profile }, req.call))!.user!;
    if (desired.active !== undefined && desired.active !== user.enabled) {
      const change = desired.active ? provisioning.reactivateUser : provisioning.deactivateUser;
      user = resultOf(await change({ id: user.id, ...org }, req.call))!.user!;
    }
    if ((desired.externalId ?? null) !== (record?.externalId ?? null)) {
      record = { ...baseRecord(scimId, record), anypointId: user.id, externalId: desired.externalId, lastModified: now() };
      await records.put(record);
    }
    return { user, record };
  }

  /** The record as it is, or a new one for a user that had none. */
  function baseRecord(scimId: string, record: ScimRecord | undefined): ScimRecord {
    const at = now();
    return record ? { ...record } : { type: 'User', orgId, id: scimId, anypointId: scimId, retired: [], externalId: null, ended: false, created: at, lastModified: at };
  }

  return {
    async list(req: ScimRequest, query: ListQuery) {
      const found = await candidates(req, query);
      const withGroups = query.attributes?.some((a) => /(^|:)groups(\.|$)/i.test(a)) ?? false;
      if (!query.filter && !query.sortBy) {
        // An import page: in id order (listPage's own), so only the page's users are mapped, not
        // the whole org's for every page (which made an import quadratic in the org's size).
        const ids = found.map((f) => f.record?.id ?? f.user.id);
        const order = found.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
        const from = query.startIndex - 1;
        const window = query.count === 0 ? [] : order.slice(from, from + query.count).map((i) => found[i]!);
        const page = listPage(await Promise.all(window.map((f) => resource(req, f, withGroups))), { ...query, startIndex: 1 }, 'User');
        return { ...page, totalResults: found.length, startIndex: query.startIndex };
      }
      return listPage(await Promise.all(found.map((f) => resource(req, f, withGroups))), query, 'User');
    },

    async get(req: ScimRequest, id: string, withGroups: boolean) {
      const found = await directory.find(req.loaders, id);
      if (!found) throw notFound(`User ${quote(id)} not found`);
      return resource(req, found, withGroups);
    },

    /**
     * POST: a new Anypoint user, or (Okta's re-assign) the user a DELETE ended, linked and
     * reactivated. Anyone else with that userName is a 409, which is also what a retry after a
     * lost response gets: never a second user.
     */
    async create(req: ScimRequest, body: unknown): Promise<UserResource> {
      const input = readUserInput(body, 'create');
      return locked(`name:${input.userName}`, () => createLocked(req, input));
    },

    replace: (req: ScimRequest, id: string, body: unknown) => locked(id, () => replaceLocked(req, id, body)),
    patch: (req: ScimRequest, id: string, body: unknown) => locked(id, () => patchLocked(req, id, body)),
    remove: (req: ScimRequest, id: string) => locked(id, () => removeLocked(req, id)),
  };

  async function createLocked(req: ScimRequest, input: UserInput): Promise<UserResource> {
    const outcome = await provisioning.createUser(
      { ...org, username: input.userName, firstName: input.givenName, lastName: input.familyName, email: input.email, phoneNumber: input.phoneNumber },
      req.call,
    );
    const user = resultOf(outcome)!.user!;
    // No write planned: the same person was there already.
    const existed = outcome.plan.length === 0;
    const record = await records.findByAnypointId(orgId, user.id);
    if (existed && !(record?.ended && record.anypointId === user.id)) {
      throw uniqueness(`userName: ${input.userName} is already a user of this organization`);
    }
    const at = now();
    const start: ScimRecord = record
      ? { ...record, ended: false, lastModified: at }
      : { type: 'User', orgId, id: user.id, anypointId: user.id, retired: [], externalId: input.externalId, ended: false, created: at, lastModified: at };
    await records.put(start);
    const found = await apply(req, { user, record: start }, input, start.id);
    return resource(req, found);
  }

  async function replaceLocked(req: ScimRequest, id: string, body: unknown) {
    const found = await current(req, id);
    checkVersion(req, await resource(req, found));
    const input = readUserInput(body, 'replace');
    return resource(req, await apply(req, found, input, id));
  }

  async function patchLocked(req: ScimRequest, id: string, body: unknown) {
    const operations = readPatchRequest(body);
    const found = await current(req, id);
    const before = await resource(req, found);
    checkVersion(req, before);
    const desired = readUserInput(applyUserPatch(before, operations), 'replace');
    return resource(req, await apply(req, found, desired, id));
  }

  /**
   * DELETE ends the SCIM resource. The Anypoint user is deactivated, not deleted, unless
   * SCIM_DELETE_USERS=delete: its username could never be used again.
   */
  async function removeLocked(req: ScimRequest, id: string): Promise<void> {
    const found = await current(req, id);
    checkVersion(req, await resource(req, found));
    if (settings.deleteUsers === 'delete') resultOf(await provisioning.deleteUser({ id: found.user.id, ...org }, req.call));
    else if (found.user.enabled) resultOf(await provisioning.deactivateUser({ id: found.user.id, ...org }, req.call));
    await records.put({ ...baseRecord(id, found.record), anypointId: found.user.id, ended: true, lastModified: now() });
  }
}

export type ScimUsers = ReturnType<typeof createScimUsers>;
