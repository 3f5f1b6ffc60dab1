import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { GRAPHIQL_CSP, GRAPHIQL_EXAMPLES, type GraphiqlTask } from '../../src/server/graphiql.js';
import { CHROMIUM_PATH, chromiumAvailable, describeWithService } from '../helpers/services.js';

/**
 * GraphiQL as a person uses it: Debian's Chromium opens the demo-mode gateway's /graphql page,
 * which has one tab per front-page task with the demo keys already in the Headers tab. The test
 * opens the explorer, runs every tab as it is (the mutations are dry runs), and keeps a screenshot
 * of each as test-artifacts/graphiql-<task>.png. Every request the page makes must stay on
 * 127.0.0.1 (no CDN: anything else is aborted and fails the run), with no console errors (CSP
 * violations included) and no failed requests. A gateway with configured keys (not demo mode)
 * serves the same tabs with empty headers.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const FAILURE_SCREENSHOT = join(ARTIFACTS, 'graphiql-failure.png');
const WAIT_MS = 15_000;

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESPONSE = '.graphiql-response .CodeMirror';

const OPERATION: Record<GraphiqlTask, string> = {
  'org-tree': 'OrgTree',
  'api-inventory': 'ApiInventory',
  'access-review': 'AccessReview',
  'create-user': 'CreateUserDryRun',
  'update-user': 'UpdateUserDryRun',
  'deactivate-user': 'DeactivateUserDryRun',
  'push-group': 'PushGroupDryRun',
  'what-changed': 'WhatChanged',
  federation: 'SubgraphSdl',
};

/** The text of a CodeMirror 5 editor (GraphiQL 3 keeps the instance on its wrapper element). */
function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/** The result pane parsed, or null while it is empty or not JSON yet. */
async function result(page: Page): Promise<any> {
  try {
    return JSON.parse(await editorText(page, RESPONSE));
  } catch {
    return null;
  }
}

/** Click into an editor, select everything and type over it (insertText: no auto-closed brackets). */
async function replaceEditorText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  if (text) await page.keyboard.insertText(text);
  await expect.poll(() => editorText(page, selector), { timeout: WAIT_MS }).toBe(text);
}

/**
 * Press GraphiQL's run button for a one-operation document and wait until the result pane
 * satisfies `until`. GraphiQL parses the query editor a moment after each edit or tab switch;
 * until then it may still count another document's operations and render the button as a menu,
 * so first wait for the plain button.
 */
async function run(page: Page, until: (body: any) => boolean): Promise<any> {
  await page.locator('.graphiql-execute-button:not([aria-haspopup])').waitFor({ timeout: WAIT_MS });
  await page.locator('.graphiql-execute-button').click();
  await expect.poll(async () => until(await result(page)), { timeout: WAIT_MS }).toBe(true);
  return result(page);
}

async function openTab(page: Page, operation: string): Promise<void> {
  await page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${operation}$`) }).click();
  await expect.poll(() => editorText(page, QUERY_EDITOR), { timeout: WAIT_MS }).toContain(` ${operation}`);
}

/** Every comment line the query editor renders ends inside the editor's visible width (nothing cut off). */
function commentOverflow(page: Page): Promise<string[]> {
  return page.$eval('.graphiql-query-editor .CodeMirror', (editor) => {
    const scroller = editor.querySelector('.CodeMirror-scroll')!.getBoundingClientRect();
    return [...editor.querySelectorAll('.CodeMirror-line')]
      .filter((line) => line.textContent!.startsWith('#'))
      .filter((line) => (line.firstElementChild ?? line).getBoundingClientRect().right > scroller.right)
      .map((line) => line.textContent!);
  });
}

const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describeWithService('GraphiQL in Chromium', chromiumAvailable, () => {
  let dataDir: string;
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const requests: Array<{ method: string; url: string; body: string | null; apiKey: string | undefined }> = [];
  const offHost: string[] = [];
  const consoleErrors: Array<{ text: string; url: string }> = [];
  const failedRequests: string[] = [];
  const errorResponses: Array<{ status: number; url: string }> = [];

  /** Abort, and remember, any request for another host than 127.0.0.1. */
  async function keepOnLoopback(target: BrowserContext): Promise<void> {
    await target.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue();
      offHost.push(route.request().url());
      return route.abort('blockedbyclient');
    });
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-browser-'));
    // Demo mode: no ANYPOINT_* settings, so the embedded simulator, demo keys and anonymous reads.
    const config = readConfig({
      PORT: '0',
      AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
      GROUP_LINKS_PATH: join(dataDir, 'group-links.json'),
    });
    gateway = await startGateway(config);
    origin = new URL(gateway.url).origin;
    expect(new URL(gateway.url).hostname).toBe('127.0.0.1');

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: BROWSER_ARGS });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await keepOnLoopback(context);
    page = await context.newPage();
    // Context-wide, so workers and anything else the page starts are seen too.
    context.on('request', (request) => requests.push({ method: request.method(), url: request.url(), body: request.postData(), apiKey: request.headers()['x-api-key'] }));
    context.on('requestfailed', (request) => failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
    context.on('response', (response) => {
      if (response.status() >= 400) errorResponses.push({ status: response.status(), url: response.url() });
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push({ text: message.text(), url: message.location().url });
    });
    page.on('pageerror', (error) => consoleErrors.push({ text: `uncaught: ${error.message}`, url: '' }));
  });

  // What the page showed when a step failed, for whoever reads the CI log.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: FAILURE_SCREENSHOT }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads GraphiQL from the gateway alone, under its CSP, with a tab per task and the demo key in the headers', async () => {
    const response = await page.goto(gateway.graphqlUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(GRAPHIQL_CSP);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => editorText(page, QUERY_EDITOR), { timeout: WAIT_MS }).toContain('query OrgTree');
    // GraphiQL introspects the schema for the docs, completion and the explorer.
    await expect.poll(() => requests.some((r) => r.method === 'POST' && r.body?.includes('__schema')), { timeout: WAIT_MS }).toBe(true);

    const titles = await page.locator('.graphiql-tab-button').allInnerTexts();
    expect(titles.map((t) => t.trim())).toEqual(GRAPHIQL_EXAMPLES.map((example) => OPERATION[example.task]));
    // Demo mode opens the Headers tab, holding the demo provisioner key (not typed in by anyone).
    await page.locator(HEADERS_EDITOR).waitFor({ state: 'visible', timeout: WAIT_MS });
    await expect.poll(() => editorText(page, HEADERS_EDITOR), { timeout: WAIT_MS }).not.toBe('');
    expect(JSON.parse(await editorText(page, HEADERS_EDITOR))).toEqual({ 'x-api-key': gateway.demoKeys!.provisioner });
    expect(await page.locator('.graphiql-editor-tools').getByRole('button', { name: 'Headers' }).getAttribute('class')).toContain('active');

    const urls = requests.map((r) => r.url);
    for (const asset of ['graphiql.js', 'graphiql.css', 'explorer.js', 'explorer.css', 'boot.js']) expect(urls).toContain(`${origin}/graphiql/${asset}`);
    expect(offHost).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(errorResponses).toEqual([]);
  });

  it('opens the explorer, which lists the schema\'s root fields, and every tab\'s comments fit beside it', async () => {
    await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).click();
    const explorer = page.locator('.graphiql-explorer-root');
    await explorer.waitFor({ state: 'visible', timeout: WAIT_MS });
    await expect.poll(() => explorer.innerText(), { timeout: WAIT_MS }).toContain('organizations');
    await expect.poll(() => explorer.innerText(), { timeout: WAIT_MS }).toContain('accessReview');
    for (const example of GRAPHIQL_EXAMPLES) {
      await openTab(page, OPERATION[example.task]);
      expect(await commentOverflow(page), `${example.task}: comment lines cut off`).toEqual([]);
    }
    await openTab(page, 'OrgTree');
  });

  it.each(GRAPHIQL_EXAMPLES.map((example) => [example.task, example] as const))('runs the %s tab as it is, with its prefilled header', async (task, example) => {
    const operation = OPERATION[task];
    await openTab(page, operation);
    const sentBefore = requests.filter((r) => r.body?.includes(`"operationName":"${operation}"`)).length;
    const body = await run(page, (b) => b?.data !== undefined || Array.isArray(b?.errors));
    expect(body.errors).toBeUndefined();

    const store = gateway.simulator!.store;
    const data = body.data;
    switch (task) {
      case 'org-tree': {
        const root = data.organizations.find((org: any) => org.isRoot);
        expect(root.name).toBe(store.orgs.get(store.rootOrgId)!.name);
        expect(data.organizations.length).toBe([...store.orgs.values()].filter((org) => !org.deletedAt).length);
        break;
      }
      case 'api-inventory':
        expect(data.apis.totalCount).toBeGreaterThan(0);
        expect(data.apis.nodes.some((api: any) => api.specification !== null)).toBe(true);
        break;
      case 'access-review':
        expect(data.accessReview.summary.principals).toBeGreaterThan(0);
        expect(data.accessReview.nodes.length).toBeGreaterThan(0);
        break;
      case 'what-changed':
        // The simulator's seed writes its audit log as it builds the platform.
        expect(Array.isArray(data.changes.nodes)).toBe(true);
        expect(Array.isArray(data.drifts)).toBe(true);
        break;
      case 'federation':
        expect(data._service.sdl).toContain('@key(fields: "id")');
        break;
      default: {
        const payload = Object.values(data)[0] as any;
        expect(payload.dryRun).toBe(true);
        expect(payload.userErrors).toEqual([]);
        expect(payload.plan.length).toBeGreaterThan(0);
        expect(payload.plan.every((write: any) => write.status === 'PLANNED')).toBe(true);
        const actions = payload.plan.map((write: any) => write.action);
        if (task === 'create-user') expect(actions).toEqual(['CREATE_USER']);
        if (task === 'update-user') expect([actions, payload.user.firstName]).toEqual([['UPDATE_USER'], 'Renamed']);
        if (task === 'deactivate-user') expect([actions, payload.user.enabled]).toEqual([['DISABLE_USER'], false]);
        if (task === 'push-group') {
          expect(actions).toContain('CREATE_TEAM');
          expect(payload.diff.added.length).toBeGreaterThan(0);
        }
        // A person sees the dry run in the result pane.
        await expect.poll(() => page.locator('.graphiql-response').innerText(), { timeout: WAIT_MS }).toContain('"dryRun": true');
      }
    }
    // The key went in the request header as the tab had it: nobody typed it.
    const sent = requests.filter((r) => r.body?.includes(`"operationName":"${operation}"`)).slice(sentBefore);
    const key = example.role === 'auditor' ? gateway.demoKeys!.auditor : gateway.demoKeys!.provisioner;
    expect(sent.map((r) => r.apiKey)).toEqual([key]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `graphiql-${task}.png`) });
  });

  it('wrote nothing upstream: every mutation tab is a dry run', () => {
    const store = gateway.simulator!.store;
    const users = [...store.users.values()];
    expect(users.some((user) => user.username === 'graphiql_example_user')).toBe(false);
    expect(users.some((user) => user.firstName === 'Renamed')).toBe(false);
    expect(users.filter((user) => user.organizationId === store.rootOrgId && user.enabled && !user.deleted).length).toBeGreaterThan(0);
    expect([...store.teams.values()].some((team) => team.team_name === 'GraphiQL Example Team')).toBe(false);
  });

  it('refuses the mutation once its header is removed (anonymous callers only read)', async () => {
    await openTab(page, 'CreateUserDryRun');
    await page.locator('.graphiql-editor-tools').getByRole('button', { name: 'Headers' }).click();
    await page.locator(HEADERS_EDITOR).waitFor({ state: 'visible', timeout: WAIT_MS });
    await replaceEditorText(page, HEADERS_EDITOR, '');
    const body = await run(page, (b) => Array.isArray(b?.errors));
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data?.createUser ?? null).toBeNull();
  });

  it('stayed on the gateway: no other host, no console errors, no failed requests', () => {
    expect(offHost).toEqual([]);
    expect(requests.filter((r) => new URL(r.url).origin !== origin).map((r) => r.url)).toEqual([]);
    expect(failedRequests).toEqual([]);
    // The one error response is the anonymous mutation's 401, which Chromium also logs.
    expect(errorResponses).toEqual([{ status: 401, url: `${origin}/graphql` }]);
    const unexpected = consoleErrors.filter((e) => !(e.text.includes('status of 401') && e.url === `${origin}/graphql`));
    expect(unexpected).toEqual([]);
  });

  it('outside demo mode (configured keys), serves the same tabs with empty headers', async () => {
    const key = 'agk_graphiql_configured_provisioner_key_0123456789';
    const other = await startGateway(
      readConfig({
        PORT: '0',
        API_KEYS: `ops:provisioner:${hashApiKey(key)}`,
        AUDIT_LOG_PATH: join(dataDir, 'audit-configured.jsonl'),
        GROUP_LINKS_PATH: join(dataDir, 'group-links-configured.json'),
      }),
    );
    const plain = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      expect(other.demoKeys).toBeNull();
      await keepOnLoopback(plain);
      const tab = await plain.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      const response = await tab.goto(other.graphqlUrl);
      const html = await response!.text();
      // No header in any tab (a comment may name x-api-key), and no key of any kind.
      expect(html).not.toMatch(/\\"x-api-key\\"|agk_/);
      await expect.poll(() => editorText(tab, QUERY_EDITOR), { timeout: WAIT_MS }).toContain('query OrgTree');
      expect(await tab.locator('.graphiql-tab-button').count()).toBe(GRAPHIQL_EXAMPLES.length);
      for (const example of GRAPHIQL_EXAMPLES) {
        await openTab(tab, OPERATION[example.task]);
        await tab.locator('.graphiql-editor-tools').getByRole('button', { name: 'Headers' }).click();
        await tab.locator(HEADERS_EDITOR).waitFor({ state: 'visible', timeout: WAIT_MS });
        expect(await editorText(tab, HEADERS_EDITOR), `${example.task} headers`).toBe('');
      }
      expect(errors).toEqual([]);
      expect(offHost).toEqual([]);
    } finally {
      await plain.close();
      await other.close();
    }
  });
});
