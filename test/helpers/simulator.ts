import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';

/** A running simulator plus the small HTTP helpers most tests need. */
export interface SimHarness {
  sim: Simulator;
  url: string;
  /** A fresh client-credentials token for the demo app (or the given credentials). */
  token(clientId?: string, clientSecret?: string): Promise<string>;
  /** fetch against the simulator with the given bearer token. */
  get(path: string, token: string): Promise<Response>;
  send(method: string, path: string, token: string, body?: unknown): Promise<Response>;
  counts(): Promise<{ total: number; routes: Array<{ method: string; route: string; status: number | string; count: number; serviceMs: number }> }>;
  close(): Promise<void>;
}

export async function startSimHarness(options: SimulatorOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator({ port: 0, ...options });
  const harness: SimHarness = {
    sim,
    url: sim.url,
    async token(clientId = sim.demoApp.clientId, clientSecret = sim.demoApp.clientSecret) {
      const res = await fetch(`${sim.url}/accounts/api/v2/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      });
      if (res.status !== 200) throw new Error(`token request failed with ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    get: (path, token) => fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${token}` } }),
    send: (method, path, token, body) =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async counts() {
      return (await (await fetch(`${sim.url}/__sim/counts`)).json()) as Awaited<ReturnType<SimHarness['counts']>>;
    },
    close: () => sim.close(),
  };
  return harness;
}
