import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, parse, type ASTVisitor, type DocumentNode, type ValidationContext } from 'graphql';
import type { GatewayContext } from './context.js';
import { INTROSPECTION_LIMITS, limitExceeded, measureOperations, type LimitName, type OperationLimitSettings } from './operation-limits.js';

export interface DocumentLimitSettings extends OperationLimitSettings {
  maxDocumentBytes: number;
  introspection: boolean;
}

/**
 * Enforces the operation limits before graphql-js's own validation rules see the document.
 * Those rules are fine on ordinary documents but not all linear on hostile ones (overlapping
 * fields of one response name compare in pairs: 700 copies of `viewer { clientId }` took 165 ms),
 * and Apollo runs them in one pass with ours, so a rule of ours cannot stop them. Instead, right
 * after parsing, a document over a limit is swapped for a one-field stand-in whose only
 * validation error is the limit it broke: the pipeline answers that error like any validation
 * failure, and Apollo never keeps the stand-in (it keeps only documents that validated).
 *
 * Parsing itself is bounded by graphql-js's maxTokens (ApolloServer parseOptions), and the
 * request body by HTTP_MAX_BODY_KB, so everything up to here is linear in a bounded input.
 */
const refusals = new WeakMap<DocumentNode, GraphQLError>();

/** Reports the limit a swapped-in document stands for (registered as a validation rule). */
export function reportRefusedDocument(context: ValidationContext): ASTVisitor {
  return {
    Document(document) {
      const refusal = refusals.get(document);
      if (refusal) context.reportError(refusal);
    },
  };
}

function standIn(refusal: GraphQLError): DocumentNode {
  const document = parse('{ __typename }');
  refusals.set(document, refusal);
  return document;
}

function firstBrokenLimit(document: DocumentNode, source: string, settings: DocumentLimitSettings): GraphQLError | null {
  // Characters are at most 3 bytes in UTF-16-to-UTF-8 terms; count bytes only when it could matter.
  const bytes = source.length * 3 <= settings.maxDocumentBytes ? source.length : Buffer.byteLength(source);
  if (bytes > settings.maxDocumentBytes) return limitExceeded('bytes', settings.maxDocumentBytes, bytes);
  for (const [operation, measure] of measureOperations(document)) {
    const checks: Array<[LimitName, number, number]> = [
      ['depth', settings.maxDepth, measure.depth],
      ['aliases', settings.maxAliases, measure.aliases],
      ['rootFields', settings.maxRootFields, measure.fields],
      ['directives', settings.maxDirectives, measure.directives],
      ['introspectionDepth', INTROSPECTION_LIMITS.maxDepth, measure.introspectionDepth],
      ['introspectionLists', INTROSPECTION_LIMITS.maxLists, measure.introspectionLists],
    ];
    for (const [limit, max, actual] of checks) if (actual > max) return limitExceeded(limit, max, actual, [operation]);
  }
  return null;
}

/** graphql-js appends " Did you mean ...?" to unknown names; that is schema detail. */
const SUGGESTION = / ?Did you mean .+\?$/;

/** Introspection being on means the schema is public to callers with credentials; anonymous callers get no hints. */
function maySeeSuggestions(context: GatewayContext, settings: DocumentLimitSettings): boolean {
  return settings.introspection && context.caller !== null && context.caller.kind !== 'anonymous';
}

export function operationLimitsPlugin(settings: DocumentLimitSettings): ApolloServerPlugin<GatewayContext> {
  // One listener for every request: it keeps no state of its own, so none is made per request.
  const listener: GraphQLRequestListener<GatewayContext> = {
    async parsingDidStart(requestContext) {
      return async (error?: Error) => {
        if (error || !requestContext.document) return;
        const refusal = firstBrokenLimit(requestContext.document, requestContext.source ?? '', settings);
        if (refusal) (requestContext as { document: DocumentNode }).document = standIn(refusal);
      };
    },
    async willSendResponse({ response, contextValue }) {
      if (response.body.kind !== 'single' || maySeeSuggestions(contextValue, settings)) return;
      const result = response.body.singleResult;
      if (!result.errors?.some((e) => SUGGESTION.test(e.message))) return;
      result.errors = result.errors.map((e) => (SUGGESTION.test(e.message) ? { ...e, message: e.message.replace(SUGGESTION, '') } : e));
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
