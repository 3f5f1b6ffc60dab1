import { queryAuditLog, type AnypointAuditEntry } from '../anypoint/audit-log.js';
import type { AnypointClient } from '../anypoint/client.js';
import type { AuditLog } from '../audit/types.js';
import { fromGateway, fromPlatform, type Change } from './change.js';
import { passPlatform, type FeedPosition } from './position.js';

/**
 * The change feed of an organization (and its business groups): the platform's audit log merged
 * with the gateway's audit trail, oldest first.
 *
 * Merging: a write the gateway made shows in both logs. The trail's record says more (which
 * gateway caller, through GraphQL or SCIM, the whole plan), so the platform's entries made with
 * the gateway's own connected app and no signed-in user are left out: every write by that app is
 * the gateway's. (Another tool sharing the gateway's app credentials would be hidden the same
 * way; give each tool its own connected app.)
 *
 * Bounds: one read makes at most `maxPlatformPages` calls (200 entries each) and reads at most as
 * many trail records; past either it stops where it got to and says there is more, so a caller
 * pages on (through empty pages, when a filter keeps nothing) until the feed is current.
 */

export interface FeedDeps {
  client: AnypointClient;
  trail: AuditLog;
  rootOrgId: string;
  /** The gateway's own connected app: its entries in the platform log are the gateway's writes. */
  ownClientId: string;
  call: { signal?: AbortSignal; requestId?: string };
}

export interface FeedRead {
  changes: Change[];
  /** The position right after each change (an edge's cursor). */
  positions: FeedPosition[];
  position: FeedPosition;
  /** False once both logs had nothing more: the position is then a token for next time. */
  hasMore: boolean;
  platformCalls: number;
}

export interface FeedOptions {
  /** Changes wanted (after `keep`). */
  first: number;
  /** The organization and its business groups, whose changes belong to the feed. */
  orgIds: ReadonlySet<string>;
  keep?: (change: Change) => boolean;
  maxPlatformPages?: number;
  /** Platform object types to ask for (all when absent). */
  objectTypes?: string[];
  /** Read the platform log only (the incremental import wants every platform change, the gateway's included). */
  platformOnly?: boolean;
  versioned?: boolean;
  /** Told every platform entry read, the dropped ones included. */
  onEntry?: (entry: AnypointAuditEntry) => void;
}

const TRAIL_PAGE = 200;

export async function readFeed(deps: FeedDeps, start: FeedPosition, options: FeedOptions): Promise<FeedRead> {
  const position: FeedPosition = { ...start, platform: { at: start.platform.at, ids: [...start.platform.ids] } };
  const maxPages = options.maxPlatformPages ?? 10;
  const skip = new Set(start.platform.ids);

  // The platform side: pages fetched on demand, by the platform's cursor within this read.
  let platformBuffer: AnypointAuditEntry[] = [];
  let platformCursor: string | undefined;
  let platformDone = false;
  let platformCalls = 0;
  const fillPlatform = async () => {
    while (!platformBuffer.length && !platformDone) {
      if (platformCalls >= maxPages) return;
      platformCalls += 1;
      const page = await queryAuditLog(
        deps.client,
        position.org,
        { startDate: start.platform.at, objectTypes: options.objectTypes, cursor: platformCursor },
        { versioned: options.versioned, ...deps.call },
      );
      if (!page.data.length || !page.cursor) platformDone = true;
      platformCursor = page.cursor;
      // The first page restarts at the position's time: skip what was read at that time before.
      platformBuffer = page.data.filter((e) => !(Date.parse(e.timestamp) === start.platform.at && skip.has(e.id)));
    }
  };

  // The gateway side: its trail, by its own cursor.
  let trailBuffer: Array<{ change: Change | null; cursor: string; at: number }> = [];
  let trailDone = options.platformOnly === true;
  let trailRead = 0;
  const fillTrail = async () => {
    while (!trailBuffer.length && !trailDone) {
      if (trailRead >= maxPages * TRAIL_PAGE) return;
      const page = await deps.trail.query(position.trail === null ? { from: new Date(position.from) } : {}, TRAIL_PAGE, position.trail);
      trailRead += page.records.length;
      if (!page.hasNextPage) trailDone = true;
      trailBuffer = page.records.map((record, i) => ({ change: fromGateway(record, deps.rootOrgId), cursor: page.cursors[i]!, at: Date.parse(record.at) }));
      if (!page.records.length) trailDone = true;
    }
  };

  const changes: Change[] = [];
  const positions: FeedPosition[] = [];
  const take = (change: Change | null) => {
    if (change && options.orgIds.has(change.organizationId) && (options.keep?.(change) ?? true)) {
      changes.push(change);
      positions.push({ ...position, platform: { at: position.platform.at, ids: [...position.platform.ids] } });
    }
  };
  while (changes.length < options.first) {
    await Promise.all([fillPlatform(), fillTrail()]);
    const p = platformBuffer[0];
    const t = trailBuffer[0];
    if (!p && !t) break;
    const pAt = p ? Date.parse(p.timestamp) : Number.POSITIVE_INFINITY;
    // Stopped by its page budget, a side with nothing buffered must not let the other run past it.
    if (!p && !platformDone) break;
    if (!t && !trailDone) break;
    if (p && (!t || pAt <= t.at)) {
      platformBuffer.shift();
      passPlatform(position, pAt, p.id);
      options.onEntry?.(p);
      const own = !options.platformOnly && p.clientId === deps.ownClientId && !p.userId;
      if (!own) take(fromPlatform(p));
    } else if (t) {
      trailBuffer.shift();
      position.trail = t.cursor;
      take(t.change);
    }
  }
  const hasMore = platformBuffer.length > 0 || !platformDone || trailBuffer.length > 0 || !trailDone;
  return { changes, positions, position, hasMore, platformCalls };
}
