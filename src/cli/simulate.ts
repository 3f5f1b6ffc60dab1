import { parseArgs } from 'node:util';
import { FaultSpecError, parseFaultSpec, parseLatency } from '../simulator/faults.js';
import { PRESETS, type PresetName } from '../simulator/seed.js';
import { DEFAULTS, startSimulator } from '../simulator/server.js';
import { UsageError, waitForShutdown, type CliIo } from './io.js';
import { helpText, type OptionDocs, type ParseArgsOptionsConfig } from './usage.js';

/** The port when --port is not given. */
export const SIMULATE_DEFAULT_PORT = 8081;

const OPTIONS = {
  port: { type: 'string', default: String(SIMULATE_DEFAULT_PORT) },
  host: { type: 'string', default: DEFAULTS.host },
  preset: { type: 'string', default: DEFAULTS.preset },
  seed: { type: 'string', default: String(DEFAULTS.seed) },
  'latency-ms': { type: 'string', default: '0' },
  faults: { type: 'string', default: '' },
  'token-lifetime': { type: 'string', default: String(DEFAULTS.tokenLifetimeSeconds) },
  'rate-limit': { type: 'string', default: String(DEFAULTS.rateLimitPerMinute) },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

const DOCS: OptionDocs<typeof OPTIONS> = {
  port: { value: 'N', text: 'port to listen on, 0 picks a free port' },
  host: { value: 'H', text: 'address to bind' },
  preset: { value: PRESETS.join('|'), text: 'data size; empty: the root org, its owner, root team and three environments only' },
  seed: { value: 'S', text: 'seed for ids and data' },
  'latency-ms': { value: 'L|MIN-MAX', text: 'added latency per request in milliseconds: L, or MIN-MAX for jitter' },
  faults: {
    value: 'SPEC',
    text: 'fault rules: KIND:PROBABILITY[xTIMES][@[METHOD ]PATH-GLOB], comma-separated; KIND is 429, 503, 500, reset or drop (write commits, response lost), e.g. "503:0.1@/accounts/**,drop:1x1@POST /accounts/**"',
  },
  'token-lifetime': { value: 'S', text: 'access-token lifetime in seconds' },
  'rate-limit': { value: 'N', text: 'requests per minute per connected app and product' },
  help: { text: 'show this help' },
};

export const SIMULATE_HELP = helpText({
  command: 'simulate',
  about: `Serves a local Anypoint Platform (Access Management, API Manager, Exchange) over HTTP,
seeded deterministically, with faults on demand. Every option is optional.`,
  options: OPTIONS,
  docs: DOCS,
  footer: 'Control endpoints live under /__sim (info, counts, in-flight, faults, tokens/expire, rate-limit, state).',
});

export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: OPTIONS });
  if (values.help) {
    io.out(SIMULATE_HELP);
    return 0;
  }
  const port = positiveInt(values.port, '--port', true);
  if (port > 65_535) throw new UsageError(`--port must be at most 65535, got "${values.port}"`);
  if (!PRESETS.includes(values.preset as PresetName)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}`);
  let latency;
  let faults;
  try {
    latency = parseLatency(values['latency-ms']);
    faults = parseFaultSpec(values.faults);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(error.message);
    throw error;
  }
  const sim = await startSimulator({
    host: values.host,
    port,
    preset: values.preset as PresetName,
    seed: values.seed,
    latency,
    faults,
    tokenLifetimeSeconds: positiveInt(values['token-lifetime'], '--token-lifetime'),
    rateLimitPerMinute: positiveInt(values['rate-limit'], '--rate-limit'),
    onError: (error) => io.err(`simulator: unexpected error: ${error instanceof Error ? error.message : String(error)}`),
  });
  io.out(`Anypoint simulator (${values.preset}, seed ${values.seed}) listening on ${sim.url}`);
  io.out(`  root organization: ${sim.demoApp.orgId}`);
  io.out(`  demo connected app: client_id=${sim.demoApp.clientId} client_secret=${sim.demoApp.clientSecret}`);
  io.out(`  token: curl -s -X POST ${sim.url}/accounts/api/v2/oauth2/token -H 'content-type: application/json' \\`);
  io.out(`         -d '{"grant_type":"client_credentials","client_id":"${sim.demoApp.clientId}","client_secret":"${sim.demoApp.clientSecret}"}'`);
  io.out(`  control: ${sim.url}/__sim/info`);
  const signal = await waitForShutdown();
  io.out(`Received ${signal}, stopping the simulator.`);
  await sim.close();
  return 0;
}

function positiveInt(raw: string, flag: string, allowZero = false): number {
  if (!/^\d+$/.test(raw) || (!allowZero && Number(raw) === 0)) throw new UsageError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${raw}"`);
  return Number(raw);
}
