import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../src/config/config.js';
import { startGateway, type Gateway, type GatewayLogger } from '../../src/server/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';

/**
 * A gateway over a simulator, configured through the environment like `serve`, whose log lines
 * are kept so a test can assert what an attack made it write (and what it must not have).
 * Not a test file itself.
 */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(lines: LogLine[]): GatewayLogger {
  const at = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Lines at warn or error, and any line that carries a stack trace. */
export const complaints = (lines: LogLine[]) => lines.filter((l) => l.level === 'warn' || l.level === 'error' || /\\n\s+at /.test(JSON.stringify(l.fields ?? {})));

export interface LoggedGateway {
  sim: SimHarness;
  gateway: Gateway;
  /** http://host:port of the gateway. */
  origin: string;
  lines: LogLine[];
  close(): Promise<void>;
}

/** Per-directory audit and links files, the simulator's demo app, anonymous reads on unless `env` says otherwise. */
export async function startLoggedGateway(env: Record<string, string> = {}): Promise<LoggedGateway> {
  const sim = await startSimHarness();
  const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-abuse-'));
  const config = readConfig({
    PORT: '0',
    ANONYMOUS_READS: 'true',
    AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
    GROUP_LINKS_PATH: join(dir, 'group-links.json'),
    ANYPOINT_BASE_URL: sim.url,
    ANYPOINT_CLIENT_ID: sim.sim.demoApp.clientId,
    ANYPOINT_CLIENT_SECRET: sim.sim.demoApp.clientSecret,
    ANYPOINT_ORG_ID: sim.sim.demoApp.orgId,
    ...env,
  });
  const lines: LogLine[] = [];
  const gateway = await startGateway(config, { logger: recordingLogger(lines) });
  return {
    sim,
    gateway,
    origin: gateway.url,
    lines,
    async close() {
      await gateway.close();
      await sim.close();
    },
  };
}
