/**
 * Virtual time for tests of code that paces itself (rate limiters, retry waits): `clock` and `sleep` go into the
 * code under test, and `run(promise)` drives it: it lets every runnable task finish, then jumps straight to the
 * earliest pending sleep instead of waiting for it. A test of "never more than 60 requests in any second" then
 * takes milliseconds and does not depend on the machine's speed.
 */
export class VirtualTimeScheduler {
  private current: number;
  private seq = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  readonly clock = (): number => this.current;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve });
    });

  get now(): number {
    return this.current;
  }

  /** Sleeps that have not fired yet. */
  get pending(): number {
    return this.timers.length;
  }

  /** Drives virtual time until `promise` settles, then returns (or throws) its outcome. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      // A macrotask turn: every microtask (and pending I/O callback) queued so far has run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled) return promise;
      const next = this.takeEarliest();
      if (next) {
        this.current = Math.max(this.current, next.at);
        next.resolve();
      } else {
        // Nothing sleeps in virtual time: the code waits for real I/O (e.g. a socket); give it real time.
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
      }
    }
  }

  private takeEarliest(): { at: number; resolve: () => void } | undefined {
    if (this.timers.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.timers.length; i++) {
      const a = this.timers[i] as { at: number; seq: number };
      const b = this.timers[best] as { at: number; seq: number };
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
    }
    return this.timers.splice(best, 1)[0];
  }
}

/** Most of `times` (ms) that fall inside any half-open window [t, t + windowMs): a rate limit's "busiest second". */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}
