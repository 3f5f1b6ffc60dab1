import type { AnypointUser } from '../anypoint/types.js';
import type { Loaders } from '../loaders/index.js';
import type { ScimRecord, ScimRecordStore } from './records.js';

/**
 * Which Anypoint user a SCIM User id means, and back. A user the gateway never renamed has its
 * Anypoint id as its SCIM id and needs no record; a record keeps the SCIM id of a user whose
 * username changed (its Anypoint id changed with it), the ids it had before (deactivated users,
 * hidden from /Users so one person is listed once), its externalId, and whether DELETE ended it.
 */
export interface UserDirectory {
  /** Every live SCIM user of the org, with its record. */
  list(loaders: Loaders): Promise<Array<{ user: AnypointUser; record: ScimRecord | undefined }>>;
  /** The user behind a SCIM id, or null when there is none (never was, ended, or a retired id). */
  find(loaders: Loaders, scimId: string): Promise<{ user: AnypointUser; record: ScimRecord | undefined } | null>;
  /** The user as a SCIM resource shows it, or null when it is hidden (retired by a rename, or ended). */
  present(user: AnypointUser): Promise<{ user: AnypointUser; record: ScimRecord | undefined } | null>;
  /** present() for many users, reading the records once (not once per user). */
  presentMany(users: AnypointUser[], all?: ScimRecord[]): Promise<Array<{ user: AnypointUser; record: ScimRecord | undefined }>>;
  /** The Anypoint user id each SCIM id means now (ids of ended or retired resources map to null). */
  anypointIds(scimIds: string[]): Promise<Map<string, string | null>>;
  /** Anypoint user id -> SCIM id, for member lists; null for a user no live resource shows (retired by a rename, or ended). */
  scimIdMapper(): Promise<(anypointId: string) => string | null>;
  /**
   * Every Anypoint user a SCIM id has stood for (its current user and those its renames retired,
   * ended or not): what removing it from a group must take out of the team.
   */
  everyAnypointId(scimIds: string[]): Promise<string[]>;
}

export function createUserDirectory(records: ScimRecordStore, orgId: string): UserDirectory {
  /**
   * Live records by their current Anypoint id, and the Anypoint ids no live resource shows: those
   * of ended resources, and those a rename retired (unless a rename back made one current again).
   */
  async function recordsByAnypointId(listed?: ScimRecord[]) {
    const all = listed ?? (await records.list('User', orgId));
    const current = new Map<string, ScimRecord>();
    for (const record of all) if (!record.ended && record.anypointId) current.set(record.anypointId, record);
    const hidden = new Set<string>();
    for (const record of all) {
      for (const id of [...record.retired, ...(record.ended && record.anypointId ? [record.anypointId] : [])]) if (!current.has(id)) hidden.add(id);
    }
    return { current, hidden };
  }

  async function find(loaders: Loaders, scimId: string) {
    const record = await records.get('User', orgId, scimId);
    if (record) {
      if (record.ended || !record.anypointId) return null;
      const user = await loadUser(loaders, record.anypointId, orgId);
      return user && { user, record };
    }
    // No record under this id: it is an Anypoint id, unless a record has since claimed or retired it.
    if (await records.findByAnypointId(orgId, scimId)) return null;
    const user = await loadUser(loaders, scimId, orgId);
    return user && { user, record: undefined };
  }

  return {
    async list(loaders) {
      const [users, { current, hidden }] = await Promise.all([loaders.users.usersOfOrg(orgId), recordsByAnypointId()]);
      return users.filter((u) => !hidden.has(u.id)).map((user) => ({ user, record: current.get(user.id) }));
    },
    find,
    async present(user) {
      const record = await records.findByAnypointId(orgId, user.id);
      if (!record) return { user, record: undefined };
      return record.ended || record.anypointId !== user.id ? null : { user, record };
    },
    async presentMany(users, all) {
      if (!users.length) return [];
      const { current, hidden } = await recordsByAnypointId(all);
      return users.filter((u) => !hidden.has(u.id)).map((user) => ({ user, record: current.get(user.id) }));
    },
    async anypointIds(scimIds) {
      const result = new Map<string, string | null>();
      await Promise.all(
        [...new Set(scimIds)].map(async (scimId) => {
          const record = await records.get('User', orgId, scimId);
          if (record) return result.set(scimId, record.ended ? null : record.anypointId);
          const owner = await records.findByAnypointId(orgId, scimId);
          return result.set(scimId, owner ? null : scimId);
        }),
      );
      return result;
    },
    async scimIdMapper() {
      const { current, hidden } = await recordsByAnypointId();
      return (anypointId) => current.get(anypointId)?.id ?? (hidden.has(anypointId) ? null : anypointId);
    },
    async everyAnypointId(scimIds) {
      const ids = await Promise.all(
        [...new Set(scimIds)].map(async (scimId) => {
          const record = await records.get('User', orgId, scimId);
          if (record) return [...(record.anypointId ? [record.anypointId] : []), ...record.retired];
          return (await records.findByAnypointId(orgId, scimId)) ? [] : [scimId];
        }),
      );
      return [...new Set(ids.flat())];
    },
  };
}

async function loadUser(loaders: Loaders, id: string, orgId: string): Promise<AnypointUser | null> {
  try {
    return await loaders.users.userById.load({ id, orgId });
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return null;
    throw error;
  }
}
