import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../../src/simulator/server.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { apisPath, freshRateWindow, readJson, usersPath } from './support.js';

let h: SimHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<{ h: SimHarness; token: string; users: string; apis: string }> {
  h = await startSimHarness(options);
  const token = await h.token();
  const { store } = h.sim;
  const env = [...store.environments.values()].find((e) => [...store.apis.values()].some((a) => a.environmentId === e.id))!;
  return { h, token, users: usersPath(store.rootOrgId), apis: apisPath(env.organizationId, env.id) };
}

async function setBudget(sim: SimHarness, perMinute: unknown): Promise<Response> {
  return fetch(`${sim.url}/__sim/rate-limit`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ perMinute }),
  });
}

function rateHeaders(res: Response) {
  return {
    limit: Number(res.headers.get('x-ratelimit-limit')),
    remaining: Number(res.headers.get('x-ratelimit-remaining')),
    reset: Number(res.headers.get('x-ratelimit-reset')),
  };
}

describe('X-RateLimit headers', () => {
  it('sends limit, a decrementing remaining and a future epoch-seconds reset on /accounts', async () => {
    await freshRateWindow();
    const s = await start();
    const first = await s.h.get(s.users, s.token);
    const second = await s.h.get(s.users, s.token);
    expect(first.headers.get('x-ratelimit-limit')).not.toBeNull();
    expect(first.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(first.headers.get('x-ratelimit-reset')).not.toBeNull();
    const a = rateHeaders(first);
    const b = rateHeaders(second);
    expect(a.limit).toBe(s.h.sim.rateLimiter.perMinute);
    expect(a.remaining).toBeLessThan(a.limit);
    expect(b.remaining).toBe(a.remaining - 1);
    const nowSeconds = Date.now() / 1000;
    expect(a.reset).toBeGreaterThan(nowSeconds);
    // Epoch seconds (not milliseconds), at the end of a one-minute window.
    expect(a.reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 60);
    expect(b.reset).toBe(a.reset);
  });

  it('sends the headers on other /accounts routes too, but not on Exchange or API Manager', async () => {
    const s = await start();
    const org = await s.h.get(`/accounts/api/organizations/${s.h.sim.store.rootOrgId}`, s.token);
    expect(org.headers.get('x-ratelimit-limit')).not.toBeNull();
    const exchange = await s.h.get('/exchange/api/v2/assets', s.token);
    const apim = await s.h.get(s.apis, s.token);
    expect(exchange.status).toBe(200);
    expect(apim.status).toBe(200);
    expect(exchange.headers.get('x-ratelimit-limit')).toBeNull();
    expect(apim.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('rate-limit overflow', () => {
  it('answers /accounts overflow with 503, an empty body and Retry-After (rateLimitPerMinute option)', async () => {
    await freshRateWindow();
    const s = await start({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) {
      const ok = await s.h.get(s.users, s.token);
      expect(ok.status).toBe(200);
      expect(rateHeaders(ok).remaining).toBe(2 - i);
    }
    const over = await s.h.get(s.users, s.token);
    expect(over.status).toBe(503);
    expect(await over.text()).toBe('');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(rateHeaders(over)).toMatchObject({ limit: 3, remaining: 0 });
    // Exchange and API Manager keep their own budgets.
    expect((await s.h.get('/exchange/api/v2/assets', s.token)).status).toBe(200);
    expect((await s.h.get(s.apis, s.token)).status).toBe(200);
  });

  it('answers Exchange and API Manager overflow with 429, a JSON body and Retry-After', async () => {
    await freshRateWindow();
    const s = await start();
    expect((await setBudget(s.h, 2)).status).toBe(200);
    for (const path of ['/exchange/api/v2/assets', s.apis]) {
      expect((await s.h.get(path, s.token)).status).toBe(200);
      expect((await s.h.get(path, s.token)).status).toBe(200);
      const over = await s.h.get(path, s.token);
      expect(over.status, path).toBe(429);
      expect(Number(over.headers.get('retry-after')), path).toBeGreaterThanOrEqual(1);
      expect(await over.json(), path).toMatchObject({ status: 429, message: expect.any(String) });
    }
  });

  it('takes a new budget from PUT /__sim/rate-limit and starts a fresh window', async () => {
    await freshRateWindow();
    const s = await start({ rateLimitPerMinute: 1 });
    expect((await s.h.get(s.users, s.token)).status).toBe(200);
    expect((await s.h.get(s.users, s.token)).status).toBe(503);
    const res = await setBudget(s.h, 5);
    expect(await readJson<unknown>(res)).toEqual({ perMinute: 5 });
    const ok = await s.h.get(s.users, s.token);
    expect(ok.status).toBe(200);
    expect(rateHeaders(ok)).toMatchObject({ limit: 5, remaining: 4 });
    expect((await setBudget(s.h, 0)).status).toBe(400);
    expect((await setBudget(s.h, 'many')).status).toBe(400);
    const notJson = await fetch(`${s.h.url}/__sim/rate-limit`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{perMinute: 5' });
    expect(notJson.status).toBe(400);
    // None of the rejected updates changed the budget.
    expect(rateHeaders(await s.h.get(s.users, s.token))).toMatchObject({ limit: 5, remaining: 3 });
  });

  it('shortens the window with windowSeconds (tests only), renewing the budget at its end, and puts the minute back without it', async () => {
    const s = await start();
    const set = await fetch(`${s.h.url}/__sim/rate-limit`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perMinute: 2, windowSeconds: 1 }) });
    expect(await readJson<unknown>(set)).toEqual({ perMinute: 2, windowSeconds: 1 });
    // Start just after a second boundary, so two calls and the check land in one window.
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    const first = await s.h.get(s.users, s.token);
    expect(rateHeaders(first)).toMatchObject({ limit: 2, remaining: 1, reset: Math.ceil(Date.now() / 1_000) });
    expect((await s.h.get(s.users, s.token)).status).toBe(200);
    const over = await s.h.get(s.users, s.token);
    expect(over.status).toBe(503);
    expect(over.headers.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, rateHeaders(over).reset * 1_000 - Date.now() + 20));
    expect(rateHeaders(await s.h.get(s.users, s.token))).toMatchObject({ limit: 2, remaining: 1 });
    for (const windowSeconds of [0, 61, 1.5, 'soon']) {
      const bad = await fetch(`${s.h.url}/__sim/rate-limit`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perMinute: 2, windowSeconds }) });
      expect(bad.status, String(windowSeconds)).toBe(400);
    }
    expect((await setBudget(s.h, 2)).status).toBe(200);
    const minute = rateHeaders(await s.h.get(s.users, s.token));
    expect(minute.reset % 60).toBe(0);
  });

  it('uses accountsOverflowStatus 429 with a JSON body on /accounts when configured', async () => {
    await freshRateWindow();
    const s = await start({ rateLimitPerMinute: 1, accountsOverflowStatus: 429 });
    expect((await s.h.get(s.users, s.token)).status).toBe(200);
    const over = await s.h.get(s.users, s.token);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).not.toBeNull();
    expect(await over.json()).toMatchObject({ status: 429 });
  });

  for (const status of [503, 500] as const) {
    it(`uses otherOverflowStatus ${status} on Exchange and API Manager when configured`, async () => {
      await freshRateWindow();
      const s = await start({ rateLimitPerMinute: 1, otherOverflowStatus: status });
      for (const path of ['/exchange/api/v2/assets', s.apis]) {
        expect((await s.h.get(path, s.token)).status).toBe(200);
        const over = await s.h.get(path, s.token);
        expect(over.status, path).toBe(status);
        expect(over.headers.get('retry-after'), path).not.toBeNull();
        expect(await over.json(), path).toMatchObject({ status });
      }
      // /accounts keeps its own default (503, empty body).
      expect((await s.h.get(s.users, s.token)).status).toBe(200);
      const accounts = await s.h.get(s.users, s.token);
      expect(accounts.status).toBe(503);
      expect(await accounts.text()).toBe('');
    });
  }

  it('budgets each connected app separately', async () => {
    await freshRateWindow();
    const s = await start({ rateLimitPerMinute: 1 });
    const orgPath = `/accounts/api/organizations/${s.h.sim.store.rootOrgId}`;
    // The token endpoint is budgeted as an anonymous caller (already spent on the demo token),
    // so reset the windows before asking for the second app's token.
    expect((await fetch(`${s.h.url}/__sim/rate-limit/reset`, { method: 'POST' })).status).toBe(204);
    const limited = await s.h.token(s.h.sim.limitedApp.clientId, s.h.sim.limitedApp.clientSecret);
    expect((await s.h.get(orgPath, s.token)).status).toBe(200);
    expect((await s.h.get(orgPath, s.token)).status).toBe(503);
    // The demo app's budget is spent; the limited app's is untouched until it spends it too.
    expect((await s.h.get(orgPath, limited)).status).toBe(200);
    expect((await s.h.get(orgPath, limited)).status).toBe(503);
  });
});
