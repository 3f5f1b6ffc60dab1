import type { AuthInfo } from './http.js';
import type { AuditLogEntry } from './model.js';
import type { SimStore } from './store.js';
import { teamView } from './views.js';

/**
 * Records every write the simulator accepts into its audit log, as the platform's Audit Log
 * Query API shows them: whoever made it (the gateway's connected app, or an admin signed in and
 * editing by hand), what it did to which object, and the object right after. Writes are told
 * here by their route template after the handler succeeded, so a write that failed leaves no
 * entry and a write whose answer was lost (the drop fault) still does, as on the platform.
 */

const ORG = '/accounts/api/organizations/{orgId}';
const USERS = `${ORG}/users`;
const TEAMS = `${ORG}/teams`;
const ENVS = `${ORG}/environments`;

export interface AcceptedWrite {
  method: string;
  template: string;
  params: Record<string, string>;
  body: unknown;
  response: { status: number; body?: unknown };
  auth: AuthInfo | null;
  requestId: string | null;
}

type Draft = Pick<AuditLogEntry, 'objectType' | 'objectId' | 'objectName' | 'parentId' | 'action' | 'properties' | 'object'> & { platform?: AuditLogEntry['platform'] };

const userObject = (store: SimStore, id: string) => {
  const user = store.users.get(id);
  if (!user || user.deleted) return null;
  const { password: _password, ...visible } = user;
  return visible as unknown as Record<string, unknown>;
};

const teamObject = (store: SimStore, id: string) => {
  const team = store.teams.get(id);
  return team ? (teamView(store, team) as unknown as Record<string, unknown>) : null;
};

const bodyKeys = (body: unknown): Record<string, unknown> =>
  body && typeof body === 'object' && !Array.isArray(body)
    ? Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([key]) => key !== 'password'))
    : {};

const idOf = (body: unknown, field: string): string => String((body as Record<string, unknown> | undefined)?.[field] ?? '');

function draftsOf(store: SimStore, write: AcceptedWrite): Draft[] {
  const { method, template, params, body, response } = write;
  const key = `${method} ${template}`;
  const userName = (id: string) => store.users.get(id)?.username ?? null;
  const teamName = (id: string) => store.teams.get(id)?.team_name ?? null;
  switch (key) {
    case `POST ${USERS}`: {
      const id = idOf(response.body, 'id');
      return [{ objectType: 'User', objectId: id, objectName: userName(id), parentId: null, action: 'Create', properties: bodyKeys(body), object: userObject(store, id) }];
    }
    case `PUT ${USERS}/{userId}`:
      return [{ objectType: 'User', objectId: params.userId!, objectName: userName(params.userId!), parentId: null, action: 'Update', properties: bodyKeys(body), object: userObject(store, params.userId!) }];
    case `DELETE ${USERS}/{userId}`:
      return [{ objectType: 'User', objectId: params.userId!, objectName: userName(params.userId!), parentId: null, action: 'Delete', properties: {}, object: null }];
    case `POST ${TEAMS}`: {
      const id = idOf(response.body, 'team_id');
      return [{ objectType: 'Team', objectId: id, objectName: teamName(id), parentId: store.teams.get(id)?.parentId ?? null, action: 'Create', properties: bodyKeys(body), object: teamObject(store, id) }];
    }
    case `PATCH ${TEAMS}/{teamId}`:
      return [{ objectType: 'Team', objectId: params.teamId!, objectName: teamName(params.teamId!), parentId: store.teams.get(params.teamId!)?.parentId ?? null, action: 'Update', properties: bodyKeys(body), object: teamObject(store, params.teamId!) }];
    case `PUT ${TEAMS}/{teamId}/parent`:
      return [{ objectType: 'Team', objectId: params.teamId!, objectName: teamName(params.teamId!), parentId: store.teams.get(params.teamId!)?.parentId ?? null, action: 'Move', properties: bodyKeys(body), object: teamObject(store, params.teamId!) }];
    case `DELETE ${TEAMS}/{teamId}`:
      return [{ objectType: 'Team', objectId: params.teamId!, objectName: null, parentId: null, action: 'Delete', properties: {}, object: null }];
    case `PUT ${TEAMS}/{teamId}/members/{userId}`: {
      const member = store.membersOf(params.teamId!).get(params.userId!);
      return [{
        objectType: 'TeamMember',
        objectId: params.userId!,
        objectName: userName(params.userId!),
        parentId: params.teamId!,
        action: 'Add',
        properties: { team_name: teamName(params.teamId!), ...bodyKeys(body) },
        object: member ? { ...member } : null,
      }];
    }
    case `DELETE ${TEAMS}/{teamId}/members/{userId}`:
      return [{ objectType: 'TeamMember', objectId: params.userId!, objectName: userName(params.userId!), parentId: params.teamId!, action: 'Remove', properties: { team_name: teamName(params.teamId!) }, object: null }];
    case `POST ${TEAMS}/{teamId}/roles`:
    case `DELETE ${TEAMS}/{teamId}/roles`:
      return (Array.isArray(body) ? body : []).map((assignment: Record<string, unknown>) => ({
        objectType: 'TeamRole' as const,
        objectId: String(assignment.role_id ?? ''),
        objectName: store.roles.get(String(assignment.role_id ?? ''))?.name ?? null,
        parentId: params.teamId!,
        action: method === 'POST' ? ('Add' as const) : ('Remove' as const),
        properties: { context_params: assignment.context_params ?? null, team_name: teamName(params.teamId!) },
        object: null,
      }));
    case `POST ${ENVS}`: {
      const id = idOf(response.body, 'id');
      return [{ objectType: 'Environment', objectId: id, objectName: store.environments.get(id)?.name ?? null, parentId: null, action: 'Create', properties: bodyKeys(body), object: null }];
    }
    case `PUT ${ENVS}/{envId}`:
      return [{ objectType: 'Environment', objectId: params.envId!, objectName: store.environments.get(params.envId!)?.name ?? null, parentId: null, action: 'Update', properties: bodyKeys(body), object: null }];
    case `DELETE ${ENVS}/{envId}`:
      return [{ objectType: 'Environment', objectId: params.envId!, objectName: null, parentId: null, action: 'Delete', properties: {}, object: null }];
    case `POST ${ORG}/rolegroups/{roleGroupId}/users/{userId}`:
    case `DELETE ${ORG}/rolegroups/{roleGroupId}/users/{userId}`:
      return [{
        objectType: 'RoleGroupMember',
        objectId: params.userId!,
        objectName: userName(params.userId!),
        parentId: params.roleGroupId!,
        action: method === 'POST' ? 'Add' : 'Remove',
        properties: { role_group_name: store.roleGroups.get(params.roleGroupId!)?.name ?? null },
        object: null,
      }];
    case `POST ${USERS}/{userId}/roles`:
      return Object.entries(bodyKeys(body)).map(([roleId, context]) => ({
        objectType: 'UserRole' as const,
        objectId: roleId,
        objectName: store.roles.get(roleId)?.name ?? null,
        parentId: params.userId!,
        action: 'Add' as const,
        properties: { context_params: context, user_name: userName(params.userId!) },
        object: null,
      }));
    default:
      return [];
  }
}

/** Appends the write's entries (none for a route the audit log does not cover, e.g. the token). */
export function recordWrite(store: SimStore, write: AcceptedWrite, now = Date.now()): void {
  const orgId = write.params.orgId;
  if (!orgId) return;
  const actorUser = write.auth?.userId ? store.users.get(write.auth.userId) : undefined;
  // Never before the last entry: the log is in time order, which is the order paging relies on.
  const last = store.auditLog.at(-1);
  const at = Math.max(now, last ? Date.parse(last.timestamp) : 0);
  for (const draft of draftsOf(store, write)) {
    store.auditLog.push({
      id: String(store.auditLog.length + 1).padStart(12, '0'),
      timestamp: new Date(at).toISOString(),
      organizationId: orgId,
      userId: actorUser?.id ?? null,
      userName: actorUser?.username ?? null,
      clientId: write.auth?.clientId ?? '',
      platform: draft.platform ?? 'Access Management',
      objectType: draft.objectType,
      objectId: draft.objectId,
      objectName: draft.objectName,
      parentId: draft.parentId,
      action: draft.action,
      properties: draft.properties,
      requestId: write.requestId,
      object: draft.object,
    });
  }
}
