import { quote } from '../provisioning/validate.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Loaders } from '../loaders/index.js';
import type { CallMeters } from '../observability/call-meters.js';
import { CallerAuthError, type RequestHeaders } from '../server/auth.js';
import type { CallerBudget } from '../server/cost/caller-budget.js';
import { declaredLength, readBody, refuseBody } from '../server/request-body.js';
import type { Caller } from '../server/roles.js';
import type { ScimRequest } from './context.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { invalidSyntax, notFound, ScimError } from './errors.js';
import { readListQuery, wantsAttribute } from './list-query.js';
import { failure } from './outcomes.js';
import { resolveAttribute } from './attribute-paths.js';
import { REDACTED } from '../audit/redact.js';
import { project } from './projection.js';
import type { ScimGroups } from './groups.js';
import type { ScimUsers } from './users.js';

/**
 * /scim/v2 on the gateway's own listener. The caller is authenticated from its headers before
 * a byte of the body is read, every answer (refusals included) is SCIM JSON, and every cost is
 * bounded: the body by HTTP_MAX_BODY_KB, a list page by the count cap, reads by the execution
 * timeout, and the caller's upstream calls by CALLER_UPSTREAM_CALLS_PER_MINUTE.
 */
export const SCIM_PREFIX = '/scim/v2';
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimHandlerOptions {
  users: ScimUsers;
  groups: ScimGroups;
  authenticate(headers: RequestHeaders): Promise<Caller | null>;
  /** Loaders for one request: through the shared cache, or past it. */
  loaders(requestId: string, signal: AbortSignal, fresh: boolean): Loaders;
  maxBodyBytes: number;
  /** Reads are abandoned after this long (writes are never cut half way). */
  readTimeoutMs: number;
  budget: CallerBudget | null;
  meters: CallMeters;
  /** The public origin when set (SCIM_BASE_URL), else the request's Host. */
  baseUrl: string | null;
  onError(error: unknown): void;
}

export function sendScim(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

const sendError = (res: ServerResponse, error: ScimError) => sendScim(res, error.status, error.body(), error.headers);

/**
 * SCIM clients send `Authorization: Bearer <token>`: a JWT is verified as for GraphQL; any other
 * token is taken as an API key (Okta and Entra have one field for a "secret token").
 */
function asGatewayHeaders(headers: IncomingMessage['headers']): RequestHeaders {
  const match = /^bearer\s+(\S+)$/i.exec(String(headers.authorization ?? '').trim());
  if (!match || match[1]!.split('.').length === 3) return headers;
  return { ...headers, authorization: `ApiKey ${match[1]}` };
}

const isJsonType = (type: string | undefined) => !type || /^application\/(scim\+)?json\s*(;|$)/i.test(type.trim());

export function createScimHandler(options: ScimHandlerOptions) {
  const limit = options.maxBodyBytes;

  async function authorize(req: IncomingMessage): Promise<Caller> {
    let caller: Caller | null;
    try {
      caller = await options.authenticate(asGatewayHeaders(req.headers));
    } catch (error) {
      if (error instanceof CallerAuthError) throw new ScimError(401, error.message, undefined, { 'www-authenticate': 'Bearer' });
      throw new ScimError(503, 'The identity provider of the gateway could not be reached to verify the token', undefined, { 'retry-after': '10' });
    }
    if (!caller) throw new ScimError(401, 'Send Authorization: Bearer <token> (an API key with the provisioner role, or a JWT)', undefined, { 'www-authenticate': 'Bearer' });
    if (!caller.roles.has('provisioner')) throw new ScimError(403, 'SCIM provisioning needs the provisioner role');
    return caller;
  }

  async function body(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    if (!isJsonType(req.headers['content-type'])) throw new ScimError(415, 'Send the body as application/scim+json (or application/json)');
    if ((declaredLength(req) ?? 0) > limit) throw new ScimError(413, `The body is over ${limit} bytes`, 'tooLarge');
    const raw = await readBody(req, res, limit);
    if (raw === null) throw new ScimError(413, `The body is over ${limit} bytes`, 'tooLarge');
    try {
      return JSON.parse(raw);
    } catch {
      throw invalidSyntax('The body is not valid JSON');
    }
  }

  function baseUrlOf(req: IncomingMessage): string {
    if (options.baseUrl) return options.baseUrl;
    const host = String(req.headers.host ?? '127.0.0.1');
    // A Host header is the caller's to write: only a plain host[:port] is echoed into Location.
    return `http://${/^[\w.-]+(:\d{1,5})?$|^\[[\d:a-f]+\](:\d{1,5})?$/i.test(host) ? host : '127.0.0.1'}${SCIM_PREFIX}`;
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, scim: ScimRequest): Promise<void> {
    const method = req.method ?? 'GET';
    let segments: string[];
    try {
      segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw notFound('No SCIM endpoint at a path that is not valid percent-encoding');
    }
    const [collection, id, ...rest] = segments;
    if (rest.length) throw notFound(`No SCIM endpoint ${quote(path)}`);
    const base = scim.baseUrl;
    const only = (allowed: string) => {
      if (method !== allowed) throw new ScimError(405, `Use ${allowed} on ${quote(path)}`, undefined, { allow: allowed });
    };
    switch (collection) {
      case 'ServiceProviderConfig':
        only('GET');
        if (id !== undefined) throw notFound(`No SCIM endpoint ${quote(path)}`);
        return sendScim(res, 200, serviceProviderConfig(base));
      case 'Schemas':
        only('GET');
        return sendScim(res, 200, schemas(base, id));
      case 'ResourceTypes':
        only('GET');
        return sendScim(res, 200, resourceTypes(base, id));
      case 'Bulk':
        throw new ScimError(501, 'Bulk operations are not supported (ServiceProviderConfig says so)');
      case 'Me':
        throw new ScimError(501, '/Me is not supported: SCIM callers are provisioning clients, not users');
      case 'Users':
      case 'Groups':
        return resource(req, res, collection, id, query, scim);
      default:
        throw notFound(`No SCIM endpoint ${quote(path)}; the resources are /Users and /Groups`);
    }
  }

  async function resource(req: IncomingMessage, res: ServerResponse, collection: 'Users' | 'Groups', id: string | undefined, query: URLSearchParams, scim: ScimRequest) {
    const method = req.method ?? 'GET';
    const users = collection === 'Users';
    const type = users ? 'User' : 'Group';
    /** `shown`: the resource as projected; the headers come from the whole one. */
    const withResource = (status: number, resource: Record<string, unknown>, shown = resource) => {
      const meta = resource.meta as { version?: string; location?: string };
      return sendScim(res, status, shown, { ...(meta.version ? { etag: meta.version } : {}), ...(status === 201 && meta.location ? { location: meta.location } : {}) });
    };
    if (id === '.search') throw new ScimError(501, 'POST .search is not supported; filter with GET');
    if (id === undefined) {
      if (method === 'GET') {
        const list = readListQuery(query, type);
        const answer = users ? await options.users.list(scim, list) : await options.groups.list(scim, list, wantsAttribute(list, 'members'));
        return sendScim(res, 200, answer);
      }
      if (method === 'POST') {
        const sent = await body(req, res);
        scim.call.request = auditedRequest(req, sent, type);
        const created = users ? await options.users.create(scim, sent) : await options.groups.create(scim, sent);
        return withResource(201, created);
      }
      throw new ScimError(405, `Use GET or POST on /${collection}`, undefined, { allow: 'GET, POST' });
    }
    if (method === 'GET') {
      const list = readListQuery(query, type);
      const found = users ? await options.users.get(scim, id, wantsAttribute(list, 'groups', true)) : await options.groups.get(scim, id, wantsAttribute(list, 'members'));
      return withResource(200, found, project(found, type, { attributes: list.attributes, excludedAttributes: list.excludedAttributes }));
    }
    if (method === 'DELETE') {
      scim.call.request = auditedRequest(req, undefined, type);
      await (users ? options.users.remove(scim, id) : options.groups.remove(scim, id));
      return sendScim(res, 204, undefined);
    }
    if (method === 'PUT' || method === 'PATCH') {
      const sent = await body(req, res);
      scim.call.request = auditedRequest(req, sent, type);
      if (method === 'PUT') return withResource(200, users ? await options.users.replace(scim, id, sent) : await options.groups.replace(scim, id, sent));
      if (users) return withResource(200, await options.users.patch(scim, id, sent));
      // Entra wants 204 from a group PATCH; Okta takes it too.
      await options.groups.patch(scim, id, sent);
      return sendScim(res, 204, undefined);
    }
    throw new ScimError(405, `Use GET, PUT, PATCH or DELETE on /${collection}/{id}`, undefined, { allow: 'GET, PUT, PATCH, DELETE' });
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    });
    let caller: Caller;
    try {
      caller = await authorize(req);
    } catch (error) {
      refuseBody(req, res, limit);
      return sendError(res, error as ScimError);
    }
    const meter = options.meters.start(requestId);
    let reservation: { window: number; calls: number } | null = null;
    const reads = req.method === 'GET';
    const timer = reads ? setTimeout(() => controller.abort(new ScimError(503, 'The request took too long', undefined, { 'retry-after': '10' })), options.readTimeoutMs) : null;
    try {
      if (options.budget) {
        const answer = await options.budget.reserve(caller.id, 1).catch(() => null);
        if (answer && !answer.granted) throw new ScimError(429, `This client has spent its ${options.budget.perMinute} upstream calls for this minute; retry in ${answer.retryAfterSeconds} s`, undefined, { 'retry-after': String(answer.retryAfterSeconds) });
        if (answer?.granted) reservation = answer;
      }
      const scim: ScimRequest = {
        baseUrl: baseUrlOf(req),
        call: { caller, requestId },
        loaders: options.loaders(requestId, controller.signal, false),
        fresh: options.loaders(requestId, controller.signal, true),
        ifMatch: typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined,
        signal: controller.signal,
      };
      await route(req, res, url.pathname.slice(SCIM_PREFIX.length), url.searchParams, scim);
    } catch (error) {
      if (!(error instanceof ScimError)) options.onError(error);
      refuseBody(req, res, limit);
      const reason = controller.signal.aborted && controller.signal.reason instanceof ScimError ? controller.signal.reason : failure(error);
      if (!res.headersSent && !res.destroyed) sendError(res, reason);
    } finally {
      if (timer) clearTimeout(timer);
      options.meters.finish(requestId, meter);
      // What the request really cost, charged against the caller's minute.
      if (options.budget && reservation) await options.budget.settle(caller.id, reservation.window, meter.calls - reservation.calls).catch(() => undefined);
    }
  };
}

/**
 * What the audit trail keeps of a SCIM write: the method, the path and the body. The runner
 * redacts secrets by key (`password`); a PATCH can also carry one as the `value` of an operation
 * whose path names it, which only the schema can tell, so those values are blanked here.
 */
function auditedRequest(req: IncomingMessage, body: unknown, type: 'User' | 'Group'): Record<string, unknown> {
  return { protocol: 'scim', method: req.method, path: (req.url ?? '').split('?')[0], ...(body !== undefined ? { body: withoutWriteOnlyValues(body, type) } : {}) };
}

function withoutWriteOnlyValues(body: unknown, type: 'User' | 'Group'): unknown {
  const operations = (body as { Operations?: unknown } | null)?.Operations;
  if (!Array.isArray(operations)) return body;
  const secret = (path: unknown) => typeof path === 'string' && resolveAttribute(type, path.split('[')[0]!)?.definition.mutability === 'writeOnly';
  return { ...(body as object), Operations: operations.map((op) => (op && typeof op === 'object' && secret((op as { path?: unknown }).path) ? { ...op, value: REDACTED } : op)) };
}
