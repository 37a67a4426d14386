import { EventDedupeCache } from './event-dedupe.cache';

describe('event dedupe cache', () => {
  it('publishes once per key, shares concurrent deliveries, and forgets failures', async () => {
    let now = 0;
    const cache = new EventDedupeCache(1000, 10, () => now);
    let calls = 0;
    const slow = () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          calls++;
          r();
        }, 10),
      );
    const results = await Promise.all([cache.once('a', slow), cache.once('a', slow), cache.once('a', slow)]);
    expect(results.sort()).toEqual(['duplicate', 'duplicate', 'published']);
    expect(calls).toBe(1);
    await expect(
      cache.once('b', async () => {
        throw new Error('kafka down');
      }),
    ).rejects.toThrow('kafka down');
    expect(await cache.once('b', async () => undefined)).toBe('published');
    now = 1001;
    expect(await cache.once('a', async () => undefined)).toBe('published');
  });
  it('is bounded', async () => {
    const cache = new EventDedupeCache(60000, 3);
    for (const k of ['a', 'b', 'c', 'd']) await cache.once(k, async () => undefined);
    expect(cache.size).toBe(3);
    expect(await cache.once('a', async () => undefined)).toBe('published');
    expect(await cache.once('d', async () => undefined)).toBe('duplicate');
  });
});
