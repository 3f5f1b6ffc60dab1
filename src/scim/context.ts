import type { AnypointClient } from '../anypoint/client.js';
import type { FeedDeps } from '../changes/feed.js';
import type { Loaders } from '../loaders/index.js';
import type { GroupLinkStore } from '../provisioning/group-links.js';
import type { Provisioning } from '../provisioning/index.js';
import type { LockManager } from '../provisioning/locks.js';
import type { CallInfo } from '../provisioning/runner.js';
import type { UserDirectory } from './directory.js';
import type { ScimRecordStore } from './records.js';

/** What SCIM_DELETE_USERS and SCIM_DELETE_GROUPS choose. */
export interface ScimSettings {
  /** The business group SCIM provisions (SCIM_ORGANIZATION_ID; the root by default). */
  orgId: string;
  /** DELETE /Users: deactivate (the default: usernames are never reusable) or delete. */
  deleteUsers: 'deactivate' | 'delete';
  /** DELETE /Groups: delete the team (the default) or only unlink it. */
  deleteGroups: 'delete' | 'unlink';
}

/** What lives as long as the gateway. */
export interface ScimDeps {
  settings: ScimSettings;
  client: AnypointClient;
  records: ScimRecordStore;
  links: GroupLinkStore;
  provisioning: Provisioning;
  /** Serializes the writes of one SCIM user (a rename is several steps and a record update). */
  locks: LockManager;
  users: UserDirectory;
  /**
   * The change feed's dependencies but the per-request call (as the GraphQL context has them):
   * what `meta.lastModified gt` filters read instead of listing every user. Null: no feed, list.
   */
  feed: Omit<FeedDeps, 'call'> | null;
}

/** One SCIM request. */
export interface ScimRequest {
  /** The absolute URL of /scim/v2, for Location and $ref. */
  baseUrl: string;
  /** The caller and request id every write is audited with (and the request itself). */
  call: CallInfo;
  /** Reads through the shared cache (lists, GETs). */
  loaders: Loaders;
  /** Reads past it: what a write is planned on. */
  fresh: Loaders;
  /** The If-Match header, when sent. */
  ifMatch: string | undefined;
  signal: AbortSignal;
}
