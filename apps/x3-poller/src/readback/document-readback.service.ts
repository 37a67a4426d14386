import { TenantConfig, TenantRegistry } from '@connector/config';
import {
  createEnvelope,
  MessageEnvelope,
  POSTED_LEDGER_ENTRY,
  PostedLedgerEntryV1,
  recordKey,
  Topics,
  validatePayload,
  X3_DOCUMENT_SCAN,
  X3_DOCUMENT_STATE,
  X3DocumentKind,
  X3DocumentScanV1,
  X3DocumentStateV1,
} from '@connector/contracts';
import { CheckpointStore, CompactedTopicView, RecurringJobs, StateViews } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { SageX3Client, sdataString, where, X3EntityConfig, X3EntityName, X3NotFoundError } from '@connector/sage-x3';
import { SageX3ClientsRegistry, X3FieldVerification } from '@connector/sage-x3-runtime';
import { contentHash } from '@connector/util';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { TenantRuns } from '../app/tenant-runs';
import { X3PollerEnv } from '../app/x3-poller.env';
import {
  absentDocument,
  documentNumberOf,
  readBackDocument,
  UnreadableX3DocumentError,
  updateStampOf,
  x3KeyOf,
} from './x3-document.reader';

type X3Row = Record<string, unknown>;

export const READBACK_KINDS: Array<{ kind: X3DocumentKind; entity: X3EntityName }> = [
  { kind: 'journal-entry', entity: 'journalEntry' },
  { kind: 'supplier-invoice', entity: 'purchaseInvoice' },
];

export interface ReadBackReport {
  tenant: string;
  documentKind: X3DocumentKind;
  mode: 'incremental' | 'full';
  /** How documents were found: by the external reference in X3, or by the numbers in the posted ledger. */
  by: 'reference' | 'ledger';
  read: number;
  published: number;
  absent: number;
  /** Documents X3 answered with that could not be read (logged with the reason). */
  unreadable: number;
}

/** What the poller remembers of a read-back it published (state view of x3.document.v1). */
interface PublishedDocument {
  hash: string;
  documentKind: X3DocumentKind;
  documentNumber: string;
  externalRef: string | null;
  present: boolean;
  inLedger: boolean;
  x3UpdatedAt: string | null;
  x3Key: string | null;
}

interface LedgerEntry extends PostedLedgerEntryV1 {
  tenant: string;
}

function contentOf(doc: X3DocumentStateV1): Record<string, unknown> {
  // When it was read is not content: an unchanged document is not published again.
  const { readAt: _r, ...content } = doc;
  return content;
}

/**
 * Reads back from Sage X3 the documents the connector posted — journal entries with their lines, supplier invoices
 * with supplier, invoice number, amount, status and lines — and publishes what X3 holds to the compacted topic
 * `x3.document.v1`, which the audit-service reconciles against what the connector requested.
 *
 * Journal entries carry the external reference (REF): they are found by `REF like '<tenant>:%'`, which also finds
 * documents carrying the connector's reference that its ledger has no record of. Classes without a reference field
 * (the public PINVOICE) are found by the document numbers of the x3-poster's posted ledger (`NUM in (…)`).
 * An incremental run reads what changed since the watermark (update stamp, with the poll lookback) and the ledger
 * entries never read back; a full run reads everything and publishes as absent what X3 no longer holds (read before,
 * gone now: `deleted`) or never showed (named by the ledger: `not-found`). `$details` is fetched only when the update
 * stamp moved. Runs are per tenant, scheduled with the tenant's poll interval (full every
 * X3_READBACK_FULL_INTERVAL_MINUTES), and on demand (POST /admin/readback/:tenant).
 */
@Injectable()
export class DocumentReadBackService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('x3-readback');
  private readonly checkpoints: CheckpointStore;
  private readonly ledger: CompactedTopicView<LedgerEntry>;
  private readonly published: CompactedTopicView<PublishedDocument | null>;
  private readonly runs: TenantRuns<ReadBackReport[]>;
  private readonly records;
  private readonly errors;

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
    this.runs = new TenantRuns('x3-readback', tenants, (t, full, signal) => this.readTenant(t, full, signal));
    this.checkpoints = new CheckpointStore(views, { owner: 'x3-readback', tenants: [...ids] });
    // The x3-poster owns the ledger; the poller only reads it to know which documents are the connector's.
    this.ledger = views.open({
      topic: Topics.PostedLedger,
      name: 'readback:posted-ledger',
      filter: (env) => ids.has(env.tenant) && env.type === POSTED_LEDGER_ENTRY,
      decode: (env): LedgerEntry => ({ ...(env.payload as PostedLedgerEntryV1), tenant: env.tenant }),
    });
    this.published = views.open({
      topic: Topics.X3Document,
      name: `readback:${Topics.X3Document}`,
      filter: (env) => ids.has(env.tenant),
      decode: (env: MessageEnvelope<unknown>): PublishedDocument | null => {
        if (env.type !== X3_DOCUMENT_STATE) return null;
        const doc = env.payload as X3DocumentStateV1;
        return {
          hash: contentHash(contentOf(doc)),
          documentKind: doc.documentKind,
          documentNumber: doc.documentNumber,
          externalRef: doc.externalRef ?? null,
          present: doc.present,
          inLedger: doc.inLedger,
          x3UpdatedAt: doc.x3UpdatedAt ?? null,
          x3Key: doc.x3Key ?? null,
        };
      },
    });
    this.records = metrics.counter(MetricNames.PullRecords, 'Records published by scheduled pulls', [
      'tenant',
      'stream',
    ]);
    this.errors = metrics.counter(MetricNames.PullErrors, 'Scheduled pull runs that failed', ['tenant', 'stream']);
  }

  onApplicationBootstrap(): void {
    if (!this.env.X3_POLL_ENABLED || !this.env.X3_READBACK_ENABLED) return;
    this.runs.schedule(this.jobs, {
      firstAfterMs: this.env.X3_POLL_INITIAL_DELAY_MS,
      fullEveryMs: this.env.X3_READBACK_FULL_INTERVAL_MINUTES * 60_000,
    });
  }

  onModuleDestroy(): Promise<void> {
    return this.runs.stop('the poller is stopping');
  }

  /** One read-back of every document kind of a tenant; `full` also publishes what X3 no longer holds. */
  runOnce(tenantId: string, opts: { full?: boolean } = {}): Promise<ReadBackReport[]> {
    return this.runs.runOnce(tenantId, !!opts.full);
  }

  private async readTenant(tenant: TenantConfig, full: boolean, signal: AbortSignal): Promise<ReadBackReport[]> {
    await Promise.all([this.checkpoints.ready(signal), this.ledger.ready(signal), this.published.ready(signal)]);
    const client = this.clients.forTenant(tenant);
    const reports: ReadBackReport[] = [];
    for (const k of READBACK_KINDS) {
      const stream = `readback:${k.kind}`;
      try {
        // A class whose configured fields the start-up check refused is not queried (X3 would answer HTTP 500).
        const refusal = this.fields.refusal(tenant.id, k.entity);
        if (refusal) throw new Error(`refused by the Sage X3 field check: ${refusal}`);
        const report = await this.readKind(tenant, client, k.kind, k.entity, full ? 'full' : 'incremental');
        this.records.inc({ tenant: tenant.id, stream }, report.published);
        reports.push(report);
      } catch (e) {
        this.errors.inc({ tenant: tenant.id, stream });
        this.logger.error({ msg: 'x3 read-back failed; the next run resumes from the watermark', stream, err: e });
        throw e;
      }
    }
    return reports;
  }

  private async readKind(
    tenant: TenantConfig,
    client: SageX3Client,
    kind: X3DocumentKind,
    entity: X3EntityName,
    mode: 'incremental' | 'full',
  ): Promise<ReadBackReport> {
    const startedAt = new Date().toISOString();
    const cfg = client.entityConfig(entity);
    const report: ReadBackReport = {
      tenant: tenant.id,
      documentKind: kind,
      mode,
      by: cfg.referenceField ? 'reference' : 'ledger',
      read: 0,
      published: 0,
      absent: 0,
      unreadable: 0,
    };
    if (cfg.referenceField) await this.byReference(tenant, client, kind, entity, cfg, cfg.referenceField, report);
    else await this.byLedger(tenant, client, kind, entity, cfg, report);
    const scan: X3DocumentScanV1 = {
      documentKind: kind,
      mode,
      startedAt,
      completedAt: new Date().toISOString(),
      read: report.read,
      published: report.published,
      absent: report.absent,
    };
    await this.publish(tenant.id, recordKey(tenant.id, 'scan', `${kind}:${mode}`), X3_DOCUMENT_SCAN, scan);
    this.logger.log({ msg: 'x3 read-back', ...report });
    return report;
  }

  private since(tenant: string, kind: X3DocumentKind, full: boolean): Date {
    const wm = full ? undefined : this.checkpoints.get(tenant, kind)?.position;
    return wm ? new Date(Date.parse(wm) - this.env.X3_POLL_LOOKBACK_SECONDS * 1000) : new Date(0);
  }

  private ledgerOf(tenant: string, kind: X3DocumentKind): LedgerEntry[] {
    return [...this.ledger.values()].filter((e) => e.tenant === tenant && e.documentKind === kind);
  }

  private docKey(tenant: string, kind: X3DocumentKind, number: string): string {
    return recordKey(tenant, kind, number);
  }

  /** Journal entries (and any class with a reference field): everything X3 holds under `<tenant>:…`. */
  private async byReference(
    tenant: TenantConfig,
    client: SageX3Client,
    kind: X3DocumentKind,
    entity: X3EntityName,
    cfg: X3EntityConfig,
    refField: string,
    report: ReadBackReport,
  ): Promise<void> {
    const full = report.mode === 'full';
    const ledger = new Map(this.ledgerOf(tenant.id, kind).map((e) => [e.externalRef, e]));
    let watermark = this.checkpoints.get(tenant.id, kind)?.position;
    const seen = new Set<string>();
    const seenRefs = new Set<string>();
    for await (const resource of client.queryChangedSince(entity, this.since(tenant.id, kind, full), {
      count: tenant.sageX3.poll.pageSize,
      // Tenant ids are slugs ([a-z0-9-]): no LIKE wildcard inside; the quote is escaped by sdataString anyway.
      where: `${refField} like ${sdataString(`${tenant.id}:%`)}`,
    })) {
      const row = resource as X3Row;
      const ref = typeof row[refField] === 'string' ? (row[refField] as string) : '';
      if (!ref.startsWith(`${tenant.id}:`)) continue;
      report.read++;
      const number = documentNumberOf(cfg, row);
      const stamp = updateStampOf(cfg, row);
      if (number) {
        seen.add(number);
        seenRefs.add(ref);
        await this.readDetails(tenant.id, client, kind, entity, cfg, row, number, stamp, null, ledger.has(ref), report);
      }
      if (stamp && (!watermark || stamp > watermark)) watermark = stamp;
      if (this.runs.signal.aborted) return;
    }
    if (full) {
      for (const prev of this.publishedOf(tenant.id, kind)) {
        if (!prev.present || seen.has(prev.documentNumber)) continue;
        await this.publishAbsent(tenant.id, kind, prev.documentNumber, prev.externalRef, 'x3', 'deleted', report, {
          inLedger: prev.externalRef !== null && ledger.has(prev.externalRef),
          x3Key: prev.x3Key,
        });
      }
      for (const entry of ledger.values()) {
        if (seenRefs.has(entry.externalRef) || !entry.x3DocumentNumber) continue;
        const prev = this.published.get(this.docKey(tenant.id, kind, entry.x3DocumentNumber));
        if (prev) continue; // read before: handled above (present and seen, or already absent)
        await this.publishAbsent(
          tenant.id,
          kind,
          entry.x3DocumentNumber,
          entry.externalRef,
          'x3',
          'not-found',
          report,
          { inLedger: true },
        );
      }
    }
    if (watermark && watermark !== this.checkpoints.get(tenant.id, kind)?.position)
      await this.checkpoints.set(tenant.id, kind, watermark);
  }

  /** Supplier invoices on the public PINVOICE (no reference field): by the posted ledger's document numbers. */
  private async byLedger(
    tenant: TenantConfig,
    client: SageX3Client,
    kind: X3DocumentKind,
    entity: X3EntityName,
    cfg: X3EntityConfig,
    report: ReadBackReport,
  ): Promise<void> {
    const full = report.mode === 'full';
    if (cfg.keyFields.length !== 1) {
      this.logger.warn({
        msg: 'no reference field and a composite key: documents of this class cannot be read back by number',
        className: cfg.className,
      });
      return;
    }
    const keyField = cfg.keyFields[0];
    const byNumber = new Map(this.ledgerOf(tenant.id, kind).map((e) => [e.x3DocumentNumber, e]));
    byNumber.delete('');
    const found = new Set<string>();
    const visit = async (row: X3Row): Promise<void> => {
      const number = documentNumberOf(cfg, row);
      const entry = number ? byNumber.get(number) : undefined;
      if (!number || !entry || found.has(number)) return;
      found.add(number);
      report.read++;
      const stamp = updateStampOf(cfg, row);
      await this.readDetails(tenant.id, client, kind, entity, cfg, row, number, stamp, entry.externalRef, true, report);
    };

    let targets: string[];
    let watermark = this.checkpoints.get(tenant.id, kind)?.position;
    if (full) {
      targets = [...byNumber.keys()];
    } else {
      // What changed since the watermark (X3 answers summaries only; $details only for the connector's documents)…
      for await (const resource of client.queryChangedSince(entity, this.since(tenant.id, kind, false), {
        count: tenant.sageX3.poll.pageSize,
      })) {
        const stamp = updateStampOf(cfg, resource as X3Row);
        await visit(resource as X3Row);
        if (stamp && (!watermark || stamp > watermark)) watermark = stamp;
        if (this.runs.signal.aborted) return;
      }
      // …and the ledger's documents never read back yet.
      targets = [...byNumber.keys()].filter(
        (n) => !found.has(n) && !this.published.has(this.docKey(tenant.id, kind, n)),
      );
    }
    for (let i = 0; i < targets.length; i += this.env.X3_READBACK_BATCH_SIZE) {
      const batch = targets.slice(i, i + this.env.X3_READBACK_BATCH_SIZE);
      for await (const resource of client.query(entity, {
        where: where.in(keyField, batch),
        count: batch.length,
      }))
        await visit(resource as X3Row);
      for (const number of batch) {
        if (found.has(number)) continue;
        const prev = this.published.get(this.docKey(tenant.id, kind, number));
        if (prev && !prev.present) continue;
        await this.publishAbsent(
          tenant.id,
          kind,
          number,
          byNumber.get(number)?.externalRef ?? null,
          'ledger',
          prev ? 'deleted' : 'not-found',
          report,
          { inLedger: true, x3Key: prev?.x3Key ?? null },
        );
      }
      if (this.runs.signal.aborted) return;
    }
    if (!full && watermark && watermark !== this.checkpoints.get(tenant.id, kind)?.position)
      await this.checkpoints.set(tenant.id, kind, watermark);
  }

  private publishedOf(tenant: string, kind: X3DocumentKind): PublishedDocument[] {
    const prefix = `${tenant}:${kind}:`;
    const out: PublishedDocument[] = [];
    for (const [key, value] of this.published.entries()) if (value && key.startsWith(prefix)) out.push(value);
    return out;
  }

  /** `$details` of a document whose update stamp moved since the last read-back (or never read), then publishes it. */
  private async readDetails(
    tenant: string,
    client: SageX3Client,
    kind: X3DocumentKind,
    entity: X3EntityName,
    cfg: X3EntityConfig,
    row: X3Row,
    number: string,
    stamp: string | null,
    ledgerRef: string | null,
    inLedger: boolean,
    report: ReadBackReport,
  ): Promise<void> {
    const prev = this.published.get(this.docKey(tenant, kind, number));
    // Unchanged since the last read (same stamp, same ledger knowledge): no $details call.
    if (prev?.present && stamp && prev.x3UpdatedAt === stamp && prev.inLedger === inLedger) return;
    const key = x3KeyOf(cfg, row);
    let details: X3Row = row;
    if (key && cfg.lines && !Array.isArray(row[cfg.lines.field])) {
      try {
        details = (await client.details(entity, key)) as X3Row;
      } catch (e) {
        if (!(e instanceof X3NotFoundError)) throw e;
        return; // deleted between the query and the details: the next full run publishes it as absent
      }
    }
    let doc: X3DocumentStateV1;
    try {
      doc = readBackDocument({ kind, cfg, row: details, ledgerRef, inLedger, readAt: new Date().toISOString() });
    } catch (e) {
      if (!(e instanceof UnreadableX3DocumentError)) throw e;
      report.unreadable++;
      this.logger.error({ msg: 'X3 document could not be read back; skipped', kind, number, reason: e.message });
      return;
    }
    if (await this.publish(tenant, this.docKey(tenant, kind, number), X3_DOCUMENT_STATE, doc)) report.published++;
  }

  private async publishAbsent(
    tenant: string,
    kind: X3DocumentKind,
    number: string,
    externalRef: string | null,
    referenceFrom: 'x3' | 'ledger',
    absence: 'deleted' | 'not-found',
    report: ReadBackReport,
    extra: { inLedger: boolean; x3Key?: string | null },
  ): Promise<void> {
    const doc = absentDocument({
      kind,
      documentNumber: number,
      externalRef,
      referenceFrom,
      absence,
      inLedger: extra.inLedger,
      x3Key: extra.x3Key,
      readAt: new Date().toISOString(),
    });
    if (await this.publish(tenant, this.docKey(tenant, kind, number), X3_DOCUMENT_STATE, doc)) {
      report.published++;
      report.absent++;
      this.logger.warn({
        msg: 'a document the connector posted is not in Sage X3',
        kind,
        number,
        externalRef,
        absence,
      });
    }
  }

  /** Publishes unless the topic already holds this content for the key; false when unchanged or invalid. */
  private async publish(
    tenant: string,
    key: string,
    type: string,
    payload: X3DocumentStateV1 | X3DocumentScanV1,
  ): Promise<boolean> {
    if (type === X3_DOCUMENT_STATE) {
      const prev = this.published.get(key);
      if (prev && prev.hash === contentHash(contentOf(payload as X3DocumentStateV1))) return false;
    }
    const problems = validatePayload(type, payload);
    if (problems.length) {
      this.logger.error({ msg: 'X3 document does not fit the contract; skipped', key, problems });
      return false;
    }
    await this.published.put(key, createEnvelope({ type, tenant, source: 'poll', payload }));
    return true;
  }
}
