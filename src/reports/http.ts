import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromPackageRoot } from '../package-root.js';

/**
 * The access review page (GET /reports/access-review) and its script and style, all served from
 * here: no CDN, no inline script or style, so the Content-Security-Policy can be strict. The page
 * holds no data: its script reads `accessReview` from /graphql with the API key the person types
 * (kept in sessionStorage), and the downloads fetch /exports/access-review.* with the same key in
 * the x-api-key header.
 */
export const REPORTS_PREFIX = '/reports';

/** Same-origin script, style and fetch only; nothing framed, no forms posted, no <base>. */
export const REPORTS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': REPORTS_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The page's assets from src/reports/ in the source tree, which the compiled build (dist/) does not copy. */
const read = (file: string) => readFileSync(fromPackageRoot('src', 'reports', file), 'utf8');

interface Asset {
  type: string;
  body: string;
}

export interface ReportsOptions {
  /**
   * Demo mode's auditor key (embedded simulator, made-up keys printed at start), prefilled in the
   * key field as a convenience; null otherwise, and the page then carries no key at all.
   */
  demoAuditorKey?: string | null;
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page's routes, read once; the handler answers every path under /reports. */
export function createReportsHandler(options: ReportsOptions = {}) {
  const demo = options.demoAuditorKey ? `<meta name="demo-api-key" content="${escapeAttribute(options.demoAuditorKey)}" />` : '';
  const assets: Record<string, Asset> = {
    '/reports/access-review': { type: 'text/html; charset=utf-8', body: read('./access-review.html').replace('<!--demo-key-->', demo) },
    '/reports/access-review.js': { type: 'text/javascript; charset=utf-8', body: read('./access-review.js') },
    '/reports/access-review.css': { type: 'text/css; charset=utf-8', body: read('./access-review.css') },
  };
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const asset = assets[url.pathname];
    if (!asset) return send(res, 404, 'text/plain; charset=utf-8', `No route ${url.pathname}; the access review is at /reports/access-review\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Use GET\n', { allow: 'GET, HEAD' });
    send(res, 200, asset.type, asset.body, { 'cache-control': 'no-cache' }, req.method === 'HEAD');
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}, head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(head ? undefined : body);
}
