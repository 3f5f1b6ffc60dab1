import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/** Small shared helpers for the simulator behaviour tests (not a test file itself). */

export interface Page<T> {
  data: T[];
  total: number;
}

export interface UserBody {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  organizationId: string;
  enabled: boolean;
  type: string;
  memberOfOrganizations: Array<{ id: string; name: string; isRoot: boolean }>;
  organizationPreferences: Record<string, unknown>;
}

export interface TeamBody {
  team_id: string;
  team_name: string;
  team_type: string;
  org_id: string;
  ancestor_team_ids: string[];
  created_at: string;
}

export interface MemberBody {
  id: string;
  name: string;
  identity_type: string;
  membership_type: string;
}

export interface ApiInstanceBody {
  id: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  productVersion: string;
  instanceLabel: string | null;
  status: string;
  pinned: boolean;
  autodiscoveryInstanceName: string;
  environmentId: string;
}

export interface ApiListBody {
  total: number;
  assets: Array<{ groupId: string; assetId: string; exchangeAssetName: string; totalApis: number; apis: ApiInstanceBody[] }>;
}

export interface AssetSummaryBody {
  id: string;
  groupId: string;
  assetId: string;
  version: string;
  name: string;
  type: string;
  organization: { id: string } | null;
}

export async function readJson<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** GETs a path and returns its JSON, failing loudly on anything but 200. */
export async function getJson<T>(h: SimHarness, path: string, token: string): Promise<T> {
  const res = await h.get(path, token);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return readJson<T>(res);
}

export const usersPath = (orgId: string) => `/accounts/api/organizations/${orgId}/users`;
export const teamsPath = (orgId: string) => `/accounts/api/organizations/${orgId}/teams`;
export const apisPath = (orgId: string, envId: string) => `/apimanager/api/v1/organizations/${orgId}/environments/${envId}/apis`;
export const TOKEN_PATH = '/accounts/api/v2/oauth2/token';

/** A password-grant (user session) token request through the demo app. */
export function passwordLogin(h: SimHarness, username: string, password: string): Promise<Response> {
  return fetch(`${h.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'password',
      client_id: h.sim.demoApp.clientId,
      client_secret: h.sim.demoApp.clientSecret,
      username,
      password,
    }),
  });
}

/**
 * Rate-limit windows are fixed wall-clock minutes. Tests that spend a budget wait out the last
 * few seconds of a window first, so the budget cannot refill half-way through an assertion.
 */
export async function freshRateWindow(minimumLeftMs = 8_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < minimumLeftMs) await sleep(left + 50);
}

/** Unique, valid usernames per test run (letters, digits and underscores only). */
let serial = 0;
export function uniqueUsername(prefix = 'user'): string {
  serial += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${serial}`;
}

export function newUserBody(username: string): Record<string, string> {
  return { username, firstName: 'Test', lastName: 'Person', email: `${username.toLowerCase()}@example.test`, password: 'Secret-Pass-1' };
}

export interface SimSetup {
  /** The simulator harness, from the first beforeAll on. */
  readonly h: SimHarness;
  /** A client-credentials token for the demo app, fetched once when the simulator starts. */
  readonly token: string;
  /** The seeded root organization. */
  readonly rootOrgId: string;
}

/**
 * Registers the hooks that start one simulator for the enclosing file (or describe block), fetch
 * a demo-app token from it, and stop it at the end. Call it before any hooks of the file's own.
 */
export function useSimHarness(): SimSetup {
  let h: SimHarness | undefined;
  let token: string | undefined;
  let rootOrgId: string | undefined;

  beforeAll(async () => {
    h = await startSimHarness();
    token = await h.token();
    rootOrgId = h.sim.store.rootOrgId;
  });

  afterAll(async () => {
    await h?.close();
  });

  function ready<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('useSimHarness: the simulator starts in beforeAll; use it inside hooks and tests');
    return value;
  }

  return {
    get h() {
      return ready(h);
    },
    get token() {
      return ready(token);
    },
    get rootOrgId() {
      return ready(rootOrgId);
    },
  };
}
