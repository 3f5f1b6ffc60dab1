import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';

/**
 * Locks that serialize provisioning writes on the same thing: FIFO within this process, and, when
 * Redis is configured, across every replica sharing it (a lease that is renewed while the work
 * runs, so a crashed holder blocks others only until its lease runs out).
 */
export interface LockManager {
  /** Runs fn while holding `key`: FIFO within this process, and across processes sharing Redis when configured. Throws LockTimeoutError if not acquired within timeoutMs. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  readonly backend: 'memory' | 'redis';
  close(): Promise<void>;
}

export interface LockManagerOptions {
  redisUrl?: string | null;
  /** Redis key namespace, as for the shared cache: several deployments can share one Redis. */
  namespace?: string;
  /** Longest withLock waits for its turn, in this process and in Redis together. */
  timeoutMs: number;
  /** How long a Redis lease lives unless renewed (default 15 s): how long a crashed holder blocks others. */
  leaseMs?: number;
  onError?: (operation: string, error: unknown) => void;
}

export class LockTimeoutError extends Error {
  readonly code = 'LOCK_TIMEOUT';
  constructor(
    readonly key: string,
    readonly timeoutMs: number,
  ) {
    super(`lock "${key}" was not acquired within ${timeoutMs} ms: another write on it is still running`);
    this.name = 'LockTimeoutError';
  }
}

/** Redis is configured but unreachable: serializing with other replicas cannot be promised, so the write must not go ahead. */
export class LockUnavailableError extends Error {
  readonly code = 'LOCK_UNAVAILABLE';
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`lock "${key}" cannot be taken: Redis is unreachable, so writes cannot be serialized across replicas`, { cause });
    this.name = 'LockUnavailableError';
  }
}

const DEFAULT_LEASE_MS = 15_000;
/** Longest a Redis command may take before it counts as failed: a hung Redis must not hang writes. */
const COMMAND_TIMEOUT_MS = 2_000;
const CONNECT_TIMEOUT_MS = 2_000;
const CLOSE_TIMEOUT_MS = 2_000;
/** Backoff between attempts on a held Redis lock: short, since holders in other replicas release at any moment. */
const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 100;

// Both scripts act only while the key still holds our token: a lease that expired and was taken
// by another holder must be neither extended nor deleted by us.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export function createLockManager(options: LockManagerOptions): LockManager {
  const { timeoutMs } = options;
  const report = options.onError ?? (() => undefined);
  const local = new LocalQueues();
  const redis = options.redisUrl
    ? new RedisLeases(options.redisUrl, options.namespace ?? 'anypoint-graph', options.leaseMs ?? DEFAULT_LEASE_MS, report)
    : undefined;
  return {
    backend: redis ? 'redis' : 'memory',
    async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
      // Monotonic: a wall-clock jump must not stretch or cut the wait.
      const deadline = performance.now() + timeoutMs;
      await local.acquire(key, deadline, timeoutMs);
      try {
        // Redis is asked only once this process's turn has come, so replicas compete with one
        // attempt each instead of every local waiter polling Redis.
        if (!redis) return await fn();
        const lease = await redis.acquire(key, deadline, timeoutMs);
        try {
          return await fn();
        } finally {
          // Before the local release: the next local waiter then finds the Redis key gone.
          await lease.release();
        }
      } finally {
        local.release(key);
      }
    },
    close: () => redis?.close() ?? Promise.resolve(),
  };
}

/**
 * Per-key FIFO of the holders in this process. A key's entry exists only while someone holds it,
 * so a stream of distinct keys (idempotency keys) does not pile up.
 */
class LocalQueues {
  /** Present while the key is held; the array holds the waiters, first in line first. */
  private readonly queues = new Map<string, Array<() => void>>();

  acquire(key: string, deadline: number, timeoutMs: number): Promise<void> {
    const queue = this.queues.get(key);
    if (!queue) {
      this.queues.set(key, []);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      // grant and the timer exclude each other: whichever runs first removes the other.
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(grant), 1);
        reject(new LockTimeoutError(key, timeoutMs));
      }, Math.max(0, deadline - performance.now()));
      queue.push(grant);
    });
  }

  /** Hands the key to the next waiter (it stays held), or forgets it when nobody waits. */
  release(key: string): void {
    const next = this.queues.get(key)?.shift();
    if (next) next();
    else this.queues.delete(key);
  }
}

function newClient(url: string) {
  return createClient({
    url,
    // Offline queue off: while the connection is down, commands fail at once instead of
    // waiting for it to come back, so a write is refused rather than stalled.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(2 ** retries * 100, 2_000) + Math.random() * 100,
    },
  });
}

type Client = ReturnType<typeof newClient>;

interface Lease {
  /** Never throws: a lease that cannot be deleted runs out on its own. */
  release(): Promise<void>;
}

/** Leases on `{namespace}:lock:{key}` through a client of its own (the cache's client is Keyv's). */
class RedisLeases {
  private client: Client | undefined;
  /** The last connection error since the client was last ready: while set, Redis counts as down. */
  private down: unknown;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly namespace: string,
    private readonly leaseMs: number,
    private readonly report: (operation: string, error: unknown) => void,
  ) {}

  async acquire(key: string, deadline: number, timeoutMs: number): Promise<Lease> {
    const client = await this.ready(key);
    const name = `${this.namespace}:lock:${key}`;
    const token = randomUUID();
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      let reply: string | null;
      try {
        reply = await within(COMMAND_TIMEOUT_MS, client.set(name, token, { condition: 'NX', expiration: { type: 'PX', value: this.leaseMs } }));
      } catch (error) {
        // The SET may still have landed; without this, the lease would block others until it runs out.
        void this.drop(client, name, token);
        throw new LockUnavailableError(key, error);
      }
      if (reply === 'OK') return this.hold(client, key, name, token);
      const left = deadline - performance.now();
      if (left <= 0) throw new LockTimeoutError(key, timeoutMs);
      // Jitter, so replicas that found the lock held at the same moment do not retry in lockstep.
      await sleep(Math.min(left, pause * (0.5 + Math.random())));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A connection attempt to a dead Redis must not keep the process alive.
    client.unref();
    try {
      await within(CLOSE_TIMEOUT_MS, client.close());
    } catch (error) {
      this.report('close', error);
      try {
        client.destroy();
      } catch {
        // Already closed: nothing left to stop.
      }
    }
  }

  /** The connected client, opened on first use; throws LockUnavailableError when Redis is down. */
  private async ready(key: string): Promise<Client> {
    if (this.closed) throw new LockUnavailableError(key, new Error('the lock manager is closed'));
    const client = (this.client ??= this.open());
    if (client.isReady) return client;
    // Known down: fail at once rather than making every write wait for a reconnect.
    if (this.down !== undefined) throw new LockUnavailableError(key, this.down);
    // The first connection is still being made: wait for it, briefly.
    await new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onReady = () => done();
      const onError = (error: unknown) => done(error ?? new Error('Redis connection failed'));
      const timer = setTimeout(() => done(new Error(`no connection to Redis within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      client.once('ready', onReady);
      client.once('error', onError);
    }).catch((error: unknown) => {
      throw new LockUnavailableError(key, error);
    });
    return client;
  }

  private open(): Client {
    const client = newClient(this.url);
    client.on('error', (error: unknown) => {
      // Reported once per outage, not once per reconnect attempt.
      if (this.down === undefined) this.report('connection', error);
      this.down = error ?? new Error('Redis connection failed');
    });
    client.on('ready', () => {
      this.down = undefined;
    });
    // Failures arrive as 'error' events above; the client keeps reconnecting in the background.
    client.connect().catch(() => undefined);
    return client;
  }

  /** Keeps the lease alive while fn runs, renewing every leaseMs/3 while the token is still ours. */
  private hold(client: Client, key: string, name: string, token: string): Lease {
    let released = false;
    let lost = false;
    let timer: NodeJS.Timeout | undefined;
    const lose = () => {
      if (lost) return;
      lost = true;
      this.report(
        'lease',
        new Error(`lock "${key}" was lost while held (its lease ran out or another holder took it): the work it guarded may have overlapped another's`),
      );
    };
    const renew = async () => {
      try {
        const reply = await within(COMMAND_TIMEOUT_MS, client.eval(RENEW, { keys: [name], arguments: [token, String(this.leaseMs)] }));
        // A renewal answered after the release would see the key gone: that is no loss.
        if (released) return;
        if (reply !== 1) return lose();
      } catch (error) {
        // Redis may be back before the lease runs out: keep trying.
        this.report('renew', error);
      }
      schedule();
    };
    const schedule = () => {
      if (released) return;
      timer = setTimeout(() => void renew(), this.leaseMs / 3);
      // fn keeps the process alive if it needs to; the renewal alone must not.
      timer.unref();
    };
    schedule();
    return {
      release: async () => {
        released = true;
        clearTimeout(timer);
        try {
          const reply = await within(COMMAND_TIMEOUT_MS, client.eval(RELEASE, { keys: [name], arguments: [token] }));
          if (reply !== 1) lose();
        } catch (error) {
          this.report('release', error);
        }
      },
    };
  }

  /** Best-effort compare-and-delete, for a SET whose answer never came. */
  private async drop(client: Client, name: string, token: string): Promise<void> {
    try {
      await within(COMMAND_TIMEOUT_MS, client.eval(RELEASE, { keys: [name], arguments: [token] }));
    } catch {
      // Redis is unreachable: the lease, if it was set at all, runs out on its own.
    }
  }
}

function within<T>(ms: number, operation: Promise<T>): Promise<T> {
  operation.catch(() => undefined); // settling after the timeout is not an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([operation, late]).finally(() => clearTimeout(timer));
}
