import type { AnypointAuditEntry } from '../anypoint/audit-log.js';
import type { AuditRecord } from '../audit/types.js';

/**
 * One change to the platform, from either of two logs: the platform's own audit log (everything
 * Anypoint accepted, whoever made it) and the gateway's audit trail (what went through the
 * gateway's GraphQL mutations or its SCIM service, with the gateway caller who asked).
 */

export type ChangeSource = 'GATEWAY' | 'SCIM' | 'ANYPOINT';

export type ChangeEntityType = 'USER' | 'TEAM' | 'MEMBERSHIP' | 'TEAM_ROLE' | 'ENVIRONMENT' | 'ROLE_GROUP_MEMBERSHIP' | 'USER_ROLE' | 'GROUP' | 'OTHER';

export interface Change {
  /** `anypoint:<entry id>` or `gateway:<record id>`. */
  id: string;
  /** ISO-8601. */
  at: string;
  source: ChangeSource;
  /** `user:<username>` or `app:<client id>` for the platform's entries; the gateway caller (`key:NAME`, `jwt:SUBJECT`) for the gateway's. */
  actor: string;
  /** The platform's action (Create, Update, Delete, Add, Remove, Move), or the gateway's mutation (createUser, pushGroup, ...). */
  action: string;
  entityType: ChangeEntityType;
  entityId: string;
  entityName: string | null;
  organizationId: string;
  /** A membership's team, a team's parent, a role's team or user. */
  parentId: string | null;
  detail: Record<string, unknown> | null;
}

const ENTITY_OF_OBJECT: Record<string, ChangeEntityType> = {
  User: 'USER',
  Team: 'TEAM',
  TeamMember: 'MEMBERSHIP',
  TeamRole: 'TEAM_ROLE',
  Environment: 'ENVIRONMENT',
  RoleGroupMember: 'ROLE_GROUP_MEMBERSHIP',
  UserRole: 'USER_ROLE',
};

export function fromPlatform(entry: AnypointAuditEntry): Change {
  return {
    id: `anypoint:${entry.id}`,
    at: new Date(Date.parse(entry.timestamp)).toISOString(),
    source: 'ANYPOINT',
    actor: entry.userName ? `user:${entry.userName}` : `app:${entry.clientId ?? 'unknown'}`,
    action: entry.action,
    entityType: ENTITY_OF_OBJECT[entry.objectType] ?? 'OTHER',
    entityId: entry.objectId,
    entityName: entry.objectName ?? null,
    organizationId: entry.organizationId,
    parentId: entry.parentId ?? null,
    detail: entry.properties && Object.keys(entry.properties).length ? entry.properties : null,
  };
}

/** The gateway's mutations by what they change. */
const ENTITY_OF_ACTION: Record<string, ChangeEntityType> = {
  createUser: 'USER',
  updateUserProfile: 'USER',
  deactivateUser: 'USER',
  reactivateUser: 'USER',
  changeUsername: 'USER',
  deleteUser: 'USER',
  pushGroup: 'GROUP',
  patchGroup: 'GROUP',
  unlinkGroup: 'GROUP',
  deleteGroup: 'GROUP',
};

/** A finished gateway write (an outcome record that wrote something), else null. */
export function fromGateway(record: AuditRecord, rootOrgId: string): Change | null {
  if (record.kind !== 'outcome' || (record.status !== 'SUCCEEDED' && record.status !== 'FAILED')) return null;
  const planned = Array.isArray(record.plan) ? record.plan.length : 0;
  if (planned === 0) return null;
  const input = (record.input ?? {}) as Record<string, unknown>;
  const colon = record.target.indexOf(':');
  // The result names what was written (the user made, the group's team); the target is what was asked.
  // User mutations summarize as the user ({id, username}), changeUsername as {previousUser, user}, groups as {groupId, teamId}.
  const result = (record.result ?? {}) as { id?: string; username?: string; user?: { id?: string; username?: string } | null; teamId?: string | null; deletedUserId?: string | null };
  const user = result.user ?? (typeof result.id === 'string' ? { id: result.id, username: result.username } : null);
  const target = colon === -1 ? record.target : record.target.slice(colon + 1);
  return {
    id: `gateway:${record.id}`,
    at: record.at,
    source: input.request ? 'SCIM' : 'GATEWAY',
    actor: record.actor,
    action: record.action,
    entityType: ENTITY_OF_ACTION[record.action] ?? 'OTHER',
    entityId: user?.id ?? result.teamId ?? result.deletedUserId ?? target,
    entityName: user?.username ?? null,
    organizationId: typeof input.organizationId === 'string' ? input.organizationId : rootOrgId,
    parentId: null,
    detail: { status: record.status, writes: planned },
  };
}
