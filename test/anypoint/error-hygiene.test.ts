import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { getUser, listUsersPage } from '../../src/anypoint/accounts.js';
import type { AnypointError } from '../../src/anypoint/errors.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { EXCHANGE_SEARCH_ROUTE, USERS_ROUTE, anypointFailure, clientFor, setFaults } from './support.js';

let h: SimHarness;
let orgId: string;
const clients: AnypointClient[] = [];

beforeAll(async () => {
  h = await startSimHarness();
  orgId = h.sim.store.rootOrgId;
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await setFaults(h, {});
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await setFaults(h, {});
});

function track(c: AnypointClient): AnypointClient {
  clients.push(c);
  return c;
}

/** Every rendering of the error a log line or a GraphQL response could carry. */
function renderings(error: AnypointError): Record<string, string> {
  return {
    json: JSON.stringify(error),
    message: error.message,
    string: String(error),
    stack: error.stack ?? '',
    upstreamMessage: error.upstreamMessage ?? '',
    inspect: inspect(error, { depth: 6 }),
  };
}

function expectNoSecrets(error: AnypointError, secrets: string[]): void {
  expect(secrets.every((s) => s.length >= 8)).toBe(true);
  for (const [form, text] of Object.entries(renderings(error))) {
    for (const secret of secrets) expect(text.includes(secret), `${form} leaks a secret`).toBe(false);
  }
}

describe('AnypointError carries what an operator needs and no secrets', () => {
  it('for refused client credentials (401 on the token request)', async () => {
    const wrongSecret = 'wrong-secret-0123456789abcdef';
    const c = track(clientFor(h, { clientSecret: wrongSecret }));
    const error = await anypointFailure(listUsersPage(c, orgId, 0, 5));
    // Reported against the call that needed the token, with the token request's verdict.
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', method: 'GET', route: USERS_ROUTE });
    expect(error.upstreamMessage).toMatch(/credentials were refused/);
    expectNoSecrets(error, [wrongSecret, h.sim.demoApp.clientSecret]);
  });

  it('for a 404', async () => {
    const c = track(clientFor(h));
    const token = await c.tokens.getToken();
    const error = await anypointFailure(getUser(c, orgId, 'no-such-user-id'));
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND', method: 'GET', route: '/accounts/api/organizations/{orgId}/users/{userId}' });
    expect(error.upstreamMessage).toMatch(/not found/);
    expect(error.route).not.toContain(orgId);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ status: 404, code: 'NOT_FOUND', route: error.route });
    expectNoSecrets(error, [token, h.sim.demoApp.clientSecret]);
  });

  it('for a 403 from an app that lacks the scope', async () => {
    const c = track(clientFor(h, { clientId: h.sim.limitedApp.clientId, clientSecret: h.sim.limitedApp.clientSecret }));
    const token = await c.tokens.getToken();
    const error = await anypointFailure(listUsersPage(c, orgId, 0, 5));
    expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN', method: 'GET', route: USERS_ROUTE, attempts: 1 });
    expect(error.upstreamMessage).toBe('Forbidden');
    expect(error.message).not.toContain(orgId);
    expectNoSecrets(error, [token, h.sim.limitedApp.clientSecret]);
  });

  it('for a 400', async () => {
    const c = track(clientFor(h));
    const token = await c.tokens.getToken();
    const error = await anypointFailure(c.request({ route: USERS_ROUTE, params: { orgId }, query: { type: 'not-a-type' } }));
    expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST', method: 'GET', route: USERS_ROUTE });
    expect(error.upstreamMessage).toMatch(/type must be one of/);
    expect(error.message).not.toContain(orgId);
    expectNoSecrets(error, [token, h.sim.demoApp.clientSecret]);
  });

  it('for a 400 on a write whose body held a password', async () => {
    const c = track(clientFor(h));
    const token = await c.tokens.getToken();
    const password = 'Body-Password-0123456789';
    const error = await anypointFailure(
      c.request({ method: 'POST', route: USERS_ROUTE, params: { orgId }, body: { username: 'bad name!', firstName: 'A', lastName: 'B', email: 'a@example.com', password } }),
    );
    expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST', method: 'POST', route: USERS_ROUTE });
    expectNoSecrets(error, [token, password, h.sim.demoApp.clientSecret]);
  });

  it('for a 401 that outlives the token refresh', async () => {
    const c = track(clientFor(h));
    const token = await c.tokens.getToken();
    const app = h.sim.store.apps.get(h.sim.demoApp.clientId)!;
    app.enabled = false;
    try {
      const error = await anypointFailure(listUsersPage(c, orgId, 0, 5));
      expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', method: 'GET', route: USERS_ROUTE });
      expectNoSecrets(error, [token, h.sim.demoApp.clientSecret]);
    } finally {
      app.enabled = true;
    }
  });

  it('for a connection failure, including the undici error kept as its cause', async () => {
    const c = track(clientFor(h, { retryPolicy: { maxAttempts: 1 } }));
    const token = await c.tokens.getToken();
    await setFaults(h, { rules: [{ kind: 'reset', probability: 1, path: '/exchange/**' }] });
    const error = await anypointFailure(c.request({ route: EXCHANGE_SEARCH_ROUTE, query: { organizationId: orgId } }));
    expect(error).toMatchObject({ status: null, code: 'UPSTREAM_UNAVAILABLE', method: 'GET', route: EXCHANGE_SEARCH_ROUTE });
    expect(error.upstreamMessage).toMatch(/^Connection failed/);
    expectNoSecrets(error, [token, h.sim.demoApp.clientSecret]);
  });
});
