import { parseArgs } from 'node:util';
import { ConfigError, readConfig } from '../config/config.js';
import { startGateway, type GatewayLogger } from '../server/gateway.js';
import { UsageError, waitForShutdown, type CliIo } from './io.js';

export const SERVE_HELP = `Usage: anypoint-graph serve [options]

Serves the GraphQL gateway (GraphiQL at /graphql in a browser). Settings come from environment
variables (see README.md, "Settings"); flags override the most common ones.

With ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET set it talks to that
Anypoint control plane; without them it starts the embedded simulator (demo preset) on a
loopback port and uses its demo connected app.

Options:
  --port N       port to listen on (PORT, default 4000; 0 picks a free port)
  --host H       address to bind (HOST, default 127.0.0.1)
  -h, --help     show this help`;

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
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
  const logger: GatewayLogger = {
    info: (message, fields) => io.out(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`),
    warn: (message, fields) => io.err(`warning: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`),
    error: (message, fields) => io.err(`error: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`),
  };
  const gateway = await startGateway(config, { logger });
  if (gateway.simulator) {
    io.out(`No Anypoint credentials configured: using the embedded simulator (${config.simulator.preset} preset) at ${gateway.simulator.url}`);
  } else {
    io.out(`Anypoint control plane: ${gateway.client.origin}`);
  }
  io.out(`anypoint-graph is serving ${gateway.graphqlUrl}`);
  io.out(`  GraphiQL: open ${gateway.graphqlUrl} in a browser`);
  if (gateway.demoKeys) {
    // Made up at each start and known only to this process: demo mode has no API_KEYS.
    io.out('Demo API keys (send one in GraphiQL\'s Headers tab as {"x-api-key": "..."}):');
    for (const [role, key] of Object.entries(gateway.demoKeys)) io.out(`  ${role.padEnd(11)} ${key}`);
  }
  io.out(`Audit trail: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : config.audit.path}`);
  const signal = await waitForShutdown();
  io.out(`Received ${signal}, shutting down.`);
  await gateway.close();
  return 0;
}
