import { AnypointError } from './errors.js';
import { headerValue } from './retry-policy.js';

/**
 * How many upstream calls run at once, per product (the first path segment: accounts,
 * apimanager, exchange, audit, ...), adapted to what the platform says about its budget.
 *
 * The rule, per product:
 *
 *   limit = min(ceiling, window, budget)
 *
 * - ceiling: ANYPOINT_MAX_CONNECTIONS, never exceeded in total over all products (the undici
 *   pool is sized to it).
 * - window: starts at BASE (16, the old fixed cap, or the ceiling when that is lower).
 *   +1 per call that ends while its product had calls queued (there was work for one more slot),
 *   up to the ceiling, but only for a product whose answers carry X-RateLimit-Remaining/Reset;
 *   a product that never says its budget stays at BASE at most, as before.
 *   Halved (at least 1) on a 429 or 503, once per round: a refusal of a call started before the
 *   last halving does not halve again.
 * - budget: while the last reported window has not reset, a call starts only if the calls in
 *   flight to that product are fewer than the last X-RateLimit-Remaining (the lowest one seen for
 *   that reset). Every call in flight may be one the platform has not counted yet, so at most
 *   `remaining` of them can arrive after that answer: this gateway alone never overdraws the
 *   window (other users of the same connected app, or a clock far off the platform's, still can;
 *   their refusals then halve the window). At the reset, the budget is X-RateLimit-Limit again
 *   until an answer says otherwise. A spent budget whose reset is no further than maxWaitMs is
 *   waited for; a further one is not (the call goes, and fails fast on the platform's refusal).
 */

/** The former fixed cap: where a product's window starts, and the most a product without budget headers gets. */
export const BASE_CONCURRENCY = 16;

/** The default ceiling (ANYPOINT_MAX_CONNECTIONS): room above BASE for products that say their budget. */
export const DEFAULT_CEILING = 64;

export interface LimiterOptions {
  ceiling: number;
  /**
   * 'fixed': the former behaviour, for comparison in tests: always `ceiling` calls at once, and a
   * call waits only when the last answer said the window is spent (remaining 0) with a near reset.
   */
  mode?: 'adaptive' | 'fixed';
  /** A spent window resetting further away than this is not waited for. */
  maxWaitMs: number;
  now?: () => number;
  /** A product's effective limit or in-flight count changed (metrics). */
  onChange?: (info: { product: string; limit: number; inFlight: number }) => void;
  /** A call waits for a spent rate-limit window to reset (metrics, logs). */
  onRateLimitWait?: (info: { method: string; route: string; waitMs: number }) => void;
}

export interface Slot {
  /** Ends the call: its status (null when no answer) and headers adapt the limit. */
  release(response?: { status: number; headers: Record<string, string | string[] | undefined> } | null): void;
}

interface Waiter {
  seq: number;
  method: string;
  route: string;
  resolve(slot: Slot): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  waitReported: boolean;
}

interface Lane {
  product: string;
  inFlight: number;
  window: number;
  /** The last reported budget: lowest remaining seen for this reset. */
  budget: { remaining: number; limit: number | null; resetAtMs: number } | null;
  /** Ever said its budget: may grow past BASE. */
  reportsBudget: boolean;
  lastDecreaseAt: number;
  queue: Waiter[];
  reported: { limit: number; inFlight: number } | null;
}

export function productOf(route: string): string {
  return route.split('/')[1] || 'other';
}

export class AdaptiveLimiter {
  readonly ceiling: number;
  readonly base: number;
  private readonly fixed: boolean;
  private readonly lanes = new Map<string, Lane>();
  private total = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private closed = false;
  private readonly drained: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly options: LimiterOptions) {
    this.ceiling = Math.max(1, Math.floor(options.ceiling));
    this.fixed = options.mode === 'fixed';
    this.base = this.fixed ? this.ceiling : Math.min(BASE_CONCURRENCY, this.ceiling);
    this.now = options.now ?? Date.now;
  }

  /** Current state per product, for tests and metrics. */
  snapshot(): Array<{ product: string; limit: number; window: number; inFlight: number; queued: number }> {
    const now = this.now();
    return [...this.lanes.values()].map((lane) => ({ product: lane.product, limit: this.limitOf(lane, now), window: lane.window, inFlight: lane.inFlight, queued: lane.queue.length }));
  }

  acquire(method: string, route: string, signal?: AbortSignal): Promise<Slot> {
    const lane = this.laneOf(productOf(route));
    if (this.closed) return Promise.reject(new AnypointError({ status: null, code: 'UPSTREAM_UNAVAILABLE', method, route, upstreamMessage: 'The client is closed' }));
    if (signal?.aborted) return Promise.reject(new AnypointError({ status: null, code: 'ABORTED', method, route, upstreamMessage: 'The request was cancelled' }));
    if (lane.queue.length === 0 && this.admits(lane, this.now())) return Promise.resolve(this.start(lane));
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = { seq: ++this.seq, method, route, resolve, reject, signal, waitReported: false };
      if (signal) {
        waiter.onAbort = () => {
          const at = lane.queue.indexOf(waiter);
          if (at >= 0) lane.queue.splice(at, 1);
          reject(new AnypointError({ status: null, code: 'ABORTED', method, route, upstreamMessage: 'The request was cancelled' }));
          this.settle();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      lane.queue.push(waiter);
      this.pump();
    });
  }

  /** Resolves once nothing is queued (the calls in flight are the dispatcher's to wait for). */
  drain(): Promise<void> {
    if (this.queued() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Forced: fails the queued calls and refuses new ones (a graceful close drains instead). */
  close(force: boolean): void {
    if (!force) return;
    this.closed = true;
    for (const lane of this.lanes.values()) {
      for (const waiter of lane.queue.splice(0)) {
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(new AnypointError({ status: null, code: 'UPSTREAM_UNAVAILABLE', method: waiter.method, route: waiter.route, upstreamMessage: 'The client was closed' }));
      }
    }
    this.settle();
  }

  private queued(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  private laneOf(product: string): Lane {
    let lane = this.lanes.get(product);
    if (!lane) {
      lane = { product, inFlight: 0, window: this.base, budget: null, reportsBudget: false, lastDecreaseAt: -Infinity, queue: [], reported: null };
      this.lanes.set(product, lane);
    }
    return lane;
  }

  /** How many calls the platform's last report lets be in flight now; Infinity when it said nothing that binds. */
  private budgetOf(lane: Lane, now: number): number {
    const budget = lane.budget;
    if (!budget) return Infinity;
    if (now >= budget.resetAtMs) return this.fixed ? Infinity : (budget.limit ?? Infinity);
    // Spent, with a reset too far to wait for: the call goes and the platform's refusal ends it fast (as before).
    if (budget.remaining === 0 && budget.resetAtMs - now > this.options.maxWaitMs) return Infinity;
    if (this.fixed) return budget.remaining === 0 ? 0 : Infinity;
    return budget.remaining;
  }

  private limitOf(lane: Lane, now: number): number {
    return Math.min(this.ceiling, lane.window, this.budgetOf(lane, now));
  }

  private admits(lane: Lane, now: number): boolean {
    return this.total < this.ceiling && lane.inFlight < this.limitOf(lane, now);
  }

  private start(lane: Lane): Slot {
    lane.inFlight += 1;
    this.total += 1;
    const startedAt = this.now();
    let released = false;
    this.report(lane);
    return {
      release: (response) => {
        if (released) return;
        released = true;
        const saturated = lane.queue.length > 0;
        lane.inFlight -= 1;
        this.total -= 1;
        if (response) this.learn(lane, response, startedAt, saturated);
        this.pump();
        this.report(lane);
      },
    };
  }

  private learn(lane: Lane, response: { status: number; headers: Record<string, string | string[] | undefined> }, startedAt: number, saturated: boolean): void {
    const now = this.now();
    const remaining = headerValue(response.headers, 'x-ratelimit-remaining');
    const reset = headerValue(response.headers, 'x-ratelimit-reset');
    if (remaining !== undefined && reset !== undefined && /^\d+$/.test(remaining) && /^\d+$/.test(reset)) {
      const limitText = headerValue(response.headers, 'x-ratelimit-limit');
      const limit = limitText !== undefined && /^\d+$/.test(limitText) ? Number(limitText) : (lane.budget?.limit ?? null);
      const resetAtMs = Number(reset) * 1000;
      const known = lane.budget;
      if (this.fixed) {
        lane.budget = { remaining: Number(remaining), limit, resetAtMs };
      } else if (resetAtMs > now) {
        // Answers to one window can arrive out of order: the lowest remaining is the freshest. Another
        // reset is another window (or, the platform limiting per endpoint, another endpoint's): the latest answer says it.
        const same = known !== null && known.resetAtMs === resetAtMs;
        lane.budget = { remaining: same ? Math.min(known.remaining, Number(remaining)) : Number(remaining), limit, resetAtMs };
      }
      // (A reset already past is a late answer from a window that has ended: nothing to learn.)
      lane.reportsBudget = true;
    }
    if (this.fixed) return;
    if (response.status === 429 || response.status === 503) {
      if (startedAt >= lane.lastDecreaseAt) {
        lane.window = Math.max(1, Math.floor(lane.window / 2));
        lane.lastDecreaseAt = now;
      }
    } else if (saturated) {
      lane.window = Math.min(lane.reportsBudget ? this.ceiling : this.base, lane.window + 1);
    }
  }

  /** Starts queued calls while their products admit them, oldest first across products. */
  private pump(): void {
    const now = this.now();
    for (;;) {
      let next: Lane | null = null;
      for (const lane of this.lanes.values()) {
        if (lane.queue.length === 0 || !this.admits(lane, now)) continue;
        if (!next || lane.queue[0]!.seq < next.queue[0]!.seq) next = lane;
      }
      if (!next) break;
      const waiter = next.queue.shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.start(next));
    }
    this.waitForResets(now);
    this.settle();
  }

  /** A product held back by its spent budget wakes at the reset (an answer in flight may wake it sooner). */
  private waitForResets(now: number): void {
    let wakeAt = Infinity;
    for (const lane of this.lanes.values()) {
      const budget = lane.budget;
      if (lane.queue.length === 0 || !budget || now >= budget.resetAtMs) continue;
      if (lane.inFlight < this.budgetOf(lane, now)) continue;
      wakeAt = Math.min(wakeAt, budget.resetAtMs);
      const waitMs = budget.resetAtMs - now;
      for (const waiter of lane.queue) {
        if (waiter.waitReported) continue;
        waiter.waitReported = true;
        this.options.onRateLimitWait?.({ method: waiter.method, route: waiter.route, waitMs });
      }
    }
    if (wakeAt === Infinity || wakeAt >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = wakeAt;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, wakeAt - now));
  }

  private settle(): void {
    if (this.queued() > 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Infinity;
    }
    for (const resolve of this.drained.splice(0)) resolve();
  }

  private report(lane: Lane): void {
    if (!this.options.onChange) return;
    const limit = this.limitOf(lane, this.now());
    if (lane.reported && lane.reported.limit === limit && lane.reported.inFlight === lane.inFlight) return;
    lane.reported = { limit, inFlight: lane.inFlight };
    this.options.onChange({ product: lane.product, limit, inFlight: lane.inFlight });
  }
}
