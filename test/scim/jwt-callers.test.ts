import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../provisioning/support.js';
import { oktaUser, startScimStack, type ScimStack } from './support.js';

/** A SCIM client may authenticate with a JWT, as GraphQL callers do; its role decides, and its subject is the audit actor. */
const SECRET = 'a-scim-jwt-secret-that-is-at-least-32-bytes';
let s: ScimStack;

const jwt = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

beforeAll(async () => {
  s = await startScimStack({ JWT_SECRET: SECRET });
});
afterAll(async () => {
  await s.close();
});

describe('JWT callers of /scim/v2', () => {
  it('a provisioner JWT provisions, audited under its subject', async () => {
    const token = await jwt({ sub: 'entra-app', roles: ['provisioner'] });
    const res = await s.scim('POST', '/Users', oktaUser('jwt_made'), { authorization: `Bearer ${token}` });
    expect(res.status).toBe(201);
    const events = await auditEvents(s, { target: 'user:jwt_made' });
    expect(events.nodes.some((e) => e.actor === 'jwt:entra-app')).toBe(true);
  });

  it('a reader JWT is 403, a JWT signed with another secret 401', async () => {
    const reader = await jwt({ sub: 'portal', roles: ['reader'] });
    expect((await s.scim('GET', '/Users', undefined, { authorization: `Bearer ${reader}` })).status).toBe(403);
    const forged = await new SignJWT({ sub: 'x', roles: ['provisioner'] }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-that-is-at-least-32-bytes!!'));
    const res = await s.scim('GET', '/Users', undefined, { authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(res.body.status).toBe('401');
  });
});
