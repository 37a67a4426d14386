import { TenantConcurrencyLimiter } from './tenant-concurrency.limiter';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TenantConcurrencyLimiter', () => {
  it('runs at most N per tenant, FIFO, and tenants do not share slots', async () => {
    const limiter = new TenantConcurrencyLimiter(2);
    const gates = [deferred(), deferred(), deferred()];
    const started: string[] = [];
    const run = (tenant: string, i: number, gate: Promise<void>) =>
      limiter.run(tenant, async () => {
        started.push(`${tenant}${i}`);
        await gate;
      });
    const a = [0, 1, 2].map((i) => run('a', i, gates[i].promise));
    const b = run('b', 0, Promise.resolve());
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a0', 'a1', 'b0']);
    expect(limiter.inFlight('a')).toBe(2);
    expect(limiter.queued('a')).toBe(1);
    gates[1].resolve();
    await a[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a0', 'a1', 'b0', 'a2']);
    expect(limiter.inFlight('a')).toBe(2);
    gates[0].resolve();
    gates[2].resolve();
    await Promise.all([...a, b]);
    expect(limiter.inFlight('a')).toBe(0);
    expect(limiter.queued('a')).toBe(0);
  });

  it('releases the slot when the work fails', async () => {
    const limiter = new TenantConcurrencyLimiter(1);
    await expect(limiter.run('a', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(limiter.inFlight('a')).toBe(0);
    await expect(limiter.run('a', async () => 42)).resolves.toBe(42);
  });
});
