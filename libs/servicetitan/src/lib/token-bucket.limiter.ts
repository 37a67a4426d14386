import { realSleep } from './servicetitan.config';

export interface TokenBucketOptions {
  /** Sustained rate (tokens added per second). */
  ratePerSecond: number;
  /** Bucket size: how many requests may go out back to back. */
  burst: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Per-tenant token bucket. Callers reserve a token up front (the balance may go negative) and then sleep once for
 * their turn, which keeps FIFO order and avoids polling loops. In any one-second window at most `burst +
 * ratePerSecond` requests start, so the defaults (1 + 50) stay under ServiceTitan's 60/s with room for jitter.
 */
export class TokenBucketRateLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError('TokenBucketRateLimiter: ratePerSecond must be > 0 and burst >= 1');
    }
    this.rate = options.ratePerSecond;
    this.burst = options.burst;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = options.burst;
    this.last = this.clock();
  }

  /** Milliseconds the caller must wait for its token (0 = go now); the token is reserved either way. */
  reserve(): number {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }

  async acquire(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.sleep(waitMs);
  }
}
