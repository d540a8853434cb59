import { config } from '../config.ts';
import { TooManyRequests } from './problem.ts';
import type { UserRateLimit } from './user-rate-limits.ts';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed windows per rule and user: a user's first request opens a window of the rule's length,
 * and past the limit every request until it ends is refused with the seconds left. Kept in
 * memory, so it is exact for one process (the local server) and is not used on Lambda, where
 * the WAF's rate-based rules enforce the same numbers across all instances.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private sinceSweep = 0;
  private readonly limitOf: (rule: UserRateLimit) => number;
  private readonly now: () => number;

  constructor(limitOf: (rule: UserRateLimit) => number, now: () => number = Date.now) {
    this.limitOf = limitOf;
    this.now = now;
  }

  /** Counts one request of `user` against `rule`; throws {@link TooManyRequests} past the limit. */
  take(rule: UserRateLimit, user: string): void {
    const now = this.now();
    const key = `${rule.name}\u0000${user}`;
    const length = rule.windowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= length) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
      if (++this.sinceSweep >= 1000) this.sweep(now);
    }
    const limit = this.limitOf(rule);
    if (window.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + length - now) / 1000));
      throw new TooManyRequests(rule.name, limit, rule.windowSeconds, retryAfter);
    }
    window.count++;
  }

  /** Forgets ended windows, so that memory follows the users active in the last window, not all users ever seen. */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    const longest = 600_000;
    for (const [key, window] of this.windows) if (now - window.startedAt >= longest) this.windows.delete(key);
  }
}

/** The local server's limiter (the Api layer's); `undefined` on AWS, where the WAF limits. */
export const localRateLimiter: FixedWindowLimiter | undefined =
  config.RUNTIME === 'local' ? new FixedWindowLimiter((rule) => config[rule.env] ?? rule.limit) : undefined;
