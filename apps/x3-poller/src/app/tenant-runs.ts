import { TenantConfig, TenantRegistry } from '@connector/config';
import { RecurringJobs } from '@connector/messaging';
import { LogContext } from '@connector/observability';

/**
 * Per-tenant runs of one kind of poller work (the master-data poll, the document read-back): scheduled on each
 * tenant's poll interval with a full run every `fullEveryMs` (0: only on demand); one run per tenant at a time (a
 * second caller gets the run in flight); a stop signal that ends long runs early at shutdown.
 */
export class TenantRuns<R> {
  private readonly running = new Map<string, Promise<R>>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly name: string,
    private readonly tenants: TenantRegistry,
    private readonly work: (tenant: TenantConfig, full: boolean, signal: AbortSignal) => Promise<R>,
  ) {}

  /** Aborted when the app stops: runs check it between pages, waits for views give up. */
  get signal(): AbortSignal {
    return this.stopped.signal;
  }

  /** A recurring job per tenant whose X3 poll is enabled; failures are the work's to log, the next tick resumes. */
  schedule(jobs: RecurringJobs, timing: { firstAfterMs: number; fullEveryMs: number }): void {
    for (const t of this.tenants.list().filter((x) => x.sageX3.poll.enabled)) {
      let lastFull = 0;
      jobs.every(
        `${this.name}:${t.id}`,
        { firstAfterMs: timing.firstAfterMs, everyMs: t.sageX3.poll.intervalSeconds * 1000 },
        async () => {
          const full = timing.fullEveryMs > 0 && Date.now() - lastFull >= timing.fullEveryMs;
          await this.runOnce(t.id, full).then(
            () => full && (lastFull = Date.now()),
            () => undefined,
          );
        },
      );
    }
  }

  runOnce(tenantId: string, full: boolean): Promise<R> {
    const inFlight = this.running.get(tenantId);
    if (inFlight) return inFlight;
    const tenant = this.tenants.require(tenantId);
    const run = LogContext.run({ tenant: tenantId }, () => this.work(tenant, full, this.stopped.signal)).finally(() =>
      this.running.delete(tenantId),
    );
    this.running.set(tenantId, run);
    return run;
  }

  async stop(reason: string): Promise<void> {
    this.stopped.abort(new Error(reason));
    await Promise.allSettled([...this.running.values()]);
  }
}
