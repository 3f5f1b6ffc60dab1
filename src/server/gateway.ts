import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { createAnypointClient, type AnypointClient, type UpstreamCall } from '../anypoint/client.js';
import { getMe } from '../anypoint/accounts.js';
import { createSharedCache, identityPartition, type SharedCache } from '../cache/shared-cache.js';
import type { AnypointSettings, GatewayConfig } from '../config/config.js';
import { createLoaders } from '../loaders/index.js';
import { ReadThrough } from '../loaders/read-through.js';
import { startSimulator, type Simulator } from '../simulator/server.js';
import type { GatewayContext } from './context.js';
import { depthLimit } from './depth-limit.js';
import { createFormatError } from './error-boundary.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import { createAuthenticator } from './auth.js';
import { authorizationPlugin } from './authorization.js';
import { createHttpHandler } from './http.js';
import { openProvisioningRoot } from './provisioning-root.js';
import { ANONYMOUS, type Role } from './roles.js';
import { createSchema } from './schema.js';

/** Where the gateway reports what operators need to know; console by default. */
export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: GatewayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface GatewayOptions {
  logger?: GatewayLogger;
  /** Observes every upstream call (tests and metrics). */
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

  const client = createAnypointClient({
    baseUrl: anypoint.baseUrl,
    clientId: anypoint.clientId,
    clientSecret: anypoint.clientSecret,
    maxConnections: config.upstream.maxConnections,
    connectTimeoutMs: config.upstream.connectTimeoutMs,
    headersTimeoutMs: config.upstream.requestTimeoutMs,
    bodyTimeoutMs: config.upstream.requestTimeoutMs,
    retryPolicy: { maxAttempts: config.upstream.maxAttempts, maxWaitMs: config.upstream.maxRetryWaitMs },
    onCall: options.onUpstreamCall,
  });
  const rootOrgId = anypoint.orgId ?? (await getMe(client)).client?.org_id;
  if (!rootOrgId) throw new Error('Could not discover the root organization: set ANYPOINT_ORG_ID');

  const sharedCache = createSharedCache({
    redisUrl: config.cache.redisUrl ?? undefined,
    namespace: config.cache.namespace,
    onError: (operation, error) => logger.warn('cache backend failed; treating as a miss', { operation, error: String(error) }),
  });
  // Two credentials (or control planes) never share entries.
  const cache = sharedCache.partition(identityPartition(client.identity));

  const loaderOptions = {
    client,
    cache,
    ttls: config.cache.ttlMs,
    rootOrgId,
    singleGetLimit: config.upstream.singleGetLimit,
  };
  const root = await openProvisioningRoot(config, {
    client,
    cache,
    rootOrgId,
    freshLoaders: () => createLoaders({ ...loaderOptions, bypassCache: true }),
    evict: (entries) => new ReadThrough(cache, config.cache.ttlMs, true).evict(entries),
    logger,
  });

  // Demo mode without keys: make one per role, so GraphiQL can try mutations and the audit trail.
  const demoKeys = config.anypoint === null && config.auth.apiKeys.length === 0 ? { reader: generateApiKey(), provisioner: generateApiKey(), auditor: generateApiKey() } : null;
  const apiKeys = demoKeys
    ? Object.entries(demoKeys).map(([role, key]) => ({ name: `demo-${role}`, sha256: hashApiKey(key), roles: [role as Role] }))
    : config.auth.apiKeys;
  const authenticator = createAuthenticator({ ...config.auth, apiKeys });

  const apollo = new ApolloServer<GatewayContext>({
    schema: createSchema(),
    introspection: config.graphql.introspection,
    validationRules: [depthLimit(config.graphql.maxDepth)],
    formatError: createFormatError((error) => logger.error('unexpected error in a resolver', { error: error instanceof Error ? error.stack : String(error) })),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Federated tracing (ftv1) is opt-in for routers that ask; no startup notice about it.
    plugins: [ApolloServerPluginInlineTraceDisabled(), authorizationPlugin()],
  });
  await apollo.start();

  const handler = createHttpHandler({
    apollo,
    ready: async () => Boolean(await client.tokens.getToken()),
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
      };
    },
  });
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
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
  const shutDown = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await apollo.stop();
    await root.close();
    await client.close();
    await sharedCache.close();
    await simulator?.close();
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
