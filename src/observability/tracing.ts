import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
import type { TracedCall } from '../anypoint/client.js';

/**
 * OpenTelemetry spans for GraphQL operations and the Anypoint calls they make, exported over
 * OTLP/HTTP (JSON). Each gateway has its own tracer provider and nothing is registered globally:
 * two gateways in one process must not share a provider, and the gateway must not change what
 * the host application's own tracing does. Parents are therefore passed explicitly (a child is
 * started in the context `trace.setSpan(ROOT_CONTEXT, parent)`), never read from a global
 * context manager; how an upstream call finds its operation's span is the caller's business
 * (see observability/index.ts).
 */
export interface Tracing {
  /** The span of one GraphQL operation, continuing the caller's trace when it sent a valid traceparent. */
  startOperation(header: (name: string) => string | undefined): Span;
  /** A client span for one upstream send, under `parent` (a root span without one), and its traceparent header. */
  startUpstream(parent: Span | null, call: { method: string; route: string; requestId: string; attempt: number }): TracedCall;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Collector base URL; spans go to {endpoint}/v1/traces. */
  endpoint: string;
  serviceName: string;
  /** Where upstream calls go, for server.address/port. */
  upstreamOrigin: string;
}

const propagator = new W3CTraceContextPropagator();

export function createTracing(options: TracingOptions): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }))],
  });
  const tracer = provider.getTracer('anypoint-graph');
  const upstream = new URL(options.upstreamOrigin);
  const upstreamPort = Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80));

  return {
    startOperation(header) {
      const getter: TextMapGetter<null> = { get: (_, key) => header(key), keys: () => ['traceparent', 'tracestate'] };
      const parent = propagator.extract(ROOT_CONTEXT, null, getter);
      return tracer.startSpan('graphql', { kind: SpanKind.SERVER }, parent);
    },
    startUpstream(parent, call) {
      const span = tracer.startSpan(
        `${call.method} ${call.route}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: call.method,
            'url.template': call.route,
            [ATTR_SERVER_ADDRESS]: upstream.hostname,
            [ATTR_SERVER_PORT]: upstreamPort,
            'anypoint_graph.request_id': call.requestId,
            ...(call.attempt > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: call.attempt - 1 } : {}),
          },
        },
        parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
      );
      const headers: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, { set: (carrier, key, value) => (carrier[key] = value) });
      return {
        headers,
        end(status) {
          if (status !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
          // Client spans: no response, or a 4xx/5xx one, is an error (OpenTelemetry HTTP conventions).
          if (status === null || status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
