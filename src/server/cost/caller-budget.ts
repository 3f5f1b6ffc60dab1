import { createClient } from '@redis/client';

/**
 * Upstream calls each caller may spend per minute (CALLER_UPSTREAM_CALLS_PER_MINUTE), so one
 * caller cannot spend the connected app's Anypoint rate limit, which every caller and
 * provisioning share. Fixed one-minute windows: an operation reserves its estimate before it
 * runs, and settles to what it actually spent when it ends (a warm repeat gives nearly all of
 * it back). With REDIS_URL the windows are counted in Redis, so replicas share them; if Redis
 * cannot answer, each replica counts alone until it can (the budget still holds per process).
 */
export type Reservation = { granted: true; window: number; calls: number } | { granted: false; retryAfterSeconds: number; spent: number };

export interface CallerBudget {
  readonly perMinute: number;
  reserve(callerId: string, calls: number): Promise<Reservation>;
  /** Adds `delta` (actual minus reserved; negative gives calls back) to the reservation's window. */
  settle(callerId: string, window: number, delta: number): Promise<void>;
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;
const COMMAND_TIMEOUT_MS = 500;

interface WindowCounter {
  /** Adds `by` to the caller's count in `window` and returns the new count. */
  add(callerId: string, window: number, by: number): Promise<number>;
  close(): Promise<void>;
}

class MemoryCounter implements WindowCounter {
  private readonly counts = new Map<string, number>();
  private window = 0;

  async add(callerId: string, window: number, by: number): Promise<number> {
    // Only the current and the previous window are ever settled against; older counts go.
    if (window > this.window) {
      for (const key of this.counts.keys()) if (Number(key.slice(0, key.indexOf('|'))) < window - 1) this.counts.delete(key);
      this.window = window;
    }
    const key = `${window}|${callerId}`;
    const count = Math.max(0, (this.counts.get(key) ?? 0) + by);
    this.counts.set(key, count);
    return count;
  }

  async close(): Promise<void> {}
}

/** INCRBY and PEXPIRE in one round trip; the key outlives its window by one more, for late settles. */
const ADD_SCRIPT = "local n = redis.call('INCRBY', KEYS[1], ARGV[1]); redis.call('PEXPIRE', KEYS[1], ARGV[2]); return n";

class RedisCounter implements WindowCounter {
  private readonly client;
  private closed = false;

  constructor(url: string, private readonly namespace: string) {
    this.client = createClient({
      url,
      // Fail at once while disconnected: the memory fallback answers instead of a stalled request.
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(2 ** retries * 100, 2_000) },
    });
    this.client.on('error', () => undefined);
    this.client.connect().catch(() => undefined);
  }

  async add(callerId: string, window: number, by: number): Promise<number> {
    if (this.closed || !this.client.isReady) throw new Error('Redis is not connected');
    const key = `${this.namespace}:budget:${window}:${callerId}`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not answer in time')), COMMAND_TIMEOUT_MS)));
    const reply = this.client.eval(ADD_SCRIPT, { keys: [key], arguments: [String(Math.round(by)), String(2 * WINDOW_MS)] });
    reply.catch(() => undefined);
    try {
      return Number(await Promise.race([reply, late]));
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client.unref();
    await this.client.close().catch(() => this.client.destroy());
  }
}

export interface CallerBudgetOptions {
  perMinute: number;
  redisUrl?: string | null;
  namespace?: string;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export function createCallerBudget(options: CallerBudgetOptions): CallerBudget {
  const now = options.now ?? Date.now;
  const local = new MemoryCounter();
  const shared = options.redisUrl ? new RedisCounter(options.redisUrl, options.namespace ?? 'anypoint-graph') : null;
  let reportedDown = false;

  const add = async (callerId: string, window: number, by: number): Promise<number> => {
    if (!shared) return local.add(callerId, window, by);
    try {
      const count = await shared.add(callerId, window, by);
      reportedDown = false;
      return count;
    } catch (error) {
      if (!reportedDown) options.onError?.(error);
      reportedDown = true;
      return local.add(callerId, window, by);
    }
  };

  return {
    perMinute: options.perMinute,
    async reserve(callerId, calls) {
      const at = now();
      const window = Math.floor(at / WINDOW_MS);
      const wanted = Math.max(0, Math.ceil(calls));
      const count = await add(callerId, window, wanted);
      // An operation that alone is over the whole budget may still run in an empty window.
      if (count <= options.perMinute || count === wanted) return { granted: true, window, calls: wanted };
      await add(callerId, window, -wanted);
      return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - at) / 1000)), spent: count - wanted };
    },
    async settle(callerId, window, delta) {
      if (delta !== 0) await add(callerId, window, delta);
    },
    close: async () => {
      await shared?.close();
    },
  };
}
