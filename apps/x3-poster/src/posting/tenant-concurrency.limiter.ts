/**
 * Caps concurrent X3 posting work per tenant: each customer's X3 has a small web-service pool (and licence
 * volume), and partitions are consumed concurrently. FIFO, so a busy tenant's requests keep their order of arrival.
 */
export class TenantConcurrencyLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly maxPerTenant: number) {
    if (!Number.isInteger(maxPerTenant) || maxPerTenant < 1)
      throw new RangeError('maxPerTenant must be a positive integer');
  }

  async run<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    await this.acquire(tenant);
    try {
      return await fn();
    } finally {
      this.release(tenant);
    }
  }

  inFlight(tenant: string): number {
    return this.active.get(tenant) ?? 0;
  }

  queued(tenant: string): number {
    return this.waiting.get(tenant)?.length ?? 0;
  }

  private acquire(tenant: string): Promise<void> {
    const n = this.active.get(tenant) ?? 0;
    if (n < this.maxPerTenant) {
      this.active.set(tenant, n + 1);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const queue = this.waiting.get(tenant) ?? [];
      queue.push(resolve);
      this.waiting.set(tenant, queue);
    });
  }

  private release(tenant: string): void {
    const queue = this.waiting.get(tenant);
    const next = queue?.shift();
    if (next) {
      // The slot passes straight to the next waiter: the active count stays the same.
      if (queue && queue.length === 0) this.waiting.delete(tenant);
      next();
      return;
    }
    const n = (this.active.get(tenant) ?? 1) - 1;
    if (n <= 0) this.active.delete(tenant);
    else this.active.set(tenant, n);
  }
}
