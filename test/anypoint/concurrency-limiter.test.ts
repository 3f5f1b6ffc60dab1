import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, productOf, type Slot } from '../../src/anypoint/concurrency.js';
import { AnypointError } from '../../src/anypoint/errors.js';

/** The limiter's rule (src/anypoint/concurrency.ts) on its own, with a hand-driven clock. */

const USERS = '/accounts/api/organizations/{orgId}/users';
const SEARCH = '/exchange/api/v2/assets';

function setup(ceiling = 64, maxWaitMs = 30_000) {
  const clock = { now: 1_000_000 };
  const waits: number[] = [];
  const limiter = new AdaptiveLimiter({ ceiling, maxWaitMs, now: () => clock.now, onRateLimitWait: (info) => waits.push(info.waitMs) });
  const limitOf = (product: string) => limiter.snapshot().find((lane) => lane.product === product)!;
  return { clock, limiter, waits, limitOf };
}

const budget = (remaining: number, resetAtMs: number, limit = 100) => ({
  status: 200,
  headers: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(resetAtMs / 1000) },
});
const ok = { status: 200, headers: {} };
const refused = { status: 503, headers: {} };

/** Acquires n slots, resolving the ones admitted now; the rest stay pending. */
function acquireMany(limiter: AdaptiveLimiter, route: string, n: number) {
  const slots: Slot[] = [];
  const pending = Array.from({ length: n }, () => limiter.acquire('GET', route).then((slot) => (slots.push(slot), slot)));
  return { slots, pending };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveLimiter', () => {
  it('names the product by the first path segment', () => {
    expect(productOf(USERS)).toBe('accounts');
    expect(productOf(SEARCH)).toBe('exchange');
  });

  it('starts at 16, grows by one per call that ends with work queued once the product reports its budget, up to the ceiling', async () => {
    const { limiter, limitOf } = setup(20);
    const { slots } = acquireMany(limiter, USERS, 40);
    await tick();
    expect(slots).toHaveLength(16);
    slots[0]!.release(budget(1_000, 2_000_000));
    await tick();
    // One freed slot and one more: 17 in flight.
    expect(limitOf('accounts')).toMatchObject({ window: 17, inFlight: 17 });
    for (let i = 1; i < 10; i += 1) slots[i]!.release(ok);
    await tick();
    expect(limitOf('accounts')).toMatchObject({ window: 20, inFlight: 20, limit: 20 });
  });

  it('keeps a product that never reports a budget at 16 at most', async () => {
    const { limiter, limitOf } = setup(64);
    const { slots } = acquireMany(limiter, SEARCH, 60);
    await tick();
    for (let i = 0; i < 30; i += 1) {
      slots[i]!.release(ok);
      await tick();
    }
    expect(limitOf('exchange')).toMatchObject({ window: 16, inFlight: 16 });
  });

  it('halves on a 429/503 once per round, not once per refused call of that round', async () => {
    const { limiter, limitOf, clock } = setup(64);
    const { slots } = acquireMany(limiter, SEARCH, 40);
    await tick();
    clock.now += 10;
    for (let i = 0; i < 8; i += 1) slots[i]!.release(refused);
    await tick();
    expect(limitOf('exchange').window).toBe(8);
    // Calls started before that halving are all in flight still (8 of them left): nothing new starts.
    expect(limitOf('exchange').inFlight).toBe(8);
    clock.now += 10;
    for (let i = 8; i < 16; i += 1) slots[i]!.release(ok);
    await tick();
    // Those successes found work queued: the window grew back toward 16, never past it.
    expect(limitOf('exchange').window).toBe(16);
    const second = slots.slice(16);
    expect(second.length).toBeGreaterThan(0);
    clock.now += 10;
    second[0]!.release(refused);
    expect(limitOf('exchange').window).toBe(8);
  });

  it('starts no more calls than the reported remaining, and waits for the reset when it is spent', async () => {
    const { limiter, limitOf, clock, waits } = setup(64);
    // Whole seconds, as X-RateLimit-Reset has them.
    const resetAtMs = 1_001_000;
    clock.now = resetAtMs - 500;
    const first = await limiter.acquire('GET', USERS);
    first.release(budget(3, resetAtMs, 100));
    const { slots } = acquireMany(limiter, USERS, 10);
    await tick();
    expect(slots).toHaveLength(3);
    slots[0]!.release(budget(0, resetAtMs, 100));
    await tick();
    // Spent: nothing starts until the reset, and each queued call is reported as a wait.
    expect(slots).toHaveLength(3);
    expect(limitOf('accounts').limit).toBe(0);
    expect(waits.length).toBe(7);
    expect(waits.every((ms) => ms === 500)).toBe(true);
    clock.now = resetAtMs;
    await new Promise((resolve) => setTimeout(resolve, 560));
    // At the reset the budget is X-RateLimit-Limit again (100): the rest start.
    expect(slots).toHaveLength(10);
  });

  it('does not wait for a reset further away than maxWaitMs (the call goes and fails fast on the refusal)', async () => {
    const { limiter, clock } = setup(64, 500);
    const first = await limiter.acquire('GET', USERS);
    first.release(budget(0, clock.now + 40_000));
    const next = await limiter.acquire('GET', USERS);
    next.release(refused);
  });

  it('ignores a late answer from a window that has ended', async () => {
    const { limiter, limitOf, clock } = setup(64);
    const a = await limiter.acquire('GET', USERS);
    const b = await limiter.acquire('GET', USERS);
    a.release(budget(2, clock.now + 60_000));
    b.release(budget(90, clock.now - 1_000));
    expect(limitOf('accounts').limit).toBe(2);
    // Out of order within one window: the lowest remaining stands.
    const c = await limiter.acquire('GET', USERS);
    c.release(budget(5, clock.now + 60_000));
    expect(limitOf('accounts').limit).toBe(2);
  });

  it('drops a queued call whose signal aborts, and a forced close fails the rest', async () => {
    const { limiter } = setup(1);
    const held = await limiter.acquire('GET', USERS);
    const controller = new AbortController();
    const aborted = limiter.acquire('GET', USERS, controller.signal);
    const queued = limiter.acquire('GET', USERS);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    limiter.close(true);
    const error = await queued.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnypointError);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    held.release(ok);
    await expect(limiter.drain()).resolves.toBeUndefined();
  });

  it("'fixed' mode keeps the former behaviour: the ceiling always, a wait only on remaining 0", async () => {
    const clock = { now: 1_000_000 };
    const limiter = new AdaptiveLimiter({ ceiling: 16, maxWaitMs: 30_000, mode: 'fixed', now: () => clock.now });
    const first = await limiter.acquire('GET', USERS);
    first.release(budget(3, clock.now + 500));
    const { slots } = acquireMany(limiter, USERS, 20);
    await tick();
    expect(slots).toHaveLength(16);
    slots[0]!.release(refused);
    await tick();
    expect(limiter.snapshot()[0]).toMatchObject({ window: 16, inFlight: 16 });
    for (const slot of slots.slice(1)) slot.release(ok);
    await tick();
    for (const slot of slots.slice(16)) slot.release(ok);
  });
});
