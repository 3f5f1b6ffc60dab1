import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSettings, JwtSettings } from '../../src/config/config.js';
import { GatewayError } from '../../src/errors.js';
import { generateApiKey, hashApiKey } from '../../src/server/api-keys.js';
import { CallerAuthError, createAuthenticator, type Authenticator, type RequestHeaders } from '../../src/server/auth.js';
import type { Caller } from '../../src/server/roles.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';
const OKTA_KEY = generateApiKey();
const PORTAL_KEY = generateApiKey();

function settings(overrides: Partial<AuthSettings> = {}, jwt: Partial<JwtSettings> | null = null): AuthSettings {
  return {
    apiKeys: [
      { name: 'okta', sha256: hashApiKey(OKTA_KEY), roles: ['provisioner', 'reader'] },
      { name: 'portal', sha256: hashApiKey(PORTAL_KEY), roles: ['reader'] },
    ],
    jwt: jwt && { secret: null, jwksUrl: null, issuer: null, audience: null, rolesClaim: 'roles', ...jwt },
    anonymousReads: false,
    ...overrides,
  };
}

const roles = (caller: Caller | null) => [...(caller?.roles ?? [])].sort();
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The CallerAuthError the headers cause. Also proves the error (message, stack, properties,
 * causes) repeats none of the given secrets.
 */
async function refusal(auth: Authenticator, headers: RequestHeaders, secrets: string[]): Promise<CallerAuthError> {
  const error = await auth.authenticate(headers).then(
    () => expect.fail('the credentials were accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallerAuthError);
  const everything = inspect(error, { depth: 10, showHidden: true });
  for (const secret of secrets) expect(everything).not.toContain(secret);
  return error as CallerAuthError;
}

function hsToken(claims: JWTPayload, options: { secret?: string; alg?: string; exp?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt();
  const exp = options.exp === undefined ? nowSeconds() + 600 : options.exp;
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('API keys', () => {
  const auth = createAuthenticator(settings());

  it('treats a request without credentials as anonymous (null)', async () => {
    expect(await auth.authenticate({ accept: 'application/json' })).toBeNull();
  });

  it('identifies the caller of a configured key in x-api-key, with that key’s roles', async () => {
    const caller = await auth.authenticate({ 'x-api-key': OKTA_KEY });
    expect(caller).toMatchObject({ id: 'key:okta', kind: 'api-key' });
    expect(roles(caller)).toEqual(['provisioner', 'reader']);
  });

  it('tells two configured keys apart', async () => {
    const caller = await auth.authenticate({ 'x-api-key': PORTAL_KEY });
    expect(caller?.id).toBe('key:portal');
    expect(roles(caller)).toEqual(['reader']);
  });

  it('accepts the key as "Authorization: ApiKey <key>", the scheme in any case', async () => {
    expect((await auth.authenticate({ authorization: `ApiKey ${OKTA_KEY}` }))?.id).toBe('key:okta');
    expect((await auth.authenticate({ authorization: `apikey ${PORTAL_KEY}` }))?.id).toBe('key:portal');
  });

  it('refuses an unknown key without repeating it', async () => {
    const stranger = generateApiKey();
    const error = await refusal(auth, { 'x-api-key': stranger }, [stranger]);
    expect(error.message).toBe('The API key is not valid');
    expect(error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a key that differs from a configured one in its last character', async () => {
    const near = `${OKTA_KEY.slice(0, -1)}${OKTA_KEY.endsWith('A') ? 'B' : 'A'}`;
    await refusal(auth, { authorization: `ApiKey ${near}` }, [near]);
  });

  it('refuses an empty x-api-key instead of serving the caller as anonymous', async () => {
    await refusal(auth, { 'x-api-key': '' }, []);
  });

  it('refuses any key when no keys are configured', async () => {
    await refusal(createAuthenticator(settings({ apiKeys: [] })), { 'x-api-key': OKTA_KEY }, [OKTA_KEY]);
  });

  it('refuses a request carrying both x-api-key and Authorization, even when both are valid', async () => {
    const error = await refusal(auth, { 'x-api-key': OKTA_KEY, authorization: `ApiKey ${PORTAL_KEY}` }, [OKTA_KEY, PORTAL_KEY]);
    expect(error.message).toContain('not both');
  });

  it('refuses a repeated x-api-key header', async () => {
    await refusal(auth, { 'x-api-key': [OKTA_KEY, PORTAL_KEY] }, [OKTA_KEY, PORTAL_KEY]);
  });

  it('refuses an Authorization header with an unsupported scheme or no scheme, without echoing it', async () => {
    const basic = Buffer.from(`okta:${OKTA_KEY}`).toString('base64');
    expect((await refusal(auth, { authorization: `Basic ${basic}` }, [basic, OKTA_KEY])).message).toContain('use Bearer or ApiKey');
    await refusal(auth, { authorization: OKTA_KEY }, [OKTA_KEY]);
  });

  it('refuses a bearer token when JWT is not configured', async () => {
    const token = await hsToken({ sub: 'alice' });
    const error = await refusal(auth, { authorization: `Bearer ${token}` }, [token]);
    expect(error.message).toBe('Bearer tokens are not accepted: JWT is not configured');
  });
});

describe('JWTs signed with JWT_SECRET (HS256/384/512)', () => {
  const auth = createAuthenticator(settings({}, { secret: SECRET }));

  it('identifies the subject and reads roles from an array claim, ignoring unknown roles', async () => {
    const caller = await auth.authenticate({ authorization: `Bearer ${await hsToken({ sub: 'alice', roles: ['provisioner', 'auditor', 'superuser', 7] })}` });
    expect(caller).toMatchObject({ id: 'jwt:alice', kind: 'jwt' });
    expect(roles(caller)).toEqual(['auditor', 'provisioner']);
  });

  it('reads roles from a space- or comma-separated string claim', async () => {
    expect(roles(await auth.authenticate({ authorization: `Bearer ${await hsToken({ sub: 'a', roles: 'reader provisioner' })}` }))).toEqual(['provisioner', 'reader']);
    expect(roles(await auth.authenticate({ authorization: `Bearer ${await hsToken({ sub: 'a', roles: 'auditor, reader' })}` }))).toEqual(['auditor', 'reader']);
  });

  it('reads roles from a nested claim named by a dot path', async () => {
    const nested = createAuthenticator(settings({}, { secret: SECRET, rolesClaim: 'realm_access.roles' }));
    const token = await hsToken({ sub: 'bob', realm_access: { roles: ['auditor', 'offline_access'] }, roles: ['provisioner'] });
    expect(roles(await nested.authenticate({ authorization: `Bearer ${token}` }))).toEqual(['auditor']);
  });

  it('reads a namespaced claim whose name itself contains dots', async () => {
    const namespaced = createAuthenticator(settings({}, { secret: SECRET, rolesClaim: 'https://example.com/roles' }));
    const token = await hsToken({ sub: 'carol', 'https://example.com/roles': ['provisioner'] });
    expect(roles(await namespaced.authenticate({ authorization: `Bearer ${token}` }))).toEqual(['provisioner']);
  });

  it('gives a caller without a roles claim no roles (but still identifies it)', async () => {
    const caller = await auth.authenticate({ authorization: `Bearer ${await hsToken({ sub: 'dave' })}` });
    expect(caller?.id).toBe('jwt:dave');
    expect(roles(caller)).toEqual([]);
  });

  it('accepts HS512 tokens too', async () => {
    expect((await auth.authenticate({ authorization: `Bearer ${await hsToken({ sub: 'erin' }, { alg: 'HS512' })}` }))?.id).toBe('jwt:erin');
  });

  it('refuses an expired token, saying so in plain words', async () => {
    const token = await hsToken({ sub: 'alice' }, { exp: nowSeconds() - 120 });
    expect((await refusal(auth, { authorization: `Bearer ${token}` }, [token])).message).toBe('The bearer token is not valid: expired');
  });

  it('still accepts a token that expired within the 30-second clock tolerance', async () => {
    const token = await hsToken({ sub: 'alice' }, { exp: nowSeconds() - 5 });
    expect((await auth.authenticate({ authorization: `Bearer ${token}` }))?.id).toBe('jwt:alice');
  });

  it('refuses a token that is not valid yet', async () => {
    const token = await hsToken({ sub: 'alice', nbf: nowSeconds() + 300 });
    expect((await refusal(auth, { authorization: `Bearer ${token}` }, [token])).message).toBe('The bearer token is not valid: not valid yet');
  });

  it('refuses a token without exp, which would never expire', async () => {
    const token = await hsToken({ sub: 'alice' }, { exp: null });
    expect((await refusal(auth, { authorization: `Bearer ${token}` }, [token])).message).toContain('"exp" claim is missing');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await hsToken({ sub: 'alice', roles: ['provisioner'] }, { secret: 'another-secret-that-is-also-32-bytes-long' });
    const error = await refusal(auth, { authorization: `Bearer ${token}` }, [token, SECRET]);
    expect(error.message).toBe('The bearer token is not valid: the signature does not match');
  });

  it('refuses an unsigned token (alg "none")', async () => {
    const token = new UnsecuredJWT({ sub: 'mallory', roles: ['provisioner'] }).setExpirationTime('10m').encode();
    await refusal(auth, { authorization: `Bearer ${token}` }, [token]);
  });

  it('refuses a token without a subject', async () => {
    const token = await hsToken({ roles: ['reader'] });
    expect((await refusal(auth, { authorization: `Bearer ${token}` }, [token])).message).toBe('The bearer token is not valid: it has no subject (sub)');
  });

  it('refuses a malformed token without repeating it', async () => {
    expect((await refusal(auth, { authorization: 'Bearer not-a.jwt-at.all' }, ['not-a.jwt-at.all'])).message).toBe('The bearer token is not valid: it is malformed');
  });

  describe('with JWT_ISSUER and JWT_AUDIENCE', () => {
    const strict = createAuthenticator(settings({}, { secret: SECRET, issuer: 'https://idp.example.com', audience: 'anypoint-graph' }));

    it('accepts a token from that issuer for that audience', async () => {
      const token = await hsToken({ sub: 'alice', iss: 'https://idp.example.com', aud: ['other-app', 'anypoint-graph'] });
      expect((await strict.authenticate({ authorization: `Bearer ${token}` }))?.id).toBe('jwt:alice');
    });

    it('refuses a token from another issuer', async () => {
      const token = await hsToken({ sub: 'alice', iss: 'https://evil.example.com', aud: 'anypoint-graph' });
      const error = await refusal(strict, { authorization: `Bearer ${token}` }, [token, 'evil.example.com']);
      expect(error.message).toBe('The bearer token is not valid: issued by another issuer');
    });

    it('refuses a token for another audience', async () => {
      const token = await hsToken({ sub: 'alice', iss: 'https://idp.example.com', aud: 'billing-service' });
      const error = await refusal(strict, { authorization: `Bearer ${token}` }, [token, 'billing-service']);
      expect(error.message).toBe('The bearer token is not valid: meant for another audience');
    });

    it('refuses a token that names no issuer', async () => {
      const token = await hsToken({ sub: 'alice', aud: 'anypoint-graph' });
      await refusal(strict, { authorization: `Bearer ${token}` }, [token]);
    });
  });
});

/** A real HTTP server on a loopback port; the handler decides what it serves. */
async function serve(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('JWTs verified with JWT_JWKS_URL', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let jwks: { server: Server; url: string };
  let fetches = 0;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'signing-1', alg: 'RS256', use: 'sig' };
    jwks = await serve((req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    });
  });
  afterAll(() => stop(jwks.server));

  const rsToken = (claims: JWTPayload, privateKey = keys.privateKey, kid = 'signing-1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuedAt().setExpirationTime('10m').sign(privateKey);
  const jwksAuth = (jwt: Partial<JwtSettings> = {}) => createAuthenticator(settings({}, { jwksUrl: jwks.url, ...jwt }));

  it('accepts an RS256 token signed by a key in the key set, fetching the set once', async () => {
    const auth = jwksAuth({ issuer: 'https://idp.example.com' });
    const before = fetches;
    const token = await rsToken({ sub: 'svc-okta', iss: 'https://idp.example.com', roles: ['provisioner'] });
    const caller = await auth.authenticate({ authorization: `Bearer ${token}` });
    expect(caller).toMatchObject({ id: 'jwt:svc-okta', kind: 'jwt' });
    expect(roles(caller)).toEqual(['provisioner']);
    expect((await auth.authenticate({ authorization: `Bearer ${token}` }))?.id).toBe('jwt:svc-okta');
    expect(fetches - before).toBe(1);
  });

  it('refuses a token signed by another key claiming the same kid', async () => {
    const other = await generateKeyPair('RS256');
    const token = await rsToken({ sub: 'mallory', roles: ['provisioner'] }, other.privateKey);
    const error = await refusal(jwksAuth(), { authorization: `Bearer ${token}` }, [token]);
    expect(error.message).toBe('The bearer token is not valid: the signature does not match');
  });

  it('refuses a token whose kid is not in the key set', async () => {
    const other = await generateKeyPair('RS256');
    const token = await rsToken({ sub: 'mallory' }, other.privateKey, 'unknown-kid');
    expect((await refusal(jwksAuth(), { authorization: `Bearer ${token}` }, [token])).message).toBe('The bearer token is not valid: no key in the key set matches it');
  });

  it('refuses an HS256 token, even one keyed with the public key set itself', async () => {
    const res = await fetch(jwks.url);
    const publicSetText = await res.text();
    const token = await hsToken({ sub: 'mallory', roles: ['provisioner'] }, { secret: publicSetText });
    const error = await refusal(jwksAuth(), { authorization: `Bearer ${token}` }, [token]);
    expect(error.message).toBe('The bearer token is not valid: its signing algorithm is not accepted');
  });

  it('refuses an unsigned token (alg "none")', async () => {
    const token = new UnsecuredJWT({ sub: 'mallory' }).setExpirationTime('10m').encode();
    await refusal(jwksAuth(), { authorization: `Bearer ${token}` }, [token]);
  });

  it('reports a key set that cannot be fetched as unavailable, not as a bad token', async () => {
    const broken = await serve((req, res) => res.writeHead(503).end());
    try {
      const auth = createAuthenticator(settings({}, { jwksUrl: broken.url }));
      const token = await rsToken({ sub: 'svc-okta' });
      const error = await auth.authenticate({ authorization: `Bearer ${token}` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).not.toBeInstanceOf(CallerAuthError);
      expect((error as GatewayError).code).toBe('UPSTREAM_UNAVAILABLE');
      expect((error as GatewayError).message).not.toContain(token);
    } finally {
      await stop(broken.server);
    }
  });

  it('gives up on a key set that does not answer within fetchTimeoutMs', async () => {
    const silent = await serve(() => {});
    try {
      const auth = createAuthenticator(settings({}, { jwksUrl: silent.url }), { fetchTimeoutMs: 200 });
      const started = Date.now();
      const error = await auth.authenticate({ authorization: `Bearer ${await rsToken({ sub: 'svc-okta' })}` }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('UPSTREAM_TIMEOUT');
    } finally {
      await stop(silent.server);
    }
  });
});
