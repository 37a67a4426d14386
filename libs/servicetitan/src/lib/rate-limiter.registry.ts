import { createHash } from 'node:crypto';
import { TokenBucketRateLimiter } from './token-bucket.limiter';

export interface RateLimiterRegistryOptions {
  /** Monotonic time in ms for every bucket of this registry. Default `performance.now()`. */
  clock?: () => number;
  /** How buckets wait for a slot. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BucketSettings {
  ratePerSecond: number;
  burst: number;
  jitterAllowanceMs: number;
}

/**
 * One token bucket per (ServiceTitan app key, ServiceTitan tenant): ServiceTitan counts its 60 requests/s per
 * application and tenant, whatever the number of tokens, connections or client objects. Every client of the process
 * takes its bucket from here (`ServiceTitanRateLimiterRegistry.shared` unless a test injects its own), so several
 * clients of one pair share one budget. Buckets are keyed by a hash of the app key, so the key itself is not held
 * in a map key that might end up in a dump.
 */
export class ServiceTitanRateLimiterRegistry {
  /** The process-wide registry. */
  static readonly shared = new ServiceTitanRateLimiterRegistry();

  private readonly buckets = new Map<string, TokenBucketRateLimiter>();

  constructor(private readonly options: RateLimiterRegistryOptions = {}) {}

  /**
   * The bucket of the pair, created with `settings` on first use. A later client asking for a lower rate or a
   * smaller burst tightens the shared bucket (the strictest setting wins; a bucket is never loosened).
   */
  limiterFor(appKey: string, tenantId: number, settings: BucketSettings): TokenBucketRateLimiter {
    const key = ServiceTitanRateLimiterRegistry.keyOf(appKey, tenantId);
    const existing = this.buckets.get(key);
    if (existing) {
      existing.tighten(settings.ratePerSecond, settings.burst);
      return existing;
    }
    const created = new TokenBucketRateLimiter({ ...settings, clock: this.options.clock, sleep: this.options.sleep });
    this.buckets.set(key, created);
    return created;
  }

  /** Number of (app key, tenant) pairs with a bucket. */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets every bucket (tests). */
  clear(): void {
    this.buckets.clear();
  }

  static keyOf(appKey: string, tenantId: number): string {
    return `${createHash('sha256').update(appKey).digest('hex').slice(0, 16)}:${tenantId}`;
  }
}
