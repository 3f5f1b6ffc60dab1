import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GatewayError } from '../errors.js';
import { CallerAuthError } from './auth.js';
import type { GatewayContext } from './context.js';
import type { Caller } from './roles.js';
import { GRAPHIQL_ASSET_PREFIX, GRAPHIQL_SECURITY_HEADERS, graphiqlAsset, graphiqlPage } from './graphiql.js';
import { declaredLength, readBody, refuseBody } from './request-body.js';
import { SCIM_PREFIX } from '../scim/http.js';
import { REPORTS_PREFIX } from '../reports/http.js';
import { EXPORTS_PREFIX } from '../exports/http.js';

/**
 * The gateway's HTTP surface on Node's own server: /graphql (GraphQL over GET and POST, GraphiQL
 * for browsers), GraphiQL's assets, /scim/v2, /exports, /healthz, /readyz and /metrics.
 */
export interface HttpHandlerOptions {
  apollo: ApolloServer<GatewayContext>;
  /** Who sent the request: null without credentials; throws CallerAuthError for bad ones. */
  authenticate: (headers: IncomingMessage['headers']) => Promise<Caller | null>;
  /**
   * Builds the per-request context. `calls` aborts when the caller goes away; the context may
   * abort it too (the execution timeout), so one signal cancels every upstream call either way.
   */
  context: (req: IncomingMessage, calls: AbortController, requestId: string, caller: Caller | null) => Promise<GatewayContext>;
  ready: () => Promise<boolean>;
  /** The Prometheus exposition; unauthenticated like the health checks, on the same listener. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** HTTP_MAX_BODY_KB: a body over it is refused with 413. */
  maxBodyBytes?: number;
  /**
   * Whether callers without credentials may query (ANONYMOUS_READS). When they may not, they
   * are refused with 401 before their body is read: the role check would refuse them anyway,
   * after the whole body had been buffered and parsed.
   */
  anonymousReads: boolean;
  /** The SCIM 2.0 endpoint (/scim/v2): it authenticates and answers on its own, in SCIM's words. */
  scim?: (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => Promise<void>;
  /** The report pages (/reports/access-review): static, credential-free; their data comes from /graphql. */
  reports?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  /** The file exports (/exports/...): they authenticate and answer on their own, with JSON refusals. */
  exports?: (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => Promise<void>;
  /** The GraphiQL page, made for each request (demo mode fills in its keys and the simulator's ids); else the plain page. */
  graphiqlPage?: () => string;
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
};

const UNAUTHENTICATED_HEADERS = { 'www-authenticate': 'Bearer, ApiKey' };
const unauthenticated = (message: string) => ({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
const TOO_LARGE = { errors: [{ message: 'The request body is too large', extensions: { code: 'BAD_REQUEST' } }] };

export function createHttpHandler(options: HttpHandlerOptions) {
  const limit = options.maxBodyBytes ?? 1_048_576;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const requestId = (typeof req.headers['x-request-id'] === 'string' && /^[\w.:-]{1,128}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : randomUUID());
    res.setHeader('x-request-id', requestId);

    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      const ready = await options.ready().catch(() => false);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
    }
    if (url.pathname === '/metrics' && options.metrics) {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'Use GET' }, { allow: 'GET' });
      const { contentType, body } = await options.metrics();
      res.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (url.pathname.startsWith(GRAPHIQL_ASSET_PREFIX) && req.method === 'GET') {
      const asset = graphiqlAsset(url.pathname.slice(GRAPHIQL_ASSET_PREFIX.length));
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': asset.type, 'content-length': String(asset.body.length), 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
      res.end(asset.body);
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/graphql' });
      res.end();
      return;
    }
    if (options.scim && (url.pathname === SCIM_PREFIX || url.pathname.startsWith(`${SCIM_PREFIX}/`))) return options.scim(req, res, url, requestId);
    if (options.reports && url.pathname.startsWith(`${REPORTS_PREFIX}/`)) return options.reports(req, res, url);
    if (options.exports && url.pathname.startsWith(`${EXPORTS_PREFIX}/`)) return options.exports(req, res, url, requestId);
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: `No route ${url.pathname}; GraphQL is at /graphql` });

    const accept = String(req.headers.accept ?? '');
    if (req.method === 'GET' && accept.includes('text/html') && !url.searchParams.has('query')) {
      const page = options.graphiqlPage ? options.graphiqlPage() : graphiqlPage('/graphql');
      // no-store: in demo mode the page holds the keys made up at this start.
      res.writeHead(200, { ...GRAPHIQL_SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(page)), 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') return sendJson(res, 405, { error: 'Use GET or POST' }, { allow: 'GET, POST' });

    // Cheap refusals first: from the headers alone, before a byte of the body is read or parsed.
    let caller: Caller | null;
    try {
      caller = await options.authenticate(req.headers);
    } catch (error) {
      if (error instanceof CallerAuthError) {
        refuseBody(req, res, limit);
        return sendJson(res, 401, unauthenticated(error.message), UNAUTHENTICATED_HEADERS);
      }
      // The identity provider's key set could not be fetched: not the caller's fault.
      if (error instanceof GatewayError) {
        refuseBody(req, res, limit);
        return sendJson(res, 503, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      }
      throw error;
    }
    if (caller === null && !options.anonymousReads) {
      refuseBody(req, res, limit);
      // The authorization plugin's words, so both refusals read the same.
      return sendJson(res, 401, unauthenticated('Send an API key (x-api-key header) or a bearer token'), UNAUTHENTICATED_HEADERS);
    }
    if (req.method === 'POST' && (declaredLength(req) ?? 0) > limit) {
      refuseBody(req, res, limit);
      return sendJson(res, 413, TOO_LARGE);
    }

    const raw = req.method === 'POST' ? await readBody(req, res, limit) : '';
    if (raw === null) {
      refuseBody(req, res, limit);
      return sendJson(res, 413, TOO_LARGE);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }

    // The caller hanging up aborts every upstream call its query started.
    const controller = new AbortController();
    // Every upstream call of the query listens on this one signal.
    setMaxListeners(0, controller.signal);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    });

    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: () => options.context(req, controller, requestId, caller),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
