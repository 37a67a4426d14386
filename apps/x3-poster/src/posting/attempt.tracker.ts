interface AttemptState {
  count: number;
  outcomeUnknown: boolean;
  touchedAt: number;
}

const STALE_AFTER_MS = 60 * 60 * 1000;
const PRUNE_ABOVE = 10_000;

/**
 * Counts handler invocations per consumed message (topic:partition:offset), in step with the messaging layer's
 * retries, and remembers whether an attempt ended with an unknown X3 outcome. In memory: after a restart or a
 * rebalance a message starts again at attempt 1 (more attempts, never fewer lookups).
 */
export class AttemptTracker {
  private readonly states = new Map<string, AttemptState>();

  constructor(private readonly now: () => number = Date.now) {}

  begin(key: string): number {
    this.prune();
    const s = this.states.get(key) ?? { count: 0, outcomeUnknown: false, touchedAt: 0 };
    s.count++;
    s.touchedAt = this.now();
    this.states.set(key, s);
    return s.count;
  }

  markOutcomeUnknown(key: string): void {
    const s = this.states.get(key);
    if (s) s.outcomeUnknown = true;
  }

  hadOutcomeUnknown(key: string): boolean {
    return this.states.get(key)?.outcomeUnknown ?? false;
  }

  end(key: string): void {
    this.states.delete(key);
  }

  size(): number {
    return this.states.size;
  }

  /** Entries of messages that moved to another instance (rebalance) are never ended here: drop them when stale. */
  private prune(): void {
    if (this.states.size < PRUNE_ABOVE) return;
    const cutoff = this.now() - STALE_AFTER_MS;
    for (const [k, s] of this.states) if (s.touchedAt < cutoff) this.states.delete(k);
  }
}
