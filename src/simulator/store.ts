import { GroupedMap } from './grouped-map.js';
import type { Random } from './random.js';
import type {
  ApiInstanceRecord,
  AuditLogEntry,
  ConnectedAppRecord,
  ContractRecord,
  EnvironmentRecord,
  ExchangeAssetRecord,
  GroupMappingRecord,
  IdpProfileRecord,
  MemberRecord,
  OrgRecord,
  PolicyRecord,
  RoleGroupRecord,
  RoleGroupRoleRecord,
  RoleRecord,
  TeamRecord,
  TeamRoleRecord,
  TierRecord,
  TokenRecord,
  UserRecord,
  UserRoleRecord,
} from './model.js';
import type { SpecFileOverride } from './spec-file-overrides.js';

/**
 * All simulator state for one platform, with the derived lookups the routes need. Mutations go
 * through the route handlers; this class only keeps the indexes honest.
 *
 * The collections a request narrows by a parent (users and teams by org, environments by org,
 * API instances by environment, orgs by parent) are GroupedMaps: a listing reads its group
 * instead of scanning the whole platform, which at the large preset cost more CPU than the
 * simulated latency the benchmark charges for.
 */
export class SimStore {
  readonly orgs = new GroupedMap<string, OrgRecord, string | null>((org) => org.parentId);
  readonly environments = new GroupedMap<string, EnvironmentRecord, string>((env) => env.organizationId);
  readonly users = new GroupedMap<string, UserRecord, string>((user) => user.organizationId);
  /** Usernames are unique across the platform and never reusable, even after deletion. */
  readonly usernamesEverUsed = new Set<string>();
  readonly teams = new GroupedMap<string, TeamRecord, string>((team) => team.org_id);
  /** teamId -> userId -> membership */
  readonly members = new Map<string, Map<string, MemberRecord>>();
  teamRoles: TeamRoleRecord[] = [];
  readonly roles = new Map<string, RoleRecord>();
  readonly roleGroups = new GroupedMap<string, RoleGroupRecord, string>((group) => group.org_id);
  roleGroupRoles: RoleGroupRoleRecord[] = [];
  /** roleGroupId -> the ids of its users */
  readonly roleGroupUsers = new Map<string, Set<string>>();
  /** Roles assigned straight to users. */
  userRoles: UserRoleRecord[] = [];
  /** userId -> federated identities */
  readonly idpProfiles = new Map<string, IdpProfileRecord[]>();
  /** The platform's audit log, oldest first (src/simulator/audit-log.ts records it). */
  readonly auditLog: AuditLogEntry[] = [];
  /** teamId -> identity-provider groups mapped onto it */
  readonly groupMappings = new Map<string, GroupMappingRecord[]>();
  readonly apps = new Map<string, ConnectedAppRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  /** key: `${groupId}/${assetId}/${version}` */
  readonly assets = new Map<string, ExchangeAssetRecord>();
  readonly apis = new GroupedMap<number, ApiInstanceRecord, string>((api) => api.environmentId);
  readonly policies: PolicyRecord[] = [];
  readonly contracts: ContractRecord[] = [];
  readonly tiers: TierRecord[] = [];
  /** Hostile spec files put on assets through /__sim/spec-files (abuse tests), by asset key. */
  readonly specFileOverrides = new Map<string, SpecFileOverride>();
  /** Signs the spec download links the simulator hands out (Exchange's short-lived links). */
  fileSecret = '';
  rootOrgId = '';
  nextApiId = 18_200_000;
  private readonly apiAssetKeys = new WeakMap<ApiInstanceRecord, string>();

  constructor(readonly random: Random) {}

  org(id: string): OrgRecord | undefined {
    const org = this.orgs.get(id);
    return org && !org.deletedAt ? org : undefined;
  }

  orgAncestorIds(orgId: string): string[] {
    const chain: string[] = [];
    let parent = this.orgs.get(orgId)?.parentId ?? null;
    while (parent) {
      chain.unshift(parent);
      parent = this.orgs.get(parent)?.parentId ?? null;
    }
    return chain;
  }

  orgChildIds(orgId: string): string[] {
    return this.orgs.inGroup(orgId).filter((o) => !o.deletedAt).map((o) => o.id);
  }

  environmentsOf(orgId: string): EnvironmentRecord[] {
    return this.environments.inGroup(orgId);
  }

  usersOf(orgId: string): UserRecord[] {
    return this.users.inGroup(orgId).filter((u) => !u.deleted);
  }

  teamsOf(orgId: string): TeamRecord[] {
    return this.teams.inGroup(orgId);
  }

  /** API instances of one environment, in creation order. */
  apisIn(envId: string): ApiInstanceRecord[] {
    return this.apis.inGroup(envId);
  }

  liveUser(id: string): UserRecord | undefined {
    const user = this.users.get(id);
    return user && !user.deleted ? user : undefined;
  }

  /** Team ancestors root first, down to the immediate parent, as Anypoint returns them. */
  teamAncestorIds(teamId: string): string[] {
    const chain: string[] = [];
    let parent = this.teams.get(teamId)?.parentId ?? null;
    while (parent) {
      chain.unshift(parent);
      parent = this.teams.get(parent)?.parentId ?? null;
    }
    return chain;
  }

  rootTeamOf(orgId: string): TeamRecord | undefined {
    return this.teamsOf(orgId).find((team) => team.parentId === null);
  }

  usersOfRoleGroup(roleGroupId: string): Set<string> {
    let users = this.roleGroupUsers.get(roleGroupId);
    if (!users) {
      users = new Set();
      this.roleGroupUsers.set(roleGroupId, users);
    }
    return users;
  }

  membersOf(teamId: string): Map<string, MemberRecord> {
    let members = this.members.get(teamId);
    if (!members) {
      members = new Map();
      this.members.set(teamId, members);
    }
    return members;
  }

  assetKey(groupId: string, assetId: string, version: string): string {
    return `${groupId}/${assetId}/${version}`;
  }

  /**
   * The Exchange asset an API instance is of. The instance's asset key is built once and kept:
   * an API listing sorts by asset name, and building the key string on every lookup was most of
   * the listing's cost. (An instance's asset coordinates never change.)
   */
  assetOf(api: ApiInstanceRecord): ExchangeAssetRecord | undefined {
    let key = this.apiAssetKeys.get(api);
    if (key === undefined) {
      key = this.assetKey(api.groupId, api.assetId, api.assetVersion);
      this.apiAssetKeys.set(api, key);
    }
    return this.assets.get(key);
  }

  /** Ends every session (password-grant token) of a user, as disabling the user does. */
  revokeUserSessions(userId: string): number {
    let revoked = 0;
    for (const [token, record] of this.tokens) {
      if (record.userId === userId) {
        this.tokens.delete(token);
        revoked += 1;
      }
    }
    return revoked;
  }
}
