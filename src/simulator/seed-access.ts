import { pickDistinct as pick, type Random } from './random.js';
import type { ConnectedAppRecord, ContextParams, RoleRecord, TeamRecord, UserRecord } from './model.js';
import type { SimStore } from './store.js';

/**
 * The access an access review looks for, on top of the preset's users and teams: org admins,
 * role groups (some mapped to identity-provider groups), direct user roles, environment-scoped
 * roles on teams high in the tree (so inheritance matters), a role on every root team, federated
 * identities with their last login, stale users (no login for months) and disabled users still
 * holding access, and connected apps with broad scopes.
 *
 * Seeded from its own random stream, after everything else, so the preset's other records keep
 * the ids and values they had before access was seeded.
 */

const DAY_MS = 86_400_000;

/** Organization-level roles; ids as the official spec's examples give them where it has one. */
export const ORG_ROLES = {
  owner: { role_id: 'd74ef94a-4292-4896-b860-b05bd7f90d6d', name: 'Organization Owner', description: 'Organization Owner allows full administration of users and full access to create and manage all APIs' },
  admin: { role_id: '4f4bb3c8-3d2b-4a0f-9a1e-6c2f8a1d0b01', name: 'Organization Administrator', description: 'Full administration of the business group' },
  viewer: { role_id: '96bf8032-9e54-4031-9bee-bc5f59f9f4e5', name: 'Business Group Viewer', description: 'Business Group Viewer' },
} as const;

/** The identity provider the seeded federated users sign in through. */
export const SEEDED_IDP_ID = '45532a06-108d-4bec-8247-1bf207ba006d';

export function seedAccess(store: SimStore, random: Random, now: number): void {
  for (const role of Object.values(ORG_ROLES)) {
    const record: RoleRecord = { ...role, internal: false, org_id: null, namespaces: ['access_management'], shareable: true };
    store.roles.set(role.role_id, record);
  }
  const catalogue = [...store.roles.values()].filter((r) => !Object.values(ORG_ROLES).some((o) => o.role_id === r.role_id));
  const byName = (name: string) => catalogue.find((r) => r.name === name) ?? random.pick(catalogue);
  const at = new Date(now - 400 * DAY_MS).toISOString();

  for (const org of store.orgs.values()) {
    const users = store.usersOf(org.id);
    const envs = store.environmentsOf(org.id);
    const production = envs.find((e) => e.isProduction) ?? envs[0];
    const owner = users.find((u) => u.id === org.ownerId);

    refreshLogins(store, random, users, now);
    if (owner) store.userRoles.push({ userId: owner.id, role_id: ORG_ROLES.owner.role_id, context_params: { org: org.id }, created_at: at });

    // Role groups: org admins (a couple of users), API viewers of production (mapped to an IdP group).
    const admins = addRoleGroup(store, random, org.id, 'Organization Administrators', [], at);
    addRoleGroupRole(store, random, admins, ORG_ROLES.admin.role_id, { org: org.id }, at);
    for (const user of pick(random, users, 2)) store.usersOfRoleGroup(admins).add(user.id);
    const viewers = addRoleGroup(store, random, org.id, 'API Viewers', ['okta-api-viewers'], at);
    if (production) addRoleGroupRole(store, random, viewers, byName('View API Configuration').role_id, { org: org.id, envId: production.id }, at);
    addRoleGroupRole(store, random, viewers, ORG_ROLES.viewer.role_id, { org: org.id }, at);
    for (const user of pick(random, users, Math.min(6, users.length))) store.usersOfRoleGroup(viewers).add(user.id);

    // Direct roles: a few viewers and an environment-scoped API administrator.
    for (const user of pick(random, users, Math.min(3, users.length))) {
      store.userRoles.push({ userId: user.id, role_id: ORG_ROLES.viewer.role_id, context_params: { org: org.id }, created_at: at });
    }
    const apiAdmin = users[users.length - 1];
    if (apiAdmin && production) {
      store.userRoles.push({ userId: apiAdmin.id, role_id: byName('API Manager Environment Administrator').role_id, context_params: { org: org.id, envId: production.id }, created_at: at });
    }

    // Teams: every root team grants a read role to the whole org; the team with the deepest
    // subtree below the root grants an environment-scoped admin role its descendants inherit.
    const teams = store.teamsOf(org.id);
    const root = store.rootTeamOf(org.id);
    if (root) store.teamRoles.push({ teamId: root.team_id, role_id: byName('Monitoring Viewer').role_id, context_params: { org: org.id } });
    const high = deepestSubtree(store, teams, root);
    if (high && production) {
      store.teamRoles.push({ teamId: high.team_id, role_id: byName('Manage API Configuration').role_id, context_params: { org: org.id, envId: production.id } });
    }
    // A disabled user still in a team: the leftover a review exists to catch.
    const disabled = users.find((u) => !u.enabled);
    const kept = teams.find((t) => t !== root);
    if (disabled && kept && !store.membersOf(kept.team_id).has(disabled.id)) {
      store.membersOf(kept.team_id).set(disabled.id, { teamId: kept.team_id, userId: disabled.id, membership_type: 'member', is_assigned_via_external_groups: false, created_at: at, updated_at: at });
    }
    const mapped = teams.find((t) => t !== root);
    if (mapped) {
      store.groupMappings.set(mapped.team_id, [
        { teamId: mapped.team_id, external_group_name: `${mapped.team_name.toLowerCase().replace(/\s+/g, '-')}-members`, membership_type: 'member', provider_id: SEEDED_IDP_ID },
      ]);
    }
  }
  seedApps(store, random);
}

/**
 * Last logins relative to `now`, so "stale" means what it says on any day: most users signed in
 * within the last 60 days, about one in five between 120 and 500 days ago, the rest never. About
 * a third sign in through the identity provider (a federated profile with the same last login).
 */
function refreshLogins(store: SimStore, random: Random, users: UserRecord[], now: number): void {
  users.forEach((user, index) => {
    const roll = random.next();
    // The owner (first user) is always recent: a review of a fresh preset finds stale users, not a stale owner.
    const days = index === 0 || roll < 0.7 ? random.int(0, 60) : roll < 0.9 ? random.int(120, 500) : null;
    user.lastLogin = days === null ? null : new Date(now - days * DAY_MS - random.int(0, DAY_MS - 1)).toISOString();
    if (user.lastLogin && random.chance(0.33)) {
      store.idpProfiles.set(user.id, [
        { idpUserId: user.email, userId: user.id, providerId: SEEDED_IDP_ID, createdAt: user.createdAt, updatedAt: user.lastLogin, lastLoginAt: user.lastLogin },
      ]);
    }
  });
}

function addRoleGroup(store: SimStore, random: Random, orgId: string, name: string, externalNames: string[], at: string): string {
  const id = random.uuid();
  store.roleGroups.set(id, { role_group_id: id, name, description: name, external_names: externalNames, org_id: orgId, editable: true, created_at: at, updated_at: at });
  return id;
}

function addRoleGroupRole(store: SimStore, random: Random, roleGroupId: string, roleId: string, context: ContextParams, at: string): void {
  store.roleGroupRoles.push({ role_group_assignment_id: random.uuid(), role_group_id: roleGroupId, role_id: roleId, context_params: context, created_at: at });
}

/** The child of the root team with the most descendants (null when the root has no children). */
function deepestSubtree(store: SimStore, teams: TeamRecord[], root: TeamRecord | undefined): TeamRecord | null {
  if (!root) return null;
  let best: TeamRecord | null = null;
  let bestSize = -1;
  for (const team of teams) {
    if (team.parentId !== root.team_id) continue;
    const size = teams.filter((t) => store.teamAncestorIds(t.team_id).includes(team.team_id)).length;
    if (size > bestSize) {
      best = team;
      bestSize = size;
    }
  }
  return best;
}

/** Two non-human identities per root org: a CI deployer with admin scopes and a read-only reporter. */
function seedApps(store: SimStore, random: Random): void {
  const root = store.orgs.get(store.rootOrgId);
  if (!root) return;
  const envs = store.environmentsOf(root.id);
  const production = envs.find((e) => e.isProduction);
  const base = (name: string, owner: string, grants: string[], scopes: string[]): ConnectedAppRecord => ({
    client_id: random.hex(32),
    client_secret: random.hex(32),
    client_name: name,
    org_id: root.id,
    owner_user_id: owner,
    grant_types: grants,
    scopes,
    enabled: true,
    audience: 'internal',
  });
  const users = store.usersOf(root.id);
  const deployer = base('ci-deployer', users[1]?.id ?? root.ownerId, ['client_credentials'], ['admin:api_manager', 'edit:organization', 'read:organization']);
  if (production) deployer.scope_contexts = { 'admin:api_manager': [{ org: root.id, envId: production.id }] };
  const reporter = base('usage-reporter', users[2]?.id ?? root.ownerId, ['client_credentials'], ['read:organization', 'read:users']);
  for (const app of [deployer, reporter]) store.apps.set(app.client_id, app);
}
