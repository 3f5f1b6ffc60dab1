import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/**
 * Who may do what, over real HTTP: every kind of caller against a read, a mutation and the audit
 * trail, on gateways with anonymous reads off and on, and in demo mode.
 */

const KEYS = {
  reader: `agk_${'r'.repeat(43)}`,
  provisioner: `agk_${'p'.repeat(43)}`,
  auditor: `agk_${'a'.repeat(43)}`,
  unknown: `agk_${'x'.repeat(43)}`,
};
const API_KEYS = [
  `portal:reader:${hashApiKey(KEYS.reader)}`,
  `idp:provisioner:${hashApiKey(KEYS.provisioner)}`,
  `audit:auditor:${hashApiKey(KEYS.auditor)}`,
].join(';');
const JWT_SECRET = 'a-jwt-secret-that-is-at-least-32-bytes-long';

const READ = 'query($id: ID!) { organization(id: $id) { id name } }';
const MUTATION = `mutation($input: CreateUserInput!) { createUser(input: $input) { dryRun userErrors { code } plan { action status } user { id } } }`;
const AUDIT = '{ auditEvents(first: 5) { nodes { id actor } } }';

interface HttpResult {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<HttpResult> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as HttpResult['body'] };
}

function jwt(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

let serial = 0;
const dryRunInput = () => ({ username: `roles_${process.pid}_${++serial}`, firstName: 'Role', lastName: 'Check', email: `roles${serial}@example.com`, dryRun: true });

/** What a cell of the matrix expects: success, or a refusal with its HTTP status (null: not checked) and code. */
type Cell = 'ok' | { status: number | null; code: 'UNAUTHENTICATED' | 'FORBIDDEN' };
const OK = 'ok' as const;
const UNAUTHENTICATED = { status: 401, code: 'UNAUTHENTICATED' } as const;
const FORBIDDEN_403 = { status: 403, code: 'FORBIDDEN' } as const;
/** Refused by the auditEvents resolver itself: a GraphQL error on that field, whatever the HTTP status. */
const FORBIDDEN_FIELD = { status: null, code: 'FORBIDDEN' } as const;
/** The same for a caller without credentials: told to send some, not that its roles fall short. */
const UNAUTHENTICATED_FIELD = { status: null, code: 'UNAUTHENTICATED' } as const;

interface Row {
  who: string;
  gateway: 'readsOff' | 'readsOn';
  headers: () => Promise<Record<string, string>>;
  read: Cell;
  mutation: Cell;
  audit: Cell;
}

const none = async () => ({});
const key = (k: string) => async () => ({ 'x-api-key': k });
const bearer = (claims: Record<string, unknown>, options?: { secret?: string; expiresIn?: number }) => async () => ({ authorization: `Bearer ${await jwt(claims, options)}` });

const ROWS: Row[] = [
  { who: 'an invalid API key', gateway: 'readsOff', headers: key(KEYS.unknown), read: UNAUTHENTICATED, mutation: UNAUTHENTICATED, audit: UNAUTHENTICATED },
  { who: 'an invalid API key, anonymous reads on', gateway: 'readsOn', headers: key(KEYS.unknown), read: UNAUTHENTICATED, mutation: UNAUTHENTICATED, audit: UNAUTHENTICATED },
  { who: 'anonymous, anonymous reads off', gateway: 'readsOff', headers: none, read: UNAUTHENTICATED, mutation: UNAUTHENTICATED, audit: UNAUTHENTICATED },
  { who: 'anonymous, anonymous reads on', gateway: 'readsOn', headers: none, read: OK, mutation: UNAUTHENTICATED, audit: UNAUTHENTICATED_FIELD },
  { who: 'the reader key', gateway: 'readsOff', headers: key(KEYS.reader), read: OK, mutation: FORBIDDEN_403, audit: FORBIDDEN_FIELD },
  { who: 'the provisioner key', gateway: 'readsOff', headers: key(KEYS.provisioner), read: OK, mutation: OK, audit: FORBIDDEN_FIELD },
  { who: 'the auditor key', gateway: 'readsOff', headers: key(KEYS.auditor), read: OK, mutation: FORBIDDEN_403, audit: OK },
  { who: 'the provisioner key as "Authorization: ApiKey"', gateway: 'readsOff', headers: async () => ({ authorization: `ApiKey ${KEYS.provisioner}` }), read: OK, mutation: OK, audit: FORBIDDEN_FIELD },
  { who: 'a JWT with roles [provisioner]', gateway: 'readsOff', headers: bearer({ sub: 'idp-bot', roles: ['provisioner'] }), read: OK, mutation: OK, audit: FORBIDDEN_FIELD },
  { who: 'a JWT with roles [auditor]', gateway: 'readsOff', headers: bearer({ sub: 'alice', roles: ['auditor'] }), read: OK, mutation: FORBIDDEN_403, audit: OK },
  { who: 'a JWT without roles', gateway: 'readsOff', headers: bearer({ sub: 'bob' }), read: OK, mutation: FORBIDDEN_403, audit: FORBIDDEN_FIELD },
  { who: 'a JWT signed with another secret', gateway: 'readsOn', headers: bearer({ sub: 'mallory', roles: ['provisioner', 'auditor'] }, { secret: 'another-secret-also-32-bytes-or-more!!' }), read: UNAUTHENTICATED, mutation: UNAUTHENTICATED, audit: UNAUTHENTICATED },
  { who: 'an expired JWT', gateway: 'readsOn', headers: bearer({ sub: 'late', roles: ['provisioner'] }, { expiresIn: -3600 }), read: UNAUTHENTICATED, mutation: UNAUTHENTICATED, audit: UNAUTHENTICATED },
];

function expectCell(result: HttpResult, cell: Cell, field: string): void {
  const summary = JSON.stringify({ status: result.status, body: result.body });
  if (cell === 'ok') {
    expect(result.status, summary).toBe(200);
    expect(result.body.errors, summary).toBeUndefined();
    expect(result.body.data?.[field], summary).toBeTruthy();
    return;
  }
  if (cell.status !== null) expect(result.status, summary).toBe(cell.status);
  expect(result.body.errors?.map((e) => e.extensions?.code), summary).toEqual([cell.code]);
  expect(result.body.data?.[field] ?? null, summary).toBeNull();
}

describe('role matrix over HTTP', () => {
  let sim: SimHarness;
  let gateways: Record<Row['gateway'], GatewayHarness>;
  let rootOrgId: string;

  beforeAll(async () => {
    sim = await startSimHarness();
    rootOrgId = sim.sim.demoApp.orgId;
    const env = { API_KEYS, JWT_SECRET };
    gateways = {
      readsOff: await startGatewayFor(sim, { ...env, ANONYMOUS_READS: 'false' }),
      readsOn: await startGatewayFor(sim, { ...env, ANONYMOUS_READS: 'true' }),
    };
  });
  afterAll(async () => {
    await gateways?.readsOff.close();
    await gateways?.readsOn.close();
    await sim?.close();
  });

  describe.each(ROWS)('$who', (row) => {
    const url = () => gateways[row.gateway].gateway.graphqlUrl;

    it(`reads: ${typeof row.read === 'string' ? row.read : row.read.code}`, async () => {
      const result = await post(url(), READ, { id: rootOrgId }, await row.headers());
      expectCell(result, row.read, 'organization');
      if (row.read === 'ok') expect(result.body.data!.organization).toEqual({ id: rootOrgId, name: 'Acme' });
    });

    it(`mutates (a dry-run createUser): ${typeof row.mutation === 'string' ? row.mutation : row.mutation.code}`, async () => {
      const result = await post(url(), MUTATION, { input: dryRunInput() }, await row.headers());
      expectCell(result, row.mutation, 'createUser');
      if (row.mutation === 'ok') {
        expect(result.body.data!.createUser).toEqual({ dryRun: true, userErrors: [], plan: [{ action: 'CREATE_USER', status: 'PLANNED' }], user: null });
      }
    });

    it(`reads the audit trail: ${typeof row.audit === 'string' ? row.audit : row.audit.code}`, async () => {
      const result = await post(url(), AUDIT, {}, await row.headers());
      expectCell(result, row.audit, 'auditEvents');
      if (row.audit === 'ok') expect(Array.isArray(result.body.data!.auditEvents.nodes)).toBe(true);
    });
  });

  it('sends a WWW-Authenticate challenge with every 401 (RFC 9110 §11.6.1), also when the role check refuses an anonymous caller', async () => {
    const refusals: Array<{ what: string; gw: GatewayHarness; query: string; variables: Record<string, unknown>; headers: Record<string, string> }> = [
      { what: 'invalid key, read', gw: gateways.readsOff, query: READ, variables: { id: rootOrgId }, headers: { 'x-api-key': KEYS.unknown } },
      { what: 'anonymous read, reads off', gw: gateways.readsOff, query: READ, variables: { id: rootOrgId }, headers: {} },
      { what: 'anonymous mutation, reads on', gw: gateways.readsOn, query: MUTATION, variables: { input: dryRunInput() }, headers: {} },
    ];
    const challenges: Record<string, string | null> = {};
    for (const r of refusals) {
      const result = await post(r.gw.gateway.graphqlUrl, r.query, r.variables, r.headers);
      expect(result.status).toBe(401);
      challenges[r.what] = result.headers.get('www-authenticate');
    }
    expect(challenges).toEqual(Object.fromEntries(refusals.map((r) => [r.what, expect.stringMatching(/Bearer|ApiKey/)])));
  });

  it('lets a refused mutation write nothing upstream and leave nothing in the audit trail', async () => {
    const gw = gateways.readsOff;
    const username = `refused_${process.pid}`;
    const input = { username, firstName: 'No', lastName: 'Way', email: `${username}@example.com` };
    const callers: Array<Record<string, string>> = [{ 'x-api-key': KEYS.reader }, { 'x-api-key': KEYS.auditor }, {}];
    for (const headers of callers) {
      const result = await post(gw.gateway.graphqlUrl, MUTATION, { input }, headers);
      expect(result.body.data?.createUser ?? null).toBeNull();
    }
    expect([...sim.sim.store.users.values()].some((u) => u.username === username)).toBe(false);
    expect(gw.calls.filter((c) => c.method !== 'GET')).toEqual([]);
    const audit = await post(gw.gateway.graphqlUrl, '{ auditEvents(first: 500) { nodes { actor target } } }', {}, { 'x-api-key': KEYS.auditor });
    const targets = audit.body.data!.auditEvents.nodes.map((n: { target: string }) => n.target);
    expect(targets).not.toContain(`user:${username}`);
  });

  it('records a JWT caller as jwt:<sub> in the audit trail', async () => {
    const gw = gateways.readsOff;
    const input = dryRunInput();
    const sub = 'okta-provisioner@example.com';
    const result = await post(gw.gateway.graphqlUrl, MUTATION, { input }, { authorization: `Bearer ${await jwt({ sub, roles: ['provisioner'] })}` });
    expect(result.body.errors).toBeUndefined();

    const audit = await post(
      gw.gateway.graphqlUrl,
      'query($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { actor action target kind status } } }',
      { f: { actor: `jwt:${sub}` } },
      { 'x-api-key': KEYS.auditor },
    );
    expect(audit.body.data!.auditEvents.nodes).toEqual([{ actor: `jwt:${sub}`, action: 'createUser', target: `user:${input.username}`, kind: 'OUTCOME', status: 'DRY_RUN' }]);
  });

  it('pages auditEvents newest or oldest first, with totalCount counting every match and cursors working across orders', async () => {
    const gw = gateways.readsOff;
    const sub = `order-${process.pid}-${Date.now()}@example.com`;
    const token = await jwt({ sub, roles: ['provisioner'] });
    const usernames: string[] = [];
    for (let i = 0; i < 3; i++) {
      const input = dryRunInput();
      usernames.push(input.username);
      const result = await post(gw.gateway.graphqlUrl, MUTATION, { input }, { authorization: `Bearer ${token}` });
      expect(result.body.errors).toBeUndefined();
    }
    const query = `query($f: AuditEventFilter, $first: Int, $after: String, $order: AuditEventOrder) {
      auditEvents(filter: $f, first: $first, after: $after, order: $order) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { target } } }
    }`;
    const audit = async (variables: Record<string, unknown>) => {
      const result = await post(gw.gateway.graphqlUrl, query, { f: { actor: `jwt:${sub}` }, ...variables }, { 'x-api-key': KEYS.auditor });
      return result;
    };
    const page = async (variables: Record<string, unknown>) => {
      const result = await audit(variables);
      expect(result.body.errors, JSON.stringify(result.body)).toBeUndefined();
      const c = result.body.data!.auditEvents;
      return { totalCount: c.totalCount, targets: c.edges.map((e: any) => e.node.target.replace('user:', '')), cursors: c.edges.map((e: any) => e.cursor), pageInfo: c.pageInfo };
    };

    const oldest = await page({});
    expect(oldest).toMatchObject({ totalCount: 3, targets: usernames, pageInfo: { hasNextPage: false, hasPreviousPage: false } });
    const newest = await page({ order: 'NEWEST_FIRST', first: 2 });
    expect(newest).toMatchObject({ totalCount: 3, targets: [usernames[2], usernames[1]], pageInfo: { hasNextPage: true } });
    const rest = await page({ order: 'NEWEST_FIRST', first: 2, after: newest.pageInfo.endCursor });
    expect(rest).toMatchObject({ totalCount: 3, targets: [usernames[0]], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    // A cursor is a position: from the oldest-first page, newest first goes on to the earlier records.
    expect((await page({ order: 'NEWEST_FIRST', after: oldest.cursors[1] })).targets).toEqual([usernames[0]]);
    expect((await page({ order: 'OLDEST_FIRST', after: newest.cursors[0] })).targets).toEqual([]);
    expect((await page({ first: 0 })).totalCount).toBe(3);

    const bad = await audit({ order: 'NEWEST_FIRST', after: 'bm90LWEtY3Vyc29y' });
    expect(bad.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const noSuchOrder = await audit({ order: 'SIDEWAYS' });
    expect(noSuchOrder.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('records an API key caller as key:<name> in the audit trail', async () => {
    const gw = gateways.readsOff;
    const input = dryRunInput();
    await post(gw.gateway.graphqlUrl, MUTATION, { input }, { 'x-api-key': KEYS.provisioner });
    const audit = await post(
      gw.gateway.graphqlUrl,
      'query($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { actor } } }',
      { f: { target: `user:${input.username}` } },
      { 'x-api-key': KEYS.auditor },
    );
    expect(audit.body.data!.auditEvents.nodes).toEqual([{ actor: 'key:idp' }]);
  });
});

describe('anonymous reads by default', () => {
  const dirs = () => {
    const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-roles-'));
    return { PORT: '0', AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), GROUP_LINKS_PATH: join(dir, 'group-links.json') };
  };

  it('are on in demo mode (no Anypoint credentials) and off with real credentials', () => {
    expect(readConfig(dirs()).auth.anonymousReads).toBe(true);
    const credentials = { ANYPOINT_BASE_URL: 'http://127.0.0.1:9', ANYPOINT_CLIENT_ID: 'id', ANYPOINT_CLIENT_SECRET: 'secret' };
    expect(readConfig({ ...dirs(), ...credentials }).auth.anonymousReads).toBe(false);
    expect(readConfig({ ...dirs(), ...credentials, ANONYMOUS_READS: 'true' }).auth.anonymousReads).toBe(true);
    expect(readConfig({ ...dirs(), ANONYMOUS_READS: 'false' }).auth.anonymousReads).toBe(false);
  });

  it('refuses an anonymous read with 401 on a gateway with real credentials and no ANONYMOUS_READS', async () => {
    const sim = await startSimHarness();
    const config = readConfig({
      ...dirs(),
      API_KEYS,
      ANYPOINT_BASE_URL: sim.url,
      ANYPOINT_CLIENT_ID: sim.sim.demoApp.clientId,
      ANYPOINT_CLIENT_SECRET: sim.sim.demoApp.clientSecret,
    });
    const gateway = await startGateway(config);
    try {
      expect(gateway.demoKeys).toBeNull();
      expect(gateway.simulator).toBeNull();
      const anonymous = await post(gateway.graphqlUrl, READ, { id: sim.sim.demoApp.orgId }, {});
      expectCell(anonymous, UNAUTHENTICATED, 'organization');
      expectCell(await post(gateway.graphqlUrl, READ, { id: sim.sim.demoApp.orgId }, { 'x-api-key': KEYS.reader }), OK, 'organization');
    } finally {
      await gateway.close();
      await sim.close();
    }
  });
});

describe('demo mode (embedded simulator, no API_KEYS)', () => {
  let gateway: Gateway;
  const call = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => post(gateway.graphqlUrl, query, variables, headers);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-demo-'));
    const config = readConfig({ PORT: '0', AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), GROUP_LINKS_PATH: join(dir, 'group-links.json') });
    expect(config.anypoint).toBeNull();
    gateway = await startGateway(config);
  });
  afterAll(() => gateway?.close());

  it('starts the embedded simulator and makes one key per role', () => {
    expect(gateway.simulator).not.toBeNull();
    expect(gateway.demoKeys).toEqual({ reader: expect.stringMatching(/^agk_/), provisioner: expect.stringMatching(/^agk_/), auditor: expect.stringMatching(/^agk_/) });
    const keys = Object.values(gateway.demoKeys!);
    expect(new Set(keys).size).toBe(3);
  });

  it('lets anyone read, but not mutate or read the audit trail, without a key', async () => {
    expectCell(await call(READ, { id: gateway.rootOrgId }, {}), OK, 'organization');
    expectCell(await call(MUTATION, { input: dryRunInput() }, {}), UNAUTHENTICATED, 'createUser');
    expectCell(await call(AUDIT, {}, {}), UNAUTHENTICATED_FIELD, 'auditEvents');
  });

  it('gives each demo key exactly its role', async () => {
    const { reader, provisioner, auditor } = gateway.demoKeys!;
    const as = (k: string) => ({ 'x-api-key': k });

    expectCell(await call(READ, { id: gateway.rootOrgId }, as(reader)), OK, 'organization');
    expectCell(await call(MUTATION, { input: dryRunInput() }, as(reader)), FORBIDDEN_403, 'createUser');
    expectCell(await call(AUDIT, {}, as(reader)), FORBIDDEN_FIELD, 'auditEvents');

    expectCell(await call(READ, { id: gateway.rootOrgId }, as(provisioner)), OK, 'organization');
    const input = dryRunInput();
    expectCell(await call(MUTATION, { input }, as(provisioner)), OK, 'createUser');
    expectCell(await call(AUDIT, {}, as(provisioner)), FORBIDDEN_FIELD, 'auditEvents');

    expectCell(await call(READ, { id: gateway.rootOrgId }, as(auditor)), OK, 'organization');
    expectCell(await call(MUTATION, { input: dryRunInput() }, as(auditor)), FORBIDDEN_403, 'createUser');
    const audit = await call('query($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { actor } } }', { f: { target: `user:${input.username}` } }, as(auditor));
    expectCell(audit, OK, 'auditEvents');
    expect(audit.body.data!.auditEvents.nodes).toEqual([{ actor: 'key:demo-provisioner' }]);
  });

  it('refuses a key that is not one of the demo keys with 401', async () => {
    expectCell(await call(READ, { id: gateway.rootOrgId }, { 'x-api-key': KEYS.provisioner }), UNAUTHENTICATED, 'organization');
  });

  it('makes no demo keys when API_KEYS is set, using the configured keys instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-demo-keys-'));
    const configured = await startGateway(readConfig({ PORT: '0', API_KEYS, AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), GROUP_LINKS_PATH: join(dir, 'group-links.json') }));
    try {
      expect(configured.demoKeys).toBeNull();
      expectCell(await post(configured.graphqlUrl, MUTATION, { input: dryRunInput() }, { 'x-api-key': KEYS.provisioner }), OK, 'createUser');
    } finally {
      await configured.close();
    }
  });
});
