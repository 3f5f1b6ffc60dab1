import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../src/server/api-keys.js';
import type { SimStore } from '../../src/simulator/store.js';
import { startStack, type GqlResult, type Stack } from '../helpers/gateway.js';

/**
 * A simulator and a gateway over real HTTP, with one API key per role (two provisioners, so
 * per-caller behaviour can be told apart) and the audit trail in a file the test can read.
 */
export const KEYS = {
  provisioner: `agk_${'p'.repeat(43)}`,
  provisioner2: `agk_${'q'.repeat(43)}`,
  reader: `agk_${'r'.repeat(43)}`,
  auditor: `agk_${'a'.repeat(43)}`,
} as const;

export type KeyName = keyof typeof KEYS;

/** The audit actor of each key. */
export const ACTORS: Record<KeyName, string> = {
  provisioner: 'key:idp',
  provisioner2: 'key:idp2',
  reader: 'key:portal',
  auditor: 'key:audit',
};

export const API_KEYS = [
  `idp:provisioner:${hashApiKey(KEYS.provisioner)}`,
  `idp2:provisioner:${hashApiKey(KEYS.provisioner2)}`,
  `portal:reader:${hashApiKey(KEYS.reader)}`,
  `audit:auditor:${hashApiKey(KEYS.auditor)}`,
].join(';');

const WRITE_METHODS = ['POST ', 'PUT ', 'PATCH ', 'DELETE '];

export const USERS_ROUTE = '/accounts/api/organizations/{orgId}/users';
export const USER_ROUTE = '/accounts/api/organizations/{orgId}/users/{userId}';
export const TEAMS_ROUTE = '/accounts/api/organizations/{orgId}/teams';
export const TEAM_ROUTE = '/accounts/api/organizations/{orgId}/teams/{teamId}';
export const MEMBER_ROUTE = '/accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}';

export interface ProvisioningStack extends Stack {
  store: SimStore;
  rootOrgId: string;
  rootTeamId: string;
  auditPath: string;
  /** A GraphQL request with the key of `as`, or without credentials when `as` is null. */
  gql<T = Record<string, any>>(as: KeyName | null, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  /** Upstream writes (POST, PUT, PATCH, DELETE) since the last reset, by "METHOD route". */
  writes(): Promise<{ total: number; byRoute: Record<string, number> }>;
  /** A client-credentials token for the simulator's demo app, for changes made "by hand". */
  simToken(): Promise<string>;
  /** The audit trail file as written. */
  auditText(): string;
}

export async function startProvisioningStack(env: Record<string, string> = {}, preset?: 'demo' | 'empty' | 'large'): Promise<ProvisioningStack> {
  const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-provisioning-'));
  const auditPath = join(dir, 'audit.jsonl');
  const stack = await startStack(preset ? { preset } : {}, { API_KEYS, AUDIT_LOG_PATH: auditPath, GROUP_LINKS_PATH: join(dir, 'group-links.json'), ...env });
  const store = stack.sim.sim.store;
  const rootOrgId = stack.sim.sim.demoApp.orgId;
  const rootTeamId = store.rootTeamOf(rootOrgId)!.team_id;
  let token: string | undefined;
  return {
    ...stack,
    store,
    rootOrgId,
    rootTeamId,
    auditPath,
    gql: (as, query, variables, headers = {}) => stack.gw.gql(query, variables, as === null ? headers : { 'x-api-key': KEYS[as], ...headers }),
    async writes() {
      const { byRoute } = await stack.upstream();
      const writes = Object.fromEntries(Object.entries(byRoute).filter(([route]) => WRITE_METHODS.some((m) => route.startsWith(m))));
      return { total: Object.values(writes).reduce((sum, n) => sum + n, 0), byRoute: writes };
    },
    async simToken() {
      token ??= await stack.sim.token();
      return token;
    },
    auditText: () => readFileSync(auditPath, 'utf8'),
  };
}

/** The fields every provisioning payload has. */
export const PAYLOAD = 'userErrors { code field message } plan { action target description status requestIds } dryRun replayed auditId';
export const USER_FIELDS = 'id username firstName lastName email phoneNumber enabled';

export const AUDIT_QUERY = `query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id attemptId kind at actor action target input plan upstreamRequestIds status result errorCode errorMessage durationMs }
  }
}`;

export interface AuditEventView {
  id: string;
  attemptId: string;
  kind: 'INTENT' | 'OUTCOME' | 'INTERRUPTED' | 'EXPORT';
  at: string;
  actor: string;
  action: string;
  target: string;
  input: Record<string, unknown> | null;
  plan: unknown;
  upstreamRequestIds: string[];
  status: string | null;
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number | null;
}

export interface AuditPageView {
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string } }>;
  nodes: AuditEventView[];
}

/** The audit events matching `filter`, read with the auditor key; fails the test on GraphQL errors. */
export async function auditEvents(stack: ProvisioningStack, filter: Record<string, unknown>, first = 500, after?: string): Promise<AuditPageView> {
  const res = await stack.gql<{ auditEvents: AuditPageView }>('auditor', AUDIT_QUERY, { filter, first, after });
  if (res.errors) throw new Error(`auditEvents failed: ${JSON.stringify(res.errors)}`);
  return res.data!.auditEvents;
}

/** Creates a user directly on the simulator (as an administrator would in Anypoint), with a known password. */
export async function createUserByHand(
  stack: ProvisioningStack,
  profile: { username: string; firstName?: string; lastName?: string; email?: string; phoneNumber?: string; password?: string },
  orgId = stack.rootOrgId,
): Promise<{ id: string; username: string; email: string }> {
  const body = { firstName: 'Hand', lastName: 'Made', email: `${profile.username.toLowerCase()}@example.com`, password: 'Hand-Made-Pw-1', ...profile };
  const res = await stack.sim.send('POST', `/accounts/api/organizations/${orgId}/users`, await stack.simToken(), body);
  if (res.status !== 201) throw new Error(`creating ${profile.username} by hand answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; username: string; email: string };
}

/** Adds (or changes) a team membership directly on the simulator. */
export async function putMemberByHand(stack: ProvisioningStack, teamId: string, userId: string, membershipType: 'member' | 'maintainer', orgId = stack.rootOrgId): Promise<void> {
  const res = await stack.sim.send('PUT', `/accounts/api/organizations/${orgId}/teams/${teamId}/members/${userId}`, await stack.simToken(), { membership_type: membershipType });
  if (res.status !== 201 && res.status !== 204) throw new Error(`adding a member by hand answered ${res.status}: ${await res.text()}`);
}

/** Creates a team directly on the simulator. */
export async function createTeamByHand(stack: ProvisioningStack, name: string, parentTeamId = stack.rootTeamId, orgId = stack.rootOrgId): Promise<string> {
  const res = await stack.sim.send('POST', `/accounts/api/organizations/${orgId}/teams`, await stack.simToken(), { team_name: name, parent_team_id: parentTeamId });
  if (res.status !== 201) throw new Error(`creating team ${name} by hand answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { team_id: string }).team_id;
}

let serial = 0;
/** A username no other test of the run uses. */
export const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${++serial}`;
