import type { AnypointAuditEntry } from '../anypoint/audit-log.js';
import type { DriftItem } from '../provisioning/drift.js';
import { readFeed, type FeedDeps } from './feed.js';
import { startAt } from './position.js';

/**
 * What caused each difference between a group's last push and its team now: the platform log's
 * last entry about the team or the member since the push (a hand change in Anypoint, another
 * app, or the gateway's own app). One read of the log from the push, however many differences.
 */

export interface DriftCause {
  /** An Anypoint user's username, or `app:<client id>` for a connected app. */
  actor: string;
  at: string;
  source: 'GATEWAY' | 'ANYPOINT';
}

/** Pages of the platform log one group's causes may read (200 entries each). */
const MAX_PAGES = 5;

const itemKey = (kind: string, userId: string | null) => `${kind}|${userId ?? ''}`;

/** The entry kinds that explain each difference. */
function explains(entry: AnypointAuditEntry, teamId: string): string[] {
  if (entry.objectType === 'TeamMember' && entry.parentId === teamId) {
    return entry.action === 'Remove'
      ? [itemKey('MEMBER_REMOVED', entry.objectId)]
      : ['MEMBER_ADDED', 'MAINTAINER_ADDED', 'ASSIGNED_VIA_EXTERNAL_GROUPS', 'MEMBERSHIP_TYPE_CHANGED'].map((kind) => itemKey(kind, entry.objectId));
  }
  if (entry.objectType === 'Team' && entry.objectId === teamId) {
    if (entry.action === 'Update') return [itemKey('TEAM_RENAMED', null)];
    if (entry.action === 'Move') return [itemKey('TEAM_MOVED', null)];
    if (entry.action === 'Delete') return [itemKey('TEAM_DELETED', null)];
  }
  return [];
}

export async function driftCauses(deps: FeedDeps, orgId: string, teamId: string, since: string): Promise<(item: DriftItem) => DriftCause | null> {
  const found = new Map<string, DriftCause>();
  const from = Date.parse(since);
  if (Number.isNaN(from)) return () => null;
  await readFeed(deps, startAt(orgId, from), {
    first: Number.POSITIVE_INFINITY,
    orgIds: new Set([orgId]),
    keep: () => false,
    platformOnly: true,
    objectTypes: ['TeamMember', 'Team'],
    maxPlatformPages: MAX_PAGES,
    onEntry: (entry) => {
      const own = entry.clientId === deps.ownClientId && !entry.userId;
      const cause: DriftCause = { actor: entry.userName ?? `app:${entry.clientId ?? 'unknown'}`, at: new Date(Date.parse(entry.timestamp)).toISOString(), source: own ? 'GATEWAY' : 'ANYPOINT' };
      // The last entry wins: it is the one that left the team as it is.
      for (const key of explains(entry, teamId)) found.set(key, cause);
    },
  });
  return (item) => found.get(itemKey(item.kind, item.userId)) ?? null;
}
