import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { REPORTS_CSP } from '../../src/reports/http.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { CHROMIUM_PATH, chromiumAvailable, describeWithService } from '../helpers/services.js';
import { KEYS, startProvisioningStack, type ProvisioningStack } from '../provisioning/support.js';

/**
 * The access review page as an auditor uses it: Debian's Chromium opens /reports/access-review on
 * a gateway over the simulator (demo preset, API keys from the environment), the auditor key is
 * typed in, and the summary cards and the table must say what `accessReview` says over GraphQL,
 * page by page and under a filter and a business group pick. The download buttons must fetch the
 * export with the key in the x-api-key header (the export routes are another branch's: they are
 * intercepted here). Every request stays on the gateway's origin. The last screen is kept as
 * test-artifacts/access-review.png.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = join(ROOT, 'test-artifacts', 'access-review.png');
const FAILURE_SCREENSHOT = join(ROOT, 'test-artifacts', 'access-review-failure.png');
const WAIT_MS = 15_000;
const FIGURES = ['principals', 'privilegedPrincipals', 'staleAccountsWithAccess', 'disabledUsersWithAccess', 'disabledUsersInTeams', 'connectedApps', 'appsWithAdminScopes'] as const;

const REVIEW = `query Review($organizationId: ID, $includeDescendants: Boolean, $filter: AccessReviewFilter) {
  accessReview(organizationId: $organizationId, includeDescendants: $includeDescendants, filter: $filter, first: 500) {
    totalCount
    summary { rows principals privilegedPrincipals staleDays staleAccountsWithAccess disabledUsersWithAccess disabledUsersInTeams connectedApps appsWithAdminScopes }
    nodes {
      principalType principalName enabled lastLogin stale roleName privileged organizationName environmentName
      via viaName inheritedFromName membershipType assignedViaExternalGroups externalGroups
    }
  }
}`;

type Review = { totalCount: number; summary: Record<string, number>; nodes: any[] };

/** A row as the table should show it, cell by cell. */
const expectedCells = (n: any): string[] => [
  n.principalName,
  n.principalType === 'APP' ? 'app' : 'user',
  n.enabled ? 'yes' : 'no',
  n.lastLogin ? n.lastLogin.slice(0, 10) : n.principalType === 'APP' ? '' : 'never',
  n.stale ? 'yes' : 'no',
  n.roleName,
  n.privileged ? 'yes' : 'no',
  n.organizationName,
  n.environmentName ?? '',
  n.via,
  n.viaName ?? '',
  n.inheritedFromName ?? '',
  n.membershipType ?? '',
  n.externalGroups.join(', ') || (n.assignedViaExternalGroups ? '(assigned via external groups)' : ''),
];

const tableCells = (page: Page) => page.$$eval('#rows tbody tr', (trs) => trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string | null }> }).cells).map((td) => td.textContent ?? '')));

const figuresShown = (page: Page) =>
  page.$$eval('.card[data-figure]', (cards) => Object.fromEntries(cards.map((c) => [(c as unknown as { dataset: Record<string, string> }).dataset.figure, Number(c.querySelector('.value')!.textContent)])));

const pick = (summary: Record<string, number>) => Object.fromEntries(FIGURES.map((f) => [f, summary[f]]));

describeWithService('Access review page in Chromium', chromiumAvailable, () => {
  let stack: ProvisioningStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const requests: Array<{ method: string; url: string; apiKey: string | undefined }> = [];
  const exportRequests: Array<{ url: string; apiKey: string | undefined }> = [];
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const errorResponses: Array<{ status: number; url: string }> = [];

  const review = async (variables: Record<string, unknown> = {}): Promise<Review> => {
    const result = await stack.gql('auditor', REVIEW, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.accessReview as Review;
  };

  /** Wait until the page's status line reports `total` rows loaded and the table holds `shown`. */
  const settled = async (shown: number, total: number) => {
    await expect.poll(() => page.locator('#status').textContent(), { timeout: WAIT_MS }).toBe(`Showing ${shown} of ${total} rows.`);
    expect(await page.locator('#rows tbody tr').count()).toBe(shown);
  };

  beforeAll(async () => {
    stack = await startProvisioningStack({}, 'demo');
    origin = new URL(stack.gw.gateway.url).origin;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
    context.on('request', (request) => requests.push({ method: request.method(), url: request.url(), apiKey: request.headers()['x-api-key'] }));
    context.on('requestfailed', (request) => failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
    context.on('response', (response) => {
      if (response.status() >= 400) errorResponses.push({ status: response.status(), url: response.url() });
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    // The export endpoints are built on another branch: answer them here, as they would.
    await context.route(`${origin}/exports/**`, async (route) => {
      const request = route.request();
      exportRequests.push({ url: request.url(), apiKey: request.headers()['x-api-key'] });
      const url = new URL(request.url());
      const jsonl = url.pathname.endsWith('.jsonl');
      const name = jsonl ? 'access-review.jsonl' : url.searchParams.get('format') === 'baton' ? 'access-review-baton.csv' : 'access-review.csv';
      await route.fulfill({
        status: 200,
        headers: { 'content-type': jsonl ? 'application/x-ndjson' : 'text/csv', 'content-disposition': `attachment; filename="${name}"` },
        body: jsonl ? '{"principalName":"acme_admin"}\n' : 'principalName\nacme_admin\n',
      });
    });
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    mkdirSync(dirname(FAILURE_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: FAILURE_SCREENSHOT, fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('serves the page with its CSP and nosniff, and asks for a key before reading anything', async () => {
    const response = await page.goto(`${origin}/reports/access-review`);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toBe(REPORTS_CSP);
    expect(headers['x-content-type-options']).toBe('nosniff');
    await page.locator('#api-key').waitFor({ timeout: WAIT_MS });
    // Not demo mode (keys come from API_KEYS): nothing prefilled, nothing fetched yet.
    expect(await page.locator('#api-key').inputValue()).toBe('');
    expect(await page.locator('#api-key').getAttribute('type')).toBe('password');
    expect(requests.filter((r) => r.url.endsWith('/graphql'))).toEqual([]);
    expect(await page.locator('#summary').isHidden()).toBe(true);
  });

  it('shows the summary figures and the rows accessReview gives, 50 at a time', async () => {
    const expected = await review();
    expect(expected.totalCount).toBeGreaterThan(100);
    await page.locator('#api-key').fill(KEYS.auditor);
    await page.locator('#use-key').click();
    await settled(50, expected.totalCount);

    expect(await figuresShown(page)).toEqual(pick(expected.summary));
    expect(await page.locator('#stale-days').textContent()).toBe(`(${expected.summary.staleDays} days)`);
    expect(await tableCells(page)).toEqual(expected.nodes.slice(0, 50).map(expectedCells));

    // "Load more" until every row is shown; then it goes away.
    await page.locator('#load-more').click();
    await settled(100, expected.totalCount);
    await page.locator('#load-more').click();
    await settled(expected.totalCount, expected.totalCount);
    expect(await page.locator('#load-more').isHidden()).toBe(true);
    expect(await tableCells(page)).toEqual(expected.nodes.map(expectedCells));

    // The key went in the header of every GraphQL request, and stays in this tab's session only.
    const graphql = requests.filter((r) => r.url === `${origin}/graphql`);
    expect(graphql.length).toBe(4);
    expect(graphql.every((r) => r.method === 'POST' && r.apiKey === KEYS.auditor)).toBe(true);
    expect(requests.some((r) => r.url.includes(KEYS.auditor))).toBe(false);
    expect(await page.evaluate(() => Object.values((globalThis as any).sessionStorage))).toEqual([KEYS.auditor]);
    expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
  });

  it('narrows the table to privileged grants; the summary stays over every row', async () => {
    const all = await review();
    const expected = await review({ filter: { privilegedOnly: true } });
    expect(expected.totalCount).toBeGreaterThan(0);
    expect(expected.totalCount).toBeLessThan(all.totalCount);
    await page.locator('#f-privileged').check();
    await page.locator('#apply').click();
    await settled(expected.totalCount, expected.totalCount);

    const cells = await tableCells(page);
    expect(cells).toEqual(expected.nodes.map(expectedCells));
    expect(cells.every((row) => row[6] === 'yes')).toBe(true);
    expect(await figuresShown(page)).toEqual(pick(all.summary));
  });

  it('reviews a business group and its descendants, picked from the organizations', async () => {
    const orgs = (await stack.gql('auditor', '{ organizations { id name isRoot } }')).data!.organizations as Array<{ id: string; name: string; isRoot: boolean }>;
    const options = await page.$$eval('#f-org option', (els) => els.map((o) => ({ value: (o as unknown as { value: string }).value, text: o.textContent!.trim() })));
    expect(options.map((o) => o.value).sort()).toEqual(orgs.map((o) => o.id).sort());
    expect(await page.locator('#f-org').inputValue()).toBe(orgs.find((o) => o.isRoot)!.id);

    const retail = orgs.find((o) => o.name === 'Acme Retail')!;
    const expected = await review({ organizationId: retail.id, includeDescendants: true, filter: { privilegedOnly: true } });
    await page.locator('#f-org').selectOption(retail.id);
    await page.locator('#f-descendants').check();
    await page.locator('#apply').click();
    await settled(expected.totalCount, expected.totalCount);
    expect(await figuresShown(page)).toEqual(pick(expected.summary));
    expect(await tableCells(page)).toEqual(expected.nodes.map(expectedCells));
    expect(new Set(expected.nodes.map((n) => n.organizationName)).size).toBeGreaterThan(1);
    expect(await page.locator('#summary-scope').textContent()).toContain('Acme Retail and its descendants');
  });

  it('downloads each export with the key in the x-api-key header and the same filters in the URL', async () => {
    const retail = await page.locator('#f-org').inputValue();
    const saved: string[] = [];
    for (const id of ['dl-csv', 'dl-jsonl', 'dl-baton']) {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.locator(`#${id}`).click()]);
      saved.push(download.suggestedFilename());
    }
    expect(saved).toEqual(['access-review.csv', 'access-review.jsonl', 'access-review-baton.csv']);
    const filters = `organizationId=${retail}&includeDescendants=true&privilegedOnly=true`;
    expect(exportRequests).toEqual([
      { url: `${origin}/exports/access-review.csv?${filters}`, apiKey: KEYS.auditor },
      { url: `${origin}/exports/access-review.jsonl?${filters}`, apiKey: KEYS.auditor },
      { url: `${origin}/exports/access-review.csv?${filters}&format=baton`, apiKey: KEYS.auditor },
    ]);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: WAIT_MS }).toBe('Downloaded access-review-baton.csv.');

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('filters by role text, principal type, environment, disabled with grants and stale days, as accessReview does', async () => {
    const orgs = (await stack.gql('auditor', '{ organizations { id isRoot environments { id name } } }')).data!.organizations as Array<{ id: string; isRoot: boolean; environments: Array<{ id: string; name: string }> }>;
    const root = orgs.find((o) => o.isRoot)!;
    const production = root.environments.find((e) => e.name === 'Production')!;
    await page.locator('#f-org').selectOption(root.id);
    await page.locator('#f-descendants').uncheck();
    await page.locator('#f-privileged').uncheck();
    // The environment picker lists the chosen business group's environments.
    expect(await page.$$eval('#f-env option', (els) => els.map((o) => (o as unknown as { value: string }).value).filter(Boolean).sort())).toEqual(root.environments.map((e) => e.id).sort());

    for (const [fill, filter] of [
      [async () => { await page.locator('#f-role').fill('organization administrator'); await page.locator('#f-type').selectOption('USER'); }, { role: 'organization administrator', principalType: 'USER' }],
      [async () => { await page.locator('#f-role').fill(''); await page.locator('#f-type').selectOption(''); await page.locator('#f-env').selectOption(production.id); }, { environmentId: production.id }],
      [async () => { await page.locator('#f-env').selectOption(''); await page.locator('#f-disabled').check(); }, { disabledWithGrants: true }],
      [async () => { await page.locator('#f-disabled').uncheck(); await page.locator('#f-stale').fill('30'); }, { staleForDays: 30 }],
    ] as const) {
      const expected = await review({ organizationId: root.id, includeDescendants: false, filter });
      expect(expected.totalCount, JSON.stringify(filter)).toBeGreaterThan(0);
      await fill();
      await page.locator('#apply').click();
      await settled(Math.min(50, expected.totalCount), expected.totalCount);
      expect(await tableCells(page), JSON.stringify(filter)).toEqual(expected.nodes.slice(0, 50).map(expectedCells));
      // The stale period is the summary's too.
      expect(await figuresShown(page)).toEqual(pick(expected.summary));
    }
    expect(await page.locator('#stale-days').textContent()).toBe('(30 days)');
  });

  it('reloads with the key from the session, and says so when a key is refused', async () => {
    const expected = await review();
    await page.reload();
    await settled(50, expected.totalCount);
    expect(await figuresShown(page)).toEqual(pick(expected.summary));

    await page.locator('#api-key').fill(KEYS.reader);
    await page.locator('#use-key').click();
    await expect.poll(() => page.locator('#error').textContent(), { timeout: WAIT_MS }).toBe('FORBIDDEN: accessReview needs the auditor role');
    // Nothing the auditor key read stays on screen under the reader's key.
    expect(await page.locator('#summary').isHidden()).toBe(true);
    expect(await page.locator('#rows tbody tr').count()).toBe(0);
    await page.locator('#forget-key').click();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
  });

  it('stayed on the gateway: no other origin, no console errors, no failed requests', () => {
    expect(requests.filter((r) => new URL(r.url).origin !== origin && !r.url.startsWith('blob:')).map((r) => r.url)).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(errorResponses).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describeWithService('Access review page in demo mode', chromiumAvailable, () => {
  let dataDir: string;
  let gateway: Gateway;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-reports-demo-'));
    // No ANYPOINT_* settings and no API_KEYS: the embedded simulator and made-up demo keys.
    gateway = await startGateway(readConfig({ PORT: '0', AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'), GROUP_LINKS_PATH: join(dataDir, 'group-links.json') }));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills in the demo auditor key, which loads the review', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${gateway.url}/reports/access-review`);
    await page.locator('#api-key').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#api-key').inputValue()).toBe(gateway.demoKeys!.auditor);
    expect(await page.locator('#demo-note').isVisible()).toBe(true);
    await page.locator('#use-key').click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: WAIT_MS }).toMatch(/^Showing \d+ of \d+ rows\.$/);
    expect(await page.locator('#rows tbody tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
