import { TenantConfig } from '@connector/config';
import { BACKFILL_STATUS, BackfillCommandV1, BackfillStatusV1, createEnvelope, Topics } from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { FeedReaderService } from '../feeds/feed-reader.service';
import { FeedRecord } from '../feeds/feed-record.mappers';
import { dayAfter, dayBefore, FeedName } from '../feeds/feed-names';
import { ServiceTitanFeedsService } from '../feeds/servicetitan-feeds.service';

/** The feeds a backfill loads; bills bring the purchase orders they reference (by id). */
const BACKFILL_FEEDS: readonly FeedName[] = ['inventory-bills', 'invoices', 'gross-pay-items', 'jobs'];

/**
 * A backfill, executed by the tenant's owner (command `backfill` on the command topic, from `npm run backfill`):
 * 1. status `started` on `connector.backfill.v1`;
 * 2. the window's records are read from the export feeds (from the window's eve: rows modified since then) and
 *    published like the live ones (changed content only, so what the live flow already published is not repeated),
 *    tagged with the request id; the live checkpoints do not move;
 * 3. a backfill marker on every partition of `servicetitan.records.v1`: on each partition, the mapper decides the
 *    window's jobs and bills after everything published before the marker, and reports per partition;
 * 4. status `loaded` with the number of partitions (= reports to expect) and what was published.
 * Records are chosen by business date with a day's margin each side (time zones); the mapper applies the exact
 * window in the tenant's zone. Never posts twice: deterministic external references and the mapper's state.
 */
@Injectable()
export class BackfillService {
  private readonly logger = new Logger('backfill');
  private readonly statuses: CompactedTopicView<BackfillStatusV1>;

  constructor(
    views: StateViews,
    private readonly feeds: ServiceTitanFeedsService,
    private readonly reader: FeedReaderService,
  ) {
    this.statuses = views.open({
      topic: Topics.Backfill,
      name: 'backfill-status',
      filter: (e) => e.type === BACKFILL_STATUS,
      decode: (e) => e.payload as BackfillStatusV1,
    });
  }

  async run(tenant: TenantConfig, command: BackfillCommandV1): Promise<void> {
    const key = `${tenant.id}:${command.requestId}`;
    await this.statuses.ready();
    if (this.statuses.get(key)?.phase === 'loaded') {
      this.logger.log({ msg: 'backfill already loaded; command not run again', requestId: command.requestId });
      return;
    }
    await this.feeds.whenReady(tenant.id);
    const base = { requestId: command.requestId, from: command.from, to: command.to, dryRun: command.dryRun };
    await this.feeds.exclusively(tenant.id, async () => {
      try {
        await this.put(tenant.id, { ...base, phase: 'started' });
        const lo = dayBefore(command.from);
        const hi = dayAfter(command.to);
        const select = (r: FeedRecord) => {
          const day = r.businessDate?.slice(0, 10);
          return day === undefined || (day >= lo && day <= hi);
        };
        const loaded = { jobs: 0, invoices: 0, grossPayItems: 0, inventoryBills: 0, purchaseOrders: 0 };
        for (const feed of BACKFILL_FEEDS) {
          if (!this.feeds.mayAct(tenant.id)) throw new Error('this gateway stopped owning the tenant');
          const report = await this.reader.read(tenant, feed, this.feeds.store, {
            proceed: () => this.feeds.mayAct(tenant.id),
            window: { from: command.from, select, requestId: command.requestId },
          });
          if (feed === 'jobs') loaded.jobs = report.published;
          if (feed === 'invoices') loaded.invoices = report.published;
          if (feed === 'gross-pay-items') loaded.grossPayItems = report.published;
          if (feed === 'inventory-bills') loaded.inventoryBills = report.published;
        }
        if (!this.feeds.mayAct(tenant.id)) throw new Error('this gateway stopped owning the tenant');
        const partitions = await this.feeds.publishMarkers(tenant.id, { kind: 'backfill', backfill: base });
        await this.put(tenant.id, { ...base, phase: 'loaded', partitions, loaded });
        this.logger.log({ msg: 'backfill loaded', requestId: command.requestId, partitions, loaded });
      } catch (e) {
        await this.put(tenant.id, { ...base, phase: 'failed', error: (e as Error).message.slice(0, 1000) });
        throw e;
      }
    });
  }

  private async put(tenant: string, status: Omit<BackfillStatusV1, 'updatedAt'>): Promise<void> {
    await this.statuses.put(
      `${tenant}:${status.requestId}`,
      createEnvelope({
        type: BACKFILL_STATUS,
        tenant,
        source: 'poll',
        payload: { ...status, updatedAt: new Date().toISOString() },
      }),
    );
  }
}
