import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { startOtlpReceiver, startRecordingProxy, type OtlpReceiver, type OtlpSpan, type RecordingProxy } from './support.js';

/**
 * OpenTelemetry tracing against real servers: the gateway exports to an OTLP/HTTP receiver on
 * loopback, and reaches the simulator through a proxy that records the headers it sends, so the
 * traceparent Anypoint would see can be checked against the exported spans.
 */

const TOKEN_ROUTE = '/accounts/api/v2/oauth2/token';
const PROVISIONER_KEY = `agk_${'t'.repeat(43)}`;
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

let sim: SimHarness | undefined;
let proxy: RecordingProxy | undefined;
let receiver: OtlpReceiver | undefined;
let gw: GatewayHarness | undefined;

afterEach(async () => {
  await gw?.close();
  await proxy?.close();
  await receiver?.close();
  await sim?.close();
  gw = proxy = receiver = sim = undefined;
});

async function start(tracing: boolean): Promise<{ gw: GatewayHarness; proxy: RecordingProxy; receiver: OtlpReceiver }> {
  sim = await startSimHarness();
  proxy = await startRecordingProxy(sim.url);
  receiver = await startOtlpReceiver();
  gw = await startGatewayFor({ ...sim, url: proxy.url }, {
    API_KEYS: `trace-test:provisioner:${hashApiKey(PROVISIONER_KEY)}`,
    ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'anypoint-graph-under-test' } : {}),
  });
  // The start's own read (the business group tree, for demand control) belongs to no operation.
  proxy.requests.length = 0;
  return { gw, proxy, receiver };
}

/** Platform calls the proxy passed on (token requests are the client's own, made outside any operation). */
const platformCalls = (p: RecordingProxy) => p.requests.filter((r) => !r.path.startsWith(TOKEN_ROUTE));

const parseTraceparent = (value: unknown) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(value));
  if (!m) throw new Error(`not a sampled W3C traceparent: ${String(value)}`);
  return { traceId: m[1]!, parentId: m[2]! };
};

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('exports one span per operation with a child span per upstream call, and sends Anypoint a traceparent in that trace', async () => {
    const { gw, proxy, receiver } = await start(true);
    const res = await gw.gql('query Tree { organizations { name environments { name apiCount } } }', undefined, { 'x-request-id': 'trace-read' });
    expect(res.errors).toBeUndefined();
    // Closing flushes the batch of spans to the receiver.
    await gw.close();

    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    const operations = receiver.spans.filter((s) => s.kind === SPAN_KIND_SERVER);
    expect(operations.map((s) => s.name)).toEqual(['query Tree']);
    const op = operations[0]!;
    expect(op.serviceName).toBe('anypoint-graph-under-test');
    expect(op.attributes).toEqual(expect.objectContaining({ 'graphql.operation.name': 'Tree', 'graphql.operation.type': 'query', 'anypoint_graph.request_id': 'trace-read' }));
    expect(op.parentSpanId ?? '').toBe('');

    const children = receiver.spans.filter((s) => s.parentSpanId === op.spanId);
    const calls = platformCalls(proxy);
    expect(calls.length).toBeGreaterThan(2);
    expect(children).toHaveLength(calls.length);
    for (const child of children) {
      expect(child.traceId).toBe(op.traceId);
      expect(child.kind).toBe(SPAN_KIND_CLIENT);
      expect(child.name).toMatch(/^GET \/(accounts|apimanager|exchange)\//);
      expect(child.attributes).toEqual(expect.objectContaining({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'anypoint_graph.request_id': 'trace-read' }));
    }
    // Every call Anypoint received names the operation's trace, and its own client span as parent.
    const received = calls.map((c) => parseTraceparent(c.headers.traceparent));
    for (const { traceId } of received) expect(traceId).toBe(op.traceId);
    expect(received.map((r) => r.parentId).sort()).toEqual(children.map((c) => c.spanId).sort());
  });

  it('puts the writes of a mutation under its operation span too', async () => {
    const { gw, proxy, receiver } = await start(true);
    const res = await gw.gql(
      'mutation AddUser($input: CreateUserInput!) { createUser(input: $input) { userErrors { code } user { id } } }',
      { input: { username: 'Trace_user', firstName: 'Trace', lastName: 'User', email: 'trace_user@example.com' } },
      { 'x-api-key': PROVISIONER_KEY, 'x-request-id': 'trace-write' },
    );
    expect(res.data?.createUser.userErrors).toEqual([]);
    await gw.close();

    const op = receiver.spans.find((s) => s.name === 'mutation AddUser')!;
    expect(op).toBeDefined();
    const writes = receiver.spans.filter((s: OtlpSpan) => s.parentSpanId === op.spanId && s.name.startsWith('POST '));
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect(write.attributes['anypoint_graph.request_id']).toMatch(/^trace-write\.w\d+$/);
    const posted = platformCalls(proxy).filter((c) => c.method === 'POST');
    expect(posted).toHaveLength(writes.length);
    for (const call of posted) expect(parseTraceparent(call.headers.traceparent).traceId).toBe(op.traceId);
  });

  it("continues the caller's trace when the request carries a traceparent", async () => {
    const { gw, proxy, receiver } = await start(true);
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await gw.gql('query Org { viewer { organization { name } } }', undefined, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    expect(res.errors).toBeUndefined();
    await gw.close();

    const op = receiver.spans.find((s) => s.name === 'query Org')!;
    expect(op.traceId).toBe(callerTrace);
    expect(op.parentSpanId).toBe(callerSpan);
    for (const call of platformCalls(proxy)) expect(parseTraceparent(call.headers.traceparent).traceId).toBe(callerTrace);
  });
});

describe('tracing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('sends no traceparent upstream and exports nothing', async () => {
    const { gw, proxy, receiver } = await start(false);
    expect((await gw.gql('query Org { viewer { organization { name } } }')).errors).toBeUndefined();
    await gw.close();
    expect(platformCalls(proxy).length).toBeGreaterThan(0);
    for (const call of proxy.requests) expect(call.headers.traceparent).toBeUndefined();
    expect(receiver.spans).toEqual([]);
  });
});
