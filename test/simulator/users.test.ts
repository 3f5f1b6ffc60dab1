import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { getJson, newUserBody, readJson, uniqueUsername, usersPath, type Page, type UserBody } from './support.js';

let h: SimHarness;
let token: string;
let rootOrgId: string;
let businessGroupId: string;

beforeAll(async () => {
  h = await startSimHarness();
  token = await h.token();
  rootOrgId = h.sim.store.rootOrgId;
  businessGroupId = [...h.sim.store.orgs.values()].find((o) => o.parentId !== null)!.id;
});

afterAll(async () => {
  await h?.close();
});

async function createUser(orgId: string, username: string): Promise<Response> {
  return h.send('POST', usersPath(orgId), token, newUserBody(username));
}

describe('username rules', () => {
  it('treats usernames case-sensitively: "Jdoe" and "jdoe" are two users', async () => {
    const base = uniqueUsername('jdoe');
    const upper = `J${base.slice(1)}`;
    const a = await createUser(rootOrgId, upper);
    const b = await createUser(rootOrgId, base);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    const [ua, ub] = [await readJson<UserBody>(a), await readJson<UserBody>(b)];
    expect(ua.username).toBe(upper);
    expect(ub.username).toBe(base);
    expect(ua.id).not.toBe(ub.id);
    // And the exact same spelling again is taken.
    expect((await createUser(rootOrgId, base)).status).toBe(409);
  });

  it('accepts letters, digits and underscores only', async () => {
    const ok = await createUser(rootOrgId, `${uniqueUsername('Ok')}_9`);
    expect(ok.status).toBe(201);
    for (const bad of ['j.doe', 'j-doe', 'j doe', 'jdoé', 'jdoe@acme', 'j+doe']) {
      const res = await createUser(rootOrgId, bad);
      expect(res.status, bad).toBe(400);
      expect(await res.json(), bad).toMatchObject({ status: 400, message: expect.any(String) });
    }
    const missing = await h.send('POST', usersPath(rootOrgId), token, { firstName: 'No', lastName: 'Name', email: 'no@example.test' });
    expect(missing.status).toBe(400);
  });

  it('keeps usernames unique across every organization', async () => {
    const username = uniqueUsername('bg_user');
    const inGroup = await createUser(businessGroupId, username);
    expect(inGroup.status).toBe(201);
    expect((await readJson<UserBody>(inGroup)).organizationId).toBe(businessGroupId);

    const inRoot = await createUser(rootOrgId, username);
    expect(inRoot.status).toBe(409);
    expect(await inRoot.json()).toMatchObject({ status: 409, message: expect.stringContaining(username) });

    // A seeded business-group user's name is just as taken in the root org.
    const seeded = h.sim.store.usersOf(businessGroupId)[1]!;
    expect((await createUser(rootOrgId, seeded.username)).status).toBe(409);
    const rootUsers = await getJson<Page<UserBody>>(h, `${usersPath(rootOrgId)}?limit=500`, token);
    expect(rootUsers.data.some((u) => u.username === username || u.username === seeded.username)).toBe(false);
  });

  it('never lets a deleted user\'s username be reused', async () => {
    const username = uniqueUsername('gone');
    const created = await readJson<UserBody>(await createUser(rootOrgId, username));
    const deleted = await h.send('DELETE', `${usersPath(rootOrgId)}/${created.id}`, token);
    expect(deleted.status).toBe(204);
    expect((await h.get(`${usersPath(rootOrgId)}/${created.id}`, token)).status).toBe(404);
    const list = await getJson<Page<UserBody>>(h, `${usersPath(rootOrgId)}?limit=500`, token);
    expect(list.data.some((u) => u.id === created.id)).toBe(false);

    expect((await createUser(rootOrgId, username)).status).toBe(409);
    expect((await createUser(businessGroupId, username)).status).toBe(409);
  });
});

describe('user updates', () => {
  it('refuses to change the e-mail but accepts the unchanged one', async () => {
    const user = await readJson<UserBody>(await createUser(rootOrgId, uniqueUsername('mail')));
    const path = `${usersPath(rootOrgId)}/${user.id}`;
    const changed = await h.send('PUT', path, token, { email: 'someone.else@example.test' });
    expect(changed.status).toBe(400);
    expect(await changed.json()).toMatchObject({ status: 400, message: expect.stringContaining('email') });
    const same = await h.send('PUT', path, token, { email: user.email, firstName: 'Renamed' });
    expect(same.status).toBe(200);
    const after = await getJson<UserBody>(h, path, token);
    expect(after.email).toBe(user.email);
    expect(after.firstName).toBe('Renamed');
  });

  it('refuses to change the username on PUT, even only its case', async () => {
    const user = await readJson<UserBody>(await createUser(rootOrgId, uniqueUsername('fixed')));
    const path = `${usersPath(rootOrgId)}/${user.id}`;
    for (const username of [`${user.username}_2`, user.username.toUpperCase()]) {
      const res = await h.send('PUT', path, token, { username });
      expect(res.status, username).toBe(400);
      expect(await res.json()).toMatchObject({ status: 400, message: expect.stringContaining('username') });
    }
    expect((await getJson<UserBody>(h, path, token)).username).toBe(user.username);
    expect((await h.send('PUT', path, token, { username: user.username, lastName: 'Same' })).status).toBe(200);
  });

  it('disables and re-enables a user', async () => {
    const user = await readJson<UserBody>(await createUser(rootOrgId, uniqueUsername('toggle')));
    expect(user.enabled).toBe(true);
    const path = `${usersPath(rootOrgId)}/${user.id}`;
    const off = await h.send('PUT', path, token, { enabled: false });
    expect(off.status).toBe(200);
    expect((await readJson<UserBody>(off)).enabled).toBe(false);
    expect((await getJson<UserBody>(h, path, token)).enabled).toBe(false);
    const on = await h.send('PUT', path, token, { enabled: true });
    expect((await readJson<UserBody>(on)).enabled).toBe(true);
    expect((await getJson<UserBody>(h, path, token)).enabled).toBe(true);
    const bad = await h.send('PUT', path, token, { enabled: 'no' });
    expect(bad.status).toBe(400);
  });

  it('does not find a user through another organization\'s path', async () => {
    const user = await readJson<UserBody>(await createUser(businessGroupId, uniqueUsername('elsewhere')));
    expect((await h.get(`${usersPath(rootOrgId)}/${user.id}`, token)).status).toBe(404);
    expect((await h.get(`${usersPath(businessGroupId)}/${user.id}`, token)).status).toBe(200);
  });
});
