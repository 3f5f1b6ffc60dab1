import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { getMe, getOrganization } from '../../src/anypoint/accounts.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { ME_ROUTE, ORG_ROUTE, TOKEN_ROUTE, clientFor, expireTokens, resetCounts, rowsOf } from './support.js';

let h: SimHarness;
let client: AnypointClient;

beforeAll(async () => {
  h = await startSimHarness();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  client = clientFor(h);
  await getMe(client);
  await resetCounts(h);
});

afterEach(async () => {
  await client.close();
});

describe('a token that dies mid-flight', () => {
  it('gets one 401, fetches one new token and replays the call successfully', async () => {
    await expireTokens(h);
    const me = await getMe(client);
    expect(me.client?.client_id).toBe(h.sim.demoApp.clientId);
    expect(await rowsOf(h, 'GET', ME_ROUTE)).toEqual({ '401': 1, '200': 1 });
    expect(await rowsOf(h, 'POST', TOKEN_ROUTE)).toEqual({ '200': 1 });
    expect(client.tokens.fetchCount).toBe(2);
  });

  it('keeps using the new token afterwards without further refreshes', async () => {
    await expireTokens(h);
    await getMe(client);
    await getOrganization(client, h.sim.store.rootOrgId);
    await getOrganization(client, h.sim.store.rootOrgId);
    expect(await rowsOf(h, 'POST', TOKEN_ROUTE)).toEqual({ '200': 1 });
    expect(await rowsOf(h, 'GET', ORG_ROUTE)).toEqual({ '200': 2 });
  });

  it('shares one refresh between concurrent calls that all hit the 401', async () => {
    await expireTokens(h);
    const orgId = h.sim.store.rootOrgId;
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.request({ route: ORG_ROUTE, params: { orgId }, query: { n: i } })));
    const rows = await rowsOf(h, 'GET', ORG_ROUTE);
    expect(rows['200']).toBe(5);
    expect(rows['401']).toBe(5);
    expect(await rowsOf(h, 'POST', TOKEN_ROUTE)).toEqual({ '200': 1 });
  });
});
