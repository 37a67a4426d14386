import { TenantConfig } from '@connector/config';
import {
  createEnvelope,
  Headers as H,
  jobKey,
  jobRecordKey,
  ServiceTitanRecordRemovedV1,
  ST_INVENTORY_BILL_REVISION,
  ST_RECORD_REMOVED,
  Topics,
  validatePayload,
} from '@connector/contracts';
import { CheckpointStore, MessagePublisher, OutgoingMessage } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { ExportIterator, ServiceTitanClient } from '@connector/servicetitan';
import { Injectable, Logger } from '@nestjs/common';
import { ServiceTitanClientsRegistry } from '../servicetitan/servicetitan-clients.registry';
import {
  FeedRecord,
  FeedRowError,
  grossPayItemFeedRecord,
  inventoryBillFeedRecord,
  invoiceFeedRecord,
  jobFeedRecord,
  purchaseOrderFeedRecord,
  vendorFeedRecord,
} from './feed-record.mappers';
import { dayBefore, FeedName } from './feed-names';
import { RevisionTracker } from './revision.tracker';

type Row = Record<string, unknown>;

export interface FeedReport {
  tenant: string;
  feed: FeedName;
  rows: number;
  published: number;
  /** Rows refused with a reason (logged, counted); the feed moved on. */
  rejected: number;
}

/** How a read is driven: the live read (checkpointed) or a backfill's window read. */
export interface ReadOptions {
  /** Stop between pages when this turns false (ownership lost, shutdown). */
  proceed: () => boolean;
  /** A backfill: read from this date, keep only records it selects, never touch the live checkpoints. */
  window?: { from: string; select: (record: FeedRecord) => boolean; requestId: string };
}

const JOB_STATUSES_OF_INTEREST = new Set(['Completed', 'Canceled']);

/**
 * Reads ServiceTitan export feeds (and the vendors list) and publishes each record whose content changed to
 * `servicetitan.records.v1`: a page's records are published together (acknowledged), then their revisions, then the
 * feed's continuation token (a restart resumes after the last acknowledged page; the repeated boundary row is
 * unchanged content and publishes nothing). A job's invoices and gross pay items go to the job's partition; a record
 * that moved to another job is retracted under its old key first. Bills that reference a purchase order not yet
 * published bring it along, read by id (≤ 50 per call).
 */
@Injectable()
export class FeedReaderService {
  private readonly logger = new Logger('servicetitan-feeds');
  private readonly records;
  private readonly errors;

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly clients: ServiceTitanClientsRegistry,
    metrics: MetricsService,
  ) {
    this.records = metrics.counter(MetricNames.PullRecords, 'Records published from the ServiceTitan feeds', [
      'tenant',
      'stream',
    ]);
    this.errors = metrics.counter(MetricNames.PullErrors, 'ServiceTitan feed reads or rows that failed', [
      'tenant',
      'stream',
    ]);
  }

  /** Reads one feed from its checkpoint (or the go-live date's eve) to its end, or a backfill window. */
  async read(tenant: TenantConfig, feed: FeedName, store: CheckpointStore, options: ReadOptions): Promise<FeedReport> {
    const client = this.clients.forTenant(tenant);
    const tracker = new RevisionTracker(store);
    const report: FeedReport = { tenant: tenant.id, feed, rows: 0, published: 0, rejected: 0 };
    if (feed === 'vendors') return this.readVendors(tenant, client, store, tracker, report, options);
    const checkpoint = `feed:${feed}`;
    const syncFrom = tenant.servicetitan.syncFrom;
    const from = options.window
      ? dayBefore(options.window.from)
      : (store.get(tenant.id, checkpoint)?.position ?? (syncFrom ? dayBefore(syncFrom) : undefined));
    if (from === undefined) throw new Error(`tenant ${tenant.id} has no servicetitan.syncFrom: feeds have no start`);
    const feedOptions = { from, includeRecentChanges: true };
    const pages: ExportIterator<unknown> =
      feed === 'jobs'
        ? client.exportJobs(feedOptions)
        : feed === 'invoices'
          ? client.exportInvoices(feedOptions)
          : feed === 'gross-pay-items'
            ? client.exportGrossPayItems(feedOptions)
            : feed === 'inventory-bills'
              ? client.exportInventoryBills(feedOptions)
              : client.exportPurchaseOrders(feedOptions);
    for (;;) {
      const next = await pages.next();
      if (next.done) break;
      const page = next.value;
      await this.publishRows(tenant, feed, client, tracker, page.data as Row[], report, options);
      if (!options.window && page.continueFrom) await store.set(tenant.id, checkpoint, page.continueFrom);
      if (!options.proceed()) break;
    }
    this.records.inc({ tenant: tenant.id, stream: feed }, report.published);
    return report;
  }

  private async readVendors(
    tenant: TenantConfig,
    client: ServiceTitanClient,
    store: CheckpointStore,
    tracker: RevisionTracker,
    report: FeedReport,
    options: ReadOptions,
  ): Promise<FeedReport> {
    // No export feed: the list by modifiedOnOrAfter (inclusive: rows at the watermark repeat, unchanged). Vendors are
    // master data, not transactions: they are read in full the first time, whatever the go-live date.
    const since = store.get(tenant.id, 'feed:vendors')?.position;
    let watermark = since;
    const pageSize = tenant.servicetitan.pull.pageSize;
    let page: Row[] = [];
    const flush = async () => {
      await this.publishRows(tenant, 'vendors', client, tracker, page, report, options);
      page = [];
    };
    for await (const v of client.iterateVendors({ modifiedOnOrAfter: since, active: 'Any' }, { pageSize })) {
      const row = v as unknown as Row;
      page.push(row);
      const m = typeof row['modifiedOn'] === 'string' ? row['modifiedOn'] : undefined;
      if (m && (!watermark || Date.parse(m) > Date.parse(watermark))) watermark = m;
      if (page.length >= pageSize) await flush();
    }
    await flush();
    if (watermark && watermark !== since) await store.set(tenant.id, 'feed:vendors', watermark);
    this.records.inc({ tenant: tenant.id, stream: 'vendors' }, report.published);
    return report;
  }

  private toRecord(tenant: string, feed: FeedName, row: Row): FeedRecord | null {
    switch (feed) {
      case 'jobs':
        return jobFeedRecord(tenant, row);
      case 'invoices':
        return invoiceFeedRecord(tenant, row);
      case 'gross-pay-items':
        return grossPayItemFeedRecord(tenant, row);
      case 'inventory-bills':
        return inventoryBillFeedRecord(tenant, row);
      case 'purchase-orders':
        return purchaseOrderFeedRecord(tenant, row);
      case 'vendors':
        return vendorFeedRecord(tenant, row);
    }
  }

  /** One page: map, keep what changed, publish (acknowledged), then remember what was published. */
  private async publishRows(
    tenant: TenantConfig,
    feed: FeedName,
    client: ServiceTitanClient,
    tracker: RevisionTracker,
    rows: Row[],
    report: FeedReport,
    options: ReadOptions,
  ): Promise<void> {
    const changed: Array<{ record: FeedRecord; revision: number }> = [];
    const outgoing: OutgoingMessage[] = [];
    const inPage = new Set<string>();
    for (const row of rows) {
      report.rows++;
      let record: FeedRecord | null;
      try {
        record = this.toRecord(tenant.id, feed, row);
      } catch (e) {
        if (!(e instanceof FeedRowError)) throw e;
        this.reject(tenant, feed, row, [e.message], report);
        continue;
      }
      if (!record || inPage.has(record.key)) continue;
      if (options.window && !options.window.select(record)) continue;
      const revision = tracker.next(tenant.id, record.entity, record.id, record.hash);
      if (revision === null) continue;
      const last = tracker.last(tenant.id, record.entity, record.id);
      // An older version than the one published (a late read across an owner hand-over): never go back.
      if (last?.modifiedOn && record.modifiedOn < last.modifiedOn) continue;
      if (record.entity === 'job' && !last && !this.jobOfInterest(record)) continue;
      const payload =
        record.type === ST_INVENTORY_BILL_REVISION
          ? { ...record.payload, revision, contentHash: record.hash }
          : { ...record.payload, contentHash: record.hash };
      const problems = validatePayload(record.type, payload);
      if (problems.length) {
        this.reject(tenant, feed, row, problems, report);
        continue;
      }
      inPage.add(record.key);
      if (last?.jobId && record.jobId !== null && last.jobId !== record.jobId)
        outgoing.push(this.removal(tenant.id, record, last.jobId, options));
      outgoing.push(this.message(tenant.id, record, payload, revision, options));
      changed.push({ record, revision });
    }
    if (feed === 'inventory-bills') await this.bringPurchaseOrders(tenant, client, tracker, changed, options);
    if (!outgoing.length) return;
    await this.publisher.publishMany(outgoing);
    await Promise.all(
      changed.map(({ record, revision }) =>
        tracker.commit(tenant.id, record.entity, record.id, revision, record.hash, {
          jobId: record.jobId,
          modifiedOn: record.modifiedOn,
        }),
      ),
    );
    report.published += changed.length;
  }

  /** Completed, canceled or deleted jobs are what the mapping needs; an open job is published once it was one. */
  private jobOfInterest(record: FeedRecord): boolean {
    const p = record.payload as { jobStatus: string; active: boolean };
    return JOB_STATUSES_OF_INTEREST.has(p.jobStatus) || !p.active;
  }

  /** Purchase orders the page's bills reference that were never published (created before the go-live): by id. */
  private async bringPurchaseOrders(
    tenant: TenantConfig,
    client: ServiceTitanClient,
    tracker: RevisionTracker,
    bills: Array<{ record: FeedRecord }>,
    options: ReadOptions,
  ): Promise<void> {
    const missing = [
      ...new Set(
        bills
          .map((b) => (b.record.payload as { purchaseOrderId?: number | null }).purchaseOrderId)
          .filter((po): po is number => typeof po === 'number' && !tracker.last(tenant.id, 'purchase-order', po)),
      ),
    ];
    if (!missing.length) return;
    const rows = (await client.getPurchaseOrdersByIds(missing)) as unknown as Row[];
    const report: FeedReport = { tenant: tenant.id, feed: 'purchase-orders', rows: 0, published: 0, rejected: 0 };
    await this.publishRows(tenant, 'purchase-orders', client, tracker, rows, report, { ...options, window: undefined });
    this.records.inc({ tenant: tenant.id, stream: 'purchase-orders' }, report.published);
  }

  private message(
    tenant: string,
    record: FeedRecord,
    payload: Record<string, unknown>,
    revision: number,
    options: ReadOptions,
  ): OutgoingMessage {
    return {
      topic: Topics.StRecords,
      envelope: createEnvelope({
        type: record.type,
        tenant,
        source: 'poll',
        payload,
        occurredAt: record.modifiedOn,
        correlationId: `feed:${record.entity}:${record.id}:r${revision}`,
      }),
      options: {
        key: record.key,
        partitionKey: record.partitionKey,
        headers: options.window ? { [H.BackfillRequest]: options.window.requestId } : undefined,
      },
    };
  }

  /** The record left its old job: a removal under the old key, on the old job's partition, before the new one. */
  private removal(tenant: string, record: FeedRecord, oldJobId: number, options: ReadOptions): OutgoingMessage {
    const payload: ServiceTitanRecordRemovedV1 = {
      entity: record.entity as ServiceTitanRecordRemovedV1['entity'],
      id: record.id,
      jobId: oldJobId,
      movedToJobId: record.jobId,
      modifiedOn: record.modifiedOn,
    };
    return {
      topic: Topics.StRecords,
      envelope: createEnvelope({
        type: ST_RECORD_REMOVED,
        tenant,
        source: 'poll',
        payload,
        occurredAt: record.modifiedOn,
        correlationId: `feed:${record.entity}:${record.id}:moved`,
      }),
      options: {
        key: jobRecordKey(tenant, oldJobId, record.entity, record.id),
        partitionKey: jobKey(tenant, oldJobId),
        headers: options.window ? { [H.BackfillRequest]: options.window.requestId } : undefined,
      },
    };
  }

  private reject(tenant: TenantConfig, feed: FeedName, row: Row, problems: string[], report: FeedReport): void {
    report.rejected++;
    this.errors.inc({ tenant: tenant.id, stream: feed });
    this.logger.error({ msg: 'ServiceTitan row refused; the feed moves on', feed, id: row['id'], problems });
  }
}
