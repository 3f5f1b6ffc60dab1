import type { SimHarness } from '../helpers/simulator.js';

/** Ids of seeded demo records the probes read, picked so every list and detail is non-trivial. */
export interface DemoIds {
  orgId: string;
  /** A business group under the root org (its domain is null). */
  businessGroupId: string;
  envId: string;
  rootTeamId: string;
  /** A non-root team with members and role assignments. */
  teamId: string;
  /** A user of the root org who is not the org owner. */
  userId: string;
  clientId: string;
  roleId: string;
  /** An API instance that has at least one policy and one contract. */
  apiId: number;
  apiEnvId: string;
  /** An OAS asset of a business group, so the embedded organization is not the root. */
  asset: { groupId: string; assetId: string; version: string };
}

export function demoIds(h: SimHarness): DemoIds {
  const { store, demoApp } = h.sim;
  const orgId = demoApp.orgId;
  const env = store.environmentsOf(orgId).find((e) => e.type === 'sandbox')!;
  const rootTeam = store.rootTeamOf(orgId)!;
  const team = [...store.teams.values()].find(
    (t) => t.org_id === orgId && t.parentId !== null && store.teamRoles.some((r) => r.teamId === t.team_id) && store.membersOf(t.team_id).size > 0,
  )!;
  const user = store.usersOf(orgId).find((u) => u.id !== store.orgs.get(orgId)!.ownerId && u.enabled)!;
  const api = [...store.apis.values()].find(
    (a) => a.organizationId === orgId && store.policies.some((p) => p.apiId === a.id) && store.contracts.some((c) => c.apiId === a.id) && store.tiers.some((t) => t.apiId === a.id),
  )!;
  const businessGroupId = store.orgChildIds(orgId)[0]!;
  const asset = [...store.assets.values()].find((a) => a.organizationId !== orgId && a.specFormat === 'oas')!;
  return {
    orgId,
    businessGroupId,
    envId: env.id,
    rootTeamId: rootTeam.team_id,
    teamId: team.team_id,
    userId: user.id,
    clientId: demoApp.clientId,
    roleId: [...store.roles.keys()][0]!,
    apiId: api.id,
    apiEnvId: api.environmentId,
    asset: { groupId: asset.groupId, assetId: asset.assetId, version: asset.version },
  };
}

/** What a probe gets: the harness, a demo-app token and the seeded ids. */
export interface ProbeContext {
  h: SimHarness;
  token: string;
  ids: DemoIds;
  get(path: string): Promise<Response>;
  send(method: string, path: string, body?: unknown): Promise<Response>;
  /** A name no other probe in this simulator has used (usernames are never reusable). */
  unique(prefix: string): string;
}

export async function probeContext(h: SimHarness): Promise<ProbeContext> {
  const token = await h.token();
  let serial = 0;
  return {
    h,
    token,
    ids: demoIds(h),
    get: (path) => h.get(path, token),
    send: (method, path, body) => h.send(method, path, token, body),
    unique: (prefix) => `${prefix}_${(serial += 1)}_${Date.now().toString(36)}`,
  };
}

/** Reads a JSON body or fails the probe with the status and text it got instead. */
export async function jsonOf<T = Record<string, unknown>>(res: Response, expected: number): Promise<T> {
  const text = await res.text();
  if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}
