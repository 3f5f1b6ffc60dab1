import type { IncomingMessage } from 'node:http';
import type { InFlight, RequestCounters } from './counters.js';
import { FaultSpecError, validateFaultConfig, type FaultInjector } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { RouteDef, SimResponse } from './http.js';
import { BodyError, readBody } from './request-body.js';
import { SpecFileOverrideError, buildOverride, parseOverrideRequest, type SpecFileOverride } from './spec-file-overrides.js';
import type { SimStore } from './store.js';

/**
 * The simulator's own control plane under /__sim, a prefix Anypoint does not use: counters,
 * faults, token expiry, a state snapshot. Never counted, never faulted, never rate-limited.
 */
export const CONTROL_PREFIX = '/__sim';

export interface ControlDeps {
  store: SimStore;
  counters: RequestCounters;
  inFlight: InFlight;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  routes: readonly RouteDef[];
  info: () => Record<string, unknown>;
}

function snapshot(store: SimStore) {
  return {
    rootOrgId: store.rootOrgId,
    organizations: [...store.orgs.values()],
    environments: [...store.environments.values()],
    users: [...store.users.values()].map(({ password: _password, ...user }) => user),
    teams: [...store.teams.values()],
    members: [...store.members.values()].flatMap((m) => [...m.values()]),
    teamRoles: store.teamRoles,
    apis: [...store.apis.values()],
    assets: [...store.assets.values()],
    roleGroups: [...store.roleGroups.values()].map((g) => ({ ...g, users: store.usersOfRoleGroup(g.role_group_id).size })),
    userRoles: store.userRoles,
    apps: [...store.apps.values()].map(({ client_secret: _secret, ...app }) => app),
    tokens: store.tokens.size,
  };
}

/** An override as the control plane reports it: what was asked for and how many bytes the link now serves. */
const overrideView = (o: SpecFileOverride) => ({ asset: o.asset, ...o.attack, ...(o.file ? { bytes: o.file.content.length } : {}) });

export async function handleControl(req: IncomingMessage, path: string, deps: ControlDeps): Promise<SimResponse> {
  try {
    return await controlRoute(req, path, deps);
  } catch (error) {
    // A body that is not JSON is the caller's mistake (400), not a simulator failure (500).
    if (error instanceof BodyError || error instanceof SpecFileOverrideError) return { status: error.status, body: { status: error.status, message: error.message } };
    throw error;
  }
}

async function controlRoute(req: IncomingMessage, path: string, deps: ControlDeps): Promise<SimResponse> {
  const route = `${req.method} ${path.slice(CONTROL_PREFIX.length) || '/'}`;
  switch (route) {
    case 'GET /info':
      return { status: 200, body: deps.info() };
    case 'GET /routes':
      return { status: 200, body: deps.routes.map(({ method, template, scope }) => ({ method, template, scope })) };
    case 'GET /counts':
      return { status: 200, body: deps.counters.snapshot() };
    case 'DELETE /counts':
    case 'POST /counts/reset':
      deps.counters.reset();
      return { status: 204 };
    case 'GET /in-flight':
      return { status: 200, body: deps.inFlight.snapshot() };
    case 'DELETE /in-flight':
      deps.inFlight.reset();
      return { status: 204 };
    case 'GET /faults':
      return { status: 200, body: deps.faults.get() };
    case 'PUT /faults':
      try {
        deps.faults.set(validateFaultConfig(await readBody(req)));
        return { status: 200, body: deps.faults.get() };
      } catch (error) {
        if (error instanceof FaultSpecError) return { status: 400, body: { status: 400, message: error.message } };
        throw error;
      }
    case 'POST /tokens/expire': {
      // Expiring rather than deleting keeps the 401 path honest: the token is known but stale.
      let expired = 0;
      for (const token of deps.store.tokens.values()) {
        token.expiresAt = 0;
        expired += 1;
      }
      return { status: 200, body: { expired } };
    }
    case 'PUT /rate-limit': {
      const body = ((await readBody(req)) ?? {}) as Record<string, unknown>;
      const perMinute = Number(body.perMinute);
      if (!Number.isInteger(perMinute) || perMinute < 1) return { status: 400, body: { status: 400, message: 'perMinute must be a positive integer' } };
      // Tests only: a shorter window than the platform's minute, so a spent budget renews within a test.
      const windowSeconds = body.windowSeconds === undefined ? 60 : Number(body.windowSeconds);
      if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 60) return { status: 400, body: { status: 400, message: 'windowSeconds must be an integer from 1 to 60' } };
      deps.rateLimiter.perMinute = perMinute;
      deps.rateLimiter.windowMs = windowSeconds * 1000;
      deps.rateLimiter.reset();
      return { status: 200, body: body.windowSeconds === undefined ? { perMinute } : { perMinute, windowSeconds } };
    }
    case 'POST /rate-limit/reset':
      deps.rateLimiter.reset();
      return { status: 204 };
    case 'GET /spec-files':
      return { status: 200, body: [...deps.store.specFileOverrides.values()].map(overrideView) };
    case 'PUT /spec-files': {
      const { asset: key, attack } = parseOverrideRequest(await readBody(req));
      const asset = deps.store.assets.get(key);
      if (!asset) throw new SpecFileOverrideError(404, `Asset ${key} not found`);
      const override = await buildOverride(asset, key, attack);
      deps.store.specFileOverrides.set(key, override);
      return { status: 200, body: overrideView(override) };
    }
    case 'DELETE /spec-files':
      deps.store.specFileOverrides.clear();
      return { status: 204 };
    case 'GET /state':
      return { status: 200, body: snapshot(deps.store) };
    default:
      return { status: 404, body: { status: 404, message: `No control route ${route}` } };
  }
}
