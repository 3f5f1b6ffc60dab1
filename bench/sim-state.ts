/** The parts of the simulator's /__sim/state snapshot the scenarios are planned from. */
export interface SimState {
  rootOrgId: string;
  organizations: Array<{ id: string; name: string; parentId: string | null; deletedAt: string | null }>;
  environments: Array<{ id: string; organizationId: string }>;
  users: Array<{ id: string; username: string; organizationId: string; enabled: boolean; deleted: boolean }>;
  teams: Array<{ team_id: string; team_name: string; org_id: string; parentId: string | null }>;
  members: Array<{ teamId: string; userId: string }>;
  apis: Array<{ id: number; organizationId: string; environmentId: string; groupId: string; assetId: string; assetVersion: string }>;
  assets: Array<{ groupId: string; assetId: string; version: string; organizationId: string }>;
  roleGroups: Array<{ role_group_id: string; org_id: string; users: number }>;
  userRoles: Array<{ userId: string; context_params: { org: string } }>;
  apps: Array<{ client_id: string; org_id: string }>;
}

/** Indexes over the snapshot, built once, with the simulator's own visibility rules. */
export class PlatformView {
  readonly liveOrgs: SimState['organizations'];
  private readonly usersByOrg = new Map<string, SimState['users']>();
  private readonly memberIds = new Map<string, string[]>();
  private readonly liveUserIds = new Set<string>();

  constructor(readonly state: SimState) {
    this.liveOrgs = state.organizations.filter((o) => !o.deletedAt);
    for (const user of state.users) {
      if (user.deleted) continue;
      this.liveUserIds.add(user.id);
      this.usersByOrg.set(user.organizationId, [...(this.usersByOrg.get(user.organizationId) ?? []), user]);
    }
    const live = new Set(state.users.filter((u) => !u.deleted).map((u) => u.id));
    for (const member of state.members) {
      // Member listings leave out deleted users (simulator team-members route).
      if (live.has(member.userId)) this.memberIds.set(member.teamId, [...(this.memberIds.get(member.teamId) ?? []), member.userId]);
    }
  }

  get rootOrgId() {
    return this.state.rootOrgId;
  }

  usersOf(orgId: string) {
    return this.usersByOrg.get(orgId) ?? [];
  }

  teamsOf(orgId: string) {
    return this.state.teams.filter((t) => t.org_id === orgId);
  }

  childTeams(teamId: string) {
    return this.state.teams.filter((t) => t.parentId === teamId);
  }

  membersOf(teamId: string): string[] {
    return this.memberIds.get(teamId) ?? [];
  }

  environmentsOf(orgId: string) {
    return this.state.environments.filter((e) => e.organizationId === orgId);
  }

  apisOf(envId: string) {
    return this.state.apis.filter((a) => a.environmentId === envId);
  }

  assetsOf(orgId: string) {
    return this.state.assets.filter((a) => a.organizationId === orgId);
  }

  roleGroupsOf(orgId: string) {
    return this.state.roleGroups.filter((g) => g.org_id === orgId);
  }

  /** Live users holding a role straight in the org (the role-assignment search's hits). */
  directHoldersOf(orgId: string): number {
    return new Set(this.state.userRoles.filter((r) => r.context_params.org === orgId && this.liveUserIds.has(r.userId)).map((r) => r.userId)).size;
  }
}
