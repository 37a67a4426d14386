/**
 * Remembers (tenant, event id) pairs already acknowledged by Kafka so ServiceTitan's re-deliveries (10, 30,
 * 60, 300 s) are answered 2xx without producing twice. Concurrent deliveries of one event share one publish.
 * Bounded in size and time; downstream consumers also dedupe on sourceEventId, which covers a gateway restart.
 */
export class EventDedupeCache {
  private readonly done = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `publish` once per key; returns 'published' or 'duplicate'. A failed publish is not remembered. */
  async once(key: string, publish: () => Promise<void>): Promise<'published' | 'duplicate'> {
    const seenAt = this.done.get(key);
    if (seenAt !== undefined && this.now() - seenAt < this.ttlMs) return 'duplicate';
    const inFlight = this.pending.get(key);
    if (inFlight) {
      await inFlight;
      return 'duplicate';
    }
    const p = publish();
    this.pending.set(key, p);
    try {
      await p;
      this.remember(key);
      return 'published';
    } finally {
      this.pending.delete(key);
    }
  }

  private remember(key: string): void {
    this.done.delete(key);
    this.done.set(key, this.now());
    if (this.done.size > this.maxEntries) {
      // Map keeps insertion order: drop the oldest.
      const oldest = this.done.keys().next().value;
      if (oldest !== undefined) this.done.delete(oldest);
    }
  }

  get size(): number {
    return this.done.size;
  }
}
