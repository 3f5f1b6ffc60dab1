import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { Agent, type Dispatcher } from 'undici';
import { createAnypointClient, type AnypointClient, type AnypointClientOptions } from '../../src/anypoint/client.js';
import { AnypointError } from '../../src/anypoint/errors.js';
import type { FaultRule, LatencyConfig } from '../../src/simulator/faults.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/** Shared helpers for the Anypoint client tests (not a test file itself). */

export const TOKEN_ROUTE = '/accounts/api/v2/oauth2/token';
export const ME_ROUTE = '/accounts/api/me';
export const USERS_ROUTE = '/accounts/api/organizations/{orgId}/users';
export const ORG_ROUTE = '/accounts/api/organizations/{orgId}';
export const EXCHANGE_SEARCH_ROUTE = '/exchange/api/v2/assets';
export const APIS_ROUTE = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';

/** Tiny backoff so retry tests stay fast; server-requested waits (Retry-After) still apply. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 } as const;

export function clientFor(h: SimHarness, overrides: Partial<AnypointClientOptions> = {}): AnypointClient {
  return createAnypointClient({
    baseUrl: h.url,
    clientId: h.sim.demoApp.clientId,
    clientSecret: h.sim.demoApp.clientSecret,
    ...overrides,
    retryPolicy: { ...FAST_RETRY, ...overrides.retryPolicy },
  });
}

export async function setFaults(h: SimHarness, config: { rules?: FaultRule[]; latency?: LatencyConfig }): Promise<void> {
  const res = await fetch(`${h.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
  expect(res.status).toBe(200);
}

export async function resetCounts(h: SimHarness): Promise<void> {
  expect((await fetch(`${h.url}/__sim/counts`, { method: 'DELETE' })).status).toBe(204);
}

export async function expireTokens(h: SimHarness): Promise<void> {
  expect((await fetch(`${h.url}/__sim/tokens/expire`, { method: 'POST' })).status).toBe(200);
}

export async function setRateLimit(h: SimHarness, perMinute: number): Promise<void> {
  const res = await fetch(`${h.url}/__sim/rate-limit`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perMinute }) });
  expect(res.status).toBe(200);
}

/** The count of one (method, route template, outcome) row of /__sim/counts; 0 when absent. */
export async function countOf(h: SimHarness, method: string, route: string, status: number | string): Promise<number> {
  const { routes } = await h.counts();
  return routes.find((r) => r.method === method && r.route === route && r.status === status)?.count ?? 0;
}

/** Every row of /__sim/counts for one method and route, as {status: count}. */
export async function rowsOf(h: SimHarness, method: string, route: string): Promise<Record<string, number>> {
  const { routes } = await h.counts();
  const out: Record<string, number> = {};
  for (const r of routes) if (r.method === method && r.route === route) out[String(r.status)] = r.count;
  return out;
}

/** Awaits a promise that must reject with an AnypointError, and returns that error. */
export async function anypointFailure(promise: Promise<unknown>): Promise<AnypointError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (error) {
    outcome = error;
  }
  expect(outcome, 'expected the call to fail with an AnypointError').toBeInstanceOf(AnypointError);
  return outcome as AnypointError;
}

/** An undici Agent that records the headers of every request it dispatches. */
export class RecordingAgent extends Agent {
  readonly seen: Array<{ method: string; path: string; headers: Record<string, string> }> = [];

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers: Record<string, string> = {};
    const raw = opts.headers as unknown;
    if (Array.isArray(raw)) {
      for (let i = 0; i + 1 < raw.length; i += 2) headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    } else if (raw && typeof raw === 'object') {
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) headers[key.toLowerCase()] = String(value);
    }
    this.seen.push({ method: String(opts.method), path: String(opts.path), headers });
    return super.dispatch(opts, handler);
  }
}

/** Sleeps past the next minute boundary when it is close, so a fixed one-minute window cannot roll mid-test. */
export async function awayFromMinuteBoundary(marginMs = 5_000): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - marginMs) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
}

export interface SimClientSetup {
  /** clientFor overrides for the client the helper makes. */
  options?: Partial<AnypointClientOptions>;
  /**
   * - 'each' (the default): a fresh client before every test, readied by `warmUp`, after which the
   *   counts are reset; closed after the test.
   * - 'once': one client made right after the simulator starts and closed just before it stops;
   *   nothing is done to it between tests.
   * - 'manual': the helper makes none; a test assigns `client` itself and the helper closes it
   *   after the test.
   */
  client?: 'each' | 'once' | 'manual';
  /** Clear injected faults and latency before and after every test (default true). */
  resetFaults?: boolean;
  /** More simulator state to put back before and after every test (runs after the faults reset). */
  resetEach?: (h: SimHarness) => Promise<void>;
  /** Readies each per-test client before the counts are reset (default: fetch its token). */
  warmUp?: (client: AnypointClient) => Promise<unknown>;
}

export interface SimClient {
  /** The simulator harness, from the first beforeAll on. */
  readonly h: SimHarness;
  /** The current client. Assignable only with `client: 'manual'`. */
  client: AnypointClient;
}

/**
 * Registers the hooks that start a simulator for the enclosing file (or describe block), give
 * every test a client against it, and clean up after each test and at the end. Call it at the
 * top level of a file or of a describe block, before any hooks of its own.
 */
export function useSimClient(setup: SimClientSetup = {}): SimClient {
  const { options = {}, client: mode = 'each', resetFaults = true, resetEach, warmUp = (c) => c.tokens.getToken() } = setup;
  let h: SimHarness | undefined;
  let client: AnypointClient | undefined;

  beforeAll(async () => {
    h = await startSimHarness();
    if (mode === 'once') client = clientFor(h, options);
  });

  afterAll(async () => {
    if (mode === 'once') await client?.close();
    await h?.close();
  });

  beforeEach(async () => {
    const harness = started();
    if (resetFaults) await setFaults(harness, {});
    await resetEach?.(harness);
    if (mode === 'each') {
      client = clientFor(harness, options);
      await warmUp(client);
      await resetCounts(harness);
    }
  });

  afterEach(async () => {
    if (mode !== 'once') {
      await client?.close();
      client = undefined;
    }
    if (resetFaults) await setFaults(started(), {});
    await resetEach?.(started());
  });

  function started(): SimHarness {
    if (!h) throw new Error('useSimClient: the simulator starts in beforeAll; use h inside hooks and tests');
    return h;
  }

  return {
    get h() {
      return started();
    },
    get client() {
      if (!client) throw new Error(mode === 'manual' ? 'useSimClient: assign client before using it' : 'useSimClient: no client outside hooks and tests');
      return client;
    },
    set client(value: AnypointClient) {
      if (mode !== 'manual') throw new Error("useSimClient: client is assignable only with client: 'manual'");
      client = value;
    },
  };
}
