import type { AnypointAuditEntry } from '../anypoint/audit-log.js';
import type { AnypointUser } from '../anypoint/types.js';
import { readFeed, type FeedDeps } from './feed.js';
import type { FeedPosition } from './position.js';

/**
 * The users changed since a position, from the platform log's User entries alone (the gateway's
 * own writes included: they are changes too), each user's last entry kept with the user as it was
 * after it (versioned objects): one call per 200 entries plus the empty page that says the log is
 * current, instead of listing every user. What users(changedSince) and SCIM's
 * `meta.lastModified gt` filters are built on.
 */
export const USER_CHANGES_MAX_PAGES = 50;

export interface UserChanges {
  /** Users changed and still there, by Anypoint id: as after their last entry, and its time. */
  changed: Map<string, { user: AnypointUser; at: string }>;
  /** Anypoint ids of users removed since then. */
  removed: string[];
  /** Where the read ended: a token for next time. */
  position: FeedPosition;
  /** False when the log held more than the page budget: the answer is then partial. */
  complete: boolean;
  platformCalls: number;
}

export async function readUserChanges(deps: FeedDeps, start: FeedPosition, orgIds: ReadonlySet<string>, maxPages = USER_CHANGES_MAX_PAGES): Promise<UserChanges> {
  const latest = new Map<string, AnypointAuditEntry>();
  const read = await readFeed(deps, start, {
    first: Number.POSITIVE_INFINITY,
    orgIds,
    keep: () => false,
    platformOnly: true,
    versioned: true,
    objectTypes: ['User'],
    maxPlatformPages: maxPages,
    onEntry: (entry) => {
      if (orgIds.has(entry.organizationId)) latest.set(entry.objectId, entry);
    },
  });
  const changed = new Map<string, { user: AnypointUser; at: string }>();
  const removed: string[] = [];
  for (const [id, entry] of latest) {
    const user = entry.versionedObject as AnypointUser | null | undefined;
    if (entry.action === 'Delete' || !user || user.deleted) removed.push(id);
    else changed.set(id, { user, at: entry.timestamp });
  }
  return { changed, removed, position: read.position, complete: !read.hasMore, platformCalls: read.platformCalls };
}

/**
 * When each team last changed since a position, by the platform log's Team and TeamMember entries
 * (a member added or removed by hand changes the team's group): one pass, bounded like
 * readUserChanges. `complete` false: later entries were not read.
 */
export async function readTeamChangeTimes(deps: FeedDeps, start: FeedPosition, orgIds: ReadonlySet<string>, maxPages = USER_CHANGES_MAX_PAGES): Promise<{ times: Map<string, string>; complete: boolean }> {
  const times = new Map<string, string>();
  const read = await readFeed(deps, start, {
    first: Number.POSITIVE_INFINITY,
    orgIds,
    keep: () => false,
    platformOnly: true,
    objectTypes: ['Team', 'TeamMember'],
    maxPlatformPages: maxPages,
    onEntry: (entry) => {
      if (!orgIds.has(entry.organizationId)) return;
      const teamId = entry.objectType === 'Team' ? entry.objectId : entry.parentId;
      if (teamId) times.set(teamId, entry.timestamp);
    },
  });
  return { times, complete: !read.hasMore };
}
