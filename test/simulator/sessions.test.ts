import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { passwordLogin, readJson, usersPath, type UserBody } from './support.js';

let h: SimHarness;
let appToken: string;

beforeAll(async () => {
  h = await startSimHarness();
  appToken = await h.token();
});

afterAll(async () => {
  await h?.close();
});

async function login(username: string): Promise<string> {
  const res = await passwordLogin(h, username, DEMO_USER_PASSWORD);
  expect(res.status).toBe(200);
  return (await readJson<{ access_token: string }>(res)).access_token;
}

describe('user sessions', () => {
  it('ends a user\'s sessions when the user is disabled, and lets them log in again once re-enabled', async () => {
    const { store } = h.sim;
    const rootOrgId = store.rootOrgId;
    const ownerId = store.orgs.get(rootOrgId)!.ownerId;
    // Any enabled seeded user other than the app owner.
    const user = store.usersOf(rootOrgId).find((u) => u.enabled && u.id !== ownerId)!;
    const userPath = `${usersPath(rootOrgId)}/${user.id}`;

    const session = await login(user.username);
    const me = await h.get('/accounts/api/users/me', session);
    expect(me.status).toBe(200);
    expect((await readJson<UserBody>(me)).id).toBe(user.id);

    const disable = await h.send('PUT', userPath, appToken, { enabled: false });
    expect(disable.status).toBe(200);

    const after = await h.get('/accounts/api/users/me', session);
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ status: 401, message: 'Unauthorized' });
    expect((await h.get('/accounts/api/me', session)).status).toBe(401);
    expect((await passwordLogin(h, user.username, DEMO_USER_PASSWORD)).status).toBe(401);
    // The app's own token is unaffected.
    expect((await h.get(userPath, appToken)).status).toBe(200);

    const enable = await h.send('PUT', userPath, appToken, { enabled: true });
    expect(enable.status).toBe(200);
    const fresh = await login(user.username);
    expect((await h.get('/accounts/api/users/me', fresh)).status).toBe(200);
    // The session that was ended stays ended.
    expect((await h.get('/accounts/api/users/me', session)).status).toBe(401);
  });

  it('refuses a password login for a user seeded as disabled', async () => {
    const disabled = [...h.sim.store.users.values()].find((u) => !u.enabled && !u.deleted);
    expect(disabled).toBeDefined();
    expect((await passwordLogin(h, disabled!.username, DEMO_USER_PASSWORD)).status).toBe(401);
  });

  it('ends a user\'s sessions when the user is deleted', async () => {
    const rootOrgId = h.sim.store.rootOrgId;
    const ownerId = h.sim.store.orgs.get(rootOrgId)!.ownerId;
    const user = h.sim.store.usersOf(rootOrgId).filter((u) => u.enabled && u.id !== ownerId)[5]!;
    const session = await login(user.username);
    expect((await h.send('DELETE', `${usersPath(rootOrgId)}/${user.id}`, appToken)).status).toBe(204);
    expect((await h.get('/accounts/api/users/me', session)).status).toBe(401);
    expect((await passwordLogin(h, user.username, DEMO_USER_PASSWORD)).status).toBe(401);
  });

  it('uses a password set through PUT for later logins', async () => {
    const rootOrgId = h.sim.store.rootOrgId;
    const ownerId = h.sim.store.orgs.get(rootOrgId)!.ownerId;
    const user = h.sim.store.usersOf(rootOrgId).filter((u) => u.enabled && u.id !== ownerId)[7]!;
    expect((await h.send('PUT', `${usersPath(rootOrgId)}/${user.id}`, appToken, { password: 'Changed-Pass-2' })).status).toBe(200);
    expect((await passwordLogin(h, user.username, DEMO_USER_PASSWORD)).status).toBe(401);
    expect((await passwordLogin(h, user.username, 'Changed-Pass-2')).status).toBe(200);
  });
});
