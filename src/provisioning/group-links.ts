import { openFileGroupLinkStore } from './group-links-file.js';
import { openPostgresGroupLinkStore } from './group-links-postgres.js';

/**
 * Which Anypoint team an identity provider's group was pushed as. pushGroup reads it to update
 * the same team on the next push (even after a rename), so it must outlive the process.
 */
export interface GroupLink {
  orgId: string;
  groupId: string;
  teamId: string;
  /** ISO-8601. */
  updatedAt: string;
}

export interface GroupLinkStore {
  readonly backend: 'file' | 'postgres';
  get(orgId: string, groupId: string): Promise<GroupLink | undefined>;
  /** The group linked to the team; the most recently set one should several be. */
  findByTeam(orgId: string, teamId: string): Promise<GroupLink | undefined>;
  /** Durable when it resolves. Replaces any link of the same (orgId, groupId). */
  set(link: { orgId: string; groupId: string; teamId: string }): Promise<void>;
  delete(orgId: string, groupId: string): Promise<void>;
  close(): Promise<void>;
}

export interface GroupLinkStoreOptions {
  /** The JSON file, used when databaseUrl is null. */
  path: string;
  /** PostgreSQL, shared by replicas. */
  databaseUrl: string | null;
  /** PostgreSQL connection failures outside a call. */
  onError?: (error: unknown) => void;
}

export function openGroupLinkStore(options: GroupLinkStoreOptions): Promise<GroupLinkStore> {
  if (options.databaseUrl) return openPostgresGroupLinkStore({ databaseUrl: options.databaseUrl, onError: options.onError });
  return openFileGroupLinkStore(options.path);
}
