import { describe, expect, it } from 'vitest';
import { getMe, getOrganization } from '../../src/anypoint/accounts.js';
import { ME_ROUTE, ORG_ROUTE, TOKEN_ROUTE, expireTokens, rowsOf, useSimClient } from './support.js';

const ctx = useSimClient({ resetFaults: false, warmUp: (client) => getMe(client) });

describe('a token that dies mid-flight', () => {
  it('gets one 401, fetches one new token and replays the call successfully', async () => {
    await expireTokens(ctx.h);
    const me = await getMe(ctx.client);
    expect(me.client?.client_id).toBe(ctx.h.sim.demoApp.clientId);
    expect(await rowsOf(ctx.h, 'GET', ME_ROUTE)).toEqual({ '401': 1, '200': 1 });
    expect(await rowsOf(ctx.h, 'POST', TOKEN_ROUTE)).toEqual({ '200': 1 });
    expect(ctx.client.tokens.fetchCount).toBe(2);
  });

  it('keeps using the new token afterwards without further refreshes', async () => {
    await expireTokens(ctx.h);
    await getMe(ctx.client);
    await getOrganization(ctx.client, ctx.h.sim.store.rootOrgId);
    await getOrganization(ctx.client, ctx.h.sim.store.rootOrgId);
    expect(await rowsOf(ctx.h, 'POST', TOKEN_ROUTE)).toEqual({ '200': 1 });
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 2 });
  });

  it('shares one refresh between concurrent calls that all hit the 401', async () => {
    await expireTokens(ctx.h);
    const orgId = ctx.h.sim.store.rootOrgId;
    await Promise.all(Array.from({ length: 5 }, (_, i) => ctx.client.request({ route: ORG_ROUTE, params: { orgId }, query: { n: i } })));
    const rows = await rowsOf(ctx.h, 'GET', ORG_ROUTE);
    expect(rows['200']).toBe(5);
    expect(rows['401']).toBe(5);
    expect(await rowsOf(ctx.h, 'POST', TOKEN_ROUTE)).toEqual({ '200': 1 });
  });
});
