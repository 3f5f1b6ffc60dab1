import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLockManager, LockTimeoutError, LockUnavailableError, type LockManager } from '../../src/provisioning/locks.js';
import { describeWithService, redisAvailable, REDIS_URL } from '../helpers/services.js';
import { closedPort } from '../helpers/ports.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}


describe('createLockManager in memory', () => {
  it('says it is in memory without a Redis URL', async () => {
    const locks = createLockManager({ timeoutMs: 1_000 });
    expect(locks.backend).toBe('memory');
    await locks.close();
  });

  it('never lets two holders of the same key overlap, while another key runs alongside', async () => {
    const locks = createLockManager({ timeoutMs: 5_000 });
    const events: string[] = [];
    const work = (name: string, key: string, ms: number) =>
      locks.withLock(key, async () => {
        events.push(`${name}+`);
        await sleep(ms);
        events.push(`${name}-`);
        return name;
      });
    const results = await Promise.all([work('a', 'group-1', 40), work('b', 'group-1', 40), work('c', 'group-2', 5)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events.filter((e) => !e.startsWith('c'))).toEqual(['a+', 'a-', 'b+', 'b-']);
    // c did not wait for group-1: it came and went while a held it.
    expect(events.indexOf('c-')).toBeLessThan(events.indexOf('a-'));
  });

  it('lets five waiters in one at a time, in the order they asked', async () => {
    const locks = createLockManager({ timeoutMs: 5_000 });
    const gate = deferred();
    const holder = locks.withLock('k', () => gate.promise);
    const order: number[] = [];
    const waiters = [0, 1, 2, 3, 4].map((n) =>
      locks.withLock('k', async () => {
        order.push(n);
        // Yield, so a later waiter that wrongly got in too would show up before n's exit.
        await sleep(1);
        order.push(n);
      }),
    );
    await sleep(10);
    expect(order).toEqual([]);
    gate.resolve();
    await Promise.all([holder, ...waiters]);
    expect(order).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('releases the lock when fn throws, and passes the error on', async () => {
    const locks = createLockManager({ timeoutMs: 1_000 });
    const failing = locks.withLock('k', async () => {
      await sleep(5);
      throw new Error('write failed');
    });
    const next = locks.withLock('k', async () => 'next ran');
    await expect(failing).rejects.toThrow('write failed');
    expect(await next).toBe('next ran');
  });

  it('gives up with LockTimeoutError after timeoutMs, without ever running fn', async () => {
    const locks = createLockManager({ timeoutMs: 60 });
    const gate = deferred();
    const holder = locks.withLock('k', () => gate.promise);
    let ran = false;
    const started = performance.now();
    const error = await locks
      .withLock('k', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
    gate.resolve();
    await holder;
    await sleep(5);
    expect(ran).toBe(false);
  });

  it('lets the waiters behind one that gave up have their turn', async () => {
    const locks = createLockManager({ timeoutMs: 200 });
    const entered: string[] = [];
    const holder = locks.withLock('k', async () => {
      entered.push('holder');
      await sleep(300);
    });
    const gaveUp = locks.withLock('k', async () => void entered.push('gave up')).catch((e: unknown) => e);
    await sleep(150);
    // Asked at 150 ms, so its deadline (350 ms) is after the holder leaves (300 ms).
    const later = locks.withLock('k', async () => void entered.push('later'));
    expect(await gaveUp).toBeInstanceOf(LockTimeoutError);
    await Promise.all([holder, later]);
    expect(entered).toEqual(['holder', 'later']);
  });

  it('keeps no key held after its holders leave, however they left', async () => {
    const locks = createLockManager({ timeoutMs: 30 });
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
    // Per key: one that succeeds, one that throws, one that times out behind a slow holder.
    await Promise.allSettled(
      keys.flatMap((key) => [
        locks.withLock(key, () => sleep(50)),
        locks.withLock(key, async () => {
          throw new Error('boom');
        }),
        locks.withLock(key, async () => 'ok'),
      ]),
    );
    // A key left marked as held would make this wait, then time out.
    const started = performance.now();
    const again = await Promise.all(keys.map((key) => locks.withLock(key, async () => key)));
    expect(again).toEqual(keys);
    expect(performance.now() - started).toBeLessThan(25);
  });
});

describe('createLockManager with Redis unreachable', () => {
  let locks: LockManager | undefined;
  afterEach(async () => {
    await locks?.close();
    locks = undefined;
  });

  it('refuses with LockUnavailableError at once, never running fn, and closes without hanging', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const failures: string[] = [];
    locks = createLockManager({ redisUrl: url, timeoutMs: 10_000, onError: (operation) => failures.push(operation) });
    expect(locks.backend).toBe('redis');
    let ran = false;
    const fn = async () => {
      ran = true;
    };

    let started = performance.now();
    const first = await locks.withLock('k', fn).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(first).toBeInstanceOf(LockUnavailableError);
    expect((first as LockUnavailableError).code).toBe('LOCK_UNAVAILABLE');

    // Known down now: the next write is refused without waiting for a reconnect.
    started = performance.now();
    await expect(locks.withLock('k', fn)).rejects.toBeInstanceOf(LockUnavailableError);
    expect(performance.now() - started).toBeLessThan(100);
    expect(ran).toBe(false);
    expect(failures).toContain('connection');

    started = performance.now();
    await locks.close();
    locks = undefined;
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describeWithService('createLockManager in Redis', redisAvailable, () => {
  const raw = createClient({ url: REDIS_URL });
  beforeAll(async () => {
    await raw.connect();
  });
  afterAll(async () => {
    await raw.close();
  });

  /** Managers opened by a test, each with its own Redis client (as replicas have); closed after it. */
  const opened: LockManager[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((locks) => locks.close()));
  });
  const replica = (namespace: string, options: { timeoutMs?: number; leaseMs?: number; onError?: (operation: string, error: unknown) => void } = {}) => {
    const locks = createLockManager({ redisUrl: REDIS_URL, namespace, timeoutMs: options.timeoutMs ?? 5_000, leaseMs: options.leaseMs, onError: options.onError });
    opened.push(locks);
    return locks;
  };
  const freshNamespace = () => `anypoint-graph-test-locks-${randomUUID()}`;

  it('says it is in Redis', () => {
    expect(replica(freshNamespace()).backend).toBe('redis');
  });

  it('serializes the same key across two replicas, and deletes the lock key once done', async () => {
    const namespace = freshNamespace();
    const [one, two] = [replica(namespace), replica(namespace)];
    const events: string[] = [];
    const entered = deferred();
    const first = one.withLock('group-1', async () => {
      events.push('one+');
      entered.resolve();
      await sleep(100);
      events.push('one-');
    });
    await entered.promise;
    const second = two.withLock('group-1', async () => {
      events.push('two+');
      events.push('two-');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['one+', 'one-', 'two+', 'two-']);
    expect(await raw.exists(`${namespace}:lock:group-1`)).toBe(0);
  });

  it('lets two replicas hold different keys at the same time', async () => {
    const namespace = freshNamespace();
    const [one, two] = [replica(namespace), replica(namespace)];
    const bothIn = deferred();
    let inside = 0;
    const enter = async () => {
      if (++inside === 2) bothIn.resolve();
      await Promise.race([bothIn.promise, sleep(1_000).then(() => Promise.reject(new Error('the other key never ran alongside')))]);
    };
    await Promise.all([one.withLock('group-1', enter), two.withLock('group-2', enter)]);
  });

  it('renews the lease while fn runs longer than it, so the other replica waits to the end', async () => {
    const namespace = freshNamespace();
    const failures: string[] = [];
    const one = replica(namespace, { leaseMs: 150, onError: (operation) => failures.push(operation) });
    const two = replica(namespace, { leaseMs: 150 });
    const entered = deferred();
    let oneLeftAt = 0;
    const first = one.withLock('group-1', async () => {
      entered.resolve();
      await sleep(450);
      oneLeftAt = performance.now();
    });
    await entered.promise;
    let twoEnteredAt = 0;
    await two.withLock('group-1', async () => {
      twoEnteredAt = performance.now();
    });
    await first;
    expect(oneLeftAt).toBeGreaterThan(0);
    expect(twoEnteredAt).toBeGreaterThanOrEqual(oneLeftAt);
    expect(failures).toEqual([]);
  });

  it('waits for a crashed holder only until its lease runs out', async () => {
    const namespace = freshNamespace();
    // A holder that took the lock and died: it never renews and never releases.
    await raw.set(`${namespace}:lock:group-1`, 'crashed-holder', { condition: 'NX', expiration: { type: 'PX', value: 300 } });
    const started = performance.now();
    expect(await replica(namespace, { timeoutMs: 5_000 }).withLock('group-1', async () => 'entered')).toBe('entered');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1_500);
  });

  it('gives up with LockTimeoutError when the lease outlasts timeoutMs', async () => {
    const namespace = freshNamespace();
    await raw.set(`${namespace}:lock:group-1`, 'other-holder', { expiration: { type: 'PX', value: 5_000 } });
    let ran = false;
    const error = await replica(namespace, { timeoutMs: 150 })
      .withLock('group-1', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(ran).toBe(false);
    // Someone else's lock is not ours to delete.
    expect(await raw.get(`${namespace}:lock:group-1`)).toBe('other-holder');
    await raw.del(`${namespace}:lock:group-1`);
  });

  it("reports a lease lost mid-run through onError, and does not delete the new holder's lock", async () => {
    const namespace = freshNamespace();
    const name = `${namespace}:lock:group-1`;
    const failures: Array<{ operation: string; error: unknown }> = [];
    const locks = replica(namespace, { leaseMs: 300, onError: (operation, error) => failures.push({ operation, error }) });
    await locks.withLock('group-1', async () => {
      // Another holder took over (as after an expiry during a long pause of this process).
      await raw.set(name, 'intruder', { expiration: { type: 'PX', value: 5_000 } });
      await sleep(250); // past one renewal (every 100 ms)
    });
    expect(failures.map((f) => f.operation)).toEqual(['lease']);
    expect(String(failures[0]?.error)).toContain('group-1');
    expect(await raw.get(name)).toBe('intruder');
    await raw.del(name);
  });
});
