import { createHash } from 'node:crypto';

/** Load figures of one (app key, tenant) pair: what ServiceTitan's 60 requests/s limit counts. */
export interface PairStats {
  tenantId: number;
  /** The app key shortened to its first characters (never the whole key in an admin answer). */
  appKey: string;
  /** Requests that reached the rate limiter (authenticated), answered or refused. */
  requests: number;
  /** Most requests that arrived within any one-second window. */
  busiestSecond: number;
  /** 429 answers given by the rate limit. */
  rateLimited: number;
}

export interface SimulatorStats {
  /** Requests per route name (`jobs.export`, `vendors.create`, `token`, …), whatever their outcome. */
  calls: Record<string, number>;
  pairs: PairStats[];
  /** Highest busiestSecond over all pairs. */
  busiestSecond: number;
  /** Every 429 answered (rate limit and injected faults). */
  responses429: number;
  /** 429s of the rate limit only. */
  rateLimited: number;
  /** Write requests received (POST/PATCH on the API, any outcome). */
  writes: number;
}

interface PairState {
  tenantId: number;
  appKey: string;
  requests: number;
  busiest: number;
  rateLimited: number;
  /** Arrival times within the last second (ascending); `head` is the first still inside the window. */
  window: number[];
  head: number;
}

/** Counts what tests and benchmarks ask of the simulator: per-route calls, busiest second per pair, 429s. */
export class SimulatorStatsRecorder {
  private readonly pairs = new Map<string, PairState>();
  private responses429 = 0;
  private writes = 0;

  constructor(private readonly clock: () => number) {}

  /** A request of the pair reached the rate limiter (now). */
  arrival(tenantId: number, appKey: string): void {
    const pair = this.pair(tenantId, appKey);
    const now = this.clock();
    pair.requests++;
    pair.window.push(now);
    while ((pair.window[pair.head] as number) <= now - 1000) pair.head++;
    if (pair.head > 1024) {
      pair.window = pair.window.slice(pair.head);
      pair.head = 0;
    }
    pair.busiest = Math.max(pair.busiest, pair.window.length - pair.head);
  }

  rateLimited(tenantId: number, appKey: string): void {
    this.pair(tenantId, appKey).rateLimited++;
  }

  answered429(): void {
    this.responses429++;
  }

  write(): void {
    this.writes++;
  }

  snapshot(calls: Record<string, number>): SimulatorStats {
    const pairs = [...this.pairs.values()].map((p) => ({
      tenantId: p.tenantId,
      appKey: p.appKey,
      requests: p.requests,
      busiestSecond: p.busiest,
      rateLimited: p.rateLimited,
    }));
    return {
      calls,
      pairs,
      busiestSecond: Math.max(0, ...pairs.map((p) => p.busiestSecond)),
      responses429: this.responses429,
      rateLimited: pairs.reduce((n, p) => n + p.rateLimited, 0),
      writes: this.writes,
    };
  }

  reset(): void {
    this.pairs.clear();
    this.responses429 = 0;
    this.writes = 0;
  }

  private pair(tenantId: number, appKey: string): PairState {
    const key = `${tenantId}|${createHash('sha256').update(appKey).digest('hex')}`;
    let pair = this.pairs.get(key);
    if (!pair) {
      pair = { tenantId, appKey: maskKey(appKey), requests: 0, busiest: 0, rateLimited: 0, window: [], head: 0 };
      this.pairs.set(key, pair);
    }
    return pair;
  }
}

function maskKey(appKey: string): string {
  return appKey.length <= 8 ? '…' : `${appKey.slice(0, 8)}…`;
}
