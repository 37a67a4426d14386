import { TokenBucketRateLimiter } from './token-bucket.limiter';

describe('TokenBucketRateLimiter', () => {
  it('lets a burst through, then spaces requests at the rate', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({
      ratePerSecond: 50,
      burst: 2,
      clock: () => now,
    });
    expect([limiter.reserve(), limiter.reserve()]).toEqual([0, 0]);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([20, 40, 60]);
    now = 1000; // a second later the debt is repaid and the bucket is full again
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 20]);
  });

  it('never starts more than burst + rate requests in any one second', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({
      ratePerSecond: 50,
      burst: 1,
      clock: () => now,
    });
    const starts = Array.from({ length: 500 }, () => now + limiter.reserve());
    for (const start of starts) {
      const inWindow = starts.filter((t) => t >= start && t < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(51);
    }
    now = 0;
  });

  it('acquire sleeps for the reserved wait', async () => {
    const waits: number[] = [];
    const limiter = new TokenBucketRateLimiter({
      ratePerSecond: 10,
      burst: 1,
      clock: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    await limiter.acquire();
    await limiter.acquire();
    expect(waits).toEqual([100]);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: 10, burst: 0 })).toThrow(RangeError);
  });
});
