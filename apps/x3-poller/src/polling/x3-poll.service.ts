import { TenantConfig, TenantRegistry } from '@connector/config';
import {
  createEnvelope,
  DOCUMENT_STATUS,
  DocumentStatusV1,
  MessageEnvelope,
  recordKey,
  Topics,
  validatePayload,
} from '@connector/contracts';
import { CheckpointStore, CompactedTopicView, RecurringJobs, StateViews } from '@connector/messaging';
import { LogContext, MetricNames, MetricsService } from '@connector/observability';
import { isTransientX3Error, SageX3Client, X3EntityConfig, X3EntityName, x3Decimal } from '@connector/sage-x3';
import { SageX3ClientsRegistry, X3FieldVerification } from '@connector/sage-x3-runtime';
import { contentHash, retryAsync, sleep } from '@connector/util';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { X3PollerEnv } from '../app/x3-poller.env';
import { MASTER_KINDS, MasterKind, updateStamp } from './master-data.mappers';
import { PostedDocumentsIndex } from './posted-documents.index';

type X3Row = Record<string, unknown>;

export interface PollReport {
  tenant: string;
  stream: string;
  rows: number;
  published: number;
  deleted: number;
  /** Why the stream failed this run (after its retries); the other streams ran regardless. */
  error?: string;
}

/** What the poller remembers of a published state: its content (without stamp and raw row) and its hash. */
interface PublishedState {
  content: Record<string, unknown>;
  hash: string;
}

function publishedState(envelope: MessageEnvelope<unknown>): PublishedState {
  const { updatedAt: _u, raw: _r, ...content } = envelope.payload as Record<string, unknown>;
  return { content, hash: contentHash(content) };
}

/** The document number X3 gave (NUM, else the last key field). */
function documentNumber(row: X3Row, cfg: X3EntityConfig): string {
  return String(row['NUM'] ?? row[cfg.keyFields[cfg.keyFields.length - 1]] ?? '');
}

/** The row's values of the entity's lookup fields (what the poster recorded them by). */
function lookupOf(row: X3Row, cfg: X3EntityConfig): Record<string, string> {
  return Object.fromEntries(cfg.lookupFields.map((f) => [f, String(row[f] ?? '')]));
}

const DOCUMENT_KINDS: Array<{ kind: 'journal-entry' | 'supplier-invoice'; entity: X3EntityName }> = [
  { kind: 'journal-entry', entity: 'journalEntry' },
  { kind: 'supplier-invoice', entity: 'purchaseInvoice' },
];

/**
 * Polls Sage X3 (no webhooks there) on update stamps, per tenant: GL accounts, cost centers, suppliers, products and
 * purchase orders to the compacted master-data topics, and the status of documents the connector posted.
 * The watermark (max stamp seen) is persisted on the checkpoint topic; each poll re-reads a lookback window before it
 * (the `ge` boundary is inclusive and late commits exist) and skips rows whose content equals what the compacted
 * topic already holds — state views of those topics (and of the checkpoints), read at start and kept current. A full
 * resync also publishes deletions (codes known on the topic but gone from X3). Runs are scheduled by RecurringJobs
 * and start once the views are loaded.
 *
 * Streams are independent: one that fails (after X3_POLL_STREAM_ATTEMPTS tries of a transient failure) is counted
 * (`connector_pull_errors_total{tenant,stream}`), logged and reported, and the others still run; the next run resumes
 * it from its watermark. A stream whose entity the field check refused is skipped the same way. Field codes come from
 * the tenant's configuration (sageX3.classes, docs/sage-x3.md).
 */
@Injectable()
export class X3PollService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('x3-poll');
  private readonly store: CheckpointStore;
  /** Per state topic: the latest published state per key, this deployment's tenants only. */
  private readonly published = new Map<string, CompactedTopicView<PublishedState>>();
  private readonly running = new Map<string, Promise<PollReport[]>>();
  /** Aborted when the app stops: long runs end early, a run waiting for the views gives up. */
  private readonly stopped = new AbortController();
  private readonly records;
  private readonly errors;

  private readonly postedDocuments: PostedDocumentsIndex;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly clients: SageX3ClientsRegistry,
    private readonly fields: X3FieldVerification,
    private readonly env: X3PollerEnv,
    private readonly jobs: RecurringJobs,
    views: StateViews,
    metrics: MetricsService,
  ) {
    const ids = new Set(tenants.list().map((t) => t.id));
    this.postedDocuments = new PostedDocumentsIndex(views, ids);
    this.store = new CheckpointStore(views, { owner: 'x3-poller', tenants: [...ids] });
    for (const topic of [...MASTER_KINDS.map((k) => k.topic), Topics.DocumentStatus])
      this.published.set(
        topic,
        views.open({
          topic,
          name: `published:${topic}`,
          filter: (env) => ids.has(env.tenant),
          decode: publishedState,
        }),
      );
    this.records = metrics.counter(MetricNames.PullRecords, 'Records published by scheduled pulls', [
      'tenant',
      'stream',
    ]);
    this.errors = metrics.counter(MetricNames.PullErrors, 'Scheduled pull runs that failed', ['tenant', 'stream']);
  }

  onApplicationBootstrap(): void {
    if (!this.env.X3_POLL_ENABLED) return;
    for (const t of this.tenants.list().filter((x) => x.sageX3.poll.enabled)) {
      let lastFull = 0;
      this.jobs.every(
        `x3-poll:${t.id}`,
        { firstAfterMs: this.env.X3_POLL_INITIAL_DELAY_MS, everyMs: t.sageX3.poll.intervalSeconds * 1000 },
        async () => {
          const fullEvery = this.env.X3_FULL_RESYNC_INTERVAL_HOURS * 3600_000;
          const full = fullEvery > 0 && Date.now() - lastFull >= fullEvery;
          // Failures are logged and counted per stream by runOnce; the next tick resumes from the last watermark.
          const reports = await this.runOnce(t.id, { full }).catch(() => null);
          if (full && reports && reports.every((r) => !r.error)) lastFull = Date.now();
        },
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped.abort(new Error('the poller is stopping'));
    await Promise.allSettled([...this.running.values()]);
  }

  /** One poll of every stream for a tenant. `full` re-reads everything and publishes deletions. */
  runOnce(tenantId: string, opts: { full?: boolean } = {}): Promise<PollReport[]> {
    const inFlight = this.running.get(tenantId);
    if (inFlight) return inFlight;
    const tenant = this.tenants.require(tenantId);
    const run = LogContext.run({ tenant: tenantId }, async () => {
      const signal = this.stopped.signal;
      await Promise.all([
        this.store.ready(signal),
        this.postedDocuments.ready(signal),
        ...[...this.published.values()].map((v) => v.ready(signal)),
      ]);
      const reports: PollReport[] = [];
      for (const kind of MASTER_KINDS)
        reports.push(
          await this.stream(tenant, kind.kind, kind.entity, (client) =>
            this.pollMaster(tenant, client, kind, !!opts.full),
          ),
        );
      for (const doc of DOCUMENT_KINDS)
        reports.push(
          await this.stream(tenant, `status:${doc.kind}`, doc.entity, (client) =>
            this.pollDocuments(tenant, client, doc),
          ),
        );
      return reports;
    }).finally(() => this.running.delete(tenantId));
    this.running.set(tenantId, run);
    return run;
  }

  /**
   * One stream, on its own: a transient X3 failure is tried again (X3_POLL_STREAM_ATTEMPTS), a failure that remains
   * is counted and reported without stopping the other streams; a stream whose entity the field check refused is not
   * read at all.
   */
  private async stream(
    tenant: TenantConfig,
    stream: string,
    entity: X3EntityName,
    fn: (client: SageX3Client) => Promise<PollReport>,
  ): Promise<PollReport> {
    const empty: PollReport = { tenant: tenant.id, stream, rows: 0, published: 0, deleted: 0 };
    try {
      const refusal = this.fields.refusal(tenant.id, entity);
      if (refusal) throw new Error(`refused by the Sage X3 field check: ${refusal}`);
      const client = this.clients.forTenant(tenant);
      const r = await retryAsync(() => fn(client), {
        attempts: this.env.X3_POLL_STREAM_ATTEMPTS,
        initialMs: this.env.X3_POLL_STREAM_RETRY_MS,
        maxMs: this.env.X3_POLL_STREAM_RETRY_MS * 8,
        shouldRetry: (e) => isTransientX3Error(e) && !this.stopped.signal.aborted,
        sleep: (ms) => sleep(ms, this.stopped.signal),
        onRetry: ({ attempt, error }) =>
          this.logger.warn({ msg: 'x3 poll stream failed; retrying', stream, attempt, err: error as Error }),
      });
      this.records.inc({ tenant: tenant.id, stream }, r.published + r.deleted);
      return r;
    } catch (e) {
      this.errors.inc({ tenant: tenant.id, stream });
      this.logger.error({
        msg: 'x3 poll stream failed; the other streams go on, this one resumes from its watermark next run',
        stream,
        err: e as Error,
      });
      return { ...empty, error: (e as Error).message };
    }
  }

  private since(tenant: string, stream: string, full: boolean): Date {
    const wm = full ? undefined : this.store.get(tenant, stream)?.position;
    return wm ? new Date(Date.parse(wm) - this.env.X3_POLL_LOOKBACK_SECONDS * 1000) : new Date(0);
  }

  private async pollMaster(
    tenant: TenantConfig,
    client: SageX3Client,
    kind: MasterKind,
    full: boolean,
  ): Promise<PollReport> {
    const stream = `x3:${kind.kind}`;
    const report: PollReport = { tenant: tenant.id, stream: kind.kind, rows: 0, published: 0, deleted: 0 };
    let watermark = this.store.get(tenant.id, stream)?.position;
    const cfg = client.entityConfig(kind.entity);
    const seen = new Set<string>();
    for await (const resource of client.queryChangedSince(kind.entity, this.since(tenant.id, stream, full), {
      count: tenant.sageX3.poll.pageSize,
    })) {
      let row = resource as X3Row;
      report.rows++;
      // Lines (purchase orders) come with the details facet when the query facet leaves them out.
      if (cfg.lines && !Array.isArray(row[cfg.lines.field]))
        row = (await client.details(kind.entity, kind.code(row, cfg))) as X3Row;
      const code = kind.code(row, cfg);
      seen.add(code);
      const stamp = updateStamp(row, cfg) ?? new Date().toISOString();
      if (
        await this.publishState(
          tenant.id,
          kind.topic,
          kind.type,
          recordKey(tenant.id, kind.kind, code),
          { ...kind.content(row, cfg), deleted: false },
          stamp,
          row,
        )
      )
        report.published++;
      if (!watermark || stamp > watermark) watermark = stamp;
      if (this.stopped.signal.aborted) break;
    }
    if (full) {
      // Codes still live on the compacted topic but absent from X3: deleted there.
      const prefix = `${tenant.id}:${kind.kind}:`;
      const published = this.viewOf(kind.topic);
      for (const key of [...published.keys()].filter((k) => k.startsWith(prefix))) {
        const code = key.slice(prefix.length);
        if (seen.has(code)) continue;
        const last = published.get(key)?.content;
        if (last?.['deleted'] === true) continue;
        const tombstone: Record<string, unknown> = {
          ...(last ?? {}),
          code: (last?.['code'] as string) ?? code,
          active: false,
          deleted: true,
        };
        if (kind.kind === 'cost-center' && !tombstone['dimensionType']) tombstone['dimensionType'] = code.split('~')[0];
        if (kind.kind === 'gl-account' && !tombstone['allowedDimensionTypes']) tombstone['allowedDimensionTypes'] = [];
        if (kind.kind === 'purchase-order') {
          tombstone['supplier'] = tombstone['supplier'] ?? '';
          tombstone['lines'] = tombstone['lines'] ?? [];
        }
        if (
          await this.publishState(
            tenant.id,
            kind.topic,
            kind.type,
            `${tenant.id}:${kind.kind}:${code}`,
            tombstone,
            new Date().toISOString(),
            null,
          )
        )
          report.deleted++;
      }
    }
    if (watermark && watermark !== this.store.get(tenant.id, stream)?.position)
      await this.store.set(tenant.id, stream, watermark);
    return report;
  }

  private async pollDocuments(
    tenant: TenantConfig,
    client: SageX3Client,
    doc: (typeof DOCUMENT_KINDS)[number],
  ): Promise<PollReport> {
    const stream = `x3:status:${doc.kind}`;
    const report: PollReport = { tenant: tenant.id, stream: `status:${doc.kind}`, rows: 0, published: 0, deleted: 0 };
    let watermark = this.store.get(tenant.id, stream)?.position;
    const cfg = client.entityConfig(doc.entity);
    const refField = cfg.referenceField;
    // Journal entries carry the external reference (REF): only the connector's are read (it starts with the tenant
    // id). Supplier invoices have none on public representations: every changed one is read and recognised by its
    // lookup fields (supplier + supplier invoice number) among the documents the poster recorded in its ledger.
    const where = refField ? `${refField} like '${tenant.id.replace(/'/g, "''")}:%'` : undefined;
    for await (const resource of client.queryChangedSince(doc.entity, this.since(tenant.id, stream, false), {
      count: tenant.sageX3.poll.pageSize,
      ...(where ? { where } : {}),
    })) {
      const row = resource as X3Row;
      report.rows++;
      const number = documentNumber(row, cfg);
      const ref = refField
        ? String(row[refField] ?? '')
        : this.postedDocuments.externalRef(tenant.id, doc.kind, lookupOf(row, cfg), number);
      if (!ref || !ref.startsWith(`${tenant.id}:`)) continue;
      const stamp = updateStamp(row, cfg) ?? new Date().toISOString();
      const sta = cfg.statusField ? Number(row[cfg.statusField]) : NaN;
      const controlTotal = cfg.fields['controlTotal'];
      const status: DocumentStatusV1 = {
        documentKind: doc.kind,
        documentNumber: number,
        externalRef: ref,
        // STA 2: final entry / invoice validated (matched) by the AP team (docs/sage-x3.md, assumptions).
        status:
          doc.kind === 'journal-entry' ? (sta === 2 ? 'final' : 'temporary') : sta === 2 ? 'matched' : 'unmatched',
        amount: doc.kind === 'supplier-invoice' && controlTotal ? (x3Decimal(row[controlTotal]) ?? null) : null,
        updatedAt: stamp,
      };
      if (
        await this.publishState(
          tenant.id,
          Topics.DocumentStatus,
          DOCUMENT_STATUS,
          recordKey(tenant.id, doc.kind, number),
          status as unknown as Record<string, unknown>,
          stamp,
          null,
        )
      )
        report.published++;
      if (!watermark || stamp > watermark) watermark = stamp;
    }
    if (watermark && watermark !== this.store.get(tenant.id, stream)?.position)
      await this.store.set(tenant.id, stream, watermark);
    return report;
  }

  private viewOf(topic: string): CompactedTopicView<PublishedState> {
    const view = this.published.get(topic);
    if (!view) throw new Error(`no published-state view of ${topic}`);
    return view;
  }

  private async publishState(
    tenant: string,
    topic: string,
    type: string,
    key: string,
    content: Record<string, unknown>,
    updatedAt: string,
    raw: X3Row | null,
  ): Promise<boolean> {
    const { updatedAt: _u, ...withoutStamp } = content;
    const published = this.viewOf(topic);
    if (published.get(key)?.hash === contentHash(withoutStamp)) return false;
    const payload = { ...withoutStamp, updatedAt, ...(raw ? { raw } : {}) };
    const problems = validatePayload(type, payload);
    if (problems.length) {
      this.logger.error({ msg: 'X3 record does not fit the contract; skipped', key, problems });
      return false;
    }
    await published.put(key, createEnvelope({ type, tenant, source: 'poll', payload, occurredAt: updatedAt }));
    return true;
  }
}
