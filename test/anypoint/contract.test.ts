import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnypointClient, type AnypointClient } from '../../src/anypoint/client.js';
import { getMe } from '../../src/anypoint/accounts.js';
import { defineClientContract } from './contract-suite.js';
import { useSimClient } from './support.js';

/**
 * The one client contract (contract-suite.ts), run against the simulator always and against a
 * real control plane when ANYPOINT_LIVE=1 and its credentials are set. The live run is read-only.
 */

describe('client contract against the simulator', () => {
  const ctx = useSimClient({ client: 'once', resetFaults: false });

  defineClientContract(() => ({ client: ctx.client, rootOrgId: ctx.h.sim.store.rootOrgId }));

  it('made only reads against the simulator', async () => {
    const { routes } = await ctx.h.counts();
    const writes = routes.filter((r) => r.method !== 'GET' && !r.route.endsWith('/oauth2/token'));
    expect(writes).toEqual([]);
  });
});

const env = process.env;
const live = env.ANYPOINT_LIVE === '1' && !!env.ANYPOINT_BASE_URL && !!env.ANYPOINT_CLIENT_ID && !!env.ANYPOINT_CLIENT_SECRET;

if (!live) {
  console.info(
    'Anypoint live contract run skipped: set ANYPOINT_LIVE=1 with ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET (optionally ANYPOINT_ORG_ID) to run it.',
  );
}

describe.skipIf(!live)('client contract against a live control plane (read-only)', () => {
  let client: AnypointClient;
  let rootOrgId: string;

  beforeAll(async () => {
    client = createAnypointClient({
      baseUrl: env.ANYPOINT_BASE_URL!,
      clientId: env.ANYPOINT_CLIENT_ID!,
      clientSecret: env.ANYPOINT_CLIENT_SECRET!,
      retryPolicy: { maxAttempts: 3 },
    });
    const me = await getMe(client);
    const orgId = env.ANYPOINT_ORG_ID || me.client?.org_id || me.user?.organizationId;
    if (!orgId) throw new Error('Could not tell the organization: set ANYPOINT_ORG_ID');
    rootOrgId = orgId;
  });

  afterAll(async () => {
    await client?.close();
  });

  defineClientContract(() => ({ client, rootOrgId }));
});
