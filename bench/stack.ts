import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CEILING } from '../src/anypoint/concurrency.js';
import { generateApiKey, hashApiKey } from '../src/server/api-keys.js';
import { startChild, type Child } from './children.js';
import { startLoadGenerator, type LoadGenerator } from './load.js';
import { SimControl } from './sim-control.js';

/**
 * The processes of one pass, each pinned: the gateway (and the baseline, which stands in for it)
 * on one core; the simulator and the load generator on the other, next to the orchestrator.
 */

const ROOT = new URL('..', import.meta.url).pathname;
export const CLI = join(ROOT, 'bin/anypoint-graph.js');

/**
 * Client concurrency cap the gateway runs with (ANYPOINT_MAX_CONNECTIONS, the ceiling of its
 * adaptive concurrency: the gateway's default, 64); the ideals use it too, so they stay the ideal
 * for the configured cap (a lower bound: the gateway starts at 16 and climbs, and products that
 * send no rate-limit headers stay at 16).
 */
export const CLIENT_CAP = DEFAULT_CEILING;
/**
 * The node flags `npm start` runs the gateway with (package.json's start script: the V8 heap
 * settings that keep its RSS down under load), so the bench measures the process users start.
 */
export const START_NODE_FLAGS: string[] = (() => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(1, words.findIndex((w) => w.endsWith('anypoint-graph.js'))).filter((w) => w.startsWith('--'));
})();
/** Cache TTL (the gateway's default, set explicitly so the report can state it). */
export const CACHE_TTL_SECONDS = 60;
/** High enough that the simulator's rate limit never answers 429/503 during a run. */
const SIM_RATE_LIMIT = 100_000_000;

/**
 * Settings the gateway reads from the environment. Any of them set in the caller's shell (a
 * REDIS_URL, say) would change what is measured, so they are dropped and set explicitly.
 */
const GATEWAY_SETTINGS = /^(ANYPOINT_|CACHE_|REDIS_URL$|DATABASE_URL$|GRAPHQL_|JWT_|API_KEYS$|AUDIT_|GROUP_LINKS_PATH$|PROVISIONING_|IDEMPOTENCY_|HOST$|PORT$|SIMULATOR_|ANONYMOUS_READS$|OTEL_|LOG_|SHUTDOWN_|CALLER_|DOWNLOAD_|HTTP_|RESPONSE_|SCIM_)/;

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !GATEWAY_SETTINGS.test(key)) env[key] = value;
  return { ...env, NODE_ENV: 'production', ...extra };
}

const slug = (name: string) => name.replace(/\W+/g, '-');

export interface Cores {
  gateway: number | null;
  rest: number | null;
}

export interface Stack {
  sim: SimControl;
  simulator: Child;
  gateway: Child;
  gatewayUrl: string;
  /** The gateway with RESPONSE_CACHE_MAX_MB=0 (warm passes only). */
  executing: Child | null;
  provisionerKey: string;
  baseline: Child | null;
  load: LoadGenerator | null;
  stop(): Promise<void>;
}

export interface SimulatorInfo {
  rootOrgId: string;
  demoApp: { clientId: string; clientSecret: string };
}

export const simulatorInfo = async (simUrl: string): Promise<SimulatorInfo> => (await (await fetch(`${simUrl}/__sim/info`)).json()) as SimulatorInfo;

/** The simulator of a pass: the large preset, the given latency, its rate limit out of the way. */
export function startSimulator(latencyMs: string, core: number | null): Promise<Child> {
  return startChild({
    name: 'simulator',
    args: [CLI, 'simulate', '--port', '0', '--preset', 'large', '--latency-ms', latencyMs, '--rate-limit', String(SIM_RATE_LIMIT)],
    env: cleanEnv({}),
    core,
    ready: /listening on (http:\/\/[\w.:[\]-]+)/,
  });
}

/**
 * One gateway process over the simulator, every setting explicit. `cli` is the bin script to run,
 * so an A/B comparison (bench/compare.ts) can start an older commit's gateway the same way.
 */
export function startGatewayProcess(spec: {
  cli: string;
  name: string;
  simUrl: string;
  info: SimulatorInfo;
  provisionerKey: string;
  dataDir: string;
  core: number | null;
  extra?: Record<string, string>;
  /** Node options before the script (bench/rss-probe.ts tries V8 flags this way); by default `npm start`'s. */
  nodeArgs?: string[];
}): Promise<Child> {
  return startChild({
    name: spec.name,
    args: [...(spec.nodeArgs ?? START_NODE_FLAGS), spec.cli, 'serve'],
    env: cleanEnv({
      ANYPOINT_BASE_URL: spec.simUrl,
      ANYPOINT_CLIENT_ID: spec.info.demoApp.clientId,
      ANYPOINT_CLIENT_SECRET: spec.info.demoApp.clientSecret,
      ANYPOINT_ORG_ID: spec.info.rootOrgId,
      ANYPOINT_MAX_CONNECTIONS: String(CLIENT_CAP),
      ANYPOINT_SINGLE_GET_LIMIT: '10',
      CACHE_TTL_SECONDS: String(CACHE_TTL_SECONDS),
      HOST: '127.0.0.1',
      PORT: '0',
      ANONYMOUS_READS: 'true',
      API_KEYS: `bench:provisioner:${hashApiKey(spec.provisionerKey)}`,
      AUDIT_LOG_PATH: join(spec.dataDir, `${slug(spec.name)}-audit.jsonl`),
      GROUP_LINKS_PATH: join(spec.dataDir, `${slug(spec.name)}-group-links.json`),
      // SCIM ids and externalIds (the SCIM scenarios); its default is a path in the repository.
      SCIM_RECORDS_PATH: join(spec.dataDir, `${slug(spec.name)}-scim-records.jsonl`),
      // The caller budget stays on (what it costs is measured) but far above what the cold
      // loops spend in a minute, so no benchmark request is ever refused by it.
      CALLER_UPSTREAM_CALLS_PER_MINUTE: '10000000',
      ...spec.extra,
    }),
    core: spec.core,
    // The URL only: the line may be plain text or a JSON log record.
    ready: /is serving (http:\/\/[\w.:[\]-]+\/graphql)/,
  });
}

export async function startStack(options: { latencyMs: string; cores: Cores; warm: boolean }): Promise<Stack> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-bench-'));
  const stop = async () => {
    for (const child of started.reverse()) await child.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Registered as soon as each is up, so a failure of another still stops it.
  const track = <T extends { stop(): Promise<void> }>(child: T) => {
    started.push(child);
    return child;
  };
  try {
    const upstreamAndGateway = async () => {
      const simulator = track(await startSimulator(options.latencyMs, options.cores.rest));
      const sim = new SimControl(simulator.url);
      const info = await simulatorInfo(sim.url);
      const startGateway = (name: string, extra: Record<string, string>) =>
        startGatewayProcess({ cli: CLI, name, simUrl: sim.url, info, provisionerKey, dataDir, core: options.cores.gateway, extra }).then(track);
      // Settled before failing, as below, so a gateway still starting is tracked and stopped.
      const [main, off] = await Promise.allSettled([
        startGateway('gateway', {}),
        // The same gateway without its response cache: what a warm query costs when it is executed
        // (different variables each time, say). Only the warm pass measures it.
        options.warm ? startGateway('gateway (response cache off)', { RESPONSE_CACHE_MAX_MB: '0' }) : null,
      ]);
      if (main.status === 'rejected') throw main.reason;
      if (off.status === 'rejected') throw off.reason;
      const [gateway, executing] = [main.value, off.value];
      return { sim, simulator, gateway, executing };
    };
    const baselineServer = () =>
      startChild({
        name: 'baseline',
        args: ['--import', 'tsx', join(ROOT, 'bench/baseline-server.ts')],
        env: cleanEnv({}),
        core: options.cores.gateway,
        ready: /baseline listening on (http:\/\/[\w.:[\]-]+\/?)/,
      }).then(track);

    const provisionerKey = generateApiKey();
    // The baseline and the load generator do not need the simulator: they start alongside it.
    // All settled before failing, so nothing that is still starting escapes the stop below.
    const [up, base, gen] = await Promise.allSettled([
      upstreamAndGateway(),
      options.warm ? baselineServer() : null,
      options.warm ? startLoadGenerator(options.cores.rest).then(track) : null,
    ]);
    for (const outcome of [up, base, gen]) if (outcome.status === 'rejected') throw outcome.reason;
    const { sim, simulator, gateway, executing } = (up as PromiseFulfilledResult<Awaited<ReturnType<typeof upstreamAndGateway>>>).value;
    const baseline = (base as PromiseFulfilledResult<Child | null>).value;
    const load = (gen as PromiseFulfilledResult<LoadGenerator | null>).value;
    return { sim, simulator, gateway, gatewayUrl: gateway.url, executing, provisionerKey, baseline, load, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
