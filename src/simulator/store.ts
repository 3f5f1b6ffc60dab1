import type { Random } from './random.js';
import type {
  ApiInstanceRecord,
  ConnectedAppRecord,
  ContractRecord,
  EnvironmentRecord,
  ExchangeAssetRecord,
  MemberRecord,
  OrgRecord,
  PolicyRecord,
  RoleRecord,
  TeamRecord,
  TeamRoleRecord,
  TokenRecord,
  UserRecord,
} from './model.js';

/**
 * All simulator state for one platform, with the derived lookups the routes need. Mutations go
 * through the route handlers; this class only keeps the indexes honest.
 */
export class SimStore {
  readonly orgs = new Map<string, OrgRecord>();
  readonly environments = new Map<string, EnvironmentRecord>();
  readonly users = new Map<string, UserRecord>();
  /** Usernames are unique across the platform and never reusable, even after deletion. */
  readonly usernamesEverUsed = new Set<string>();
  readonly teams = new Map<string, TeamRecord>();
  /** teamId -> userId -> membership */
  readonly members = new Map<string, Map<string, MemberRecord>>();
  teamRoles: TeamRoleRecord[] = [];
  readonly roles = new Map<string, RoleRecord>();
  readonly apps = new Map<string, ConnectedAppRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  /** key: `${groupId}/${assetId}/${version}` */
  readonly assets = new Map<string, ExchangeAssetRecord>();
  readonly apis = new Map<number, ApiInstanceRecord>();
  readonly policies: PolicyRecord[] = [];
  readonly contracts: ContractRecord[] = [];
  /** Signs the spec download links the simulator hands out (Exchange's short-lived links). */
  fileSecret = '';
  rootOrgId = '';
  nextApiId = 18_200_000;

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
    return [...this.orgs.values()].filter((o) => o.parentId === orgId && !o.deletedAt).map((o) => o.id);
  }

  environmentsOf(orgId: string): EnvironmentRecord[] {
    return [...this.environments.values()].filter((e) => e.organizationId === orgId);
  }

  usersOf(orgId: string): UserRecord[] {
    return [...this.users.values()].filter((u) => u.organizationId === orgId && !u.deleted);
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
    for (const team of this.teams.values()) if (team.org_id === orgId && team.parentId === null) return team;
    return undefined;
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
