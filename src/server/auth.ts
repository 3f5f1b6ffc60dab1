import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions, type JWTVerifyResult } from 'jose';
import type { AuthSettings, JwtSettings } from '../config/config.js';
import { GatewayError } from '../errors.js';
import { findApiKey } from './api-keys.js';
import { ROLES, type Caller, type Role } from './roles.js';

/**
 * Who is calling: an API key (`x-api-key`, or `Authorization: ApiKey <key>`), a JWT
 * (`Authorization: Bearer <jwt>`), or nobody. Whether a caller may do something is decided
 * elsewhere (roles.ts); this file only proves identity. Error messages go back to the caller,
 * so they never repeat what the caller sent (a key or token pasted in the wrong place is still
 * a secret, and would end up in logs).
 */

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Credentials were sent but are not valid. The message is safe to show the caller. */
export class CallerAuthError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(message: string) {
    super(message);
    this.name = 'CallerAuthError';
  }
}

export interface Authenticator {
  /** null: no credentials sent (the caller is anonymous; whether anonymous may read is decided elsewhere). Throws CallerAuthError for credentials that were sent but are invalid. */
  authenticate(headers: RequestHeaders): Promise<Caller | null>;
}

/** HMAC algorithms for JWT_SECRET. */
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
/** Asymmetric algorithms for JWT_JWKS_URL. Never HS*: a public key must not double as an HMAC secret. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Clocks of the identity provider and the gateway differ a little; tokens near exp/nbf still pass. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** jose's own default; a stalled identity provider must not hold requests longer. */
const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

export function createAuthenticator(settings: AuthSettings, options: { fetchTimeoutMs?: number } = {}): Authenticator {
  const verifyJwt = settings.jwt ? createJwtVerifier(settings.jwt, options.fetchTimeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS) : null;

  const apiKeyCaller = (key: string): Caller => {
    const entry = findApiKey(settings.apiKeys, key);
    if (!entry) throw new CallerAuthError('The API key is not valid');
    return Object.freeze({ id: `key:${entry.name}`, kind: 'api-key', roles: new Set(entry.roles) });
  };

  return {
    async authenticate(headers) {
      const apiKey = singleHeader(headers, 'x-api-key');
      const authorization = singleHeader(headers, 'authorization');
      // A present header counts as sent even when empty: a client with a blank key setting
      // should hear that it is wrong, not be served silently as anonymous.
      if (apiKey !== undefined && authorization !== undefined) {
        throw new CallerAuthError('Send either an x-api-key header or an Authorization header, not both');
      }
      if (apiKey !== undefined) return apiKeyCaller(apiKey);
      if (authorization === undefined) return null;

      const match = /^(\S+)\s+(\S+)$/.exec(authorization);
      if (!match) throw new CallerAuthError('The Authorization header must be "Bearer <token>" or "ApiKey <key>"');
      // Auth schemes are case-insensitive (RFC 9110 section 11.1).
      const scheme = match[1]!.toLowerCase();
      const credentials = match[2]!;
      if (scheme === 'apikey') return apiKeyCaller(credentials);
      if (scheme !== 'bearer') throw new CallerAuthError('The Authorization scheme is not supported: use Bearer or ApiKey');
      if (!verifyJwt) throw new CallerAuthError('Bearer tokens are not accepted: JWT is not configured');
      return verifyJwt(credentials);
    },
  };
}

/** The header's value (names compared case-insensitively), undefined when absent; refuses repeats. */
function singleHeader(headers: RequestHeaders, name: string): string | undefined {
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    values.push(...(Array.isArray(value) ? value : [value]));
  }
  // Two credentials in one request are ambiguous; pick neither.
  if (values.length > 1) throw new CallerAuthError(`Send the ${name} header once`);
  return values[0]?.trim();
}

function createJwtVerifier(jwt: JwtSettings, fetchTimeoutMs: number): (token: string) => Promise<Caller> {
  const options: JWTVerifyOptions = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // A token without exp would be a bearer credential forever; long-lived access is what API keys are for.
    requiredClaims: ['exp'],
    ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
    ...(jwt.audience ? { audience: jwt.audience } : {}),
  };
  let verify: (token: string) => Promise<JWTVerifyResult>;
  if (jwt.secret) {
    const secret = new TextEncoder().encode(jwt.secret);
    verify = (token) => jwtVerify(token, secret, { ...options, algorithms: HMAC_ALGORITHMS });
  } else if (jwt.jwksUrl) {
    // Fetched on first use, cached, and refetched (at most every 30 s) when a token names an unknown kid.
    const keySet = createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: fetchTimeoutMs });
    verify = (token) => jwtVerify(token, keySet, { ...options, algorithms: ASYMMETRIC_ALGORITHMS });
  } else {
    throw new Error('JWT settings need a secret or a JWKS URL');
  }

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      const reason = tokenProblem(error);
      if (reason !== null) throw new CallerAuthError(`The bearer token is not valid: ${reason}`);
      // The token may well be fine: the identity provider's key set could not be fetched.
      if (jwt.jwksUrl && !jwt.secret) throw keySetUnavailable(error);
      throw error;
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new CallerAuthError('The bearer token is not valid: it has no subject (sub)');
    return Object.freeze({ id: `jwt:${payload.sub}`, kind: 'jwt', roles: rolesFrom(claimAt(payload, jwt.rolesClaim)) });
  };
}

/** jose's reason in plain words, or null when the failure is not the token's fault. */
function tokenProblem(error: unknown): string | null {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    // error.claim names a claim jose checked (never a value from the token).
    if (error.reason === 'missing') return `the "${error.claim}" claim is missing`;
    if (error.claim === 'iss') return 'issued by another issuer';
    if (error.claim === 'aud') return 'meant for another audience';
    if (error.claim === 'nbf') return 'not valid yet';
    return `the "${error.claim}" claim is not valid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'its signing algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not match';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the key set matches it';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'several keys in the key set match it';
  if (error instanceof errors.JOSENotSupported) return 'its algorithm or key type is not supported';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'it is malformed';
  return null;
}

function keySetUnavailable(error: unknown): GatewayError {
  const timedOut = error instanceof errors.JWKSTimeout;
  const failure = new GatewayError(
    timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
    `The identity provider's key set (JWT_JWKS_URL) could not be fetched${timedOut ? ': timed out' : ''}, so the bearer token could not be checked`,
  );
  failure.cause = error;
  return failure;
}

/**
 * The roles claim: a top-level claim of that exact name first (namespaced claims such as
 * `https://example.com/roles` contain dots), else a dot path such as `realm_access.roles`.
 */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Known role names from an array or a space/comma-separated string; identity-provider roles this gateway does not know are ignored. */
function rolesFrom(value: unknown): ReadonlySet<Role> {
  const names = typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return new Set(names.filter((name): name is Role => (ROLES as readonly string[]).includes(name)));
}
