import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startStack, type Stack } from '../helpers/gateway.js';
import { expectResponsiveDuring } from './support.js';

/**
 * Documents built to cost the gateway far more than their size: each is refused with
 * OPERATION_LIMIT_EXCEEDED (or a parse error past the token limit) before anything executes, and
 * /healthz keeps answering meanwhile. Before the limits, the fragment bomb stalled the process
 * for seconds per request (its depth check re-walked every fragment at every spread), and the
 * alias bombs built answers of tens of megabytes.
 */
const READER_KEY = 'agk_operation_limits_reader_key_0123456789';

describe('operation limits', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Anonymous reads on, as in demo mode: every attack here needs no credentials.
    stack = await startStack({}, { API_KEYS: `limits:reader:${hashApiKey(READER_KEY)}` });
  });
  afterAll(() => stack.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(stack.gw.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  /** Fragment i spreads fragment i+1 twice: an expanded walk doubles per level. */
  function fragmentBomb(levels: number): string {
    let fragments = '';
    for (let i = 0; i < levels; i += 1) fragments += `fragment F${i} on Organization { children { ...F${i + 1} ...F${i + 1} } }\n`;
    fragments += `fragment F${levels} on Organization { id }\n`;
    return `query Bomb { organizations { ...F0 } }\n${fragments}`;
  }

  it('refuses a 60-level fragment bomb at once, without credentials, while /healthz keeps answering', async () => {
    const query = fragmentBomb(60);
    const res = await expectResponsiveDuring(stack.gw.gateway.url, () => post({ query }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12, actual: 62 });
  });

  it('counts aliases inside fragments once per spread: 10 per level over 5 levels is 111,110, not 50', async () => {
    const level = (i: number) => Array.from({ length: 10 }, (_, j) => `a${j}: children { ...L${i + 1} }`).join(' ');
    let fragments = '';
    for (let i = 0; i < 5; i += 1) fragments += `fragment L${i} on Organization { ${level(i)} }\n`;
    fragments += 'fragment L5 on Organization { id name }\n';
    const res = await expectResponsiveDuring(stack.gw.gateway.url, () => post({ query: `{ organizations { ...L0 } }\n${fragments}` }));
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases', max: 30, actual: 111_110 });
    expect(body.data).toBeUndefined();
  });

  it('refuses 1,000 root aliases instead of answering 900 KB', async () => {
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `v${i}: viewer { clientId }`).join(' ')} }`;
    const res = await post({ query });
    const body = (await res.json()) as any;
    // 1,000 aliases are 6,000 tokens: the parser stops at the token limit first.
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/4000 tokens/);
    const fewer = `{ ${Array.from({ length: 40 }, (_, i) => `v${i}: viewer { clientId }`).join(' ')} }`;
    const refused = (await (await post({ query: fewer })).json()) as any;
    expect(refused.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases', max: 30, actual: 40 });
  });

  it('refuses too many root fields of one name (graphql-js compares those in pairs)', async () => {
    const query = `{ ${'viewer { clientId } '.repeat(700)} }`;
    const res = await expectResponsiveDuring(stack.gw.gateway.url, () => post({ query }));
    const body = (await res.json()) as any;
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'rootFields', max: 20, actual: 700 });
  });

  it('refuses too many directives', async () => {
    const query = `{ viewer { clientId ${'@include(if: true) '.repeat(60)} } }`;
    const body = (await (await post({ query })).json()) as any;
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'directives', max: 50, actual: 60 });
  });

  it('refuses a document over the byte limit, however it is padded', async () => {
    const query = `# ${'x'.repeat(40_000)}\n{ viewer { clientId } }`;
    const body = (await (await post({ query })).json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'bytes', max: 32_768 });
  });

  it('still answers an ordinary query, and a refused document is not remembered as valid', async () => {
    const ok = await stack.gw.gql('{ viewer { clientId } }');
    expect(ok.errors).toBeUndefined();
    const query = `{ ${'viewer { clientId } '.repeat(25)} }`;
    for (let i = 0; i < 2; i += 1) {
      const body = (await (await post({ query })).json()) as any;
      expect(body.errors[0].extensions.code).toBe('OPERATION_LIMIT_EXCEEDED');
    }
  });

  it('bounds introspection by its shape (it runs synchronously, with no upstream call for demand control to count)', async () => {
    // Every type's fields' types' fields' types' fields: the answer grows with the fields per type, per level.
    const nested = '{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }';
    const res = await expectResponsiveDuring(stack.gw.gateway.url, () => post({ query: nested }));
    const body = (await res.json()) as any;
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'introspectionLists', max: 3, actual: 5 });
    const deep = `{ __type(name: "Query") { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } }`;
    const refused = (await (await post({ query: deep })).json()) as any;
    expect(refused.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'introspectionDepth', max: 20 });
  });

  it("still answers the standard introspection query that GraphiQL and Apollo's tools send", async () => {
    const res = await stack.gw.gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    expect(res.errors).toBeUndefined();
    expect((res.data as any).__schema.types.length).toBeGreaterThan(20);
  });

  it('gives "Did you mean" hints only to callers with credentials', async () => {
    const anonymous = await stack.gw.gql('{ organizatons { id } }');
    expect(anonymous.errors![0]!.message).toBe('Cannot query field "organizatons" on type "Query".');
    const reader = await stack.gw.gql('{ organizatons { id } }', undefined, { 'x-api-key': READER_KEY });
    expect(reader.errors![0]!.message).toBe('Cannot query field "organizatons" on type "Query". Did you mean "organizations" or "organization"?');
  });
});
