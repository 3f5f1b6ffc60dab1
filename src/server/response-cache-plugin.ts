import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { SharedCache } from '../cache/shared-cache.js';
import { readWriteEpoch } from '../loaders/read-through.js';
import type { GatewayContext } from './context.js';
import { shortKey } from './short-key.js';
import type { ResponseCache } from './response-cache.js';

/**
 * Root fields whose answers come only from Anypoint through the request's loaders (so
 * ReadThrough.freshUntil covers all of it). Anything else (auditEvents reads the audit trail,
 * introspection, a field added later) is never answered from the response cache: an allow-list,
 * so a new source of data cannot be cached by accident.
 */
const CACHEABLE_ROOT_FIELDS = new Set([
  '__typename',
  'viewer',
  'organization',
  'organizations',
  'environment',
  'user',
  'userByUsername',
  'users',
  'team',
  'teams',
  'api',
  'apis',
  '_entities',
  '_service',
]);

function cacheable(operation: OperationDefinitionNode | undefined): boolean {
  return (
    // Apollo reaches this hook without an operation when the request's operationName names none
    // of the document's; execution then answers OPERATION_RESOLUTION_FAILURE.
    operation !== undefined &&
    operation.operation === 'query' &&
    // A fragment spread at the root cannot be checked without resolving it; such documents are rare.
    operation.selectionSet.selections.every((s) => s.kind === 'Field' && CACHEABLE_ROOT_FIELDS.has(s.name.value))
  );
}

/** Header telling the caller where the answer came from: hit, miss or bypass (Cache-Control: no-cache). */
export const RESPONSE_CACHE_HEADER = 'x-response-cache';

/**
 * Answers a repeated query from the ResponseCache before executing it, and stores what a query
 * answered without errors. Keyed by the document, operation name, variables and the caller's
 * roles (what the caller may see depends on nothing else).
 */
export function responseCachePlugin(responses: ResponseCache, cache: SharedCache): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      if (!responses.enabled) return;
      let pending: { key: string; epoch: string } | undefined;
      return {
        async responseForOperation({ operation, queryHash, request, contextValue, response }) {
          if (!cacheable(operation) || !contextValue.caller) return null;
          let epoch: string;
          try {
            epoch = await readWriteEpoch(cache);
          } catch {
            // Whether a write happened cannot be told (Redis is failing): execute, store nothing.
            return null;
          }
          const roles = [...contextValue.caller.roles].sort().join(',');
          // Long variables hashed: a key must not hold a megabyte of them (its bytes are not in the cache's bound).
          const variables = shortKey(JSON.stringify(request.variables ?? {}));
          const key = `${queryHash}\n${request.operationName ?? ''}\n${variables}\n${roles}`;
          pending = { key, epoch };
          if (contextValue.loaders.cache.bypassing) {
            response.http.headers.set(RESPONSE_CACHE_HEADER, 'bypass');
            return null;
          }
          const data = responses.get(key, epoch);
          if (data === undefined) {
            response.http.headers.set(RESPONSE_CACHE_HEADER, 'miss');
            return null;
          }
          pending = undefined;
          return { http: { status: undefined, headers: new HeaderMap([[RESPONSE_CACHE_HEADER, 'hit']]) }, body: { kind: 'single', singleResult: { data } } };
        },
        async willSendResponse({ response, contextValue }) {
          if (!pending || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (errors?.length || !data) return;
          responses.set(pending.key, pending.epoch, data, contextValue.loaders.cache.freshUntil);
        },
      };
    },
  };
}
