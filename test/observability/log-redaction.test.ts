import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { createLogger, gatewayLogger } from '../../src/observability/logger.js';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/**
 * A full run's log, captured line by line from the same pino logger `serve` uses: reads with an
 * API key and a JWT, refused credentials, a mutation, a token the platform expired. No secret
 * that passed through the gateway may appear in it; every operation and upstream call must.
 */

const READER_KEY = `agk_${'r'.repeat(43)}`;
const PROVISIONER_KEY = `agk_${'p'.repeat(43)}`;
const WRONG_KEY = `agk_${'w'.repeat(43)}`;
const JWT_SECRET = 'log-redaction-test-secret-of-at-least-32-bytes';

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

let sim: SimHarness;
let gateway: Gateway;
const output: string[] = [];
const issuedTokens = new Set<string>();
let jwt: string;
let forgedJwt: string;

const collectTokens = () => {
  for (const token of sim.sim.store.tokens.keys()) issuedTokens.add(token);
};

async function gql(requestId: string, query: string, headers: Record<string, string>, variables?: Record<string, unknown>) {
  const res = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
}

const lines = (): LogLine[] => output.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);

beforeAll(async () => {
  sim = await startSimHarness();
  const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-logs-'));
  const config = readConfig({
    PORT: '0',
    ANYPOINT_BASE_URL: sim.url,
    ANYPOINT_CLIENT_ID: sim.sim.demoApp.clientId,
    ANYPOINT_CLIENT_SECRET: sim.sim.demoApp.clientSecret,
    ANYPOINT_ORG_ID: sim.sim.demoApp.orgId,
    API_KEYS: `portal:reader:${hashApiKey(READER_KEY)};idp:provisioner:${hashApiKey(PROVISIONER_KEY)}`,
    JWT_SECRET,
    AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
    GROUP_LINKS_PATH: join(dataDir, 'group-links.json'),
    LOG_LEVEL: 'info',
  });
  const logger = createLogger({ level: config.observability.logLevel, destination: { write: (chunk: string) => void output.push(chunk) } });
  gateway = await startGateway(config, { logger: gatewayLogger(logger) });
  const sign = (secret: string) =>
    new SignJWT({ roles: ['reader'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(secret));
  jwt = await sign(JWT_SECRET);
  forgedJwt = await sign('not-the-gateway-secret-but-32-bytes-long');

  expect((await gql('logs-read-key', 'query OrgName { viewer { organization { name } } }', { 'x-api-key': READER_KEY })).status).toBe(200);
  expect((await gql('logs-read-jwt', 'query SomeUsers { users(first: 3) { nodes { username } } }', { authorization: `Bearer ${jwt}` })).status).toBe(200);
  expect((await gql('logs-wrong-key', '{ viewer { clientId } }', { 'x-api-key': WRONG_KEY })).status).toBe(401);
  expect((await gql('logs-forged-jwt', '{ viewer { clientId } }', { authorization: `Bearer ${forgedJwt}` })).status).toBe(401);
  const created = await gql(
    'logs-write',
    'mutation AddUser($input: CreateUserInput!) { createUser(input: $input) { userErrors { code } user { id } } }',
    { 'x-api-key': PROVISIONER_KEY },
    { input: { username: 'Logs_user', firstName: 'Log', lastName: 'User', email: 'logs_user@example.com' } },
  );
  expect(created.body.data?.createUser.userErrors).toEqual([]);
  collectTokens();

  // The platform expires every token: the next call is refused, and the client fetches a new one.
  expect((await fetch(`${sim.url}/__sim/tokens/expire`, { method: 'POST' })).status).toBe(200);
  const refreshed = await gql('logs-refresh', 'query Teams { teams(first: 2) { nodes { name } } }', { 'x-api-key': READER_KEY, 'cache-control': 'no-cache' });
  expect(refreshed.body.errors).toBeUndefined();
  collectTokens();
  await gateway.close();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
});

describe('the log of a full run', () => {
  it('holds no client secret, platform token, API key, JWT or password', () => {
    const text = output.join('');
    expect(issuedTokens.size).toBeGreaterThanOrEqual(2);
    const secrets = [sim.sim.demoApp.clientSecret, ...issuedTokens, READER_KEY, PROVISIONER_KEY, WRONG_KEY, jwt, forgedJwt, JWT_SECRET, DEMO_USER_PASSWORD];
    for (const secret of secrets) expect(text, `the log contains ${secret.slice(0, 12)}...`).not.toContain(secret);
    // Nor the pieces a JWT is made of (its signature alone is as good as the token for a replay check).
    expect(text).not.toContain(jwt.split('.')[2]!);
    expect(text).not.toMatch(/bearer\s+\S/i);
  });

  it('is JSON, one object a line, with a level and a message on each', () => {
    const parsed = lines();
    expect(parsed.length).toBeGreaterThan(10);
    for (const line of parsed) expect(line).toEqual(expect.objectContaining({ level: expect.any(String), msg: expect.any(String), time: expect.any(String) }));
  });

  it('has one line per operation with its name, type, outcome, duration, request id and caller', () => {
    const ops = lines().filter((l) => l.msg === 'graphql operation');
    expect(ops.map((l) => l.requestId)).toEqual(['logs-read-key', 'logs-read-jwt', 'logs-write', 'logs-refresh']);
    expect(ops[0]).toEqual(
      expect.objectContaining({ level: 'info', requestId: 'logs-read-key', caller: 'key:portal', operation: 'OrgName', operationType: 'query', outcome: 'success', status: 200, durationMs: expect.any(Number) }),
    );
    expect(ops[1]).toEqual(expect.objectContaining({ caller: 'jwt:alice', operation: 'SomeUsers' }));
    expect(ops[2]).toEqual(expect.objectContaining({ caller: 'key:idp', operation: 'AddUser', operationType: 'mutation', outcome: 'success' }));
  });

  it('has a line for each refused request, with its request id and status', () => {
    const refused = lines().filter((l) => l.msg === 'graphql request refused');
    expect(refused.map((l) => [l.requestId, l.status])).toEqual([
      ['logs-wrong-key', 401],
      ['logs-forged-jwt', 401],
    ]);
  });

  it('has one line per upstream call with method, route template, status, duration, attempt and request id', () => {
    const calls = lines().filter((l) => l.msg === 'upstream call');
    const read = calls.filter((l) => l.requestId === 'logs-read-key');
    expect(read.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call).toEqual(expect.objectContaining({ method: expect.any(String), route: expect.stringMatching(/^\/(accounts|apimanager|exchange)\//), durationMs: expect.any(Number), attempt: expect.any(Number) }));
      // Templates, not paths: no ids, no query strings.
      expect(call.route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}|\?/);
    }
    // The writes of the mutation carry its request id with a write sequence.
    const writes = calls.filter((l) => l.method === 'POST');
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect(write.requestId).toMatch(/^logs-write\.w\d+$/);
    // The expired token: refused once, then the same call replayed with a fresh one.
    const refresh = calls.filter((l) => l.requestId === 'logs-refresh');
    expect(refresh.map((l) => l.status)).toEqual([401, 200]);
  });

  it('says what it closed at shutdown', () => {
    const messages = lines().map((l) => l.msg);
    for (const step of ['closed the audit trail and group links', 'closed the upstream connection pool', 'closed the cache', 'shutdown complete']) expect(messages).toContain(step);
  });
});

describe('the logger', () => {
  it('redacts credentials that reach a log call through its fields', () => {
    const out: string[] = [];
    const logger = gatewayLogger(createLogger({ level: 'info', destination: { write: (chunk: string) => void out.push(chunk) } }));
    logger.warn('a careless call', {
      authorization: 'Bearer top-level-token',
      headers: { authorization: 'Bearer nested-token', 'x-api-key': 'nested-api-key', cookie: 'session=nested-cookie' },
      anypoint: { clientSecret: 'nested-client-secret', credentials: { password: 'deep-password', access_token: 'deep-token' } },
      apiKey: 'top-level-api-key',
      requestId: 'kept',
    });
    const text = out.join('');
    for (const secret of ['top-level-token', 'nested-token', 'nested-api-key', 'nested-cookie', 'nested-client-secret', 'deep-password', 'deep-token', 'top-level-api-key']) {
      expect(text).not.toContain(secret);
    }
    const line = JSON.parse(text) as Record<string, any>;
    expect(line.headers.authorization).toBe('[REDACTED]');
    expect(line.anypoint.credentials.password).toBe('[REDACTED]');
    expect(line.requestId).toBe('kept');
    expect(line.level).toBe('warn');
  });
});
