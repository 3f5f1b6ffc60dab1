import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Small real HTTP servers the observability tests stand next to the gateway (not a test file):
 * a recording proxy in front of the simulator, an OTLP/HTTP receiver, and a Prometheus text
 * parser for /metrics.
 */

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface RecordingProxy {
  url: string;
  /** Every request passed on, with the headers it arrived with. */
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  /** Headers to set on the next response whose request matches, once. */
  rewriteNext(match: (method: string, path: string) => boolean, headers: Record<string, string>): void;
  close(): Promise<void>;
}

/** Forwards everything to `target`, recording what the gateway sent. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordingProxy['requests'] = [];
  let rewrite: { match: (method: string, path: string) => boolean; headers: Record<string, string> } | null = null;
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    requests.push({ method, path, headers: { ...req.headers } });
    const extra = rewrite?.match(method, path) ? rewrite.headers : {};
    if (rewrite?.match(method, path)) rewrite = null;
    const forward = request({ host: upstream.hostname, port: upstream.port, method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...extra });
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  const url = await listen(server);
  return {
    url,
    requests,
    rewriteNext(match, headers) {
      rewrite = { match, headers };
    },
    close: () => close(server),
  };
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number };
  serviceName: string;
}

export interface OtlpReceiver {
  url: string;
  spans: OtlpSpan[];
  contentTypes: string[];
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
const valueOf = (v: AnyValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.arrayValue?.values?.map(valueOf);
const attributes = (list: Array<{ key: string; value: AnyValue }> = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP collector that accepts JSON on POST /v1/traces and keeps the spans. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    contentTypes.push(String(req.headers['content-type']));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: AnyValue }> }; scopeSpans: Array<{ spans: Array<Omit<OtlpSpan, 'attributes' | 'serviceName'> & { attributes?: Array<{ key: string; value: AnyValue }> }> }> }>;
    };
    for (const resource of body.resourceSpans) {
      const serviceName = String(attributes(resource.resource.attributes)['service.name']);
      for (const scope of resource.scopeSpans) for (const span of scope.spans) spans.push({ ...span, attributes: attributes(span.attributes), serviceName });
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const url = await listen(server);
  return { url, spans, contentTypes, close: () => close(server) };
}

/** Prometheus text exposition -> value by `name{label="value",...}` (labels sorted by name). */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`Not a Prometheus sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!] as const);
    samples.set(key(m[1]!, Object.fromEntries(labels)), Number(m[3]));
  }
  return samples;
}

export function key(name: string, labels: Record<string, string> = {}): string {
  const inner = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return inner ? `${name}{${inner}}` : name;
}

/** Scrapes GET {gatewayUrl}/metrics. */
export async function scrape(gatewayUrl: string): Promise<Map<string, number>> {
  const res = await fetch(`${gatewayUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** How much a sample moved between two scrapes (a missing sample counts as 0). */
export const delta = (before: Map<string, number>, after: Map<string, number>, name: string, labels: Record<string, string> = {}) =>
  (after.get(key(name, labels)) ?? 0) - (before.get(key(name, labels)) ?? 0);
