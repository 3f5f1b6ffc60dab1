import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../src/config/config.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import type { UpstreamCall } from '../../src/anypoint/client.js';
import { startSimHarness, type SimHarness } from './simulator.js';
import type { SimulatorOptions } from '../../src/simulator/server.js';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; [key: string]: unknown } }>;
}

export interface GatewayHarness {
  gateway: Gateway;
  /** Upstream calls the gateway's client made once started, as its onCall hook saw them. */
  calls: UpstreamCall[];
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

/** A gateway pointed at `sim` over real HTTP, configured as a user would through the environment. */
export async function startGatewayFor(
  sim: SimHarness,
  env: Record<string, string> = {},
  credentials: { clientId: string; clientSecret: string } = sim.sim.demoApp,
): Promise<GatewayHarness> {
  // Each gateway keeps its audit trail and group links in its own directory.
  const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-test-'));
  const config = readConfig({
    PORT: '0',
    ANONYMOUS_READS: 'true',
    AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
    GROUP_LINKS_PATH: join(dataDir, 'group-links.json'),
    SCIM_RECORDS_PATH: join(dataDir, 'scim-records.jsonl'),
    ANYPOINT_BASE_URL: sim.url,
    ANYPOINT_CLIENT_ID: credentials.clientId,
    ANYPOINT_CLIENT_SECRET: credentials.clientSecret,
    ANYPOINT_ORG_ID: sim.sim.demoApp.orgId,
    ...env,
  });
  const calls: UpstreamCall[] = [];
  const gateway = await startGateway(config, { onUpstreamCall: (call) => calls.push(call) });
  // What the start itself read (the business group tree, for demand control) is not any test's query.
  calls.length = 0;
  return {
    gateway,
    calls,
    async gql(query, variables, headers = {}) {
      const res = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) } as GqlResult<any>;
    },
    close: () => gateway.close(),
  };
}

export interface Stack {
  sim: SimHarness;
  gw: GatewayHarness;
  /** Platform calls (not counting token requests) since the last reset, by "METHOD route". */
  upstream(): Promise<{ total: number; byRoute: Record<string, number> }>;
  resetCounts(): Promise<void>;
  close(): Promise<void>;
}

const TOKEN_ROUTE = '/accounts/api/v2/oauth2/token';

export async function startStack(simOptions: SimulatorOptions = {}, env: Record<string, string> = {}): Promise<Stack> {
  const sim = await startSimHarness(simOptions);
  const gw = await startGatewayFor(sim, env);
  return {
    sim,
    gw,
    async upstream() {
      const { routes } = await sim.counts();
      const byRoute: Record<string, number> = {};
      let total = 0;
      for (const row of routes) {
        if (row.route === TOKEN_ROUTE) continue;
        const key = `${row.method} ${row.route}`;
        byRoute[key] = (byRoute[key] ?? 0) + row.count;
        total += row.count;
      }
      return { total, byRoute };
    },
    async resetCounts() {
      await fetch(`${sim.url}/__sim/counts`, { method: 'DELETE' });
    },
    async close() {
      await gw.close();
      await sim.close();
    },
  };
}
