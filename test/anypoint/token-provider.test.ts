import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getMe } from '../../src/anypoint/accounts.js';
import { DEFAULT_RETRY_POLICY } from '../../src/anypoint/retry-policy.js';
import { createTokenProvider } from '../../src/anypoint/token-provider.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { FAST_RETRY, ME_ROUTE, RecordingAgent, TOKEN_ROUTE, anypointFailure, clientFor, countOf, expireTokens, resetCounts } from './support.js';

let h: SimHarness;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  h = await startSimHarness();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await resetCounts(h);
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function track<T extends { close(): Promise<void> }>(closable: T): T {
  closers.push(() => closable.close());
  return closable;
}

describe('token provider', () => {
  it('fetches the token once and reuses it for later calls', async () => {
    const client = track(clientFor(h));
    await getMe(client);
    await getMe(client);
    await getMe(client);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 200)).toBe(1);
    expect(await countOf(h, 'GET', ME_ROUTE, 200)).toBe(3);
    expect(client.tokens.fetchCount).toBe(1);
  });

  it('shares one token request between twenty concurrent first calls', async () => {
    const client = track(clientFor(h));
    // Distinct query strings so GET de-duplication cannot be what hides the token requests.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.request<{ client?: { client_id: string } }>({ route: ME_ROUTE, query: { n: i } })),
    );
    expect(results.every((r) => r.client?.client_id === h.sim.demoApp.clientId)).toBe(true);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 200)).toBe(1);
    expect(await countOf(h, 'GET', ME_ROUTE, 200)).toBe(20);
  });

  it('hands the same token to concurrent getToken callers', async () => {
    const client = track(clientFor(h));
    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.tokens.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 200)).toBe(1);
  });

  it('refreshes the token before it expires, by the provider clock', async () => {
    const agent = track(new Agent());
    let clock = 1_000_000;
    const provider = createTokenProvider({
      dispatcher: agent,
      origin: h.url,
      clientId: h.sim.demoApp.clientId,
      clientSecret: h.sim.demoApp.clientSecret,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...FAST_RETRY },
      refreshMarginMs: 60_000,
      now: () => clock,
    });
    const first = await provider.getToken();
    // The simulator issues one-hour tokens; the provider refreshes one margin (60 s) early.
    clock += 3_600_000 - 60_000 - 1;
    expect(await provider.getToken()).toBe(first);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 200)).toBe(1);
    clock += 1;
    const second = await provider.getToken();
    expect(second).not.toBe(first);
    expect(provider.fetchCount).toBe(2);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 200)).toBe(2);
  });

  it('drops a token on invalidate only when it is still the cached one', async () => {
    const client = track(clientFor(h));
    const first = await client.tokens.getToken();
    client.tokens.invalidate('some-other-token');
    expect(await client.tokens.getToken()).toBe(first);
    client.tokens.invalidate(first);
    expect(await client.tokens.getToken()).not.toBe(first);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 200)).toBe(2);
  });

  it('refuses bad credentials with UNAUTHENTICATED and does not retry the token request', async () => {
    const client = track(clientFor(h, { clientSecret: 'not-the-secret' }));
    const error = await anypointFailure(getMe(client));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.status).toBe(401);
    expect(await countOf(h, 'POST', TOKEN_ROUTE, 401)).toBe(1);
    expect(await countOf(h, 'GET', ME_ROUTE, 200)).toBe(0);
  });

  it('never sends an Authorization header on the token request, not even on a refresh after a 401', async () => {
    const agent = track(new RecordingAgent());
    const client = track(clientFor(h, { dispatcher: agent }));
    await getMe(client);
    await expireTokens(h);
    await getMe(client);
    const tokenRequests = agent.seen.filter((r) => r.path === TOKEN_ROUTE);
    expect(tokenRequests).toHaveLength(2);
    for (const request of tokenRequests) expect(request.headers).not.toHaveProperty('authorization');
    // The API calls, by contrast, do carry the bearer token.
    const apiRequests = agent.seen.filter((r) => r.path === ME_ROUTE);
    expect(apiRequests).toHaveLength(3);
    for (const request of apiRequests) expect(request.headers.authorization).toMatch(/^Bearer \S+$/);
  });
});

describe('short-lived tokens', () => {
  let shortLived: SimHarness;

  beforeAll(async () => {
    shortLived = await startSimHarness({ tokenLifetimeSeconds: 1 });
  });

  afterAll(async () => {
    await shortLived?.close();
  });

  it('fetches a new token once half a short lifetime has passed, before the platform would reject it', async () => {
    const client = track(clientFor(shortLived));
    await getMe(client);
    await sleep(600);
    await getMe(client);
    expect(await countOf(shortLived, 'POST', TOKEN_ROUTE, 200)).toBe(2);
    // The refresh happened ahead of expiry: the platform never answered 401.
    expect(await countOf(shortLived, 'GET', ME_ROUTE, 401)).toBe(0);
    expect(await countOf(shortLived, 'GET', ME_ROUTE, 200)).toBe(2);
  });
});
