import { TokenBucketRateLimiter } from './token-bucket.limiter';
import { VirtualTimeScheduler, busiestWindow } from './virtual-time.scheduler';

describe('TokenBucketRateLimiter', () => {
  it('lets a burst through, then spaces requests at the rate', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 50, burst: 2, clock: () => now });
    expect([limiter.reserve(), limiter.reserve()]).toEqual([0, 0]);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([20, 40, 60]);
    now = 1000; // a second later the debt is repaid and the bucket is full again
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 20]);
    expect(limiter.granted).toBe(8);
  });

  it('never starts more than burst - 1 + rate requests in any one second', () => {
    for (const [rate, burst] of [
      [60, 1],
      [50, 11],
      [20, 1],
    ] as const) {
      const limiter = new TokenBucketRateLimiter({ ratePerSecond: rate, burst, clock: () => 0 });
      const starts = Array.from({ length: 600 }, () => limiter.reserve());
      expect(busiestWindow(starts)).toBe(burst - 1 + rate);
    }
  });

  it('a jitter allowance spreads the rate over a longer period', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 60, burst: 1, jitterAllowanceMs: 25, clock: () => 0 });
    const starts = Array.from({ length: 600 }, () => limiter.reserve());
    expect(busiestWindow(starts)).toBe(59);
    // Even if every request reached the server up to 25 ms later than the one after it, 60 still fit in a second.
    expect(Math.min(...starts.slice(60).map((t, i) => t - (starts[i] as number)))).toBeGreaterThanOrEqual(1025);
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

  it('pauseFor holds every caller until the pause ends, including slots reserved before it', async () => {
    const time = new VirtualTimeScheduler();
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 10, burst: 1, clock: time.clock, sleep: time.sleep });
    const starts: number[] = [];
    const take = async () => {
      await limiter.acquire();
      starts.push(time.now);
    };
    // Slots at 0, 100 and 200 are reserved at once; the first request starts right away.
    const all = Promise.all([take(), take(), take()]);
    limiter.pauseFor(3000); // then a 429 with Retry-After: 3 arrives: the other two must wait for it
    await time.run(all);
    expect(starts[0]).toBe(0);
    expect(starts.slice(1).every((t) => t >= 3000)).toBe(true);
    expect(limiter.pauseRemainingMs()).toBe(0);
    limiter.pauseFor(0);
    limiter.pauseFor(-5);
    expect(limiter.pauseRemainingMs()).toBe(0);
  });

  it('tighten lowers the rate and burst, never raises them', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 60, burst: 5, clock: () => 0 });
    limiter.tighten(20, 10);
    expect([limiter.ratePerSecond, limiter.burst]).toEqual([20, 5]);
    limiter.tighten(40, 1);
    expect([limiter.ratePerSecond, limiter.burst]).toEqual([20, 1]);
    const starts = Array.from({ length: 100 }, () => limiter.reserve());
    expect(busiestWindow(starts)).toBe(20);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: 10, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: 10, burst: 1, jitterAllowanceMs: -1 })).toThrow(
      RangeError,
    );
  });
});
