import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import { startStack, type Stack } from '../helpers/gateway.js';

/**
 * A request whose operationName names none of its document's operations (a hand-made request, or
 * an editor sending the last tab's name with the next tab's text) reaches Apollo's
 * responseForOperation hook with no operation. It once crashed the response cache there: a 500
 * INTERNAL_SERVER_ERROR and an error log line per request. It is the caller's mistake, so it must
 * answer the caller's error, and cost nothing upstream.
 */
const READER_KEY = 'agk_operation_name_reader_key_0123456789abc';

describe('an operationName that names no operation of the document', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { API_KEYS: `on:reader:${hashApiKey(READER_KEY)}`, ANONYMOUS_READS: 'true' });
  });
  afterAll(() => stack?.close());

  const cases = [
    { name: 'a name the document lacks', body: { query: 'query A { viewer { organization { name } } }', operationName: 'B' } },
    { name: 'two operations and no name', body: { query: 'query A { viewer { organization { name } } } query C { organizations { id } }' } },
  ];

  for (const { name, body } of cases) {
    for (const caller of ['anonymous', 'with a key'] as const) {
      it(`${name}, ${caller}: 400 OPERATION_RESOLUTION_FAILURE, no upstream call`, async () => {
        await stack.resetCounts();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (caller === 'with a key') headers['x-api-key'] = READER_KEY;
        // Twice: the second would be the response cache's hit if the first had been stored.
        for (let i = 0; i < 2; i++) {
          const res = await fetch(stack.gw.gateway.graphqlUrl, { method: 'POST', headers, body: JSON.stringify(body) });
          const answer = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
          expect(res.status).toBe(400);
          expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['OPERATION_RESOLUTION_FAILURE']);
        }
        expect((await stack.upstream()).total).toBe(0);
      });
    }
  }
});
