import type { SimStore } from './store.js';
import type { Scope } from './seed.js';

/** Which Anypoint product a route belongs to: decides error shapes and rate-limit behaviour. */
export type Product = 'accounts' | 'apimanager' | 'exchange' | 'audit' | 'files';

/**
 * The error body shapes API.md §0 records. Anypoint is not uniform: each route says which one
 * its product uses.
 */
export type ErrorStyle =
  | 'status' // { status, message }
  | 'validation' // { errors: [{ type, dataPath, keyword, schema, data, message }] }
  | 'html' // text/html sentence (POST /organizations)
  | 'apim'; // 400 validation shape, 404 { name, message }

export interface AuthInfo {
  token: string;
  clientId: string;
  orgId: string;
  userId: string | null;
  scopes: readonly string[];
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  store: SimStore;
  auth: AuthInfo | null;
  /** Origin the simulator is reached at, for links it hands out (file downloads). */
  baseUrl: string;
  tokenLifetimeSeconds: number;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  /** Sent as is, with contentType; otherwise body is JSON-encoded. */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path template with {name} placeholders, exactly as counted and reported. */
  template: string;
  /** null: no bearer token needed (token endpoint, signed file links). */
  scope: Scope | null;
  errorStyle: ErrorStyle;
  handler: (ctx: RouteContext) => SimResponse;
}

export interface ValidationDetail {
  dataPath?: string;
  keyword?: string;
  /** The rule the value broke, as text: the spec types both `schema` and `data` as strings. */
  schema?: string;
  data?: unknown;
}

/** A domain failure a handler raises; the server renders it in the route's error style. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail: ValidationDetail = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, detail: ValidationDetail = {}): SimError => new SimError(400, message, detail);
export const notFound = (what: string): SimError => new SimError(404, `${what} not found`);
export const conflict = (message: string): SimError => new SimError(409, message);

export const json = (status: number, body: unknown): SimResponse => ({ status, body });
export const noContent = (): SimResponse => ({ status: 204 });

export function renderError(error: SimError, style: ErrorStyle, product: Product): SimResponse {
  const { status, message } = error;
  if (status === 400 && (style === 'validation' || style === 'apim')) {
    const { dataPath = '', keyword = 'invalid', schema = '', data = null } = error.detail;
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return json(400, { errors: [{ type: 'validation', dataPath, keyword, schema, data: text, message }] });
  }
  if (status === 400 && style === 'html') return { status, raw: message, contentType: 'text/html; charset=utf-8' };
  if (status === 404 && style === 'apim') return json(404, { name: 'NotFoundError', message });
  if (status === 409 && product === 'exchange') return { status, raw: message, contentType: 'text/plain; charset=utf-8' };
  return json(status, { status, message });
}

/** Reads a non-negative integer query parameter, or the default; anything else is a 400. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw badRequest(`${name} must be a non-negative integer`, { dataPath: `.${name}`, keyword: 'type', schema: 'integer', data: raw });
  return Number(raw);
}

export function boolParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw badRequest(`${name} must be true or false`, { dataPath: `.${name}`, keyword: 'type', schema: 'boolean', data: raw });
  return raw === 'true';
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw badRequest(`${name} must be one of ${allowed.join(', ')}`, { dataPath: `.${name}`, keyword: 'enum', schema: allowed.join(','), data: raw });
  }
  return raw as T;
}

/** Most list routes cap the page size; API.md records no documented maximum, so this is ours. */
export const MAX_PAGE_SIZE = 500;

export interface Page {
  offset: number;
  limit: number;
}

export function pageParams(query: URLSearchParams, defaultLimit: number): Page {
  const offset = intParam(query, 'offset', 0);
  const limit = Math.min(intParam(query, 'limit', defaultLimit), MAX_PAGE_SIZE);
  return { offset, limit };
}

export function slicePage<T>(items: readonly T[], page: Page): T[] {
  return items.slice(page.offset, page.offset + page.limit);
}

/**
 * The Access Management list envelope. `views` projects records into their payloads; only the
 * page's records are projected, so a page of 1 out of 2,000 users builds one view, not 2,000.
 */
export function dataEnvelope<T>(items: readonly T[], page: Page, views?: (pageItems: T[]) => unknown[]): SimResponse {
  const data = slicePage(items, page);
  return json(200, { data: views ? views(data) : data, total: items.length });
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object', { dataPath: '', keyword: 'type', data: body ?? null });
  }
  return body as Record<string, unknown>;
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw badRequest(`${field} is required and must be a non-empty string`, { dataPath: `.${field}`, keyword: 'required', data: value ?? null });
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`, { dataPath: `.${field}`, keyword: 'type', data: value });
  return value;
}
