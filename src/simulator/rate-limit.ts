/**
 * Fixed one-minute windows per caller and product, as Anypoint's load balancers apply them
 * (API.md §0). The reset is epoch seconds, like X-RateLimit-Reset.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the current window ends. */
  reset: number;
  retryAfterSeconds: number;
}

/** The platform's window: one minute. */
export const WINDOW_MS = 60_000;

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    /** Requests per window (a minute unless a test shortens it). */
    public perMinute: number,
    private readonly now: () => number = Date.now,
    /** Window length; tests shorten it (PUT /__sim/rate-limit windowSeconds) so a budget renews within a test. */
    public windowMs: number = WINDOW_MS,
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.windows.set(key, window);
    }
    const allowed = window.used < this.perMinute;
    if (allowed) window.used += 1;
    const end = start + this.windowMs;
    return {
      allowed,
      limit: this.perMinute,
      remaining: Math.max(0, this.perMinute - window.used),
      reset: Math.ceil(end / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)),
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
