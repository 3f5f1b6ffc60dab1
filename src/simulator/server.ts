import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordWrite } from './audit-log.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { InFlight, RequestCounters, type Outcome } from './counters.js';
import { FaultInjector, type FaultConfig, type FaultRule, type LatencyConfig } from './faults.js';
import { SimError, renderError, type AuthInfo, type Product, type RouteDef, type SimResponse } from './http.js';
import { RateLimiter } from './rate-limit.js';
import { BodyError, readBody } from './request-body.js';
import { Router, type RouteLookup } from './router.js';
import { platformRoutes } from './routes/index.js';
import { DEMO_USER_PASSWORD, seedPlatform, type PresetName, type SeededPlatform } from './seed.js';
import { createRandom } from './random.js';
import type { SimStore } from './store.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  preset?: PresetName;
  seed?: string | number;
  latency?: LatencyConfig;
  faults?: FaultRule[];
  tokenLifetimeSeconds?: number;
  /** Requests per minute per connected app and product before overflow. */
  rateLimitPerMinute?: number;
  /** Overflow status on /accounts (Anypoint sends 503 with an empty body). */
  accountsOverflowStatus?: 429 | 503;
  /** Audit Log Query calls per minute per connected app before 503 (the platform's own budget for it). */
  auditQueriesPerMinute?: number;
  /** Overflow status on API Manager and Exchange. */
  otherOverflowStatus?: 429 | 503 | 500;
  /** Receives one line per unexpected handler failure; silent by default. */
  onError?: (error: unknown) => void;
}

export interface Simulator {
  url: string;
  host: string;
  port: number;
  store: SimStore;
  demoApp: SeededPlatform['demoApp'];
  limitedApp: SeededPlatform['limitedApp'];
  counters: RequestCounters;
  /** Platform requests in progress and their peak (GET /__sim/in-flight). */
  inFlight: InFlight;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  preset: 'demo' as PresetName,
  seed: 42,
  tokenLifetimeSeconds: 3600,
  rateLimitPerMinute: 20_000,
  auditQueriesPerMinute: 600,
} as const;

function productOf(path: string): Product {
  if (path.startsWith('/apimanager/')) return 'apimanager';
  if (path.startsWith('/exchange/')) return 'exchange';
  if (path.startsWith('/accounts/')) return 'accounts';
  if (path.startsWith('/audit/')) return 'audit';
  return 'files';
}

function send(res: ServerResponse, response: SimResponse, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string> = { ...extraHeaders, ...response.headers };
  let payload: string | Buffer | undefined;
  if (response.raw !== undefined) {
    payload = response.raw;
    headers['content-type'] = response.contentType ?? 'application/octet-stream';
  } else if (response.body !== undefined && response.status !== 204) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

function bearerToken(req: IncomingMessage): string | null {
  const m = /^bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  return m ? m[1]! : null;
}

/** Starts a simulated Anypoint Platform over real HTTP. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const preset = options.preset ?? DEFAULTS.preset;
  const seed = options.seed ?? DEFAULTS.seed;
  const platform = seedPlatform({ preset, seed });
  const { store } = platform;
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULTS.tokenLifetimeSeconds;
  const counters = new RequestCounters();
  const inFlight = new InFlight();
  const faultConfig: FaultConfig = { latency: options.latency ?? { minMs: 0, maxMs: 0 }, rules: options.faults ?? [] };
  // Faults draw from their own seeded stream so they never shift the ids of created records.
  const faults = new FaultInjector(faultConfig, createRandom(`faults:${seed}`));
  const rateLimiter = new RateLimiter(options.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute);
  const auditLimiter = new RateLimiter(options.auditQueriesPerMinute ?? DEFAULTS.auditQueriesPerMinute);
  const router = new Router(platformRoutes);
  const accountsOverflow = options.accountsOverflowStatus ?? 503;
  const otherOverflow = options.otherOverflowStatus ?? 429;
  let baseUrl = '';

  const authenticate = (req: IncomingMessage): AuthInfo | null => {
    const token = bearerToken(req);
    const record = token ? store.tokens.get(token) : undefined;
    if (!token || !record) return null;
    if (record.expiresAt <= Date.now()) {
      store.tokens.delete(token);
      return null;
    }
    const app = store.apps.get(record.clientId);
    if (!app?.enabled) return null;
    if (record.userId) {
      const user = store.liveUser(record.userId);
      if (!user?.enabled) return null;
    }
    return { token, clientId: app.client_id, orgId: app.org_id, userId: record.userId, scopes: app.scopes };
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, routed: RouteLookup): Promise<Outcome> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const product = productOf(path);
    const { match, pathKnown } = routed;
    const def: RouteDef | undefined = match?.def;
    const style = def?.errorStyle ?? 'status';
    const headers: Record<string, string> = {};
    const reply = (response: SimResponse): number => {
      send(res, response, headers);
      return response.status;
    };

    const latency = faults.latencyMs();
    if (latency > 0) await sleep(latency);

    const injected = faults.draw(method, path, ['reset', '429', '503', '500']);
    if (injected === 'reset') {
      req.socket.destroy();
      return 'reset';
    }
    if (injected) {
      const status = Number(injected);
      if (product === 'accounts') Object.assign(headers, { 'x-ratelimit-limit': String(rateLimiter.perMinute), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) });
      if (status !== 500) headers['retry-after'] = '1';
      // Access Management's overflow 503 has an empty body (API.md §0, K1).
      if (status === 503 && product === 'accounts') return reply({ status });
      return reply({ status, body: { status, message: status === 500 ? 'Internal server error' : 'Too many requests' } });
    }

    if (!match || !def) {
      return reply(pathKnown ? { status: 405, body: { status: 405, message: `${method} is not allowed here` } } : { status: 404, body: { status: 404, message: `${path} not found` } });
    }

    let auth: AuthInfo | null = null;
    if (def.scope !== null) {
      auth = authenticate(req);
      if (!auth) return reply({ status: 401, body: { status: 401, message: 'Unauthorized' } });
      if (!auth.scopes.includes(def.scope)) return reply({ status: 403, body: { status: 403, message: 'Forbidden' } });
    }

    if (product === 'audit') {
      // Its own, smaller budget, and a 503 past it (the official spec documents no 429 here).
      const decision = auditLimiter.take(auth?.clientId ?? 'anonymous');
      if (!decision.allowed) {
        headers['retry-after'] = String(decision.retryAfterSeconds);
        return reply({ status: 503, body: { status: 503, message: 'The audit log query budget for this minute is spent' } });
      }
    } else if (product !== 'files') {
      const decision = rateLimiter.take(`${product}:${auth?.clientId ?? 'anonymous'}`);
      if (product === 'accounts') {
        Object.assign(headers, {
          'x-ratelimit-limit': String(decision.limit),
          'x-ratelimit-remaining': String(decision.remaining),
          'x-ratelimit-reset': String(decision.reset),
        });
      }
      if (!decision.allowed) {
        headers['retry-after'] = String(decision.retryAfterSeconds);
        const status = product === 'accounts' ? accountsOverflow : otherOverflow;
        return reply(status === 503 && product === 'accounts' ? { status } : { status, body: { status, message: 'Too many requests' } });
      }
    }

    let response: SimResponse;
    let lastBody: unknown;
    try {
      const body = await readBody(req);
      lastBody = body;
      response = def.handler({
        params: match.params,
        query: url.searchParams,
        body,
        headers: req.headers,
        store,
        auth,
        baseUrl,
        tokenLifetimeSeconds,
      });
    } catch (error) {
      if (error instanceof SimError) response = renderError(error, style, product);
      else if (error instanceof BodyError) response = renderError(new SimError(error.status, error.message), style, product);
      else {
        options.onError?.(error);
        response = { status: 500, body: { status: 500, message: 'Internal server error' } };
      }
    }
    if (method !== 'GET' && response.status < 400 && product !== 'audit') {
      const requestId = req.headers['x-request-id'];
      recordWrite(store, { method, template: def.template, params: match.params, body: lastBody, response, auth, requestId: typeof requestId === 'string' ? requestId : null });
    }
    if (method !== 'GET' && response.status < 400 && faults.draw(method, path, ['drop'])) {
      // The write has committed; the caller never hears about it.
      req.socket.destroy();
      return 'dropped';
    }
    return reply(response);
  }

  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', baseUrl);
    } catch {
      // A request target that does not parse (e.g. "//[") must not throw out of the listener and crash the simulator.
      send(res, { status: 400, body: { status: 400, message: 'The request target is not a valid URL' } }, {});
      counters.record(req.method ?? 'GET', 'unmatched', 400);
      return;
    }
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      handleControl(req, url.pathname, { store, counters, inFlight, faults, rateLimiter, routes: platformRoutes, info })
        .then((response) => send(res, response, {}))
        .catch((error: unknown) => {
          options.onError?.(error);
          send(res, { status: 500, body: { status: 500, message: 'Internal server error' } }, {});
        });
      return;
    }
    // Matched once here, for the counters, and handed to dispatch.
    const routed = router.match(req.method ?? 'GET', url.pathname);
    const route = routed.match?.def.template ?? 'unmatched';
    const arrived = performance.now();
    // From arrival until the response is written or the connection dropped.
    inFlight.enter();
    res.once('close', () => inFlight.leave());
    dispatch(req, res, url, routed)
      .then((outcome) => counters.record(req.method ?? 'GET', route, outcome, performance.now() - arrived))
      .catch((error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) send(res, { status: 500, body: { status: 500, message: 'Internal server error' } }, {});
        counters.record(req.method ?? 'GET', route, 500);
      });
  });
  server.keepAliveTimeout = 65_000;

  const info = () => ({
    baseUrl,
    preset,
    seed,
    rootOrgId: store.rootOrgId,
    demoApp: platform.demoApp,
    limitedApp: platform.limitedApp,
    demoUserPassword: DEMO_USER_PASSWORD,
    tokenLifetimeSeconds,
    rateLimitPerMinute: rateLimiter.perMinute,
  });

  const host = options.host ?? DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    host,
    port,
    store,
    demoApp: platform.demoApp,
    limitedApp: platform.limitedApp,
    counters,
    inFlight,
    faults,
    rateLimiter,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
