/** Which requests a fault applies to: a path prefix (e.g. `/accounting/`, `/connect/token`), default all API calls. */
export interface FaultScope {
  pathPrefix?: string;
}

export interface FailFault extends FaultScope {
  /** HTTP status to answer. Default 500. */
  status?: number;
  /** Retry-After header value (seconds or an HTTP date), e.g. for a 429. */
  retryAfter?: string | number;
  /** RFC 7807 title. */
  title?: string;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'fail'; status: number; retryAfter?: string; title?: string }
  | { kind: 'drop' };

interface Queued<T> {
  remaining: number;
  scope: FaultScope;
  detail: T;
}

/**
 * Scripted failures for tests: "the next N matching responses are 500 (or 429 with Retry-After)", "drop the next
 * N connections", "add latency". Queued faults are consumed first-in first-out by matching requests.
 */
export class FaultInjector {
  private fails: Queued<FailFault>[] = [];
  private drops: Queued<null>[] = [];
  private latency: { ms: number; scope: FaultScope } | undefined;

  /** The next `count` matching requests get `status` (default 500) with an RFC 7807 body. */
  failNext(count: number, fault: FailFault = {}): void {
    assertCount(count);
    this.fails.push({
      remaining: count,
      scope: { pathPrefix: fault.pathPrefix },
      detail: fault,
    });
  }

  /** The next `count` matching requests have their connection destroyed without a response. */
  dropNext(count: number, scope: FaultScope = {}): void {
    assertCount(count);
    this.drops.push({ remaining: count, scope, detail: null });
  }

  /** Every matching request waits `ms` before being handled (0 clears). */
  setLatency(ms: number, scope: FaultScope = {}): void {
    if (!(ms >= 0)) throw new RangeError('latency must be >= 0');
    this.latency = ms > 0 ? { ms, scope } : undefined;
  }

  reset(): void {
    this.fails = [];
    this.drops = [];
    this.latency = undefined;
  }

  latencyFor(path: string, isApi: boolean): number {
    return this.latency && matches(this.latency.scope, path, isApi) ? this.latency.ms : 0;
  }

  /** Consumes and returns the fault for this request, if any (drops take precedence). */
  take(path: string, isApi: boolean): FaultDecision {
    const drop = this.drops.find((q) => matches(q.scope, path, isApi));
    if (drop) {
      consume(this.drops, drop);
      return { kind: 'drop' };
    }
    const fail = this.fails.find((q) => matches(q.scope, path, isApi));
    if (fail) {
      consume(this.fails, fail);
      const retryAfter = fail.detail.retryAfter === undefined ? undefined : String(fail.detail.retryAfter);
      return {
        kind: 'fail',
        status: fail.detail.status ?? 500,
        retryAfter,
        title: fail.detail.title,
      };
    }
    return { kind: 'none' };
  }

  pending(): { fails: number; drops: number; latencyMs: number } {
    return {
      fails: this.fails.reduce((n, q) => n + q.remaining, 0),
      drops: this.drops.reduce((n, q) => n + q.remaining, 0),
      latencyMs: this.latency?.ms ?? 0,
    };
  }
}

function matches(scope: FaultScope, path: string, isApi: boolean): boolean {
  return scope.pathPrefix === undefined ? isApi : path.startsWith(scope.pathPrefix);
}

function consume<T>(queue: Queued<T>[], entry: Queued<T>): void {
  entry.remaining--;
  if (entry.remaining <= 0) queue.splice(queue.indexOf(entry), 1);
}

function assertCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
}
