import { Global, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';

export interface RecurringTiming {
  /** Delay before the first run (ms). */
  firstAfterMs: number;
  /** Interval between run starts (ms). */
  everyMs: number;
}

/**
 * The one scheduler of the connector's periodic work (the gateway's ServiceTitan pull, the poller's X3 poll), on
 * @nestjs/schedule: a job runs first after `firstAfterMs`, then every `everyMs`; a tick that finds the previous run
 * still going is skipped, so one job never runs twice at once. At shutdown nothing new starts and the runs in
 * flight are awaited.
 */
@Injectable()
export class RecurringJobs implements OnModuleDestroy {
  private readonly logger = new Logger('recurring-jobs');
  private readonly running = new Map<string, Promise<void>>();
  private readonly names = new Set<string>();
  private stopping = false;

  constructor(private readonly registry: SchedulerRegistry) {}

  every(name: string, timing: RecurringTiming, job: () => Promise<unknown>): void {
    if (this.names.has(name)) throw new Error(`recurring job ${name} is scheduled twice`);
    this.names.add(name);
    const tick = () => {
      if (this.stopping || this.running.has(name)) return;
      const run = job()
        .then(() => undefined)
        .catch((e: unknown) =>
          this.logger.error({ msg: 'recurring job failed; it runs again at the next tick', name, err: e as Error }),
        )
        .finally(() => this.running.delete(name));
      this.running.set(name, run);
    };
    const first = setTimeout(() => {
      this.registry.deleteTimeout(`${name}:first`);
      if (this.stopping) return;
      this.registry.addInterval(name, setInterval(tick, timing.everyMs));
      tick();
    }, timing.firstAfterMs);
    this.registry.addTimeout(`${name}:first`, first);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const name of this.names) {
      if (this.registry.doesExist('timeout', `${name}:first`)) this.registry.deleteTimeout(`${name}:first`);
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
    await Promise.allSettled([...this.running.values()]);
  }
}

/** @nestjs/schedule and RecurringJobs, for every app (part of connectorAppImports). */
@Global()
@Module({ imports: [ScheduleModule.forRoot()], providers: [RecurringJobs], exports: [RecurringJobs] })
export class RecurringJobsModule {}
