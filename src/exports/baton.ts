import type { AccessReviewRow } from '../access/review.js';
import type { OrgNode } from '../loaders/organizations.js';
import { csvRow, type CellValue } from './csv.js';

/**
 * The access review as ConductorOne's baton-file CSV (baton-file docs/csv_instructions.md):
 * one file, one header row, a `record_type` column telling each record's kind, and the columns
 * a kind does not use left empty. The mapping (docs/access-review.md, "Export the access review"):
 *
 * - every principal is a `user`: a user by its Anypoint id (type human, login = username), a
 *   connected app by its client id (type service);
 * - every business group is a `resource` (resource_type business_group, trait group), its
 *   parent business group as parent_resource;
 * - every role held in a business group is a `resource` (resource_type role, trait role, id
 *   `role:<orgId>:<roleId>`, parent the business group); an app's scope likewise (resource_type
 *   app_scope, id `scope:<orgId>:<scope>`);
 * - each role resource has one `entitlement` per context it is granted in: `assigned` for the
 *   whole business group, `assigned:<environmentId>` for one environment;
 * - every principal holding a role (by any path) is a `direct_user_grant` of that entitlement:
 *   the rows of several paths to one role are one grant (the paths are in the flat export).
 *
 * Each user, resource, entitlement and grant is written once: the writer keeps the ids it has
 * written (ids only, not rows). Within a business group's share the records go out users first,
 * then resources, entitlements and grants.
 */
export const BATON_COLUMNS = [
  'record_type',
  'id',
  'display_name',
  'email',
  'status',
  'type',
  'last_login',
  'login',
  'resource_type',
  'trait',
  'description',
  'parent_resource',
  'resource_id',
  'entitlement_slug',
  'principal_id',
] as const;

type BatonColumn = (typeof BATON_COLUMNS)[number];
type BatonRecord = Partial<Record<BatonColumn, CellValue>> & { record_type: 'user' | 'resource' | 'entitlement' | 'direct_user_grant' };

const line = (record: BatonRecord) => csvRow(BATON_COLUMNS.map((c) => record[c] ?? null));

export const batonHeader = () => csvRow(BATON_COLUMNS);

export const orgResourceId = (orgId: string) => `org:${orgId}`;
export const roleResourceId = (row: Pick<AccessReviewRow, 'principalType' | 'organizationId' | 'roleId'>) =>
  `${row.principalType === 'APP' ? 'scope' : 'role'}:${row.organizationId}:${row.roleId}`;
export const entitlementSlug = (environmentId: string | null) => (environmentId ? `assigned:${environmentId}` : 'assigned');

export function createBatonWriter(nodes: readonly OrgNode[]) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const once = (key: string) => (seen.has(key) ? false : (seen.add(key), true));

  const orgResources = (orgId: string, name: string, out: string[]) => {
    // The business group and, above it, every ancestor: a parent_resource names a resource of the file.
    const chain: Array<{ id: string; name: string; parentId: string | null }> = [];
    let node = byId.get(orgId);
    if (!node) chain.push({ id: orgId, name, parentId: null });
    while (node) {
      chain.push(node);
      node = node.parentId ? byId.get(node.parentId) : undefined;
    }
    for (const org of chain.reverse()) {
      if (!once(`r|${orgResourceId(org.id)}`)) continue;
      out.push(
        line({
          record_type: 'resource',
          id: orgResourceId(org.id),
          display_name: org.name,
          resource_type: 'business_group',
          trait: 'group',
          description: 'Anypoint business group',
          parent_resource: org.parentId ? orgResourceId(org.parentId) : null,
        }),
      );
    }
  };

  /** The records one business group's rows add, in baton-file's order of kinds. */
  return function recordsOf(rows: readonly AccessReviewRow[]): string {
    const users: string[] = [];
    const resources: string[] = [];
    const entitlements: string[] = [];
    const grants: string[] = [];
    for (const row of rows) {
      if (once(`u|${row.principalId}`)) {
        const app = row.principalType === 'APP';
        users.push(
          line({
            record_type: 'user',
            id: row.principalId,
            display_name: row.displayName || row.principalName,
            email: row.email,
            status: row.enabled ? 'enabled' : 'disabled',
            type: app ? 'service' : 'human',
            last_login: row.lastLogin,
            login: app ? row.principalId : row.principalName,
          }),
        );
      }
      orgResources(row.organizationId, row.organizationName, resources);
      const resource = roleResourceId(row);
      if (once(`r|${resource}`)) {
        resources.push(
          line({
            record_type: 'resource',
            id: resource,
            display_name: row.principalType === 'APP' ? `${row.roleName} (scope) in ${row.organizationName}` : `${row.roleName} in ${row.organizationName}`,
            resource_type: row.principalType === 'APP' ? 'app_scope' : 'role',
            trait: 'role',
            description: row.privileged ? 'Privileged' : null,
            parent_resource: orgResourceId(row.organizationId),
          }),
        );
      }
      const slug = entitlementSlug(row.environmentId);
      if (once(`e|${resource}|${slug}`)) {
        entitlements.push(
          line({
            record_type: 'entitlement',
            display_name: row.environmentId ? `Assigned in ${row.environmentName ?? row.environmentId}` : 'Assigned',
            description: row.environmentId ? `${row.roleName} in the ${row.environmentName ?? row.environmentId} environment` : `${row.roleName} in the whole business group`,
            resource_id: resource,
            entitlement_slug: slug,
          }),
        );
      }
      if (once(`g|${row.principalId}|${resource}|${slug}`)) {
        grants.push(line({ record_type: 'direct_user_grant', resource_id: resource, entitlement_slug: slug, principal_id: row.principalId }));
      }
    }
    return [...users, ...resources, ...entitlements, ...grants].join('');
  };
}
