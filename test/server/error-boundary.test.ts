import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type ValidationContext } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AnypointError } from '../../src/anypoint/errors.js';
import { notFound } from '../../src/errors.js';
import { createFormatError } from '../../src/server/error-boundary.js';

/**
 * The error boundary as Apollo runs it: errors raised by a validation rule of ours, by a plugin
 * before execution and by resolvers, formatted by createFormatError. What must hold: our codes
 * and their details survive Apollo's wrapping, Apollo's code-less errors get one of our codes,
 * echoed input is truncated, and only the unexpected is masked and logged.
 */

const typeDefs = parse(`
  type Query {
    user(id: ID!): String
    crash: String
    upstream(status: Int!): String
    entity: String
  }
`);

const limitRule = (context: ValidationContext) => ({
  Document() {
    if (context.getDocument().loc?.source.body.includes('tooDeep')) {
      context.reportError(new GraphQLError('The operation is 13 levels deep; the limit is 12', { extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12, actual: 13 } }));
    }
  },
});

const costPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName }) {
        if (operationName === 'Costly') {
          throw new GraphQLError('The operation is estimated to cost 5000 upstream calls', {
            extensions: { code: 'COST_LIMIT_EXCEEDED', cost: { estimatedUpstreamCalls: 5000, maxUpstreamCalls: 2000 }, http: { status: 400 } },
          });
        }
        if (operationName === 'OverBudget') {
          throw new GraphQLError('The caller has spent its upstream calls for this minute', {
            extensions: {
              code: 'CALLER_BUDGET_EXCEEDED',
              cost: { estimatedUpstreamCalls: 30 },
              http: { status: 429, headers: new HeaderMap([['retry-after', '17']]) },
            },
          });
        }
      },
    };
  },
};

const HUGE = 'x'.repeat(900_000);

// Resolvers throw what the gateway's own code would: a GatewayError, an AnypointError, a bug.
const resolvers = {
  Query: {
    user: (_: unknown, { id }: { id: string }) => {
      throw notFound('User', id);
    },
    crash: () => {
      throw new Error('database password is hunter2');
    },
    upstream: (_: unknown, { status }: { status: number }) => {
      throw new AnypointError({ code: status === 404 ? 'NOT_FOUND' : 'UPSTREAM_UNAVAILABLE', status, method: 'GET', route: '/accounts/api/users/{userId}', upstreamMessage: `no user ${HUGE}` });
    },
    // What @apollo/subgraph's _entities resolver throws for an unknown __typename (a plain Error).
    entity: () => {
      throw new Error(`The _entities resolver tried to load an entity for type "${HUGE}", but no object or interface type of that name was found in the schema`);
    },
  },
};

function server(logged: unknown[]) {
  return new ApolloServer({
    // Built by @apollo/subgraph, as the gateway's schema is, so Apollo and the schema share one copy of graphql.
    schema: buildSubgraphSchema({ typeDefs, resolvers }),
    validationRules: [limitRule],
    // Inline tracing off, as in the gateway (and no startup notice about it).
    plugins: [ApolloServerPluginInlineTraceDisabled(), costPlugin],
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError((error) => logged.push(error)),
  });
}

async function run(query: string, extra: { operationName?: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> } = {}) {
  const logged: unknown[] = [];
  const apollo = server(logged);
  await apollo.start();
  try {
    const res = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([['content-type', 'application/json']]),
        search: '',
        body: { query, ...extra },
      },
      context: async () => ({}),
    });
    const body = res.body.kind === 'complete' ? (JSON.parse(res.body.string) as { errors?: Array<{ message: string; extensions: Record<string, unknown> }> }) : {};
    return { status: res.status ?? 200, headers: res.headers, errors: body.errors ?? [], logged };
  } finally {
    await apollo.stop();
  }
}

describe('the error boundary', () => {
  it("keeps a validation rule's own code and details, which Apollo overwrites with GRAPHQL_VALIDATION_FAILED", async () => {
    const { status, errors, logged } = await run('query tooDeep { crash }');
    expect(status).toBe(400);
    expect(errors).toEqual([
      { message: 'The operation is 13 levels deep; the limit is 12', locations: undefined, extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12, actual: 13 } },
    ]);
    expect(logged).toEqual([]);
  });

  it('keeps the code, cost and HTTP status of a demand-control refusal thrown in didResolveOperation', async () => {
    const { status, errors, logged } = await run('query Costly { crash }');
    expect(status).toBe(400);
    expect(errors).toEqual([{ message: 'The operation is estimated to cost 5000 upstream calls', extensions: { code: 'COST_LIMIT_EXCEEDED', cost: { estimatedUpstreamCalls: 5000, maxUpstreamCalls: 2000 } } }]);
    expect(logged).toEqual([]);
  });

  it("keeps CALLER_BUDGET_EXCEEDED with its 429 and Retry-After", async () => {
    const { status, headers, errors } = await run('query OverBudget { crash }');
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('17');
    expect(errors[0]!.extensions).toEqual({ code: 'CALLER_BUDGET_EXCEEDED', cost: { estimatedUpstreamCalls: 30 } });
  });

  it('answers a persisted-query hash that does not match its query with PERSISTED_QUERY_HASH_MISMATCH, not a masked error', async () => {
    const { status, errors, logged } = await run('{ crash }', { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(status).toBe(400);
    expect(errors).toEqual([{ message: 'The persisted query hash sent does not match the SHA-256 of the query text sent with it.', extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }]);
    expect(logged).toEqual([]);
  });

  it('truncates an id echoed in a NOT_FOUND message to 64 characters and an ellipsis', async () => {
    const { errors } = await run('query ($id: ID!) { user(id: $id) }', { variables: { id: HUGE } });
    expect(errors[0]!.extensions.code).toBe('NOT_FOUND');
    expect(errors[0]!.message).toBe(`User ${'x'.repeat(64)}… was not found`);
  });

  it("truncates what Anypoint's message repeats, and calls a 431 for a too-long argument BAD_USER_INPUT", async () => {
    const { errors } = await run('{ a: upstream(status: 404) b: upstream(status: 431) }');
    expect(errors.map((e) => e.extensions)).toEqual([
      { code: 'NOT_FOUND', upstreamStatus: 404 },
      { code: 'BAD_USER_INPUT', upstreamStatus: 431 },
    ]);
    for (const error of errors) expect(error.message.length).toBeLessThan(200);
  });

  it('answers an unknown _entities typename with BAD_USER_INPUT and logs nothing', async () => {
    const { errors, logged } = await run('{ entity }');
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(errors[0]!.message).toBe(`The _entities resolver tried to load an entity for type "${'x'.repeat(63)}… but no object or interface type of that name was found in the schema`);
    expect(logged).toEqual([]);
  });

  it('masks and logs anything unexpected', async () => {
    const { errors, logged } = await run('{ crash }');
    expect(errors[0]).toEqual(expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }));
    expect(JSON.stringify(errors)).not.toContain('hunter2');
    expect(logged).toEqual([expect.objectContaining({ message: 'database password is hunter2' })]);
  });

  it('masks a GraphQLError that claims INTERNAL_SERVER_ERROR or a code outside the registry', () => {
    const logged: unknown[] = [];
    const format = createFormatError((error) => logged.push(error));
    for (const code of ['INTERNAL_SERVER_ERROR', 'SOMETHING_ELSE']) {
      const error = new GraphQLError('secret detail', { path: ['crash'], extensions: { code } });
      expect(format({ message: error.message, path: ['crash'], extensions: { code } }, error)).toEqual({ message: 'Internal server error', path: ['crash'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    expect(logged).toHaveLength(2);
  });
});
