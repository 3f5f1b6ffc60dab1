import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { describe, it } from 'vitest';

/**
 * Optional backing services (Redis, Postgres, Chromium) for tests. A suite that needs one is
 * skipped with a clear notice when it is not reachable, unless REQUIRE_SERVICES=1 (as in CI), where
 * a missing service fails the run instead of silently skipping.
 */
export interface ServiceProbe {
  (): Promise<boolean>;
  /** Human name, e.g. "Redis". */
  readonly service: string;
  /** host:port probed. */
  readonly address: string;
}

/** Whether a TCP connection to host:port opens within timeoutMs. */
export function tcpReachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (up: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function probe(service: string, host: string, port: number): ServiceProbe {
  let answer: Promise<boolean> | undefined;
  const check = () => (answer ??= tcpReachable(host, port));
  return Object.assign(check, { service, address: `${host}:${port}` });
}

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** Redis at 127.0.0.1:6379 (REDIS_URL above). */
export const redisAvailable: ServiceProbe = probe('Redis', '127.0.0.1', 6379);

/** Postgres at 127.0.0.1:5432. */
export const postgresAvailable: ServiceProbe = probe('Postgres', '127.0.0.1', 5432);

/** Debian's Chromium, for the browser tests (`.ci/run` installs it with apt-get). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Chromium at CHROMIUM_PATH: a regular file with an execute bit. */
export const chromiumAvailable: ServiceProbe = (() => {
  let answer: Promise<boolean> | undefined;
  const check = () => (answer ??= stat(CHROMIUM_PATH).then((file) => file.isFile() && (file.mode & 0o111) !== 0, () => false));
  return Object.assign(check, { service: 'Chromium', address: CHROMIUM_PATH });
})();

export const servicesRequired = (): boolean => process.env.REQUIRE_SERVICES === '1';

/**
 * describe() whose tests run only when `available` answers true. Otherwise: with
 * REQUIRE_SERVICES=1 the suite holds one failing test; without it a notice is printed and the
 * suite is reported as skipped.
 */
export function describeWithService(name: string, available: ServiceProbe, fn: () => void): void {
  describe(name, async () => {
    if (await available()) {
      fn();
      return;
    }
    const why = `${available.service} not reachable at ${available.address}`;
    if (servicesRequired()) {
      it(`needs ${available.service}`, () => {
        throw new Error(`${available.service} required (REQUIRE_SERVICES=1) but not reachable at ${available.address}`);
      });
    } else {
      console.warn(`skipping "${name}": ${why} (set REQUIRE_SERVICES=1 to fail instead)`);
      it.skip(`needs ${available.service} (${why})`, () => undefined);
    }
  });
}
