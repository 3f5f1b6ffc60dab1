import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { CHROMIUM_PATH, chromiumAvailable, describeWithService } from '../helpers/services.js';

/**
 * GraphiQL as a person uses it: Debian's Chromium opens the demo-mode gateway's /graphql page,
 * runs the preloaded example, then a dry-run mutation with the provisioner key typed into the
 * Headers tab. Every request the page makes must stay on the gateway's origin (no CDN), with no
 * console errors and no failed requests. The last screen is kept as test-artifacts/graphiql.png.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = join(ROOT, 'test-artifacts', 'graphiql.png');
const FAILURE_SCREENSHOT = join(ROOT, 'test-artifacts', 'graphiql-failure.png');
const WAIT_MS = 15_000;

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESPONSE = '.graphiql-response .CodeMirror';

const DRY_RUN_MUTATION = `mutation DryRunCreateUser {
  createUser(input: {username: "browser_user", firstName: "Brow", lastName: "Ser", email: "browser@example.test", dryRun: true}) {
    dryRun
    plan { action status }
    userErrors { code }
  }
}`;

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
  await page.keyboard.insertText(text);
  await expect.poll(() => editorText(page, selector), { timeout: WAIT_MS }).toBe(text);
}

/**
 * Press GraphiQL's run button for a one-operation document and wait until the result pane
 * satisfies `until`. GraphiQL parses the query editor a moment after each edit; until then it
 * still counts the previous document's operations and renders the button as a menu of them
 * (which a click would open, then lose when the button re-renders), so first wait for the plain
 * button.
 */
async function run(page: Page, until: (body: any) => boolean): Promise<any> {
  await page.locator('.graphiql-execute-button:not([aria-haspopup])').waitFor({ timeout: WAIT_MS });
  await page.locator('.graphiql-execute-button').click();
  await expect.poll(async () => until(await result(page)), { timeout: WAIT_MS }).toBe(true);
  return result(page);
}

describeWithService('GraphiQL in Chromium', chromiumAvailable, () => {
  let dataDir: string;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const requests: Array<{ method: string; url: string; body: string | null; apiKey: string | undefined }> = [];
  const consoleErrors: Array<{ text: string; url: string }> = [];
  const failedRequests: string[] = [];
  const errorResponses: Array<{ status: number; url: string }> = [];

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

    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
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
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !page) return;
    mkdirSync(dirname(FAILURE_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: FAILURE_SCREENSHOT }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads GraphiQL from the gateway alone, with the example query and the schema', async () => {
    const response = await page.goto(gateway.graphqlUrl);
    expect(response?.status()).toBe(200);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => editorText(page, QUERY_EDITOR), { timeout: WAIT_MS }).toContain('query OrgTree');
    // GraphiQL introspects the schema for the docs and completion.
    await expect.poll(() => requests.some((r) => r.method === 'POST' && r.body?.includes('__schema')), { timeout: WAIT_MS }).toBe(true);

    const urls = requests.map((r) => r.url);
    expect(urls).toContain(`${origin}/graphiql/graphiql.js`);
    expect(urls).toContain(`${origin}/graphiql/graphiql.css`);
    expect(urls.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(errorResponses).toEqual([]);
  });

  it('runs the preloaded OrgTree example and shows the simulator\'s organizations', async () => {
    const store = gateway.simulator!.store;
    const rootOrg = store.orgs.get(store.rootOrgId)!;
    const rootEnvironments = [...store.environments.values()].filter((env) => env.organizationId === rootOrg.id).map((env) => env.name);
    expect(rootEnvironments.length).toBeGreaterThan(0);

    // The example holds three operations: the run button asks which one.
    await page.locator('.graphiql-execute-button').click();
    const pick = page.locator('.graphiql-dropdown-item', { hasText: 'OrgTree' });
    await pick.click({ timeout: WAIT_MS });
    await expect.poll(async () => (await result(page))?.data?.organizations !== undefined, { timeout: WAIT_MS }).toBe(true);

    const body = await result(page);
    expect(body.errors).toBeUndefined();
    const root = body.data.organizations.find((org: any) => org.isRoot);
    expect(root.name).toBe(rootOrg.name);
    expect(root.environments.map((env: any) => env.name).sort()).toEqual(rootEnvironments.sort());
    // And a person sees it: the rendered result pane shows the root organization's name.
    await expect.poll(() => page.locator('.graphiql-response').innerText(), { timeout: WAIT_MS }).toContain(`"name": "${rootOrg.name}"`);
  });

  it('refuses a mutation without a key (anonymous callers only read)', async () => {
    await replaceEditorText(page, QUERY_EDITOR, DRY_RUN_MUTATION);
    const body = await run(page, (b) => Array.isArray(b?.errors));
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data?.createUser ?? null).toBeNull();
  });

  it('runs a dry-run createUser with the provisioner key from the Headers tab', async () => {
    const key = gateway.demoKeys!.provisioner;
    await page.locator('.graphiql-editor-tools').getByRole('button', { name: 'Headers' }).click();
    await page.locator(HEADERS_EDITOR).waitFor({ state: 'visible', timeout: WAIT_MS });
    const headers = `{"x-api-key": "${key}"}`;
    await replaceEditorText(page, HEADERS_EDITOR, headers);

    const body = await run(page, (b) => b?.data?.createUser != null || Array.isArray(b?.errors));
    expect(body.errors).toBeUndefined();
    expect(body.data.createUser).toEqual({ dryRun: true, plan: [{ action: 'CREATE_USER', status: 'PLANNED' }], userErrors: [] });
    const shown = await page.locator('.graphiql-response').innerText();
    expect(shown).toContain('"dryRun": true');
    expect(shown).toContain('CREATE_USER');
    expect(shown).toContain('PLANNED');
    // The key went in the request header, and a dry run wrote nothing upstream.
    const sent = requests.filter((r) => r.body?.includes('DryRunCreateUser'));
    expect(sent.map((r) => r.apiKey)).toEqual([undefined, key]);
    expect([...gateway.simulator!.store.users.values()].some((user) => user.username === 'browser_user')).toBe(false);

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('stayed on the gateway: no other origin, no console errors, no failed requests', () => {
    expect(requests.filter((r) => new URL(r.url).origin !== origin).map((r) => r.url)).toEqual([]);
    expect(failedRequests).toEqual([]);
    // The one error response is the anonymous mutation's 401, which Chromium also logs.
    expect(errorResponses).toEqual([{ status: 401, url: `${origin}/graphql` }]);
    const unexpected = consoleErrors.filter((e) => !(e.text.includes('status of 401') && e.url === `${origin}/graphql`));
    expect(unexpected).toEqual([]);
  });
});
