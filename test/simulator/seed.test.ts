import { afterEach, describe, expect, it } from 'vitest';
import { seedPlatform } from '../../src/simulator/seed.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { getJson, newUserBody, readJson, usersPath, type Page, type UserBody } from './support.js';

interface StateBody {
  rootOrgId: string;
  organizations: Array<{ id: string }>;
  users: Array<{ id: string; username: string }>;
  teams: Array<{ team_id: string }>;
  apis: Array<{ id: number }>;
  tokens: number;
}

const open: SimHarness[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function start(seed: string | number, preset: 'demo' | 'large' = 'demo'): Promise<SimHarness> {
  const sim = await startSimHarness({ seed, preset });
  open.push(sim);
  return sim;
}

async function state(sim: SimHarness): Promise<StateBody> {
  const res = await fetch(`${sim.url}/__sim/state`);
  expect(res.status).toBe(200);
  return readJson<StateBody>(res);
}

describe('seed determinism', () => {
  it('builds identical state, ids and data included, for the same seed', async () => {
    const [a, b] = await Promise.all([start('alpha'), start('alpha')]);
    const [sa, sb] = await Promise.all([state(a), state(b)]);
    expect(sa.users.length).toBeGreaterThan(0);
    expect(sa).toEqual(sb);
    expect(a.sim.demoApp).toEqual(b.sim.demoApp);
  });

  it('treats a numeric seed and its string form alike', async () => {
    const [a, b] = await Promise.all([start(7), start('7')]);
    expect(await state(a)).toEqual(await state(b));
  });

  it('gives different ids for a different seed', async () => {
    const [a, b] = await Promise.all([start('alpha'), start('beta')]);
    const [sa, sb] = await Promise.all([state(a), state(b)]);
    expect(sa.rootOrgId).not.toBe(sb.rootOrgId);
    const idsA = new Set(sa.users.map((u) => u.id));
    expect(sb.users.filter((u) => idsA.has(u.id))).toEqual([]);
    const teamsA = new Set(sa.teams.map((t) => t.team_id));
    expect(sb.teams.filter((t) => teamsA.has(t.team_id))).toEqual([]);
    expect(a.sim.demoApp.clientId).not.toBe(b.sim.demoApp.clientId);
    // The preset's shape does not depend on the seed.
    expect(sb.organizations.length).toBe(sa.organizations.length);
  });

  it('gives the same ids to records created by the same request sequence', async () => {
    const [a, b] = await Promise.all([start('gamma'), start('gamma')]);
    const created: string[] = [];
    for (const sim of [a, b]) {
      const token = await sim.token();
      const res = await sim.send('POST', usersPath(sim.sim.store.rootOrgId), token, newUserBody('same_sequence_user'));
      expect(res.status).toBe(201);
      created.push((await readJson<UserBody>(res)).id);
    }
    expect(created[0]).toBe(created[1]);
  });
});

describe('large preset', () => {
  it('seeds 51 organizations with 4-5 environments each, 10,000 users, 2,000 teams and 5,000 API instances', () => {
    const { store } = seedPlatform({ preset: 'large', seed: 42 });
    const orgs = [...store.orgs.values()];
    expect(orgs).toHaveLength(51);
    expect(orgs.filter((o) => o.parentId === null)).toHaveLength(1);
    expect(orgs.filter((o) => o.parentId !== null)).toHaveLength(50);
    for (const org of orgs) {
      expect(store.environmentsOf(org.id).length, org.name).toBeGreaterThanOrEqual(4);
      expect(store.environmentsOf(org.id).length, org.name).toBeLessThanOrEqual(5);
      expect([...store.teams.values()].filter((t) => t.org_id === org.id && t.parentId === null), org.name).toHaveLength(1);
    }
    expect(store.users.size).toBe(10_000);
    expect(new Set([...store.users.values()].map((u) => u.username)).size).toBe(10_000);
    expect(store.teams.size).toBe(2_000);
    expect(store.apis.size).toBe(5_000);
    // Every API instance lives in an environment of its own organization.
    for (const api of store.apis.values()) expect(store.environments.get(api.environmentId)?.organizationId).toBe(api.organizationId);
  });

  it('serves the large preset over HTTP', async () => {
    const sim = await start(42, 'large');
    const token = await sim.token();
    const rootOrgId = sim.sim.store.rootOrgId;
    interface Node { id: string; subOrganizations: Node[] }
    const tree = await getJson<Node>(sim, `/accounts/api/organizations/${rootOrgId}/hierarchy`, token);
    const ids = (node: Node): string[] => [node.id, ...node.subOrganizations.flatMap(ids)];
    expect(new Set(ids(tree)).size).toBe(51);
    let totalUsers = 0;
    for (const orgId of ids(tree)) {
      totalUsers += (await getJson<Page<UserBody>>(sim, `${usersPath(orgId)}?limit=0`, token)).total;
    }
    expect(totalUsers).toBe(10_000);
  });
});
