import { KEYS, startProvisioningStack, type ProvisioningStack } from '../provisioning/support.js';

/**
 * A simulator and a gateway over real HTTP, as an identity provider sees them: SCIM requests with
 * `Authorization: Bearer <API key>` (the "secret token" Okta and Entra are configured with).
 */
export interface ScimResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: T;
  contentType: string | null;
}

export interface ScimStack extends ProvisioningStack {
  scimUrl: string;
  scim<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse<T>>;
  /** A raw body (for malformed JSON and odd content types). */
  scimRaw<T = any>(method: string, path: string, raw: string, headers?: Record<string, string>): Promise<ScimResponse<T>>;
}

export const SCIM_JSON = 'application/scim+json';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export async function startScimStack(env: Record<string, string> = {}, preset: 'demo' | 'empty' | 'large' = 'empty'): Promise<ScimStack> {
  const stack = await startProvisioningStack(env, preset);
  const scimUrl = `${stack.gw.gateway.url}/scim/v2`;
  async function send(method: string, path: string, raw: string | undefined, headers: Record<string, string>): Promise<ScimResponse> {
    const res = await fetch(`${scimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEYS.provisioner}`, ...(raw !== undefined ? { 'content-type': SCIM_JSON } : {}), ...headers },
      body: raw,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, contentType: res.headers.get('content-type') };
  }
  return {
    ...stack,
    scimUrl,
    scim: (method, path, body, headers = {}) => send(method, path, body === undefined ? undefined : JSON.stringify(body), headers),
    scimRaw: (method, path, raw, headers = {}) => send(method, path, raw, headers),
  };
}

/** The body Okta POSTs to /Users (okta-developer-docs, scim-20). */
export function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ primary: true, value: `${userName.toLowerCase()}@example.com`, type: 'work' }],
    displayName: 'Ada Lovelace',
    locale: 'en-US',
    externalId: `00u${userName}`,
    groups: [],
    password: 'Okta-Sent-Secret-1',
    active: true,
    ...extra,
  };
}

/** The body Entra POSTs to /Users (core schema plus the enterprise extension, roles: []). */
export function entraUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: `entra-${userName}`,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: `${userName.toLowerCase()}@contoso.example` }],
    name: { givenName: 'Grace', familyName: 'Hopper', formatted: 'Grace Hopper' },
    displayName: 'Grace Hopper',
    roles: [],
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: '42' },
    ...extra,
  };
}

export const patchOf = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
