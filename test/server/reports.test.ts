import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { REPORTS_CSP, createReportsHandler } from '../../src/reports/http.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * The access review page as the gateway serves it: its HTML, script and style come from the
 * gateway itself with a strict Content-Security-Policy and nosniff, name no other origin, and
 * carry no key outside demo mode.
 */
const ROUTES = ['/reports/access-review', '/reports/access-review.js', '/reports/access-review.css'];

/** Every URL the page's markup or style loads: src=, href=, CSS url() and @import. */
function loadedUrls(text: string): string[] {
  return [...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)|@import\s+["']([^"']+)/gi)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

describe('GET /reports/access-review', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves the page, its script and its style with the CSP and nosniff, from the gateway alone', async () => {
    const types: Record<string, string> = {};
    for (const route of ROUTES) {
      const res = await fetch(`${stack.gw.gateway.url}${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-security-policy'), route).toBe(REPORTS_CSP);
      expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
      types[route] = res.headers.get('content-type')!;
      const body = await res.text();
      // No other origin anywhere: not loaded, not fetched, not even named.
      expect(body, route).not.toMatch(/https?:\/\//i);
      if (!route.endsWith('.js')) for (const url of loadedUrls(body)) expect(url, `${route} loads ${url}`).toMatch(/^(\/(?!\/)|data:,$)/);
    }
    expect(types).toEqual({
      '/reports/access-review': 'text/html; charset=utf-8',
      '/reports/access-review.js': 'text/javascript; charset=utf-8',
      '/reports/access-review.css': 'text/css; charset=utf-8',
    });
    // Strict: same-origin script and style only, no inline, no eval, nothing else by default.
    expect(REPORTS_CSP).toContain("default-src 'none'");
    expect(REPORTS_CSP).toContain("script-src 'self'");
    expect(REPORTS_CSP).toContain("style-src 'self'");
    expect(REPORTS_CSP).toContain("frame-ancestors 'none'");
    expect(REPORTS_CSP).not.toMatch(/unsafe-|\*|https?:/);
  });

  it('has no inline script or style, and writes data with textContent only', async () => {
    const html = await (await fetch(`${stack.gw.gateway.url}/reports/access-review`)).text();
    expect([...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]!.trim())).toEqual(['']);
    expect(html).toContain('<script src="/reports/access-review.js" defer></script>');
    expect(html).not.toMatch(/<style\b|\sstyle\s*=|\son[a-z]+\s*=/i);
    // Outside demo mode the page carries no key.
    expect(html).not.toContain('demo-api-key');
    const js = await (await fetch(`${stack.gw.gateway.url}/reports/access-review.js`)).text();
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(js).toContain("fetch('/graphql'");
    // Its only other fetch is an export path the markup names (data-export="/exports/...").
    expect([...js.matchAll(/fetch\(([^,]+),/g)].map((m) => m[1])).toEqual(["'/graphql'", 'url']);
    expect([...html.matchAll(/data-export="([^"]+)"/g)].map((m) => m[1])).toEqual(['/exports/access-review.csv', '/exports/access-review.jsonl', '/exports/access-review.csv']);
  });

  it('answers 404 for other paths under /reports and 405 for other methods; /graphql is unchanged', async () => {
    const missing = await fetch(`${stack.gw.gateway.url}/reports/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    const post = await fetch(`${stack.gw.gateway.url}/reports/access-review`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${stack.gw.gateway.url}/reports/access-review`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    // Only the prefix with a slash is the reports'; /reports alone stays the gateway's 404.
    expect((await fetch(`${stack.gw.gateway.url}/reports`)).status).toBe(404);
    const gql = await stack.gw.gql('{ __typename }');
    expect(gql.data).toEqual({ __typename: 'Query' });
  });
});

describe('the demo auditor key', () => {
  it('is prefilled (escaped) only when given', async () => {
    const handler = createReportsHandler({ demoAuditorKey: 'agk_"<x>&' });
    const server: Server = createServer((req, res) => void handler(req, res, new URL(req.url ?? '/', 'http://x')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const html = await (await fetch(`http://127.0.0.1:${port}/reports/access-review`)).text();
      expect(html).toContain('<meta name="demo-api-key" content="agk_&quot;&lt;x&gt;&amp;" />');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is the demo gateway\'s auditor key in demo mode', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-reports-'));
    let gateway: Gateway | undefined;
    try {
      gateway = await startGateway(readConfig({ PORT: '0', AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'), GROUP_LINKS_PATH: join(dataDir, 'group-links.json') }));
      const html = await (await fetch(`${gateway.url}/reports/access-review`)).text();
      expect(gateway.demoKeys?.auditor).toMatch(/^agk_/);
      expect(html).toContain(`<meta name="demo-api-key" content="${gateway.demoKeys!.auditor}" />`);
    } finally {
      await gateway?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
