import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import { startStack, type Stack } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { waitForServing } from '../helpers/serve-process.js';
import {
  apisPath,
  getJson,
  passwordLogin,
  readJson,
  teamsPath,
  usersPath,
  type ApiListBody,
  type AssetSummaryBody,
  type MemberBody,
  type Page,
  type TeamBody,
  type UserBody,
} from './support.js';

/**
 * The `empty` preset: a clean org for trying an identity provider (SCIM) integration. Everything
 * here is read over real HTTP, as a client would see it; nothing beyond what every new org has
 * from its first day may be seeded.
 */

interface OrgBody {
  id: string;
  name: string;
  ownerId: string;
}
interface HierarchyBody {
  id: string;
  subOrganizations: unknown[];
}
interface EnvBody {
  id: string;
  name: string;
  type: string;
  isProduction: boolean;
  organizationId: string;
}

describe('empty preset contents', () => {
  let h: SimHarness;
  let token: string;
  let orgId: string;

  beforeAll(async () => {
    h = await startSimHarness({ preset: 'empty' });
    token = await h.token();
    orgId = h.sim.demoApp.orgId;
  });

  afterAll(async () => {
    await h?.close();
  });

  const orgPath = () => `/accounts/api/organizations/${orgId}`;

  it('names itself and its demo connected app on /__sim/info', async () => {
    const info = await readJson<{ preset: string; rootOrgId: string; demoApp: { clientId: string; orgId: string } }>(await fetch(`${h.url}/__sim/info`));
    expect(info.preset).toBe('empty');
    expect(info.rootOrgId).toBe(orgId);
    expect(info.demoApp).toEqual(h.sim.demoApp);
  });

  it('has exactly the owner as its one user, who can log in through the demo app', async () => {
    const org = await getJson<OrgBody>(h, orgPath(), token);
    const users = await getJson<Page<UserBody>>(h, usersPath(orgId), token);
    expect(users.total).toBe(1);
    expect(users.data).toHaveLength(1);
    expect(users.data[0]).toMatchObject({ id: org.ownerId, username: 'acme_admin', organizationId: orgId, enabled: true });
    expect((await passwordLogin(h, 'acme_admin', DEMO_USER_PASSWORD)).status).toBe(200);
  });

  it('has exactly the root team, with the owner as its only member', async () => {
    const org = await getJson<OrgBody>(h, orgPath(), token);
    const teams = await getJson<Page<TeamBody>>(h, teamsPath(orgId), token);
    expect(teams.total).toBe(1);
    expect(teams.data).toHaveLength(1);
    const [root] = teams.data;
    expect(root).toMatchObject({ team_name: org.name, org_id: orgId, ancestor_team_ids: [] });
    const members = await getJson<Page<MemberBody>>(h, `${teamsPath(orgId)}/${root!.team_id}/members`, token);
    expect(members.total).toBe(1);
    expect(members.data.map((m) => m.id)).toEqual([org.ownerId]);
  });

  it('has the three environments the demo preset names: Design, Sandbox and Production', async () => {
    const envs = await getJson<Page<EnvBody>>(h, `${orgPath()}/environments`, token);
    expect(envs.total).toBe(3);
    const byName = Object.fromEntries(envs.data.map((e) => [e.name, { type: e.type, isProduction: e.isProduction, org: e.organizationId }]));
    expect(byName).toEqual({
      Design: { type: 'design', isProduction: false, org: orgId },
      Sandbox: { type: 'sandbox', isProduction: false, org: orgId },
      Production: { type: 'production', isProduction: true, org: orgId },
    });
  });

  it('has no business groups under the root', async () => {
    const tree = await getJson<HierarchyBody>(h, `${orgPath()}/hierarchy`, token);
    expect(tree.id).toBe(orgId);
    expect(tree.subOrganizations).toEqual([]);
  });

  it('has no API instances in any environment and no Exchange assets', async () => {
    const envs = await getJson<Page<EnvBody>>(h, `${orgPath()}/environments`, token);
    for (const env of envs.data) {
      const apis = await getJson<ApiListBody>(h, apisPath(orgId, env.id), token);
      expect({ env: env.name, total: apis.total, assets: apis.assets }).toEqual({ env: env.name, total: 0, assets: [] });
    }
    expect(await getJson<AssetSummaryBody[]>(h, `/exchange/api/v2/assets?organizationId=${orgId}`, token)).toEqual([]);
    expect(await getJson<AssetSummaryBody[]>(h, '/exchange/api/v2/assets', token)).toEqual([]);
  });
});

describe('empty preset determinism', () => {
  it('builds identical state and demo credentials for the same seed, and other ids for another seed', async () => {
    const sims = await Promise.all(['s1', 's1', 's2'].map((seed) => startSimHarness({ preset: 'empty', seed })));
    try {
      const [a, b, c] = await Promise.all(sims.map(async (sim) => readJson<Record<string, unknown>>(await fetch(`${sim.url}/__sim/state`))));
      expect(a).toEqual(b);
      expect(sims[0]!.sim.demoApp).toEqual(sims[1]!.sim.demoApp);
      expect(c!.rootOrgId).not.toBe(a!.rootOrgId);
    } finally {
      await Promise.all(sims.map((sim) => sim.close()));
    }
  });
});

describe('a gateway on the empty preset', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ preset: 'empty' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers a query for the organization with its owner, root team and environments only', async () => {
    const orgId = stack.sim.sim.demoApp.orgId;
    const result = await stack.gw.gql(
      `query ($id: ID!) { organization(id: $id) {
        id name isRoot children { id }
        environments { name }
        owner { username }
        rootTeam { name }
        users { totalCount } teams { totalCount } apis { totalCount }
      } }`,
      { id: orgId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      organization: {
        id: orgId,
        name: 'Acme',
        isRoot: true,
        children: [],
        environments: expect.arrayContaining([{ name: 'Design' }, { name: 'Sandbox' }, { name: 'Production' }]),
        owner: { username: 'acme_admin' },
        rootTeam: { name: 'Acme' },
        users: { totalCount: 1 },
        teams: { totalCount: 1 },
        apis: { totalCount: 0 },
      },
    });
    expect((result.data as { organization: { environments: unknown[] } }).organization.environments).toHaveLength(3);
  });
});

describe('anypoint-graph serve with SIMULATOR_PRESET=empty', () => {
  const ROOT = fileURLToPath(new URL('../..', import.meta.url));
  const BIN = fileURLToPath(new URL('../../bin/anypoint-graph.js', import.meta.url));

  it('starts the embedded simulator on the empty preset in demo mode and serves its organization', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SIMULATOR_PRESET: 'empty' };
    // No credentials: demo mode, the path a first-time SCIM trial takes.
    for (const name of ['ANYPOINT_BASE_URL', 'ANYPOINT_CLIENT_ID', 'ANYPOINT_CLIENT_SECRET', 'ANYPOINT_ORG_ID', 'REDIS_URL', 'DATABASE_URL']) delete env[name];
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const serving = waitForServing(child);
    try {
      const served = await serving;
      const url = served.url;
      expect(served.stdout()).toContain('embedded simulator (empty preset)');
      const query = '{ viewer { organization { name children { id } users { totalCount } teams { totalCount } } } }';
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(await res.json()).toEqual({ data: { viewer: { organization: { name: 'Acme', children: [], users: { totalCount: 1 }, teams: { totalCount: 1 } } } } });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(served.stderr()).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
