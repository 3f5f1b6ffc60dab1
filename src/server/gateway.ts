import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { createAnypointClient, type AnypointClient, type UpstreamCall } from '../anypoint/client.js';
import { getMe } from '../anypoint/accounts.js';
import { createSharedCache, identityPartition, type SharedCache } from '../cache/shared-cache.js';
import type { AnypointSettings, GatewayConfig } from '../config/config.js';
import { createLoaders } from '../loaders/index.js';
import { createObservability } from '../observability/index.js';
import { ReadThrough } from '../loaders/read-through.js';
import { startSimulator, type Simulator } from '../simulator/server.js';
import type { GatewayContext } from './context.js';
import { operationLimitsPlugin, reportRefusedDocument } from './operation-limits-plugin.js';
import { createFormatError } from './error-boundary.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import { createAuthenticator } from './auth.js';
import { authorizationPlugin } from './authorization.js';
import { createHttpHandler } from './http.js';
import { openProvisioningRoot } from './provisioning-root.js';
import { ANONYMOUS, type Role } from './roles.js';
import { ResponseCache } from './response-cache.js';
import { responseCachePlugin } from './response-cache-plugin.js';
import { createSchema } from './schema.js';

/** Where the gateway reports what operators need to know; `serve` implements it on pino (observability/logger.ts). */
export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: GatewayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface GatewayOptions {
  logger?: GatewayLogger;
  /** Observes every upstream call (tests); logs and metrics see them anyway. */
  onUpstreamCall?: (call: UpstreamCall) => void;
}

export interface Gateway {
  url: string;
  graphqlUrl: string;
  client: AnypointClient;
  cache: SharedCache;
  rootOrgId: string;
  /** Set when no Anypoint credentials were configured and the embedded simulator was started. */
  simulator: Simulator | null;
  /** Keys made up for demo mode (embedded simulator, no API_KEYS), to print at start. */
  demoKeys: Record<Role, string> | null;
  /** Interrupted provisioning attempts found in the audit trail at start. */
  interruptedAttempts: number;
  close(): Promise<void>;
}

/** The composition root: config in, a listening gateway out. */
export async function startGateway(config: Readonly<GatewayConfig>, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? silentLogger;
  let simulator: Simulator | null = null;
  let anypoint: AnypointSettings;
  if (config.anypoint) {
    anypoint = config.anypoint;
  } else {
    simulator = await startSimulator({ port: 0, preset: config.simulator.preset, seed: config.simulator.seed });
    anypoint = { baseUrl: simulator.url, clientId: simulator.demoApp.clientId, clientSecret: simulator.demoApp.clientSecret, orgId: simulator.demoApp.orgId };
  }
  const observability = createObservability({ logger, settings: config.observability, upstreamOrigin: anypoint.baseUrl, onUpstreamCall: options.onUpstreamCall });

  const client = createAnypointClient({
    baseUrl: anypoint.baseUrl,
    clientId: anypoint.clientId,
    clientSecret: anypoint.clientSecret,
    maxConnections: config.upstream.maxConnections,
    connectTimeoutMs: config.upstream.connectTimeoutMs,
    headersTimeoutMs: config.upstream.requestTimeoutMs,
    bodyTimeoutMs: config.upstream.requestTimeoutMs,
    retryPolicy: { maxAttempts: config.upstream.maxAttempts, maxWaitMs: config.upstream.maxRetryWaitMs },
    downloads: config.downloads,
    ...observability.client,
  });
  const rootOrgId = anypoint.orgId ?? (await getMe(client)).client?.org_id;
  if (!rootOrgId) throw new Error('Could not discover the root organization: set ANYPOINT_ORG_ID');

  const sharedCache = createSharedCache({
    redisUrl: config.cache.redisUrl ?? undefined,
    namespace: config.cache.namespace,
    onError: (operation, error) => logger.warn('cache backend failed; treating as a miss', { operation, error: String(error) }),
    onLookup: observability.onCacheLookup,
  });
  // Two credentials (or control planes) never share entries.
  const cache = sharedCache.partition(identityPartition(client.identity));

  const loaderOptions = {
    client,
    cache,
    ttls: config.cache.ttlMs,
    rootOrgId,
    singleGetLimit: config.upstream.singleGetLimit,
    downloads: config.downloads,
    onBatch: observability.onBatch,
  };
  const root = await openProvisioningRoot(config, {
    client,
    cache,
    rootOrgId,
    freshLoaders: () => createLoaders({ ...loaderOptions, bypassCache: true }),
    evict: (entries) => new ReadThrough(cache, config.cache.ttlMs, true).evict(entries),
    logger,
    onAuditError: observability.onAuditError,
  });

  // Demo mode without keys: make one per role, so GraphiQL can try mutations and the audit trail.
  const demoKeys = config.anypoint === null && config.auth.apiKeys.length === 0 ? { reader: generateApiKey(), provisioner: generateApiKey(), auditor: generateApiKey() } : null;
  const apiKeys = demoKeys
    ? Object.entries(demoKeys).map(([role, key]) => ({ name: `demo-${role}`, sha256: hashApiKey(key), roles: [role as Role] }))
    : config.auth.apiKeys;
  const authenticator = createAuthenticator({ ...config.auth, apiKeys });

  const responses = new ResponseCache(config.cache.responseCacheBytes);
  const apollo = new ApolloServer<GatewayContext>({
    schema: createSchema(),
    introspection: config.graphql.introspection,
    // Tokens bound the parse; the other limits are checked right after it (operation-limits-plugin.ts).
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [reportRefusedDocument],
    formatError: createFormatError((error) => logger.error('unexpected error in a resolver', { error: error instanceof Error ? error.stack : String(error) })),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // The gateway drains and stops on SIGTERM itself (close()); Apollo's own handler would stop
    // early and re-raise the signal, killing the process before its stores are closed.
    stopOnTerminationSignals: false,
    stringifyResult: (result) => responses.stringifyResult(result),
    // Federated tracing (ftv1) is opt-in for routers that ask; no startup notice about it.
    // Cache-control hints are not used (caching is the shared cache's job), and that plugin costs
    // a hook per resolved field.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      observability.plugin,
      operationLimitsPlugin({ ...config.limits, maxDepth: config.graphql.maxDepth, introspection: config.graphql.introspection }),
      authorizationPlugin(),
      responseCachePlugin(responses, cache),
    ],
  });
  await apollo.start();

  const handler = createHttpHandler({
    apollo,
    ready: async () => Boolean(await client.tokens.getToken()),
    metrics: () => observability.metrics.scrape(),
    authenticate: (headers) => authenticator.authenticate(headers),
    context: async (req, signal, requestId, caller) => {
      const bypassCache = /no-cache|no-store/i.test(String(req.headers['cache-control'] ?? ''));
      const newLoaders = () => createLoaders({ ...loaderOptions, bypassCache, signal, requestId });
      return {
        loaders: newLoaders(),
        newLoaders,
        viewer: { clientId: anypoint.clientId, orgId: rootOrgId },
        caller: caller ?? (config.auth.anonymousReads ? ANONYMOUS : null),
        provisioning: root.provisioning,
        audit: root.audit,
        maxPageSize: config.graphql.maxPageSize,
        requestId,
        scope: observability.scopeOf(req),
      };
    },
  });
  // Responses still being worked on, so a shutdown can wait for them (and count them).
  const inflight = new Set<ServerResponse>();
  let draining = false;
  const server: Server = createServer((req, res) => {
    inflight.add(res);
    res.on('close', () => {
      inflight.delete(res);
      // The connection it leaves idle would keep the drain waiting until its keep-alive timeout.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    // A request that arrives on a kept-alive connection during the drain is served, then the connection closed.
    if (draining) res.setHeader('connection', 'close');
    observability.request(req, res, () => handler(req, res)).catch((error: unknown) => {
      logger.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | null = null;
  /** One shutdown step: a failure is logged and the remaining stores are still closed. */
  const step = async (done: string, close: () => Promise<unknown>, fields?: Record<string, unknown>) => {
    try {
      await close();
      logger.info(done, fields);
    } catch (error) {
      logger.error(`shutdown step failed: ${done}`, { error: String(error) });
    }
  };
  /**
   * Stop accepting, let the requests in flight finish (up to SHUTDOWN_TIMEOUT_MS, then their
   * connections are closed), then close what they used: Apollo, the audit trail and group links,
   * the upstream pool, the cache; spans are flushed last, so the drained requests' are included.
   */
  const shutDown = async () => {
    const started = performance.now();
    draining = true;
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const res of inflight) if (!res.headersSent) res.setHeader('connection', 'close');
    logger.info('shutting down: no longer accepting connections', { inflightRequests: inflight.size, timeoutMs: config.shutdownTimeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), config.shutdownTimeoutMs)));
    const timedOut = await Promise.race([drained.then(() => false as const), expired]);
    if (timedOut) {
      logger.warn('shutdown timeout: closing connections with requests still running', { inflightRequests: inflight.size, timeoutMs: config.shutdownTimeoutMs });
      server.closeAllConnections();
      await drained;
    } else {
      logger.info('in-flight requests finished');
    }
    clearTimeout(timer);
    await step('stopped Apollo Server', () => apollo.stop());
    await step('closed the audit trail and group links', () => root.close(), { backend: root.audit.backend });
    // Past the timeout nobody waits for the upstream calls still running (a token refresh, say).
    await step('closed the upstream connection pool', () => client.close({ force: timedOut }));
    await step('closed the cache', () => sharedCache.close(), { backend: sharedCache.backend });
    if (simulator) await step('closed the embedded simulator', () => simulator!.close());
    if (config.observability.otlpEndpoint) await step('flushed the buffered spans', () => observability.close());
    logger.info('shutdown complete', { durationMs: Math.round(performance.now() - started) });
  };
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    client,
    cache: sharedCache,
    rootOrgId,
    simulator,
    demoKeys,
    interruptedAttempts: root.interrupted.length,
    close: () => (closing ??= shutDown()),
  };
}
