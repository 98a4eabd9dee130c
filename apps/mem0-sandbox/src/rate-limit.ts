import type { Clock } from "./clock.js";

/** What the limiter decided for one request, with the numbers for the X-RateLimit-* headers. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends (at least 1). */
  resetSeconds: number;
}

/** A fixed-window counter per API key. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowSeconds: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error("rateLimit.limit must be a positive integer");
    if (!(windowSeconds > 0)) throw new Error("rateLimit.windowSeconds must be positive");
  }

  /** Counts one request for `key` and says whether it may proceed. */
  take(key: string): RateDecision {
    const now = this.clock().getTime();
    const windowMs = this.windowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    if (window.count >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, resetSeconds };
    window.count += 1;
    return { allowed: true, limit: this.limit, remaining: this.limit - window.count, resetSeconds };
  }
}
