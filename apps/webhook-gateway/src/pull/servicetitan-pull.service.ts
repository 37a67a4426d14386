import { TenantConfig, TenantRegistry } from '@connector/config';
import {
  createEnvelope,
  recordKey,
  ST_INVENTORY_BILL_REVISION,
  ST_JOB_EVENT,
  ST_PURCHASE_ORDER_REVISION,
  ST_VENDOR_REVISION,
  Topics,
  validatePayload,
} from '@connector/contracts';
import { CheckpointStore, MessagePublisher, RecurringJobs, StateViews } from '@connector/messaging';
import { LogContext, MetricNames, MetricsService } from '@connector/observability';
import { ServiceTitanClient } from '@connector/servicetitan';
import { contentHash } from '@connector/util';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { RevisionTracker } from './revision.tracker';
import { inventoryBillContent, jobCatchUpEvent, purchaseOrderContent, vendorContent } from './pulled-record.mappers';
import { ServiceTitanClientsRegistry } from './servicetitan-clients.registry';

type Row = Record<string, unknown>;
export type PullStream = 'inventory-bills' | 'purchase-orders' | 'jobs' | 'vendors';
export const PULL_STREAMS: PullStream[] = ['vendors', 'purchase-orders', 'inventory-bills', 'jobs'];

export interface PullReport {
  tenant: string;
  stream: PullStream;
  rows: number;
  published: number;
}

/**
 * Scheduled pull per tenant: export feeds for inventory bills, purchase orders and jobs (catch-up for missed
 * webhooks), and the vendors list by modifiedOnOrAfter with active=Any (vendors have no export feed).
 * Per page: publish the changed records (acks=all), then persist the continuation token, so a restart resumes
 * where the last acknowledged page ended. Unchanged rows (the inclusive `from` boundary) publish nothing.
 * Checkpoints are a state view (readiness `view:checkpoints:gateway`); runs are scheduled by RecurringJobs and
 * start once the checkpoints are loaded.
 */
@Injectable()
export class ServiceTitanPullService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('servicetitan-pull');
  private readonly store: CheckpointStore;
  private readonly revisions: RevisionTracker;
  private readonly running = new Map<string, Promise<PullReport[]>>();
  /** Aborted when the app stops: long runs end early, a run waiting for the checkpoints gives up. */
  private readonly stopped = new AbortController();
  private readonly records;
  private readonly errors;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly publisher: MessagePublisher,
    private readonly clients: ServiceTitanClientsRegistry,
    private readonly env: WebhookGatewayEnv,
    private readonly jobs: RecurringJobs,
    views: StateViews,
    metrics: MetricsService,
  ) {
    this.store = new CheckpointStore(views, { owner: 'gateway', tenants: tenants.list().map((t) => t.id) });
    this.revisions = new RevisionTracker(this.store);
    this.records = metrics.counter(MetricNames.PullRecords, 'Records published by scheduled pulls', [
      'tenant',
      'stream',
    ]);
    this.errors = metrics.counter(MetricNames.PullErrors, 'Scheduled pull runs that failed', ['tenant', 'stream']);
  }

  onApplicationBootstrap(): void {
    if (!this.env.ST_PULL_ENABLED) return;
    for (const t of this.tenants.list().filter((x) => x.servicetitan.pull.enabled))
      this.jobs.every(
        `servicetitan-pull:${t.id}`,
        { firstAfterMs: this.env.ST_PULL_INITIAL_DELAY_MS, everyMs: t.servicetitan.pull.intervalSeconds * 1000 },
        () => this.runOnce(t.id).catch(() => undefined), // logged and counted by runOnce
      );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped.abort(new Error('the gateway is stopping'));
    await Promise.allSettled([...this.running.values()]);
  }

  /** One pull of every stream for a tenant; concurrent calls share the run in progress. */
  runOnce(tenantId: string, streams: PullStream[] = PULL_STREAMS): Promise<PullReport[]> {
    const inFlight = this.running.get(tenantId);
    if (inFlight) return inFlight;
    const tenant = this.tenants.require(tenantId);
    const run = LogContext.run({ tenant: tenantId }, async () => {
      await this.store.ready(this.stopped.signal);
      const reports: PullReport[] = [];
      for (const stream of streams) {
        try {
          reports.push(await this.pullStream(tenant, stream));
        } catch (e) {
          this.errors.inc({ tenant: tenantId, stream });
          this.logger.error({ msg: 'pull failed; will resume from the last checkpoint', stream, err: e as Error });
          throw e;
        }
      }
      return reports;
    }).finally(() => this.running.delete(tenantId));
    this.running.set(tenantId, run);
    return run;
  }

  private async pullStream(tenant: TenantConfig, stream: PullStream): Promise<PullReport> {
    const client = this.clients.forTenant(tenant);
    const report: PullReport = { tenant: tenant.id, stream, rows: 0, published: 0 };
    if (stream === 'vendors') return this.pullVendors(tenant, client, report);
    const from = this.store.get(tenant.id, `pull:${stream}`)?.position;
    const iterator =
      stream === 'inventory-bills'
        ? client.exportInventoryBills({ from })
        : stream === 'purchase-orders'
          ? client.exportPurchaseOrders({ from })
          : client.exportJobs({ from });
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const page = next.value;
      for (const row of page.data as unknown as Row[]) {
        report.rows++;
        if (await this.publishRow(tenant, client, stream, row)) report.published++;
      }
      if (page.continueFrom) await this.store.set(tenant.id, `pull:${stream}`, page.continueFrom);
      if (this.stopped.signal.aborted) break;
    }
    this.records.inc({ tenant: tenant.id, stream }, report.published);
    return report;
  }

  private async pullVendors(tenant: TenantConfig, client: ServiceTitanClient, report: PullReport): Promise<PullReport> {
    // No export feed: modifiedOnOrAfter is inclusive, so rows at the watermark repeat and are deduped by hash.
    const since = this.store.get(tenant.id, 'pull:vendors')?.position;
    let watermark = since;
    for await (const v of client.iterateVendors(
      { modifiedOnOrAfter: since, active: 'Any' },
      { pageSize: tenant.servicetitan.pull.pageSize },
    )) {
      const row = v as unknown as Row;
      report.rows++;
      if (await this.publishRow(tenant, client, 'vendors', row)) report.published++;
      const m = typeof row['modifiedOn'] === 'string' ? row['modifiedOn'] : undefined;
      if (m && (!watermark || Date.parse(m) > Date.parse(watermark))) watermark = m;
    }
    if (watermark && watermark !== since) await this.store.set(tenant.id, 'pull:vendors', watermark);
    this.records.inc({ tenant: tenant.id, stream: 'vendors' }, report.published);
    return report;
  }

  private async publishRow(
    tenant: TenantConfig,
    client: ServiceTitanClient,
    stream: PullStream,
    row: Row,
  ): Promise<boolean> {
    const id = row['id'] as number;
    const modifiedOn =
      typeof row['modifiedOn'] === 'string' ? new Date(row['modifiedOn']).toISOString() : new Date().toISOString();
    let entity: string;
    let topic: string;
    let type: string;
    let content: Record<string, unknown>;
    if (stream === 'inventory-bills') {
      [entity, topic, type, content] = [
        'bill',
        Topics.StInventoryBill,
        ST_INVENTORY_BILL_REVISION,
        inventoryBillContent(row),
      ];
    } else if (stream === 'purchase-orders') {
      [entity, topic, type, content] = [
        'purchase-order',
        Topics.StPurchaseOrder,
        ST_PURCHASE_ORDER_REVISION,
        purchaseOrderContent(row),
      ];
    } else if (stream === 'vendors') {
      [entity, topic, type, content] = ['vendor', Topics.StVendor, ST_VENDOR_REVISION, vendorContent(row)];
    } else {
      if (row['jobStatus'] !== 'Completed') return false;
      const invoiceId = row['invoiceId'];
      const invoice = typeof invoiceId === 'number' ? ((await client.getInvoicesByIds([invoiceId]))[0] ?? null) : null;
      [entity, topic, type, content] = [
        'job',
        Topics.StJob,
        ST_JOB_EVENT,
        jobCatchUpEvent(row, invoice as unknown as Row | null) as unknown as Record<string, unknown>,
      ];
      const { raw: _r, modifiedOn: _m, sourceEventId: _s, ...jobContent } = content;
      content = { ...content, __hash: contentHash(jobContent) };
    }
    const hash = (content['__hash'] as string | undefined) ?? contentHash(content);
    delete content['__hash'];
    const revision = this.revisions.next(tenant.id, entity, id, hash);
    if (revision === null) return false;
    const payload: Record<string, unknown> =
      stream === 'inventory-bills'
        ? { ...content, revision, contentHash: hash, modifiedOn, raw: row }
        : stream === 'jobs'
          ? content
          : { ...content, modifiedOn, raw: row };
    const problems = validatePayload(type, payload);
    if (problems.length) {
      // A record that cannot fit the contract is reported and skipped, not allowed to block the feed.
      this.errors.inc({ tenant: tenant.id, stream });
      this.logger.error({ msg: 'pulled record does not fit the contract; skipped', stream, id, problems });
      return false;
    }
    const correlationId = `pull:${stream}:${id}:r${revision}`;
    const envelope = createEnvelope({
      type,
      tenant: tenant.id,
      source: 'poll',
      payload,
      occurredAt: modifiedOn,
      correlationId,
    });
    await this.publisher.publish(topic, envelope, { key: recordKey(tenant.id, entity, id) });
    await this.revisions.commit(tenant.id, entity, id, revision, hash);
    return true;
  }
}
