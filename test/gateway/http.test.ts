import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/gateway.js';

/** The HTTP surface around GraphQL: GraphiQL from local assets, health, request ids, bad requests. */
describe('the gateway over HTTP', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    stack = await startStack();
    base = stack.gw.gateway.url;
  });
  afterAll(() => stack.close());

  it('serves GraphiQL to a browser, with every script and stylesheet from the gateway itself', async () => {
    const res = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('query OrgTree');
    // data: URIs (the empty icon) are inline, not fetched.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((url) => !url.startsWith('data:'));
    expect(assets.length).toBe(7);
    for (const asset of assets) {
      expect(asset.startsWith('/graphiql/'), `${asset} is served locally`).toBe(true);
      const got = await fetch(`${base}${asset}`);
      expect(got.status).toBe(200);
      expect((await got.arrayBuffer()).byteLength).toBeGreaterThan(1_000);
    }
  });

  it('answers liveness and readiness', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('echoes a caller request id and sends it upstream', async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-123' },
      body: JSON.stringify({ query: '{ organizations(filter: { search: "zzz-none" }) { id } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    expect(stack.gw.calls.some((c) => c.requestId === 'trace-me-123')).toBe(true);
  });

  it('answers malformed JSON and unparseable queries with a 400 and a code, never a stack trace', async () => {
    const badJson = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(badJson.status).toBe(400);
    const badQuery = await stack.gw.gql('{ organizations { ');
    expect(badQuery.status).toBe(400);
    expect(badQuery.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknownField = await stack.gw.gql('{ nope }');
    expect(unknownField.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify([badQuery, unknownField])).not.toMatch(/stacktrace|\.ts:\d+/);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/../package.json`)).status).toBe(404);
  });
});
