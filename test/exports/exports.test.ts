import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_REVIEW_COLUMNS } from '../../src/exports/access-review.js';
import { API_INVENTORY_COLUMNS } from '../../src/exports/api-inventory.js';
import { BATON_COLUMNS } from '../../src/exports/baton.js';
import { readZipEntry, DEFAULT_ARCHIVE_LIMITS } from '../../src/loaders/zip-entry.js';
import { auditEvents, startProvisioningStack, type ProvisioningStack } from '../provisioning/support.js';
import type { GqlResult } from '../helpers/gateway.js';
import { asCell, csvHeader, getExport, parseCsv } from './support.js';

/**
 * The exports against a real gateway over the simulator (demo preset: several business groups,
 * users, teams, apps and APIs), each checked against what the GraphQL API answers.
 */
let stack: ProvisioningStack;
let formulaUserId: string;

const ROW_FIELDS = ACCESS_REVIEW_COLUMNS.map((c) => c.header).join(' ');
const REVIEW = `query($org: ID, $all: Boolean, $filter: AccessReviewFilter, $after: String) {
  accessReview(organizationId: $org, includeDescendants: $all, filter: $filter, first: 500, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { ${ROW_FIELDS} } } }`;

async function reviewRows(variables: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  let after: string | null = null;
  do {
    const res: GqlResult<any> = await stack.gql('auditor', REVIEW, { ...variables, after });
    expect(res.errors).toBeUndefined();
    const page: any = res.data!.accessReview;
    rows.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return rows;
}

/** A GraphQL row as the CSV writes it, formulas neutralised. */
const asCsvRow = (row: Record<string, unknown>) =>
  Object.fromEntries(ACCESS_REVIEW_COLUMNS.map((c) => {
    const cell = asCell(row[c.header]);
    return [c.header, /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell];
  }));

beforeAll(async () => {
  stack = await startProvisioningStack({}, 'demo');
  // A user whose names a spreadsheet would run as formulas, set before anything reads the users.
  const user = stack.store.usersOf(stack.rootOrgId).find((u) => u.username !== 'admin' && u.enabled)!;
  formulaUserId = user.id;
  user.firstName = '=HYPERLINK("http://evil.example","click")';
  user.lastName = '+1';
  user.username = '@formula_user';
});

afterAll(() => stack?.close());

describe('GET /exports/access-review.csv', () => {
  it('answers the GraphQL accessReview rows, header first, every business group with includeDescendants', async () => {
    const res = await getExport(stack, '/exports/access-review.csv?includeDescendants=true', 'auditor');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="access-review-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csvHeader(res.text)).toEqual(ACCESS_REVIEW_COLUMNS.map((c) => c.header));
    const exported = parseCsv(res.text);
    const expected = (await reviewRows({ all: true })).map(asCsvRow);
    expect(expected.length).toBeGreaterThan(50);
    expect(new Set(expected.map((r) => r.organizationId)).size).toBeGreaterThan(1);
    expect(exported).toEqual(expected);
  });

  it('applies the same filters as the GraphQL field', async () => {
    const filter = { privilegedOnly: true, principalType: 'USER' };
    const res = await getExport(stack, '/exports/access-review.csv?includeDescendants=true&privilegedOnly=true&principalType=USER', 'auditor');
    expect(res.status).toBe(200);
    const exported = parseCsv(res.text);
    expect(exported.length).toBeGreaterThan(0);
    expect(exported).toEqual((await reviewRows({ all: true, filter })).map(asCsvRow));
    const apps = parseCsv((await getExport(stack, '/exports/access-review.csv?principalType=APP&staleForDays=30', 'auditor')).text);
    expect(apps).toEqual([]);
    const role = parseCsv((await getExport(stack, '/exports/access-review.csv?role=organization%20owner', 'auditor')).text);
    expect(role.length).toBeGreaterThan(0);
    expect(role.every((r) => r.roleName === 'Organization Owner')).toBe(true);
  });

  it('neutralises cells a spreadsheet would run as formulas, end to end', async () => {
    const res = await getExport(stack, '/exports/access-review.csv', 'auditor');
    const mine = parseCsv(res.text).filter((r) => r.principalId === formulaUserId);
    expect(mine.length).toBeGreaterThan(0);
    for (const row of mine) {
      expect(row.principalName).toBe("'@formula_user");
      expect(row.displayName).toBe(`'=HYPERLINK("http://evil.example","click") +1`);
    }
    // No cell of the file starts with a formula character.
    for (const row of parseCsv(res.text)) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('writes the baton-file CSV with format=baton', async () => {
    const res = await getExport(stack, '/exports/access-review.csv?format=baton&includeDescendants=true', 'auditor');
    expect(res.status).toBe(200);
    expect(csvHeader(res.text)).toEqual([...BATON_COLUMNS]);
    expect(BATON_COLUMNS.slice(0, 3)).toEqual(['record_type', 'id', 'display_name']);
    const records = parseCsv(res.text);
    const kinds = new Set(records.map((r) => r.record_type));
    expect([...kinds].sort()).toEqual(['direct_user_grant', 'entitlement', 'resource', 'user']);
    const rows = await reviewRows({ all: true });
    const users = records.filter((r) => r.record_type === 'user');
    // Every principal once, users human, apps service.
    expect(users.map((u) => u.id).sort()).toEqual([...new Set(rows.map((r) => r.principalId as string))].sort());
    const appIds = new Set(rows.filter((r) => r.principalType === 'APP').map((r) => r.principalId));
    expect(appIds.size).toBeGreaterThan(0);
    for (const u of users) expect(u.type).toBe(appIds.has(u.id) ? 'service' : 'human');
    for (const u of users) expect(['enabled', 'disabled']).toContain(u.status);
    const resources = new Map(records.filter((r) => r.record_type === 'resource').map((r) => [r.id, r]));
    const entitlements = new Set(records.filter((r) => r.record_type === 'entitlement').map((r) => `${r.resource_id}|${r.entitlement_slug}`));
    // Every grant names a user, a resource and an entitlement of the file; every parent is a resource too.
    const grants = records.filter((r) => r.record_type === 'direct_user_grant');
    const userIds = new Set(users.map((u) => u.id));
    for (const g of grants) {
      expect(userIds.has(g.principal_id!)).toBe(true);
      expect(resources.has(g.resource_id!)).toBe(true);
      expect(entitlements.has(`${g.resource_id}|${g.entitlement_slug}`)).toBe(true);
    }
    for (const r of resources.values()) {
      expect(['group', 'role']).toContain(r.trait);
      if (r.parent_resource) expect(resources.has(r.parent_resource)).toBe(true);
    }
    // One grant per principal, role and context, whatever the number of paths.
    const distinct = new Set(rows.map((r) => `${r.principalId}|${r.principalType === 'APP' ? 'scope' : 'role'}:${r.organizationId}:${r.roleId}|${r.environmentId ? `assigned:${r.environmentId}` : 'assigned'}`));
    expect(grants.length).toBe(distinct.size);
    expect(new Set(grants.map((g) => `${g.principal_id}|${g.resource_id}|${g.entitlement_slug}`)).size).toBe(grants.length);
    expect(records.filter((r) => r.record_type === 'resource' && r.resource_type === 'business_group').length).toBeGreaterThan(1);
  });
});

describe('GET /exports/access-review.jsonl', () => {
  it('writes one JSON object per row, each the GraphQL row', async () => {
    const res = await getExport(stack, '/exports/access-review.jsonl?includeDescendants=true', 'auditor');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jsonl/);
    const lines = res.text.split('\n');
    expect(lines.pop()).toBe('');
    const exported = lines.map((l) => JSON.parse(l));
    expect(exported).toEqual(await reviewRows({ all: true }));
  });
});

describe('refusals', () => {
  it('401 without credentials or with a bad key, 403 without the auditor role, before any upstream call', async () => {
    await stack.resetCounts();
    const none = await getExport(stack, '/exports/access-review.csv', null);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    const bad = await getExport(stack, '/exports/api-inventory.csv', null, { 'x-api-key': `agk_${'z'.repeat(43)}` });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.text).error.code).toBe('UNAUTHENTICATED');
    for (const key of ['reader', 'provisioner'] as const) {
      const res = await getExport(stack, '/exports/access-review.jsonl', key);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toEqual({ error: { code: 'FORBIDDEN', message: 'This export needs the auditor role' } });
    }
    const noAnonymous = await getExport(stack, '/exports/api-specs.zip', null);
    expect(noAnonymous.status).toBe(401);
    expect((await stack.upstream()).total).toBe(0);
  });

  it('400 with a JSON error for a bad filter value, an unknown parameter or format, never a stack', async () => {
    await stack.resetCounts();
    for (const query of ['staleForDays=-1', 'staleForDays=abc', 'staleForDays=36501', 'privilegedOnly=yes', 'principalType=ROBOT', 'includeDescendants=1', 'colour=red', 'format=xlsx', 'role=', 'role=a&role=b']) {
      const res = await getExport(stack, `/exports/access-review.csv?${query}`, 'auditor');
      expect(res.status, query).toBe(400);
      const body = JSON.parse(res.text);
      expect(body.error.code, query).toBe('BAD_REQUEST');
      expect(body.error.message).not.toMatch(/\bat \S+:\d+/);
    }
    expect((await getExport(stack, '/exports/access-review.jsonl?format=baton', 'auditor')).status).toBe(400);
    expect((await getExport(stack, '/exports/api-inventory.csv?format=baton', 'reader')).status).toBe(400);
    expect((await stack.upstream()).total).toBe(0);
  });

  it('404 for an unknown organization or export, 405 for another method', async () => {
    const org = await getExport(stack, '/exports/access-review.csv?organizationId=nope', 'auditor');
    expect(org.status).toBe(404);
    expect(JSON.parse(org.text).error.code).toBe('NOT_FOUND');
    const route = await getExport(stack, '/exports/users.csv', 'auditor');
    expect(route.status).toBe(404);
    const post = await fetch(`${stack.gw.gateway.url}/exports/api-inventory.csv`, { method: 'POST', headers: { 'x-api-key': 'x' } });
    expect(post.status).toBe(405);
  });
});

describe('GET /exports/api-inventory.csv and .jsonl', () => {
  const API_QUERY = `query($after: String) { apis(first: 500, after: $after) { pageInfo { hasNextPage endCursor } nodes {
    id groupId assetId assetVersion productVersion instanceLabel name isPublic description status technology apiType endpointUri deprecated
    organization { id } environment { id name } specification { format downloadUrl } policyCount slaTierCount contractCount } } }`;

  async function graphqlInventory() {
    const out: Array<Record<string, unknown>> = [];
    let after: string | null = null;
    do {
      const res: GqlResult<any> = await stack.gql('reader', API_QUERY, { after });
      expect(res.errors).toBeUndefined();
      out.push(...res.data!.apis.nodes);
      after = res.data!.apis.pageInfo.hasNextPage ? res.data!.apis.pageInfo.endCursor : null;
    } while (after);
    return out.map((a: any) => ({
      id: a.id,
      organizationId: a.organization.id,
      environmentId: a.environment.id,
      environmentName: a.environment.name,
      groupId: a.groupId,
      assetId: a.assetId,
      version: a.assetVersion,
      productVersion: a.productVersion,
      instanceLabel: a.instanceLabel,
      name: a.name,
      isPublic: a.isPublic,
      description: a.description,
      status: a.status,
      technology: a.technology,
      type: a.apiType,
      endpoint: a.endpointUri,
      deprecated: a.deprecated,
      specFormat: a.specification?.format ?? null,
      specLink: a.specification?.downloadUrl ?? null,
      policyCount: a.policyCount,
      slaTierCount: a.slaTierCount,
      contractCount: a.contractCount,
    }));
  }

  // A spec link is signed with a short expiry by the simulator (as Exchange's are): two reads of
  // the same asset a second apart differ in their query string, so links compare without it.
  const unsigned = <T extends { specLink?: unknown }>(row: T): T => ({ ...row, specLink: typeof row.specLink === 'string' ? row.specLink.replace(/\?.*$/, '') : row.specLink });

  it('lists every API of every business group with the fields of the GraphQL Api', async () => {
    const expected = (await graphqlInventory()).map(unsigned);
    expect(expected.length).toBeGreaterThan(10);
    const jsonl = await getExport(stack, '/exports/api-inventory.jsonl', 'reader');
    expect(jsonl.status).toBe(200);
    const lines = jsonl.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map(({ organizationName: _n, ...rest }) => unsigned(rest))).toEqual(expected);
    expect(lines.every((l) => typeof l.organizationName === 'string' && l.organizationName.length > 0)).toBe(true);

    const csv = await getExport(stack, '/exports/api-inventory.csv', 'reader');
    expect(csv.status).toBe(200);
    expect(csvHeader(csv.text)).toEqual(API_INVENTORY_COLUMNS.map((c) => c.header));
    const rows = parseCsv(csv.text).map(unsigned);
    expect(rows).toEqual(lines.map((l) => unsigned(Object.fromEntries(API_INVENTORY_COLUMNS.map((c) => {
      const cell = asCell(l[c.header]);
      return [c.header, /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell];
    })))));
    // Any caller with credentials reads it; the auditor key too.
    expect((await getExport(stack, '/exports/api-inventory.csv', 'auditor')).status).toBe(200);
  });
});

describe('GET /exports/api-specs.zip', () => {
  it('writes every spec file as <organization>/<environment>/<assetId>-<version>.<ext>, through the bounded download', async () => {
    const res = await getExport(stack, '/exports/api-specs.zip', 'reader');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const names = zipNames(res.body);
    const inventory = (await getExport(stack, '/exports/api-inventory.jsonl', 'reader')).text.trimEnd().split('\n').map((l) => JSON.parse(l));
    const withSpec = inventory.filter((a) => a.specFormat);
    expect(withSpec.length).toBeGreaterThan(0);
    const expectedNames = new Set(
      withSpec.map((a) => `${a.organizationName}/${a.environmentName}/${a.assetId}-${a.version}.${a.specFormat === 'RAML' ? 'raml' : 'yaml'}`),
    );
    expect(new Set(names.filter((n) => n !== '_export-report.json'))).toEqual(expectedNames);
    const report = JSON.parse(await readZipEntry(res.body, '_export-report.json', DEFAULT_ARCHIVE_LIMITS));
    expect(report.skipped).toEqual([]);
    expect(report.files).toBe(expectedNames.size);
    // The content is the spec's text, the same as Api.specification.content.
    const first = withSpec[0]!;
    const name = `${first.organizationName}/${first.environmentName}/${first.assetId}-${first.version}.${first.specFormat === 'RAML' ? 'raml' : 'yaml'}`;
    const gql = await stack.gql('reader', 'query($id: ID!, $env: ID!) { api(id: $id, environmentId: $env) { specification { content } } }', { id: first.id, env: first.environmentId });
    expect(await readZipEntry(res.body, name, DEFAULT_ARCHIVE_LIMITS)).toBe(gql.data!.api.specification.content);
  });
});

describe('the audit trail', () => {
  it('records each export: who, which export, which filters, how many rows; AuditEvent reads them', async () => {
    const before = (await auditEvents(stack, { action: 'exportAccessReview' })).nodes.length;
    const res = await getExport(stack, '/exports/access-review.csv?privilegedOnly=true&includeDescendants=true', 'auditor');
    const rows = parseCsv(res.text).length;
    const events = (await auditEvents(stack, { action: 'exportAccessReview' })).nodes;
    expect(events.length).toBe(before + 1);
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      kind: 'EXPORT',
      actor: 'key:audit',
      target: 'export:access-review.csv',
      status: 'SUCCEEDED',
      input: { path: '/exports/access-review.csv', format: 'csv', filters: { organizationId: stack.rootOrgId, includeDescendants: true, privilegedOnly: true } },
      result: { rows },
    });
    const refused = await getExport(stack, '/exports/access-review.csv?organizationId=nope', 'auditor');
    expect(refused.status).toBe(404);
    const failed = (await auditEvents(stack, { action: 'exportAccessReview' })).nodes.at(-1)!;
    expect(failed).toMatchObject({ kind: 'EXPORT', status: 'FAILED', errorCode: 'NOT_FOUND' });
    const inventory = (await auditEvents(stack, { action: 'exportApiInventory', actor: 'key:portal' })).nodes;
    expect(inventory.length).toBeGreaterThan(0);
    expect(inventory.every((e) => e.kind === 'EXPORT' && e.status === 'SUCCEEDED')).toBe(true);
  });
});

/** The names in a zip's central directory. */
function zipNames(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const extra = zip.readUInt16LE(offset + 30);
    const comment = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extra + comment;
  }
  return names;
}
