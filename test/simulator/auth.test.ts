import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/simulator/server.js';
import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { passwordLogin, readJson, TOKEN_PATH, usersPath, type UserBody } from './support.js';

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
}

let h: SimHarness;

beforeAll(async () => {
  h = await startSimHarness();
});

afterAll(async () => {
  await h?.close();
});

function tokenRequest(body: Record<string, string>, form = false): Promise<Response> {
  return fetch(`${h.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
}

const demoCredentials = () => ({ grant_type: 'client_credentials', client_id: h.sim.demoApp.clientId, client_secret: h.sim.demoApp.clientSecret });

describe('token endpoint', () => {
  it('issues a bearer token for a JSON client-credentials request', async () => {
    const res = await tokenRequest(demoCredentials());
    expect(res.status).toBe(200);
    const body = await readJson<TokenBody>(res);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(DEFAULTS.tokenLifetimeSeconds);
    expect(body.access_token.length).toBeGreaterThan(0);
    expect((await h.get(usersPath(h.sim.store.rootOrgId), body.access_token)).status).toBe(200);
  });

  it('issues a token for a form-encoded request too', async () => {
    const res = await tokenRequest(demoCredentials(), true);
    expect(res.status).toBe(200);
    const { access_token } = await readJson<TokenBody>(res);
    expect((await h.get(usersPath(h.sim.store.rootOrgId), access_token)).status).toBe(200);
  });

  it('issues a different token on every request', async () => {
    const a = await readJson<TokenBody>(await tokenRequest(demoCredentials()));
    const b = await readJson<TokenBody>(await tokenRequest(demoCredentials()));
    expect(a.access_token).not.toBe(b.access_token);
  });

  it('answers bad credentials with 401', async () => {
    const wrongSecret = await tokenRequest({ ...demoCredentials(), client_secret: 'wrong' });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ status: 401, message: expect.any(String) });
    expect((await tokenRequest({ ...demoCredentials(), client_id: 'nobody' })).status).toBe(401);
    expect((await tokenRequest({ ...demoCredentials(), client_secret: 'wrong' }, true)).status).toBe(401);
    const user = h.sim.store.usersOf(h.sim.store.rootOrgId).find((u) => u.enabled)!;
    expect((await passwordLogin(h, user.username, 'not-the-password')).status).toBe(401);
    expect((await passwordLogin(h, 'no_such_user_anywhere', DEMO_USER_PASSWORD)).status).toBe(401);
  });

  it('refuses an unknown grant type with 400 and a grant the app may not use with 401', async () => {
    expect((await tokenRequest({ ...demoCredentials(), grant_type: 'authorization_code' })).status).toBe(400);
    const user = h.sim.store.usersOf(h.sim.store.rootOrgId).find((u) => u.enabled)!;
    const limitedPassword = await tokenRequest({
      grant_type: 'password',
      client_id: h.sim.limitedApp.clientId,
      client_secret: h.sim.limitedApp.clientSecret,
      username: user.username,
      password: DEMO_USER_PASSWORD,
    });
    expect(limitedPassword.status).toBe(401);
  });

  it('accepts a lower-case "bearer" authorization scheme', async () => {
    const token = await h.token();
    const res = await fetch(`${h.url}${usersPath(h.sim.store.rootOrgId)}`, { headers: { authorization: `bearer ${token}` } });
    expect(res.status).toBe(200);
  });
});

describe('token expiry', () => {
  let short: SimHarness | undefined;

  afterEach(async () => {
    await short?.close();
    short = undefined;
  });

  it('expires a token after the configured lifetime', async () => {
    short = await startSimHarness({ tokenLifetimeSeconds: 1 });
    const res = await fetch(`${short.url}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: short.sim.demoApp.clientId, client_secret: short.sim.demoApp.clientSecret }),
    });
    const body = await readJson<TokenBody>(res);
    expect(body.expires_in).toBe(1);
    const path = usersPath(short.sim.store.rootOrgId);
    expect((await short.get(path, body.access_token)).status).toBe(200);
    await sleep(1_200);
    const expired = await short.get(path, body.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ status: 401, message: 'Unauthorized' });
    // A fresh token works again.
    expect((await short.get(path, await short.token())).status).toBe(200);
  });

  it('expires every token on POST /__sim/tokens/expire', async () => {
    const a = await h.token();
    const b = await h.token(h.sim.limitedApp.clientId, h.sim.limitedApp.clientSecret);
    const orgPath = `/accounts/api/organizations/${h.sim.store.rootOrgId}`;
    expect((await h.get(orgPath, a)).status).toBe(200);
    expect((await h.get(orgPath, b)).status).toBe(200);
    const res = await fetch(`${h.url}/__sim/tokens/expire`, { method: 'POST' });
    expect(res.status).toBe(200);
    const { expired } = await readJson<{ expired: number }>(res);
    expect(expired).toBeGreaterThanOrEqual(2);
    expect((await h.get(orgPath, a)).status).toBe(401);
    expect((await h.get(orgPath, b)).status).toBe(401);
    expect((await h.get(orgPath, await h.token())).status).toBe(200);
  });
});

describe('scopes', () => {
  it('gives the limited app (read:organization only) 403 on users but 200 on its organization', async () => {
    const limited = await h.token(h.sim.limitedApp.clientId, h.sim.limitedApp.clientSecret);
    const rootOrgId = h.sim.store.rootOrgId;
    expect((await h.get(usersPath(rootOrgId), limited)).status).toBe(403);
    expect((await h.send('POST', usersPath(rootOrgId), limited, { username: 'x' })).status).toBe(403);
    expect((await h.get(`/accounts/api/organizations/${rootOrgId}/teams`, limited)).status).toBe(403);
    expect((await h.get('/exchange/api/v2/assets', limited)).status).toBe(403);
    expect((await h.get(`/accounts/api/organizations/${rootOrgId}`, limited)).status).toBe(200);
  });
});

describe('identity endpoints', () => {
  it('describes an app token on /accounts/api/me as {client: {client_id, org_id}}', async () => {
    const body = await readJson<Record<string, unknown>>(await h.get('/accounts/api/me', await h.token()));
    expect(body).toEqual({ client: { client_id: h.sim.demoApp.clientId, org_id: h.sim.demoApp.orgId } });
    const limited = await readJson<{ client: { client_id: string } }>(
      await h.get('/accounts/api/me', await h.token(h.sim.limitedApp.clientId, h.sim.limitedApp.clientSecret)),
    );
    expect(limited.client.client_id).toBe(h.sim.limitedApp.clientId);
  });

  it('describes a password-grant token on /accounts/api/me as {user, access_token}', async () => {
    const seeded = h.sim.store.usersOf(h.sim.store.rootOrgId).find((u) => u.enabled && u.id !== h.sim.store.orgs.get(h.sim.store.rootOrgId)!.ownerId)!;
    const login = await passwordLogin(h, seeded.username, DEMO_USER_PASSWORD);
    expect(login.status).toBe(200);
    const { access_token } = await readJson<TokenBody>(login);
    const body = await readJson<{ user: UserBody; access_token: { access_token: string; expires_in: number }; client?: unknown }>(
      await h.get('/accounts/api/me', access_token),
    );
    expect(body.user.id).toBe(seeded.id);
    expect(body.user.username).toBe(seeded.username);
    expect(body.user.memberOfOrganizations.map((o) => o.id)).toContain(h.sim.store.rootOrgId);
    expect(body.access_token.access_token).toBe(access_token);
    expect(body.access_token.expires_in).toBeGreaterThan(0);
    expect(body.access_token.expires_in).toBeLessThanOrEqual(DEFAULTS.tokenLifetimeSeconds);
    expect(body.client).toBeUndefined();
  });

  it('returns a flat user on /users/me and /profile', async () => {
    const token = await h.token();
    const owner = h.sim.store.users.get(h.sim.store.orgs.get(h.sim.store.rootOrgId)!.ownerId)!;
    for (const path of ['/accounts/api/users/me', '/accounts/api/profile']) {
      const body = await readJson<UserBody & { user?: unknown }>(await h.get(path, token));
      expect(body.user, path).toBeUndefined();
      expect(body.id, path).toBe(owner.id);
      expect(body.username, path).toBe(owner.username);
      expect(body.organizationPreferences, path).toEqual({});
      const root = body.memberOfOrganizations.find((o) => o.isRoot);
      expect(root?.id, path).toBe(h.sim.store.rootOrgId);
    }
  });

  it('returns the logged-in user, not the app owner, on /users/me for a user token', async () => {
    const seeded = h.sim.store.usersOf(h.sim.store.rootOrgId).filter((u) => u.enabled)[3]!;
    const { access_token } = await readJson<TokenBody>(await passwordLogin(h, seeded.username, DEMO_USER_PASSWORD));
    const body = await readJson<UserBody>(await h.get('/accounts/api/users/me', access_token));
    expect(body.id).toBe(seeded.id);
    expect(body.email).toBe(seeded.email);
  });
});
