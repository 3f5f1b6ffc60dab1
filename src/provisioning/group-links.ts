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
  /** ISO-8601: when the link was last set (the team it names chosen). */
  updatedAt: string;
  /**
   * What the last successful push or change of the group left the team as, for drift (what
   * differs between it and the team now). Absent on links written before it was kept, until
   * the group is pushed again.
   */
  pushed?: PushedState;
}

export type PushedMembershipType = 'member' | 'maintainer';

export interface PushedMember {
  userId: string;
  membershipType: PushedMembershipType;
}

/** The group as the gateway last pushed it: its members in the team, the team's name and parent. */
export interface PushedState {
  /**
   * The group's own members, with the membership type each had in the team after the push.
   * Maintainers a push kept although the group does not list them (added by hand) are not here.
   */
  members: PushedMember[];
  teamName: string;
  /** The team's parent (the root team for a team a push created); null when not known. */
  parentTeamId: string | null;
  /** ISO-8601: when the push finished. */
  at: string;
}

/** A team a push is about to create for its group, recorded before the create is sent. */
export interface TeamClaim {
  orgId: string;
  groupId: string;
  teamName: string;
}

export interface GroupLinkStore {
  readonly backend: 'file' | 'postgres';
  get(orgId: string, groupId: string): Promise<GroupLink | undefined>;
  /** The group linked to the team; the most recently set one should several be. */
  findByTeam(orgId: string, teamId: string): Promise<GroupLink | undefined>;
  /** Every link of the org (SCIM /Groups lists them), ordered by groupId in UTF-16 code units, alike in both backends. */
  list(orgId: string): Promise<GroupLink[]>;
  /** Durable when it resolves. Replaces any link of the same (orgId, groupId), and clears its claim. */
  set(link: { orgId: string; groupId: string; teamId: string }): Promise<void>;
  /**
   * Durable when it resolves. Records what a successful push left the group's team as (`at` is
   * now), on the group's link; nothing when the group has no link (it was deleted meanwhile).
   */
  recordPush(orgId: string, groupId: string, pushed: Omit<PushedState, 'at'>): Promise<void>;
  /** Forgets the link of the group and its claim. */
  delete(orgId: string, groupId: string): Promise<void>;
  /**
   * Durable when it resolves. A push that was stopped between creating its team and linking it
   * finds the claim on its re-run, and so knows that the team of that name is its own and not one
   * made by hand (which it may only adopt when told to). Replaces an earlier claim of the group.
   */
  claimTeam(claim: TeamClaim): Promise<void>;
  /** The name of the team claimed for the group and not linked since. */
  claimedTeamName(orgId: string, groupId: string): Promise<string | undefined>;
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

/** Code-unit order, not locale or collation order: the same answer in both backends. */
export const byGroupId = (a: GroupLink, b: GroupLink): number => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0);

export function openGroupLinkStore(options: GroupLinkStoreOptions): Promise<GroupLinkStore> {
  if (options.databaseUrl) return openPostgresGroupLinkStore({ databaseUrl: options.databaseUrl, onError: options.onError });
  return openFileGroupLinkStore(options.path);
}
