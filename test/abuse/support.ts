import { request } from 'node:http';

/**
 * The abuse suite's liveness check: while an attack runs, /healthz is asked every `everyMs` over
 * a fresh connection, and every answer must come within `withinMs`. An attack that blocks the
 * event loop (an exponential validation walk, a synchronous inflate of a zip bomb) shows up here
 * as one slow or missing answer.
 */
export interface HealthWatch {
  /** Stops probing; resolves to the slowest answer seen (ms) and how many probes ran. */
  stop(): Promise<{ slowestMs: number; probes: number; failures: string[] }>;
}

const HEALTH_LIMIT_MS = 100;

function probeOnce(baseUrl: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/healthz`, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`healthz answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`healthz did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function watchHealth(baseUrl: string, options: { everyMs?: number; timeoutMs?: number } = {}): HealthWatch {
  const everyMs = options.everyMs ?? 25;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let running = true;
  let slowestMs = 0;
  let probes = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const ms = await probeOnce(baseUrl, timeoutMs);
        slowestMs = Math.max(slowestMs, ms);
      } catch (error) {
        failures.push(String(error));
        slowestMs = Math.max(slowestMs, timeoutMs);
      }
      probes += 1;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { slowestMs, probes, failures };
    },
  };
}

/** Runs `attack` while watching /healthz; fails when any answer took longer than the limit. */
export async function expectResponsiveDuring<T>(baseUrl: string, attack: () => Promise<T>, withinMs = HEALTH_LIMIT_MS): Promise<T> {
  const watch = watchHealth(baseUrl);
  // The loop is stopped even when the attack throws.
  const outcome = await attack().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const seen = await watch.stop();
  if (!outcome.ok) throw outcome.error;
  if (seen.failures.length) throw new Error(`/healthz failed during the attack: ${seen.failures.join('; ')}`);
  if (seen.slowestMs > withinMs) throw new Error(`/healthz took ${Math.round(seen.slowestMs)} ms during the attack (limit ${withinMs} ms, ${seen.probes} probes)`);
  return outcome.value;
}
