import { backoffDelayMs, retryAsync, sleep } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles from the initial step and stops at the cap', () => {
    const p = { initialMs: 200, maxMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, p))).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('with equal jitter waits between half the step and the full step', () => {
    const p = { initialMs: 1000, maxMs: 60_000, jitter: 'equal' as const };
    expect(backoffDelayMs(3, p, () => 0)).toBe(2000);
    expect(backoffDelayMs(3, p, () => 0.999999)).toBe(4000);
  });
});

describe('retryAsync', () => {
  const noWait = { sleep: async () => undefined };

  it('returns the first success and reports each retry with its delay', async () => {
    const seen: Array<[number, number]> = [];
    let calls = 0;
    const out = await retryAsync(
      async () => {
        if (++calls < 3) throw new Error(`boom ${calls}`);
        return 'ok';
      },
      { attempts: 5, initialMs: 10, maxMs: 100, ...noWait, onRetry: (i) => seen.push([i.attempt, i.delayMs]) },
    );
    expect(out).toBe('ok');
    expect(seen).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('throws the last error once the attempts are spent', async () => {
    let calls = 0;
    await expect(
      retryAsync(
        async () => {
          throw new Error(`failure ${++calls}`);
        },
        { attempts: 3, initialMs: 1, maxMs: 1, ...noWait },
      ),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
  });

  it('does not retry what shouldRetry refuses, and honours a server-given delay', async () => {
    const delays: number[] = [];
    let calls = 0;
    await expect(
      retryAsync(
        async () => {
          calls++;
          throw Object.assign(new Error(calls === 1 ? 'slow down' : 'bad request'), { retryAfter: 7000 });
        },
        {
          attempts: 5,
          initialMs: 1,
          maxMs: 1,
          shouldRetry: (e) => (e as Error).message === 'slow down',
          delayOverrideMs: (e) => (e as { retryAfter: number }).retryAfter,
          sleep: async (ms) => void delays.push(ms),
        },
      ),
    ).rejects.toThrow('bad request');
    expect(delays).toEqual([7000]);
  });
});

describe('sleep', () => {
  it('rejects early with the abort reason', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort(new Error('stopping'));
    await expect(p).rejects.toThrow('stopping');
  });
});
