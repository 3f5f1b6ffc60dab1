import { parseArgs } from 'node:util';
import { ConfigError, readConfig } from '../config/config.js';
import { createLogger, gatewayLogger, lineDestination } from '../observability/logger.js';
import { startGateway } from '../server/gateway.js';
import { UsageError, waitForShutdown, type CliIo } from './io.js';
import { helpText, type OptionDocs, type ParseArgsOptionsConfig } from './usage.js';

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

/** No parser defaults here: an absent flag leaves the setting to its environment variable. */
const DOCS: OptionDocs<typeof OPTIONS> = {
  port: { value: 'N', text: 'port to listen on (overrides PORT, default 4000; 0 picks a free port)' },
  host: { value: 'H', text: 'address to bind (overrides HOST, default 127.0.0.1)' },
  help: { text: 'show this help' },
};

export const SERVE_HELP = helpText({
  command: 'serve',
  about: `Serves the GraphQL gateway (GraphiQL at /graphql in a browser). Settings come from environment
variables (see docs/settings.md); flags override the most common ones.

With ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET set it talks to that
Anypoint control plane; without them it starts the embedded simulator (demo preset) on a
loopback port and uses its demo connected app.

Logs are JSON lines (pino): info and below on stdout, warnings and errors on stderr; LOG_LEVEL
sets the threshold. SIGTERM or SIGINT drains the requests in flight (SHUTDOWN_TIMEOUT_MS), closes
the stores and exits 0. A start that fails (the audit file locked by another process, say)
closes what it had opened, in reverse, and exits 1.`,
  options: OPTIONS,
  docs: DOCS,
});

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: OPTIONS });
  if (values.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  let config;
  try {
    config = readConfig({ ...process.env, ...(values.port !== undefined ? { PORT: values.port } : {}), ...(values.host !== undefined ? { HOST: values.host } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  // Every line is JSON, the start-up notices included, so a log collector can parse all of stdout.
  const logger = gatewayLogger(createLogger({ level: config.observability.logLevel, destination: lineDestination(io) }));
  const gateway = await startGateway(config, { logger });
  // The gateway itself logs the embedded simulator's address as it starts it.
  if (!gateway.simulator) logger.info(`Anypoint control plane: ${gateway.client.origin}`);
  logger.info(`Audit trail: ${gateway.auditPath ?? 'PostgreSQL (DATABASE_URL)'}`);
  logger.info(`Metrics: ${gateway.url}/metrics${config.observability.otlpEndpoint ? `; traces to ${new URL(config.observability.otlpEndpoint).origin}` : ''}`);
  if (gateway.demoKeys) {
    // Made up at each start and known only to this process: demo mode has no API_KEYS.
    logger.info('Demo API keys: GraphiQL\'s example tabs already carry them in their Headers; other clients send one as the x-api-key header', { demoKeys: gateway.demoKeys });
  }
  // Last, and with the URL at the end of the line: scripts wait for "serving http://.../graphql".
  logger.info(`anypoint-graph is serving ${gateway.graphqlUrl} (GraphiQL in a browser)`);
  const signal = await waitForShutdown();
  logger.info(`Received ${signal}, shutting down`);
  await gateway.close();
  return 0;
}
