import { performance } from 'node:perf_hooks';
import { sleep as utilSleep } from '@connector/util';

export interface TokenBucketOptions {
  /** Sustained rate: this many requests per second (per `1000 + jitterAllowanceMs` ms, see below). */
  ratePerSecond: number;
  /** Bucket size: how many requests may go out back to back. */
  burst: number;
  /**
   * Stretches the refill period from 1000 ms to `1000 + jitterAllowanceMs`. Requests paced exactly at the limit
   * reach the server with network jitter, and one request arriving a millisecond late puts 61 into the server's
   * one-second window; the allowance absorbs jitter up to that many ms. Default 0.
   */
  jitterAllowanceMs?: number;
  /** Monotonic time in ms. Default `performance.now()`. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Token bucket in its "virtual scheduling" form (GCRA): every caller reserves the next free start slot (FIFO, no
 * polling) and sleeps once until then. With burst b and rate r, at most `b - 1 + r` requests start in any one-second
 * window (fewer with a jitter allowance). `pauseFor` holds every caller back until a server-given Retry-After
 * has passed, so one 429 slows every client that shares the bucket, not only the one that received it.
 */
export class TokenBucketRateLimiter {
  private intervalMs: number;
  private toleranceMs: number;
  private rate: number;
  private burstSize: number;
  private readonly jitterAllowanceMs: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Theoretical start time of the next request if requests were spaced exactly by intervalMs. */
  private tat: number;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private grantedCount = 0;

  constructor(options: TokenBucketOptions) {
    assertSettings(options.ratePerSecond, options.burst, options.jitterAllowanceMs ?? 0);
    this.rate = options.ratePerSecond;
    this.burstSize = Math.floor(options.burst);
    this.jitterAllowanceMs = options.jitterAllowanceMs ?? 0;
    this.clock = options.clock ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms: number) => utilSleep(ms));
    this.intervalMs = intervalFor(this.rate, this.jitterAllowanceMs);
    this.toleranceMs = (this.burstSize - 1) * this.intervalMs;
    this.tat = this.clock();
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  get burst(): number {
    return this.burstSize;
  }

  /** Requests that were given a start slot so far (observability and tests). */
  get granted(): number {
    return this.grantedCount;
  }

  /** Milliseconds the caller must wait for its slot (0 = go now); the slot is reserved either way. */
  reserve(): number {
    const now = this.clock();
    const tat = Math.max(this.tat, now, this.pausedUntil + this.toleranceMs);
    const start = Math.max(now, tat - this.toleranceMs);
    this.tat = tat + this.intervalMs;
    this.grantedCount++;
    // Rounded up: timers take whole milliseconds, and starting early would break the spacing.
    return Math.max(0, Math.ceil(start - now));
  }

  async acquire(): Promise<void> {
    for (;;) {
      const waitMs = this.reserve();
      if (waitMs > 0) await this.sleep(waitMs);
      // A slot reserved before a Retry-After pause arrived is not used: take a new one after the pause.
      if (this.clock() >= this.pausedUntil) return;
    }
  }

  /** No request starts during the next `ms` milliseconds (a 429's Retry-After). A shorter pause never shortens one. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + ms);
  }

  /** Milliseconds left of the current pause (0 = none). */
  pauseRemainingMs(): number {
    return Math.max(0, this.pausedUntil - this.clock());
  }

  /** Applies stricter settings (a lower rate or smaller burst) asked for by another client of the same bucket. */
  tighten(ratePerSecond: number, burst: number): void {
    assertSettings(ratePerSecond, burst, this.jitterAllowanceMs);
    this.rate = Math.min(this.rate, ratePerSecond);
    this.burstSize = Math.min(this.burstSize, Math.floor(burst));
    this.intervalMs = intervalFor(this.rate, this.jitterAllowanceMs);
    this.toleranceMs = (this.burstSize - 1) * this.intervalMs;
  }
}

/**
 * Spacing between two starts, rounded UP to a microsecond: 1000/60 in floating point times 60 lands just below
 * 1000, which would let a 61st request into the same second.
 */
function intervalFor(ratePerSecond: number, jitterAllowanceMs: number): number {
  return Math.ceil(((1000 + jitterAllowanceMs) * 1000) / ratePerSecond) / 1000;
}

function assertSettings(ratePerSecond: number, burst: number, jitterAllowanceMs: number): void {
  if (!(ratePerSecond > 0) || !(burst >= 1) || !(jitterAllowanceMs >= 0)) {
    throw new RangeError('TokenBucketRateLimiter: ratePerSecond must be > 0, burst >= 1, jitterAllowanceMs >= 0');
  }
}
