export type FaultSurface = 'api1' | 'graphql' | 'token';

export type FaultKind =
  /** HTTP 500 without any diagnosis (a crash): nothing applied. */
  | 'http-500'
  /** HTTP 500 with $diagnoses "No Web services accepted" (api1) / gateway body (GraphQL). */
  | 'pool-exhausted'
  /**
   * An answer with one diagnosis and nothing applied: `status` (default 500), `severity` (default 'error'),
   * `message`. HTTP 500 + 'error' is a business rejection answered as a server error; 500/503 + 'transient' a
   * temporary refusal.
   */
  | 'diagnosis'
  /** Delay (wall-clock) before handling. */
  | 'latency'
  /** Close the connection before handling (nothing applied). */
  | 'destroy-before'
  /** Handle the request (a create is committed), then destroy the connection without answering. */
  | 'commit-then-destroy'
  /** Handle the request, then hold the answer for delayMs (past the client's timeout). */
  | 'commit-then-delay';

export interface FaultMatch {
  surface?: FaultSurface;
  method?: string;
  folder?: string;
  className?: string;
}

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it affects. Default 1; Infinity for "until cleared". */
  count?: number;
  match?: FaultMatch;
  /** For latency and commit-then-delay. */
  delayMs?: number;
  /** For 'diagnosis'. */
  status?: number;
  severity?: 'info' | 'warning' | 'transient' | 'error' | 'fatal';
  message?: string;
}

export interface RequestFacts {
  surface: FaultSurface;
  method: string;
  folder?: string;
  className?: string;
}

interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

const PRE: FaultKind[] = ['http-500', 'pool-exhausted', 'diagnosis', 'destroy-before'];
const POST: FaultKind[] = ['commit-then-destroy', 'commit-then-delay'];

/** Queue of injected faults; each matching request consumes one unit. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  injectedCount = 0;

  add(spec: FaultSpec): number {
    const id = this.nextId++;
    const count = spec.count ?? 1;
    if (!(count > 0)) throw new RangeError('fault count must be > 0');
    this.faults.push({ ...spec, id, remaining: count });
    return id;
  }

  remove(id: number): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map(({ kind, remaining, match, delayMs, status, severity, message }) => ({
      kind,
      count: remaining,
      match,
      delayMs,
      status,
      severity,
      message,
    }));
  }

  takeLatency(facts: RequestFacts): number {
    const f = this.take(facts, ['latency']);
    return f?.delayMs ?? 0;
  }

  takePre(facts: RequestFacts): FaultSpec | undefined {
    return this.take(facts, PRE);
  }

  takePost(facts: RequestFacts): FaultSpec | undefined {
    return this.take(facts, POST);
  }

  private take(facts: RequestFacts, kinds: FaultKind[]): FaultSpec | undefined {
    const fault = this.faults.find((f) => kinds.includes(f.kind) && matches(f, facts));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    this.injectedCount++;
    return fault;
  }
}

function matches(fault: ActiveFault, facts: RequestFacts): boolean {
  const m = fault.match ?? {};
  // By default faults hit the data surfaces, not the token endpoint; post-commit faults only hit writes.
  if (m.surface ? m.surface !== facts.surface : facts.surface === 'token') return false;
  const method = m.method ?? (POST.includes(fault.kind) ? 'POST' : undefined);
  if (method && method.toUpperCase() !== facts.method.toUpperCase()) return false;
  if (m.folder && m.folder !== facts.folder) return false;
  if (m.className && m.className !== facts.className) return false;
  return true;
}
