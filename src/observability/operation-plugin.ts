import type { ApolloServerPlugin } from '@apollo/server';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { getOperationAST, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../server/context.js';
import type { GatewayLogger } from '../server/gateway.js';
import type { GatewayMetrics } from './metrics.js';
import type { Tracing } from './tracing.js';

export type Outcome = 'success' | 'partial' | 'error';

/** "query Viewer", as OpenTelemetry's GraphQL conventions name a span. */
function nameSpan(span: Span, operation: OperationDefinitionNode): void {
  const name = operation.name?.value;
  span.updateName(`${operation.operation}${name ? ` ${name}` : ''}`);
  span.setAttribute('graphql.operation.type', operation.operation);
  if (name) span.setAttribute('graphql.operation.name', name);
}

export interface OperationPluginOptions {
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  tracing: Tracing | null;
}

/**
 * One log line, one metric sample and one span per GraphQL operation. The name and type come
 * from the parsed document only (never the request's own operationName, which a caller could
 * fill with anything), and nothing of the variables or headers is recorded.
 */
export function operationPlugin(options: OperationPluginOptions): ApolloServerPlugin<GatewayContext> {
  const { logger, metrics, tracing } = options;
  return {
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      const scope = contextValue.scope;
      if (scope) scope.operation = true;
      const span = tracing?.startOperation((name) => request.http?.headers.get(name)) ?? null;
      // Upstream calls made while this operation runs find its span through the request's scope.
      if (scope && span) scope.span = span;

      return {
        async didResolveOperation({ operation }) {
          if (span && operation) nameSpan(span, operation);
        },
        async willSendResponse({ response, operation, document, request, contextValue }) {
          // A document that failed validation has no resolved operation, but still names it.
          const op = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          const durationMs = performance.now() - started;
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          const errors = result.errors ?? [];
          // Partial: some top-level field has data despite the errors; { createUser: null } is a failure.
          const answered = Object.values(result.data ?? {}).some((value) => value !== null && value !== undefined);
          const outcome: Outcome = errors.length === 0 ? 'success' : answered ? 'partial' : 'error';
          const errorCodes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
          const type = op?.operation ?? null;
          const name = op?.name?.value ?? null;

          // Demand control's estimate beside what the operation really cost upstream.
          const upstreamCalls = contextValue.cost?.meter.calls;
          const estimatedUpstreamCalls = contextValue.cost?.estimate?.upstreamCalls;
          metrics.operation({ name, type, outcome, durationMs, upstreamCalls });
          logger.info('graphql operation', {
            requestId: contextValue.requestId,
            caller: contextValue.caller?.id ?? null,
            operation: name,
            operationType: type,
            outcome,
            ...(errorCodes.length ? { errorCodes } : {}),
            status: response.http.status ?? 200,
            durationMs: Math.round(durationMs * 10) / 10,
            ...(upstreamCalls !== undefined ? { upstreamCalls } : {}),
            ...(estimatedUpstreamCalls !== undefined ? { estimatedUpstreamCalls } : {}),
          });
          if (span) {
            if (!operation && op) nameSpan(span, op);
            span.setAttribute('anypoint_graph.request_id', contextValue.requestId);
            if (errorCodes.length) span.setAttribute('anypoint_graph.error_codes', errorCodes);
            if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodes.join(', ') });
            span.end();
          }
        },
      };
    },
  };
}
