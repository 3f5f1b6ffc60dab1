import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { createAnypointClient, type AnypointClient, type UpstreamCall } from '../anypoint/client.js';
import { getHierarchy, getMe } from '../anypoint/accounts.js';
import { createSharedCache, identityPartition, type SharedCache } from '../cache/shared-cache.js';
import type { AnypointSettings, GatewayConfig } from '../config/config.js';
import { createLoaders } from '../loaders/index.js';
import { flattenHierarchy } from '../loaders/organizations.js';
import { createObservability } from '../observability/index.js';
import { ReadThrough } from '../loaders/read-through.js';
import { startSimulator, type Simulator } from '../simulator/server.js';
import type { GatewayContext } from './context.js';
import { operationLimitsPlugin, reportRefusedDocument } from './operation-limits-plugin.js';
import { createCallerBudget } from './cost/caller-budget.js';
import { demandControlPlugin } from './cost/demand-control-plugin.js';
import { PlatformSizes } from './cost/platform-sizes.js';
import { executionTimeoutPlugin } from './execution-timeout-plugin.js';
import { capResponse } from './response-size.js';
import { createFormatError } from './error-boundary.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import { createAuthenticator } from './auth.js';
import { authorizationPlugin } from './authorization.js';
import { createHttpHandler } from './http.js';
import { demoExampleIds, graphiqlPage } from './graphiql.js';
import { listenHttp } from './http-listener.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { openProvisioningRoot } from './provisioning-root.js';
import { ANONYMOUS, type Role } from './roles.js';
import { ResponseCache } from './response-cache.js';
import { responseCachePlugin } from './response-cache-plugin.js';
import { createSchema } from './schema.js';
import { openScim } from './scim-root.js';
import { createReportsHandler } from '../reports/http.js';
import { createExportHandler } from '../exports/http.js';

/** Where the gateway reports what operators need to know; `serve` implements it on pino (observability/logger.ts). */
export interface GatewayLogger {
  /** Routine events an operator looks at only when chasing something (a client hanging up mid-request). */
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: GatewayLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

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
  /** The audit file of this run; null with PostgreSQL (DATABASE_URL). */
  auditPath: string | null;
  /** Interrupted provisioning attempts found in the audit trail at start. */
  interruptedAttempts: number;
  close(): Promise<void>;
}

/**
 * The composition root: config in, a listening gateway out. A start that fails part way closes
 * what it had opened, in reverse, before it throws: the process can then exit instead of
 * idling with an embedded simulator still listening.
 */
export async function startGateway(config: Readonly<GatewayConfig>, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? silentLogger;
  const lifecycle = createLifecycle(logger);
  try {
    return await openGateway(config, options, logger, lifecycle);
  } catch (error) {
    logger.error('start failed; closing what it opened', { error: error instanceof Error ? error.message : String(error) });
    await lifecycle.closeAll();
    throw error;
  }
}

/** Each step registers its close with `lifecycle` as soon as it has opened something. */
async function openGateway(config: Readonly<GatewayConfig>, options: GatewayOptions, logger: GatewayLogger, lifecycle: Lifecycle): Promise<Gateway> {
  let simulator: Simulator | null = null;
  let anypoint: AnypointSettings;
  if (config.anypoint) {
    anypoint = config.anypoint;
  } else {
    const embedded = await startSimulator({ port: 0, preset: config.simulator.preset, seed: config.simulator.seed });
    lifecycle.onClose('closed the embedded simulator', () => embedded.close());
    // Logged now, with its address, so a start that fails later still says what it had opened.
    logger.info(`No Anypoint credentials configured: using the embedded simulator (${config.simulator.preset} preset) at ${embedded.url}`, { simulatorUrl: embedded.url });
    simulator = embedded;
    anypoint = { baseUrl: simulator.url, clientId: simulator.demoApp.clientId, clientSecret: simulator.demoApp.clientSecret, orgId: simulator.demoApp.orgId };
  }
  const observability = createObservability({ logger, settings: config.observability, upstreamOrigin: anypoint.baseUrl, onUpstreamCall: options.onUpstreamCall });
  // Closed late in a shutdown, so the spans of the requests it drained are exported too.
  if (config.observability.otlpEndpoint) lifecycle.onClose('flushed the buffered spans', () => observability.close());
  // Opened before the client, so a shutdown closes it after the client: calls still finishing can still write to it.
  const sharedCache = createSharedCache({
    redisUrl: config.cache.redisUrl ?? undefined,
    namespace: config.cache.namespace,
    onError: (operation, error) => logger.warn('cache backend failed; treating as a miss', { operation, error: String(error) }),
    onLookup: observability.onCacheLookup,
  });
  lifecycle.onClose('closed the cache', () => sharedCache.close(), { backend: sharedCache.backend });

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
  // Set when the drain timed out: nobody then waits for the upstream calls still running (a token refresh, say).
  let drainTimedOut = false;
  lifecycle.onClose('closed the upstream connection pool', () => client.close({ force: drainTimedOut }));
  const rootOrgId = anypoint.orgId ?? (await getMe(client)).client?.org_id;
  if (!rootOrgId) throw new Error('Could not discover the root organization: set ANYPOINT_ORG_ID');

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
    freshLoaders: (requestId) => createLoaders({ ...loaderOptions, bypassCache: true, requestId }),
    evict: (entries) => new ReadThrough(cache, config.cache.ttlMs, true).evict(entries),
    logger,
    onAuditError: observability.onAuditError,
  });
  lifecycle.onClose('closed the audit trail and group links', () => root.close(), { backend: root.audit.backend });

  // Demo mode without keys: make one per role, so GraphiQL can try mutations and the audit trail.
  const demoKeys = config.anypoint === null && config.auth.apiKeys.length === 0 ? { reader: generateApiKey(), provisioner: generateApiKey(), auditor: generateApiKey() } : null;
  const apiKeys = demoKeys
    ? Object.entries(demoKeys).map(([role, key]) => ({ name: `demo-${role}`, sha256: hashApiKey(key), roles: [role as Role] }))
    : config.auth.apiKeys;
  const authenticator = createAuthenticator({ ...config.auth, apiKeys });

  const responses = new ResponseCache(config.cache.responseCacheBytes);
  // What demand control knows of the platform's size, learned from every read (cost/platform-sizes.ts).
  const sizes = new PlatformSizes();
  const observeRead = sizes.observe.bind(sizes);
  // The first estimate needs the number of business groups: one call to the hierarchy at start.
  // Read past the cache on purpose: what queries read, and so cost, stays as without it.
  await getHierarchy(client, rootOrgId)
    .then((tree) => sizes.observe('organizations', `tree:${rootOrgId}`, flattenHierarchy(tree)))
    .catch((error: unknown) => logger.warn('could not read the business group tree at start; demand control assumes a size until it can', { error: String(error) }));
  const budget =
    config.limits.callerCallsPerMinute > 0
      ? createCallerBudget({
          perMinute: config.limits.callerCallsPerMinute,
          redisUrl: config.cache.redisUrl,
          namespace: config.cache.namespace,
          onError: (error) => logger.warn('caller budget: Redis unreachable; counting in this process until it answers', { error: String(error) }),
        })
      : null;
  if (budget) lifecycle.onClose('closed the caller budget', () => budget.close());
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
    stringifyResult: capResponse(config.limits.maxResponseBytes, (result) => responses.stringifyResult(result)),
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
      // After the response cache's plugin, so that its caller budget (charged in responseForOperation)
      // is charged only when the cache had no answer; its per-operation refusal (didResolveOperation,
      // which Apollo runs for every plugin) holds for cached answers too.
      demandControlPlugin({
        sizes,
        meters: observability.meters,
        rootOrgId,
        singleGetLimit: config.upstream.singleGetLimit,
        maxUpstreamCalls: config.limits.maxUpstreamCalls,
        maxResultFields: config.limits.maxResultFields,
        budget,
        onBudgetError: (error) => logger.warn('caller budget could not be counted', { error: String(error) }),
      }),
      executionTimeoutPlugin(config.limits.executionTimeoutMs),
    ],
  });
  await apollo.start();
  lifecycle.onClose('stopped Apollo Server', () => apollo.stop());

  const scim = await openScim({
    config,
    root,
    client,
    rootOrgId,
    ownClientId: anypoint.clientId,
    authenticate: (headers) => authenticator.authenticate(headers),
    loaders: (requestId, signal, fresh) => createLoaders({ ...loaderOptions, bypassCache: fresh, signal, requestId, onRead: observeRead }),
    budget,
    meters: observability.meters,
    logger,
  });
  const exports = createExportHandler({
    authenticate: (headers) => authenticator.authenticate(headers),
    // A business group's loaders read through a cache of their own, dropped with the group: a
    // whole-platform export must not hold the platform in the shared cache (its memory bound).
    loaders: (requestId, signal, parent) =>
      createLoaders({ ...loaderOptions, ...(parent ? { cache: createSharedCache(), parent } : {}), signal, requestId, onRead: observeRead }),
    rootOrgId,
    budget,
    meters: observability.meters,
    audit: root.audit,
    instanceId: root.instanceId,
    logger,
    onAuditError: observability.onAuditError,
  });
  const handler = createHttpHandler({
    apollo,
    scim,
    reports: createReportsHandler({ demoAuditorKey: demoKeys?.auditor ?? null }),
    // Demo mode only: its made-up keys in the tabs' headers, the simulator's ids in their variables.
    graphiqlPage: () => graphiqlPage('/graphql', demoKeys && simulator ? { keys: demoKeys, ...demoExampleIds(simulator.store) } : null),
    exports,
    ready: async () => Boolean(await client.tokens.getToken()),
    metrics: () => observability.metrics.scrape(),
    authenticate: (headers) => authenticator.authenticate(headers),
    anonymousReads: config.auth.anonymousReads,
    maxBodyBytes: config.http.maxBodyBytes,
    context: async (req, calls, requestId, caller) => {
      const bypassCache = /no-cache|no-store/i.test(String(req.headers['cache-control'] ?? ''));
      // The caller hanging up or the execution timeout: either aborts every upstream call of the query.
      const execution = { controller: calls, timedOut: false };
      const newLoaders = () => createLoaders({ ...loaderOptions, bypassCache, signal: calls.signal, requestId, onRead: observeRead });
      return {
        execution,
        specBudget: { left: config.limits.maxResponseBytes },
        loaders: newLoaders(),
        newLoaders,
        viewer: { clientId: anypoint.clientId, orgId: rootOrgId },
        caller: caller ?? (config.auth.anonymousReads ? ANONYMOUS : null),
        provisioning: root.provisioning,
        audit: root.audit,
        feed: { client, trail: root.audit, rootOrgId, ownClientId: anypoint.clientId, call: { signal: calls.signal, requestId } },
        maxPageSize: config.graphql.maxPageSize,
        requestId,
        scope: observability.scopeOf(req),
      };
    },
  });
  const listener = await listenHttp({
    host: config.host,
    port: config.port,
    settings: config.http,
    log: logger,
    handle: (req, res) => observability.request(req, res, () => handler(req, res)),
  });
  // First to close: nothing new gets in, and what is in flight finishes before the stores it uses close.
  lifecycle.onClose('closed the HTTP listener', async () => {
    drainTimedOut = await listener.drain(config.shutdownTimeoutMs);
  });
  const { url } = listener;

  /**
   * Stop accepting, let the requests in flight finish (up to SHUTDOWN_TIMEOUT_MS, then their
   * connections are closed), then close what they used, in the reverse order of the start:
   * Apollo, the audit trail and group links, the upstream pool, the cache, the spans, the
   * embedded simulator.
   */
  let closing: Promise<void> | null = null;
  const shutDown = async () => {
    const started = performance.now();
    await lifecycle.closeAll();
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
    auditPath: root.auditPath,
    interruptedAttempts: root.interrupted.length,
    close: () => (closing ??= shutDown()),
  };
}
