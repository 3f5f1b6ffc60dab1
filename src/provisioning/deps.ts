import type { AnypointClient } from '../anypoint/client.js';
import type { AnypointUser } from '../anypoint/types.js';
import type { CacheKind } from '../loaders/read-through.js';
import type { Loaders } from '../loaders/index.js';
import type { GroupLinkStore } from './group-links.js';
import type { RemovalGuard } from './removal-guard.js';

/** What the operations read and write through. */
export interface OperationDeps {
  client: AnypointClient;
  rootOrgId: string;
  /**
   * Loaders that read past the shared cache (and refresh it): plans are made on current data. With
   * a request id, their calls carry it (and count against that request, for demand control).
   */
  fresh(requestId?: string): Loaders;
  /** The GraphQL request the operation runs for, when it runs for one. */
  requestId?: string;
  links: GroupLinkStore;
  /** Okta's safeguard: how large a removal a push may make without allowLargeRemoval. */
  removalGuard: RemovalGuard;
}

/** Cache entries that hold a user, directly or inside a listing. */
export const userEntries = (user: Pick<AnypointUser, 'id' | 'organizationId'>): Array<[CacheKind, string]> => [
  ['users', `id:${user.id}`],
  ['users', `org:${user.organizationId}`],
];

/** Cache entries that hold who is in a team. */
export const memberEntries = (orgId: string, teamId: string): Array<[CacheKind, string]> => [
  ['members', `team:${teamId}`],
  ['members', `byUser:${orgId}`],
];

/** Cache entries that hold a team or the org's team list. */
export const teamEntries = (orgId: string, teamId: string): Array<[CacheKind, string]> => [
  ['teams', `org:${orgId}`],
  ['teams', `id:${teamId}`],
  ...memberEntries(orgId, teamId),
];

/** Whether the org exists (a business group of the tree the connected app sees). */
export async function orgExists(loaders: Loaders, orgId: string): Promise<boolean> {
  return (await loaders.orgs.orgNodes()).some((n) => n.id === orgId);
}

/** The user in its org, or null; any other failure propagates. */
export async function findUser(loaders: Loaders, id: string, orgId: string | null): Promise<AnypointUser | null> {
  try {
    return await loaders.users.userById.load(orgId ? { id, orgId } : { id });
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return null;
    throw error;
  }
}
