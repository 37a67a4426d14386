import { TenantConfig, TenantRegistry } from '@connector/config';
import { createEnvelope, ServiceTitanRecordsMarkerV1, ST_RECORDS_MARKER, Topics } from '@connector/contracts';
import { CheckpointStore, ConsumerGroupAdmin, MessagePublisher, RecurringJobs, StateViews } from '@connector/messaging';
import { LogContext } from '@connector/observability';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { ServiceTitanOwnership } from '../owner/servicetitan-ownership';
import { WriteBackService } from '../write-back/write-back.service';
import { FeedReaderService, FeedReport } from './feed-reader.service';
import { FEEDS, FeedName, inFeedOrder, JOB_FEEDS } from './feed-names';
import { dueFeeds, emptySchedule, FeedSchedule } from './trigger-schedule';

/** How long runOnce() waits for this replica to own the tenant (tests, operator runs). */
const RUN_ONCE_OWNERSHIP_TIMEOUT_MS = 120_000;

/**
 * The owner's ServiceTitan work per tenant, one thing at a time: scheduled feed reads (every tenant
 * `pull.intervalSeconds`), reads that webhook triggers ask for (batched, see trigger-schedule.ts), write-back batches
 * and backfills. Every tenant is checked every ST_TICK_MS (RecurringJobs); a replica acts only for the tenants it
 * owns (ServiceTitanOwnership) and stops between pages when it loses one. After reading the job feeds of a tenant
 * that lets labor settle, a watermark marker goes to every partition of the records topic so the mapper looks at its
 * held jobs again.
 */
@Injectable()
export class ServiceTitanFeedsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('servicetitan-owner');
  readonly store: CheckpointStore;
  private readonly schedules = new Map<string, Map<FeedName, FeedSchedule>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly startedAt = Date.now();
  private readonly stopped = new AbortController();
  private recordPartitions: number | null = null;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly reader: FeedReaderService,
    private readonly publisher: MessagePublisher,
    private readonly admin: ConsumerGroupAdmin,
    private readonly ownership: ServiceTitanOwnership,
    private readonly writeBack: WriteBackService,
    private readonly env: WebhookGatewayEnv,
    private readonly jobs: RecurringJobs,
    views: StateViews,
  ) {
    this.store = new CheckpointStore(views, { owner: 'gateway', tenants: tenants.list().map((t) => t.id) });
    // Triggers are kept across ownership changes (a rebalance often gives the tenant back to the same replica): at
    // worst a replica that owns the tenant again reads a feed once more, from its checkpoint.
  }

  onApplicationBootstrap(): void {
    for (const t of this.tenants.list())
      this.jobs.every(
        `servicetitan-owner:${t.id}`,
        {
          firstAfterMs: Math.min(this.env.ST_PULL_INITIAL_DELAY_MS, this.env.ST_TICK_MS),
          everyMs: this.env.ST_TICK_MS,
        },
        () => this.tick(t.id),
      );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped.abort(new Error('the gateway is stopping'));
    await Promise.allSettled([...this.queues.values()]);
  }

  /** True while this replica may call ServiceTitan for the tenant. */
  mayAct(tenant: string): boolean {
    return !this.stopped.signal.aborted && this.ownership.isOwner(tenant);
  }

  /** A webhook announced a change of `entity` in these feeds: read them soon (batched). */
  trigger(tenant: string, feeds: readonly FeedName[], entity: string): void {
    const now = Date.now();
    const schedules = this.schedulesOf(tenant);
    for (const feed of feeds) {
      const s = schedules.get(feed) as FeedSchedule;
      s.pending.add(entity);
      s.pendingSince ??= now;
    }
  }

  /** Runs `work` for the tenant after everything queued before it: one ServiceTitan conversation per tenant. */
  exclusively<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    const before = this.queues.get(tenant) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(() => LogContext.run({ tenant }, work));
    const tail = run.catch(() => undefined);
    this.queues.set(tenant, tail);
    void tail.then(() => {
      if (this.queues.get(tenant) === tail) this.queues.delete(tenant);
    });
    return run;
  }

  /** Waits until this replica owns the tenant and its checkpoints are loaded. */
  async whenReady(tenant: string, timeoutMs = RUN_ONCE_OWNERSHIP_TIMEOUT_MS): Promise<void> {
    await this.store.ready(this.stopped.signal);
    await this.ownership.whenOwner(tenant, timeoutMs, this.stopped.signal);
  }

  /** Reads the given feeds now (operator runs and tests), as the tenant's owner. */
  async runOnce(tenantId: string, feeds: readonly FeedName[] = FEEDS): Promise<FeedReport[]> {
    const tenant = this.tenants.require(tenantId);
    await this.whenReady(tenantId);
    return this.exclusively(tenantId, () => this.readFeeds(tenant, inFeedOrder(feeds)));
  }

  /** Partitions of the records topic (markers go to each). */
  async recordsPartitions(): Promise<number> {
    this.recordPartitions ??= await this.admin.partitionCount(Topics.StRecords);
    return this.recordPartitions;
  }

  /** A marker on every partition of the records topic, after what was published there before it. */
  async publishMarkers(tenant: string, marker: Omit<ServiceTitanRecordsMarkerV1, 'partition' | 'at'>): Promise<number> {
    const partitions = await this.recordsPartitions();
    const at = new Date().toISOString();
    const suffix = marker.kind === 'backfill' ? `backfill:${marker.backfill?.requestId ?? ''}` : 'watermark';
    await this.publisher.publishMany(
      Array.from({ length: partitions }, (_, partition) => ({
        topic: Topics.StRecords,
        envelope: createEnvelope({
          type: ST_RECORDS_MARKER,
          tenant,
          source: 'poll',
          payload: { ...marker, partition, at },
        }),
        options: { key: `${tenant}:marker:${suffix}:p${partition}`, partition },
      })),
    );
    return partitions;
  }

  private schedulesOf(tenant: string): Map<FeedName, FeedSchedule> {
    let s = this.schedules.get(tenant);
    if (!s) {
      s = new Map(FEEDS.map((f) => [f, emptySchedule()]));
      this.schedules.set(tenant, s);
    }
    return s;
  }

  private async tick(tenantId: string): Promise<void> {
    const tenant = this.tenants.get(tenantId);
    if (!tenant || !this.mayAct(tenantId) || !this.store.isReady()) return;
    // A tick that finds the tenant busy (a backfill, a long read) waits its turn rather than piling up.
    if (this.queues.has(tenantId)) return;
    await this.exclusively(tenantId, async () => {
      if (tenant.servicetitan.pull.enabled) {
        const due = dueFeeds(this.schedulesOf(tenantId), Date.now(), {
          everyMs: this.env.ST_PULL_ENABLED ? tenant.servicetitan.pull.intervalSeconds * 1000 : null,
          firstAt: this.startedAt + this.env.ST_PULL_INITIAL_DELAY_MS,
          batch: this.env.ST_TRIGGER_BATCH,
          maxDelayMs: this.env.ST_TRIGGER_MAX_DELAY_MS,
        });
        if (due.length) await this.readFeeds(tenant, due);
      }
      await this.writeBack.sendDue(tenant, () => this.mayAct(tenantId));
    });
  }

  /** Reads feeds in order; triggers that arrive meanwhile stay pending for the next read. */
  private async readFeeds(tenant: TenantConfig, feeds: FeedName[]): Promise<FeedReport[]> {
    const schedules = this.schedulesOf(tenant.id);
    const reports: FeedReport[] = [];
    let readJobFeeds = false;
    for (const feed of feeds) {
      if (!this.mayAct(tenant.id)) break;
      const s = schedules.get(feed) as FeedSchedule;
      const announced = s.pending;
      s.pending = new Set();
      s.pendingSince = null;
      try {
        reports.push(await this.reader.read(tenant, feed, this.store, { proceed: () => this.mayAct(tenant.id) }));
        s.lastReadAt = Date.now();
        readJobFeeds ||= JOB_FEEDS.includes(feed);
      } catch (e) {
        // What was announced is read again with the next read of this feed (which starts at its checkpoint).
        for (const entity of announced) s.pending.add(entity);
        s.pendingSince ??= Date.now();
        s.lastReadAt = Date.now();
        this.logger.error({ msg: 'feed read failed; resuming from its checkpoint next time', feed, err: e as Error });
        if (feeds.length === 1) throw e;
      }
    }
    if (readJobFeeds && tenant.servicetitan.labor.settleMinutes > 0 && this.mayAct(tenant.id))
      await this.publishMarkers(tenant.id, { kind: 'watermark', backfill: null });
    return reports;
  }
}
