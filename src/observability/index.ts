import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnypointClientOptions, UpstreamCall } from '../anypoint/client.js';
import type { ObservabilitySettings } from '../config/config.js';
import type { GatewayLogger } from '../server/gateway.js';
import { CallMeters } from './call-meters.js';
import { createMetrics } from './metrics.js';
import { operationPlugin } from './operation-plugin.js';
import { RequestScopes } from './request-scope.js';
import { createTracing } from './tracing.js';

/**
 * Logs, metrics and traces of one gateway, as hooks the composition root hands to the parts it
 * builds (client, cache, loaders, provisioning, Apollo, the HTTP server). Nothing here is global.
 */
export interface ObservabilityOptions {
  logger: GatewayLogger;
  settings: ObservabilitySettings;
  upstreamOrigin: string;
  /** Also told of every upstream call (tests). */
  onUpstreamCall?: (call: UpstreamCall) => void;
}

export type Observability = ReturnType<typeof createObservability>;

const ms = (value: number) => Math.round(value * 10) / 10;

export function createObservability(options: ObservabilityOptions) {
  const { logger } = options;
  const metrics = createMetrics();
  const tracing = options.settings.otlpEndpoint
    ? createTracing({ endpoint: options.settings.otlpEndpoint, serviceName: options.settings.serviceName, upstreamOrigin: options.upstreamOrigin })
    : null;
  const scopes = new RequestScopes({ followAsync: tracing !== null });
  const meters = new CallMeters();

  const client: Pick<AnypointClientOptions, 'onCall' | 'onRetry' | 'onRateLimitWait' | 'onConcurrency' | 'traceCall'> = {
    onCall(call) {
      meters.count(call.requestId);
      metrics.upstreamCall(call);
      // The route template, never the path: ids and query strings stay out of the log.
      logger.info('upstream call', { requestId: call.requestId, method: call.method, route: call.route, status: call.status, durationMs: ms(call.durationMs), attempt: call.attempt });
      options.onUpstreamCall?.(call);
    },
    onRetry(info) {
      metrics.retry(info);
      logger.info('upstream retry', { requestId: info.requestId, method: info.method, route: info.route, attempt: info.attempt, reason: info.reason, delayMs: info.delayMs });
    },
    onRateLimitWait(info) {
      metrics.rateLimitWait(info);
      logger.info('upstream rate-limit window spent; waiting for its reset', { method: info.method, route: info.route, waitMs: info.waitMs });
    },
    onConcurrency(info) {
      metrics.concurrency(info);
    },
    traceCall: tracing ? (call) => tracing.startUpstream(scopes.current()?.span ?? null, call) : undefined,
  };

  return {
    metrics,
    client,
    /** Upstream calls per GraphQL request (demand control and the operation log line). */
    meters,
    plugin: operationPlugin({ logger, metrics, tracing }),
    /** The request's scope, for its GraphQL context (the operation plugin marks it). */
    scopeOf: (req: IncomingMessage) => scopes.of(req),
    onCacheLookup: (hit: boolean) => metrics.cacheLookup(hit),
    onBatch: (loader: string, size: number) => metrics.batch(loader, size),
    onAuditError(error: unknown) {
      metrics.auditFailure();
      logger.error('audit trail write failed', { error: String(error) });
    },

    /**
     * Runs one HTTP request in its own scope. A /graphql request refused before Apollo saw it
     * (bad credentials, a malformed body) still gets a line, so every request id can be found.
     */
    async request(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): Promise<void> {
      await scopes.run(req, async (scope) => {
        try {
          await handle();
        } finally {
          if (scope.span?.isRecording()) scope.span.end();
          if (!scope.operation && req.url?.startsWith('/graphql') && res.statusCode >= 400) {
            logger.info('graphql request refused', { requestId: res.getHeader('x-request-id') ?? null, method: req.method, status: res.statusCode });
          }
        }
      });
    },

    /** Exports the spans still buffered. */
    close: async () => {
      await tracing?.shutdown();
    },
  };
}
