import type { AnypointConnectedApp, AnypointUser } from '../anypoint/types.js';
import type { AccessPathKind, Grant } from './grants.js';

/**
 * An access review as a flat table: one row per principal, grant and path (a user holding a
 * role through two teams is two rows), so a reviewer can filter and sort it as it is, and an
 * export writes it as it is. Connected apps are principals too: one row per scope and context.
 */

export type PrincipalType = 'USER' | 'APP';
export type RowVia = AccessPathKind | 'APP_SCOPE';

export interface AccessReviewRow {
  principalType: PrincipalType;
  principalId: string;
  /** A user's username, an app's name. */
  principalName: string;
  displayName: string;
  email: string | null;
  enabled: boolean;
  lastLogin: string | null;
  /** No login for the stale period (never signed in counts); always false for apps. */
  stale: boolean;
  roleId: string;
  /** A role's name; for an app, the scope. */
  roleName: string;
  privileged: boolean;
  organizationId: string;
  organizationName: string;
  environmentId: string | null;
  environmentName: string | null;
  via: RowVia;
  /** The team or role group the grant comes through; for an app, the id of the user who owns it. */
  viaId: string | null;
  viaName: string | null;
  inheritedFromId: string | null;
  inheritedFromName: string | null;
  membershipType: 'member' | 'maintainer' | null;
  assignedViaExternalGroups: boolean;
  /** Identity-provider groups mapped onto the role group the grant comes through. */
  externalGroups: string[];
}

export interface AccessReviewFilter {
  /** A role id, or a role name (any case). */
  role?: string | null;
  environmentId?: string | null;
  privilegedOnly?: boolean | null;
  /** Only users with no login for this many days (or never). */
  staleForDays?: number | null;
  /** Only disabled users that still hold grants. */
  disabledWithGrants?: boolean | null;
  principalType?: PrincipalType | null;
}

export interface AccessReviewSummary {
  rows: number;
  principals: number;
  privilegedPrincipals: number;
  staleDays: number;
  staleAccountsWithAccess: number;
  disabledUsersWithAccess: number;
  disabledUsersInTeams: number;
  connectedApps: number;
  appsWithAdminScopes: number;
}

/** What one organization contributes to a review. */
export interface OrgReviewInput {
  orgId: string;
  users: AnypointUser[];
  grantsOf(userId: string): Grant[];
  inNonRootTeam(userId: string): boolean;
  apps: AnypointConnectedApp[];
  /** Names of business groups and environments (a grant may be scoped to another business group). */
  orgName(id: string): string;
  envName(id: string): string | null;
}

export const DEFAULT_STALE_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * Scopes that let an app change what it reaches (administer a product, edit the organization,
 * its users or teams, create business groups), as against reading it.
 */
export const ADMIN_SCOPE = /^(admin:|edit:(organization|users|teams|roles|environment)$|create:(suborgs|environment)$)/;

export const isStale = (lastLogin: string | null | undefined, days: number, now: number): boolean =>
  !lastLogin || Number.isNaN(Date.parse(lastLogin)) || now - Date.parse(lastLogin) > days * DAY_MS;

/** Every row of one organization, users (by username) then apps (by name). */
export function reviewRows(input: OrgReviewInput, staleDays: number, now: number): AccessReviewRow[] {
  const rows: AccessReviewRow[] = [];
  const users = [...input.users].sort((a, b) => a.username.localeCompare(b.username));
  for (const user of users) {
    const principal = {
      principalType: 'USER' as const,
      principalId: user.id,
      principalName: user.username,
      displayName: `${user.firstName} ${user.lastName}`.trim(),
      email: user.email ?? null,
      enabled: user.enabled,
      lastLogin: user.lastLogin ?? null,
      stale: isStale(user.lastLogin, staleDays, now),
    };
    for (const grant of input.grantsOf(user.id)) {
      for (const path of grant.paths) {
        const via = path.team ?? (path.roleGroup ? { id: path.roleGroup.id, name: path.roleGroup.name } : null);
        rows.push({
          ...principal,
          roleId: grant.roleId,
          roleName: grant.roleName,
          privileged: grant.privileged,
          organizationId: grant.orgId,
          organizationName: input.orgName(grant.orgId),
          environmentId: grant.envId,
          environmentName: grant.envId ? input.envName(grant.envId) : null,
          via: path.kind,
          viaId: via?.id ?? null,
          viaName: via?.name ?? null,
          inheritedFromId: path.inheritedFrom?.id ?? null,
          inheritedFromName: path.inheritedFrom?.name ?? null,
          membershipType: path.membershipType,
          assignedViaExternalGroups: path.assignedViaExternalGroups,
          externalGroups: path.roleGroup?.externalNames ?? [],
        });
      }
    }
  }
  const apps = [...input.apps].sort((a, b) => a.client_name.localeCompare(b.client_name) || a.client_id.localeCompare(b.client_id));
  for (const app of apps) {
    for (const { scope, context_params } of app.scopes ?? []) {
      const contexts = Array.isArray(context_params) ? context_params : [context_params];
      for (const context of contexts.length ? contexts : [{ org: input.orgId }]) {
        rows.push({
          principalType: 'APP',
          principalId: app.client_id,
          principalName: app.client_name,
          displayName: app.client_name,
          email: null,
          enabled: app.enabled ?? true,
          lastLogin: null,
          stale: false,
          roleId: scope,
          roleName: scope,
          privileged: ADMIN_SCOPE.test(scope),
          organizationId: context.org,
          organizationName: input.orgName(context.org),
          environmentId: context.envId ?? null,
          environmentName: context.envId ? input.envName(context.envId) : null,
          via: 'APP_SCOPE',
          viaId: app.owner_user_id ?? null,
          viaName: null,
          inheritedFromId: null,
          inheritedFromName: null,
          membershipType: null,
          assignedViaExternalGroups: false,
          externalGroups: [],
        });
      }
    }
  }
  return rows;
}

export function matchesFilter(row: AccessReviewRow, filter: AccessReviewFilter, now: number): boolean {
  if (filter.principalType && row.principalType !== filter.principalType) return false;
  if (filter.role && row.roleId !== filter.role && row.roleName.toLowerCase() !== filter.role.toLowerCase()) return false;
  if (filter.environmentId && row.environmentId !== filter.environmentId) return false;
  if (filter.privilegedOnly && !row.privileged) return false;
  if (filter.staleForDays != null && (row.principalType !== 'USER' || !isStale(row.lastLogin, filter.staleForDays, now))) return false;
  if (filter.disabledWithGrants && (row.principalType !== 'USER' || row.enabled)) return false;
  return true;
}

/** Counts over every row in scope (the filter narrows the rows, not the summary). */
export function summarize(inputs: OrgReviewInput[], rows: AccessReviewRow[], staleDays: number): AccessReviewSummary {
  const principals = new Set<string>();
  const privileged = new Set<string>();
  const stale = new Set<string>();
  const disabledWithAccess = new Set<string>();
  for (const row of rows) {
    const key = `${row.principalType}:${row.principalId}`;
    principals.add(key);
    if (row.privileged) privileged.add(key);
    if (row.principalType === 'USER' && row.enabled && row.stale) stale.add(key);
    if (row.principalType === 'USER' && !row.enabled) disabledWithAccess.add(key);
  }
  const apps = inputs.flatMap((i) => i.apps);
  return {
    rows: rows.length,
    principals: principals.size,
    privilegedPrincipals: privileged.size,
    staleDays,
    staleAccountsWithAccess: stale.size,
    disabledUsersWithAccess: disabledWithAccess.size,
    disabledUsersInTeams: inputs.reduce((n, i) => n + i.users.filter((u) => !u.enabled && i.inNonRootTeam(u.id)).length, 0),
    connectedApps: apps.length,
    appsWithAdminScopes: apps.filter((a) => (a.scopes ?? []).some((s) => ADMIN_SCOPE.test(s.scope))).length,
  };
}
