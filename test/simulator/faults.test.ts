import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultConfig, FaultRule } from '../../src/simulator/faults.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { getJson, newUserBody, readJson, uniqueUsername, usersPath, type Page, type UserBody } from './support.js';

let h: SimHarness;
let token: string;
let users: string;

beforeAll(async () => {
  h = await startSimHarness();
  token = await h.token();
  users = usersPath(h.sim.store.rootOrgId);
});

afterAll(async () => {
  await h?.close();
});

// Every test starts and ends with no faults and no latency.
beforeEach(async () => {
  await putFaults({});
});

afterEach(async () => {
  await putFaults({});
});

function putFaults(body: unknown): Promise<Response> {
  return fetch(`${h.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function setRules(rules: FaultRule[]): Promise<void> {
  const res = await putFaults({ rules });
  expect(res.status).toBe(200);
}

async function timed(fn: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const start = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  return { res, ms: performance.now() - start };
}

describe('status faults', () => {
  it('injects a 429 with Retry-After and rate-limit headers on /accounts', async () => {
    await setRules([{ kind: '429', probability: 1 }]);
    const res = await h.get(users, token);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await res.json()).toMatchObject({ status: 429, message: expect.any(String) });
  });

  it('injects a 503 with an empty body on /accounts and a JSON body elsewhere', async () => {
    await setRules([{ kind: '503', probability: 1 }]);
    const accounts = await h.get(users, token);
    expect(accounts.status).toBe(503);
    expect(accounts.headers.get('retry-after')).not.toBeNull();
    expect(await accounts.text()).toBe('');
    const exchange = await h.get('/exchange/api/v2/assets', token);
    expect(exchange.status).toBe(503);
    expect(await exchange.json()).toMatchObject({ status: 503 });
  });

  it('injects a 500 without Retry-After', async () => {
    await setRules([{ kind: '500', probability: 1 }]);
    const res = await h.get(users, token);
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toMatchObject({ status: 500, message: expect.any(String) });
  });

  it('stops firing a rule once its times are spent', async () => {
    await setRules([{ kind: '500', probability: 1, times: 2 }]);
    expect((await h.get(users, token)).status).toBe(500);
    const config = await getJson<FaultConfig>(h, '/__sim/faults', token);
    expect(config.rules[0]?.times).toBe(1);
    expect((await h.get(users, token)).status).toBe(500);
    expect((await h.get(users, token)).status).toBe(200);
    expect((await h.get(users, token)).status).toBe(200);
  });

  it('never fires at probability 0 and fires only sometimes at 0.5', async () => {
    await setRules([{ kind: '500', probability: 0 }]);
    for (let i = 0; i < 10; i += 1) expect((await h.get(users, token)).status).toBe(200);
    await setRules([{ kind: '500', probability: 0.5 }]);
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i += 1) statuses.add((await h.get(users, token)).status);
    expect(statuses).toEqual(new Set([200, 500]));
  });
});

describe('connection faults', () => {
  it('resets the connection so the fetch rejects', async () => {
    await setRules([{ kind: 'reset', probability: 1, times: 1 }]);
    await expect(h.get(users, token)).rejects.toThrow();
    expect((await h.get(users, token)).status).toBe(200);
  });

  it('commits a dropped user create although the client gets a socket error', async () => {
    const username = uniqueUsername('dropped');
    await setRules([{ kind: 'drop', probability: 1, times: 1, method: 'POST', path: '/accounts/api/organizations/*/users' }]);
    await expect(h.send('POST', users, token, newUserBody(username))).rejects.toThrow();
    const list = await getJson<Page<UserBody>>(h, `${users}?limit=500`, token);
    expect(list.data.filter((u) => u.username === username)).toHaveLength(1);
    // The write is real: the name is now taken.
    expect((await h.send('POST', users, token, newUserBody(username))).status).toBe(409);
  });

  it('never drops a failed write or a GET', async () => {
    await setRules([{ kind: 'drop', probability: 1 }]);
    expect((await h.get(users, token)).status).toBe(200);
    const bad = await h.send('POST', users, token, { username: 'not valid!' });
    expect(bad.status).toBe(400);
  });
});

describe('latency', () => {
  it('adds a fixed latency to every request', async () => {
    expect((await putFaults({ latency: { minMs: 150, maxMs: 150 } })).status).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const { res, ms } = await timed(() => h.get(users, token));
      expect(res.status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(145);
    }
  });

  it('adds a jittered latency of at least the minimum', async () => {
    expect((await putFaults({ latency: { minMs: 60, maxMs: 180 } })).status).toBe(200);
    for (let i = 0; i < 5; i += 1) {
      const { ms } = await timed(() => h.get('/exchange/api/v2/assets', token));
      expect(ms).toBeGreaterThanOrEqual(55);
    }
  });

  describe('from the simulator options', () => {
    let slow: SimHarness | undefined;

    afterEach(async () => {
      await slow?.close();
      slow = undefined;
    });

    it('adds the latency given at start-up', async () => {
      slow = await startSimHarness({ latency: { minMs: 120, maxMs: 120 } });
      const sim = slow;
      const slowToken = await sim.token();
      const { res, ms } = await timed(() => sim.get(usersPath(sim.sim.store.rootOrgId), slowToken));
      expect(res.status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(115);
    });
  });
});

describe('fault rule matching', () => {
  it('matches a method and a single-segment * glob', async () => {
    await setRules([{ kind: '500', probability: 1, method: 'GET', path: '/accounts/api/organizations/*/users' }]);
    expect((await h.get(users, token)).status).toBe(500);
    // * does not cross a segment: one user is not matched.
    const someone = h.sim.store.usersOf(h.sim.store.rootOrgId)[0]!;
    expect((await h.get(`${users}/${someone.id}`, token)).status).toBe(200);
    // Another method is not matched.
    expect((await h.send('POST', users, token, newUserBody(uniqueUsername('glob')))).status).toBe(201);
    expect((await h.get(`/accounts/api/organizations/${h.sim.store.rootOrgId}`, token)).status).toBe(200);
  });

  it('matches across segments with ** and any method when none is given', async () => {
    await setRules([{ kind: '503', probability: 1, path: '/exchange/**' }]);
    expect((await h.get('/exchange/api/v2/assets', token)).status).toBe(503);
    expect((await h.send('POST', '/exchange/api/v2/assets', token, {})).status).toBe(503);
    expect((await h.get(users, token)).status).toBe(200);
  });

  it('uses the first matching rule', async () => {
    await setRules([
      { kind: '429', probability: 1, path: '/exchange/**', times: 1 },
      { kind: '500', probability: 1, path: '/exchange/**', times: 1 },
    ]);
    expect((await h.get('/exchange/api/v2/assets', token)).status).toBe(429);
    expect((await h.get('/exchange/api/v2/assets', token)).status).toBe(500);
    expect((await h.get('/exchange/api/v2/assets', token)).status).toBe(200);
  });

  it('does not fault the control plane', async () => {
    await setRules([{ kind: '500', probability: 1 }]);
    expect((await fetch(`${h.url}/__sim/info`)).status).toBe(200);
    expect((await fetch(`${h.url}/__sim/counts`)).status).toBe(200);
  });
});

describe('PUT /__sim/faults', () => {
  it('accepts rules as JSON and reports them back', async () => {
    const res = await putFaults({ latency: { minMs: 0, maxMs: 5 }, rules: [{ kind: 'reset', probability: 0.25, method: 'post', path: '/accounts/**', times: 3 }] });
    expect(res.status).toBe(200);
    const body = await readJson<FaultConfig>(res);
    expect(body).toEqual({
      latency: { minMs: 0, maxMs: 5 },
      rules: [{ kind: 'reset', probability: 0.25, method: 'POST', path: '/accounts/**', times: 3 }],
    });
    expect(await getJson<FaultConfig>(h, '/__sim/faults', token)).toEqual(body);
  });

  it('accepts a {spec} string in the CLI syntax', async () => {
    const res = await putFaults({ spec: '500:1x1@GET /accounts/api/organizations/*/users,503:0.5@/exchange/**' });
    expect(res.status).toBe(200);
    const body = await readJson<FaultConfig>(res);
    expect(body.rules).toEqual([
      { kind: '500', probability: 1, times: 1, method: 'GET', path: '/accounts/api/organizations/*/users' },
      { kind: '503', probability: 0.5, path: '/exchange/**' },
    ]);
    expect((await h.get(users, token)).status).toBe(500);
    expect((await h.get(users, token)).status).toBe(200);
  });

  it('answers a bad spec or rule with a 400 and keeps the old configuration', async () => {
    await setRules([{ kind: '500', probability: 1, times: 1, path: '/exchange/**' }]);
    for (const body of [
      { spec: '404:1' },
      { spec: 'nonsense' },
      { spec: '500:2' },
      { rules: [{ kind: 'explode', probability: 1 }] },
      { rules: 'all of them' },
      { latency: { minMs: 50, maxMs: 10 } },
    ]) {
      const res = await putFaults(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ status: 400, message: expect.any(String) });
    }
    const config = await getJson<FaultConfig>(h, '/__sim/faults', token);
    expect(config.rules).toEqual([{ kind: '500', probability: 1, times: 1, path: '/exchange/**' }]);
  });

  it('answers a body that is not JSON with a 400, not a 500', async () => {
    const res = await fetch(`${h.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"rules": [' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, message: expect.stringContaining('JSON') });
  });

  it('clears every rule with an empty configuration', async () => {
    await setRules([{ kind: '500', probability: 1 }]);
    expect((await h.get(users, token)).status).toBe(500);
    await putFaults({});
    expect((await h.get(users, token)).status).toBe(200);
    expect(await getJson<FaultConfig>(h, '/__sim/faults', token)).toEqual({ latency: { minMs: 0, maxMs: 0 }, rules: [] });
  });
});
