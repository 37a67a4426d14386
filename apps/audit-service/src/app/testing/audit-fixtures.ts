import {
  CHECKPOINT,
  createCausedEnvelope,
  jobKey,
  jobRecordKey,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  createEnvelope,
  DOCUMENT_STATUS,
  Headers as H,
  JOURNAL_ENTRY_REQUESTED,
  MAPPING_REJECTED,
  MessageEnvelope,
  OPERATOR_NOTICE,
  POSTING_RESULT,
  recordKey,
  ST_INVENTORY_BILL_REVISION,
  ST_JOB_EVENT,
  SUPPLIER_INVOICE_REQUESTED,
  Topics,
  X3_DOCUMENT_SCAN,
  X3_DOCUMENT_STATE,
  X3DocumentScanV1,
  X3DocumentStateV1,
} from '@connector/contracts';
import { MessagePublisher } from '@connector/messaging';

/** Contract messages for one record's journey, published in causal order like the real apps would. */
export class AuditFixtures {
  readonly sent: Array<{ topic: string; envelope: MessageEnvelope<unknown>; key: string }> = [];
  constructor(private readonly publisher: MessagePublisher) {}

  private async send(
    topic: string,
    envelope: MessageEnvelope<unknown>,
    key: string,
  ): Promise<MessageEnvelope<unknown>> {
    await this.publisher.publish(topic, envelope, { key });
    this.sent.push({ topic, envelope, key });
    return envelope;
  }

  /**
   * A job event as the gateway publishes it; `copy` makes the pull's copy of the same job (another event id and kind,
   * the raw export row) or a later revision (another modifiedOn, other items).
   */
  jobEvent(
    tenant: string,
    jobId: number,
    items: string[] = ['40.00'],
    copy: {
      source?: 'webhook' | 'poll';
      event?: 'completed' | 'updated' | 'canceled';
      jobStatus?: string;
      modifiedOn?: string;
      sourceEventId?: string;
      jobNumber?: string;
      businessUnitName?: string;
      raw?: Record<string, unknown>;
    } = {},
  ) {
    return createEnvelope({
      type: ST_JOB_EVENT,
      tenant,
      source: copy.source ?? 'webhook',
      payload: {
        event: copy.event ?? 'completed',
        jobId,
        jobNumber: copy.jobNumber ?? `J-${jobId}`,
        jobStatus: copy.jobStatus ?? 'Completed',
        completedOn: '2026-11-20T10:00:00Z',
        modifiedOn: copy.modifiedOn ?? '2026-11-20T10:00:00Z',
        sourceEventId: copy.sourceEventId ?? `evt-${jobId}`,
        businessUnitName: copy.businessUnitName ?? 'HVAC',
        ...(copy.raw ? { raw: copy.raw } : {}),
        invoice: {
          id: jobId * 10,
          items: items.map((c, i) => ({ id: i + 1, type: 'Material', quantity: '1', cost: c, totalCost: c })),
        },
      },
    });
  }

  async job(tenant: string, jobId: number, items?: string[], copy?: Parameters<AuditFixtures['jobEvent']>[3]) {
    return this.send(Topics.StJob, this.jobEvent(tenant, jobId, items, copy), recordKey(tenant, 'job', jobId));
  }

  async journalEntry(
    cause: MessageEnvelope<unknown>,
    jobId: number,
    lines: Array<{
      side: 'debit' | 'credit';
      amount: string;
      costCenter?: string;
      costKind: 'labor' | 'material' | 'offset';
    }>,
    revision = 1,
  ) {
    const externalRef = `${cause.tenant}:job:${jobId}:${revision}`;
    const env = createCausedEnvelope(cause, {
      type: JOURNAL_ENTRY_REQUESTED,
      source: 'mapper',
      payload: {
        externalRef,
        source: { kind: 'job', id: String(jobId), revision },
        site: 'S01',
        entryType: 'ODS',
        journal: 'GEN',
        accountingDate: '2026-11-20',
        currency: 'USD',
        description: `Job ${jobId}`,
        lines: lines.map((l, i) => ({
          account: l.side === 'debit' ? '6000' : '4000',
          side: l.side,
          amount: l.amount,
          costCenter: l.costCenter ?? null,
          costKind: l.costKind,
          description: `line ${i}`,
        })),
      },
    });
    return this.send(Topics.JournalEntryRequested, env, recordKey(cause.tenant, 'journal-entry', externalRef));
  }

  async result(
    request: MessageEnvelope<unknown>,
    kind: 'job' | 'inventory-bill',
    id: number,
    status: 'posted' | 'failed' | 'duplicate-skipped',
    extra: { doc?: string; amount?: string; documentKind?: 'journal-entry' | 'supplier-invoice' } = {},
  ) {
    const externalRef = (request.payload as { externalRef: string }).externalRef;
    const revision = (request.payload as { source: { revision: number } }).source.revision;
    const env = createCausedEnvelope(request, {
      type: POSTING_RESULT,
      source: 'poster',
      payload: {
        externalRef,
        documentKind: extra.documentKind ?? 'journal-entry',
        status,
        source: { kind, id: String(id), revision },
        x3DocumentNumber: status === 'failed' ? null : (extra.doc ?? null),
        amount: extra.amount ?? null,
        currency: 'USD',
        attempt: 1,
        requestMessageId: request.id,
        error: status === 'failed' ? { code: 'X3_500', message: 'X3 answered 500', transient: false } : null,
      },
    });
    return this.send(Topics.PostingResult, env, recordKey(request.tenant, 'result', externalRef));
  }

  async rejected(cause: MessageEnvelope<unknown>, jobId: number, code = 'ACCOUNT_INACTIVE') {
    const env = createCausedEnvelope(cause, {
      type: MAPPING_REJECTED,
      source: 'mapper',
      payload: {
        source: { kind: 'job', id: String(jobId), revision: 1 },
        sourceTopic: Topics.StJob,
        sourceMessageId: cause.id,
        reasons: [{ code, message: `${code} for job ${jobId}`, field: 'account' }],
      },
    });
    return this.send(Topics.MappingRejected, env, recordKey(cause.tenant, 'job', jobId));
  }

  async bill(tenant: string, billId: number, amount: string) {
    const env = createEnvelope({
      type: ST_INVENTORY_BILL_REVISION,
      tenant,
      source: 'poll',
      payload: {
        billId,
        revision: 1,
        contentHash: `h${billId}`,
        voided: false,
        referenceNumber: `B-${billId}`,
        billDate: '2026-11-18T00:00:00Z',
        billAmount: amount,
        taxAmount: '0',
        shippingAmount: '0',
        items: [],
      },
    });
    return this.send(Topics.StInventoryBill, env, recordKey(tenant, 'inventory-bill', billId));
  }

  async supplierInvoice(cause: MessageEnvelope<unknown>, billId: number, amount: string) {
    const externalRef = `${cause.tenant}:bill:${billId}:1`;
    const env = createCausedEnvelope(cause, {
      type: SUPPLIER_INVOICE_REQUESTED,
      source: 'mapper',
      payload: {
        externalRef,
        source: { kind: 'inventory-bill', id: String(billId), revision: 1 },
        site: 'S01',
        supplier: 'SUP1',
        supplierInvoiceNumber: `B-${billId}`,
        invoiceDate: '2026-11-18',
        accountingDate: '2026-11-18',
        currency: 'USD',
        controlTotal: amount,
        lines: [{ purchaseOrder: 'PO1', purchaseOrderLine: 1, product: 'P1', quantity: '1', netPrice: amount }],
      },
    });
    return this.send(Topics.SupplierInvoiceRequested, env, recordKey(cause.tenant, 'supplier-invoice', externalRef));
  }

  async documentStatus(
    cause: MessageEnvelope<unknown>,
    externalRef: string,
    doc: string,
    status: string,
    documentKind: 'journal-entry' | 'supplier-invoice',
  ) {
    const env = createCausedEnvelope(cause, {
      type: DOCUMENT_STATUS,
      source: 'poller',
      payload: {
        documentKind,
        documentNumber: doc,
        externalRef,
        status,
        amount: null,
        updatedAt: '2026-11-21T00:00:00Z',
      },
    });
    return this.send(Topics.DocumentStatus, env, recordKey(cause.tenant, documentKind, doc));
  }

  /** A dead letter as MessageConsumer writes one: original bytes plus the reason headers. */
  async deadLetter(tenant: string, topic: string, key: string, bytes: string, reason: string) {
    await this.publisher.publishRaw(`${topic}.dlq`, [
      {
        key,
        value: bytes,
        headers: {
          [H.Tenant]: tenant,
          [H.DeadLetterReason]: reason,
          [H.DeadLetterSourceTopic]: topic,
          [H.DeadLetterSourcePartition]: '0',
          [H.DeadLetterSourceOffset]: '7',
          [H.DeadLetterConsumerGroup]: 'mapper',
          [H.DeadLetterAttempts]: '0',
        },
      },
    ]);
  }

  /** A journal entry request with explicit accounts, revision, date and reversal (reconciliation tests). */
  async journalEntryFor(
    cause: MessageEnvelope<unknown>,
    o: {
      jobId: number;
      revision?: number;
      reversal?: boolean;
      accountingDate?: string;
      lines: Array<{ account: string; side: 'debit' | 'credit'; amount: string; costCenter?: string | null }>;
    },
  ) {
    const revision = o.revision ?? 1;
    const externalRef = `${cause.tenant}:JOB:${o.jobId}:R${revision}${o.reversal ? ':REV' : ''}`;
    const env = createCausedEnvelope(cause, {
      type: JOURNAL_ENTRY_REQUESTED,
      source: 'mapper',
      payload: {
        externalRef,
        source: { kind: 'job', id: String(o.jobId), revision },
        site: 'S01',
        entryType: 'ODT',
        journal: 'ODT',
        accountingDate: o.accountingDate ?? '2026-11-20',
        currency: 'USD',
        description: `Job ${o.jobId}`,
        lines: o.lines.map((l) => ({
          account: l.account,
          side: l.side,
          amount: l.amount,
          costCenter: l.costCenter ?? null,
          costKind: l.costCenter ? 'material' : 'offset',
        })),
        reversalOf: o.reversal ? `${cause.tenant}:JOB:${o.jobId}:R${revision}` : null,
      },
    });
    return this.send(Topics.JournalEntryRequested, env, recordKey(cause.tenant, 'job', o.jobId));
  }

  /** What the x3-poller publishes when it reads a document back from X3. */
  async x3Document(
    tenant: string,
    doc: Partial<X3DocumentStateV1> & Pick<X3DocumentStateV1, 'documentKind' | 'documentNumber'>,
  ) {
    const payload: X3DocumentStateV1 = {
      x3Key: doc.documentNumber,
      externalRef: null,
      referenceFrom: doc.documentKind === 'journal-entry' ? 'x3' : 'ledger',
      inLedger: true,
      present: true,
      absence: null,
      status: doc.documentKind === 'journal-entry' ? 'temporary' : 'unmatched',
      x3Status: '1',
      accountingDate: '2026-11-20',
      currency: 'USD',
      site: 'S01',
      amount: null,
      supplier: null,
      supplierInvoiceNumber: null,
      lines: [],
      x3UpdatedAt: '2026-11-21T00:00:00.000Z',
      readAt: new Date().toISOString(),
      ...doc,
    };
    const env = createEnvelope({ type: X3_DOCUMENT_STATE, tenant, source: 'poll', payload });
    return this.send(Topics.X3Document, env, recordKey(tenant, doc.documentKind, doc.documentNumber));
  }

  async x3Scan(tenant: string, scan: Partial<X3DocumentScanV1> & Pick<X3DocumentScanV1, 'documentKind' | 'mode'>) {
    const now = new Date().toISOString();
    const payload: X3DocumentScanV1 = { startedAt: now, completedAt: now, read: 0, published: 0, absent: 0, ...scan };
    const env = createEnvelope({ type: X3_DOCUMENT_SCAN, tenant, source: 'poll', payload });
    return this.send(Topics.X3Document, env, recordKey(tenant, 'scan', `${scan.documentKind}:${scan.mode}`));
  }

  /** A later revision of a bill's supplier invoice, superseding the earlier request (reconciliation tests). */
  async supplierInvoiceRevision(cause: MessageEnvelope<unknown>, billId: number, revision: number, amount: string) {
    const externalRef = `${cause.tenant}:bill:${billId}:${revision}`;
    const env = createCausedEnvelope(cause, {
      type: SUPPLIER_INVOICE_REQUESTED,
      source: 'mapper',
      payload: {
        externalRef,
        source: { kind: 'inventory-bill', id: String(billId), revision },
        site: 'S01',
        supplier: 'SUP1',
        supplierInvoiceNumber: `B-${billId}-${revision}`,
        invoiceDate: '2026-11-18',
        accountingDate: '2026-11-18',
        currency: 'USD',
        controlTotal: amount,
        lines: [{ purchaseOrder: 'PO1', purchaseOrderLine: 1, product: 'P1', quantity: '1', netPrice: amount }],
        supersedes: `${cause.tenant}:bill:${billId}:${revision - 1}`,
      },
    });
    return this.send(Topics.SupplierInvoiceRequested, env, recordKey(cause.tenant, 'supplier-invoice', externalRef));
  }

  /** A job's own record on servicetitan.records.v1, as the gateway's jobs feed publishes it. */
  async jobRecord(
    tenant: string,
    jobId: number,
    o: { modifiedOn?: string; jobStatus?: string; businessUnitId?: number; invoiceId?: number | null } = {},
  ) {
    const env = createEnvelope({
      type: ST_JOB_RECORD,
      tenant,
      source: 'poll',
      payload: {
        jobId,
        jobNumber: `J-${jobId}`,
        jobStatus: o.jobStatus ?? 'Completed',
        active: true,
        completedOn: '2026-11-20T10:00:00Z',
        businessUnitId: o.businessUnitId ?? 10,
        invoiceId: o.invoiceId === undefined ? jobId * 10 : o.invoiceId,
        modifiedOn: o.modifiedOn ?? '2026-11-20T10:00:00Z',
        contentHash: `job-${jobId}-${o.jobStatus ?? 'Completed'}-${o.businessUnitId ?? 10}`,
      },
    });
    await this.publisher.publish(Topics.StRecords, env, { key: jobKey(tenant, jobId) });
    this.sent.push({ topic: Topics.StRecords, envelope: env, key: jobKey(tenant, jobId) });
    return env;
  }

  /** A job's invoice record (its own key, the job's partition), as the invoices feed publishes it. */
  async invoiceRecord(tenant: string, jobId: number, costs: string[], modifiedOn = '2026-11-20T09:00:00Z') {
    const invoiceId = jobId * 10;
    const env = createEnvelope({
      type: ST_INVOICE_RECORD,
      tenant,
      source: 'poll',
      payload: {
        invoiceId,
        jobId,
        active: true,
        items: costs.map((c, i) => ({ id: i + 1, type: 'Material', quantity: '1', cost: c, totalCost: c })),
        modifiedOn,
        contentHash: `invoice-${invoiceId}-${costs.join('+')}`,
      },
    });
    const key = jobRecordKey(tenant, jobId, 'invoice', invoiceId);
    await this.publisher.publish(Topics.StRecords, env, { key, partitionKey: jobKey(tenant, jobId) });
    this.sent.push({ topic: Topics.StRecords, envelope: env, key });
    return env;
  }

  /** A mapping rejection, or a hold (`hold: true`, e.g. BEFORE_GO_LIVE), of a job record. */
  async jobRejected(cause: MessageEnvelope<unknown>, jobId: number, code: string, hold = false) {
    const env = createCausedEnvelope(cause, {
      type: MAPPING_REJECTED,
      source: 'mapper',
      payload: {
        source: { kind: 'job', id: String(jobId), revision: 1 },
        sourceTopic: Topics.StRecords,
        sourceMessageId: cause.id,
        reasons: [{ code, message: `${code} for job ${jobId}`, field: 'businessUnitId' }],
        ...(hold ? { hold: true } : {}),
      },
    });
    return this.send(Topics.MappingRejected, env, jobKey(cause.tenant, jobId));
  }

  /** The mapper's checkpoint of a job after a decision caused by `cause` (key `<tenant>:mapper:job:<id>`). */
  async mapperDecision(cause: MessageEnvelope<unknown>, jobId: number, lastOutcome: string, postedRef: string | null) {
    const env = createCausedEnvelope(cause, {
      type: CHECKPOINT,
      source: 'mapper',
      payload: {
        stream: `mapper:job:${jobId}`,
        position: '2026-11-20T10:00:00Z',
        updatedAt: new Date().toISOString(),
        state: { kind: 'job', version: 1, revision: postedRef ? 1 : 0, postedRef, lastOutcome },
      },
    });
    return this.send(Topics.Checkpoint, env, `${cause.tenant}:mapper:job:${jobId}`);
  }

  /** An operator notice as libs/sage-x3-runtime publishes it (key `<tenant>:<code>`). */
  async operatorNotice(tenant: string, code: string, severity: 'info' | 'warning' | 'error', message: string) {
    const env = createEnvelope({
      type: OPERATOR_NOTICE,
      tenant,
      source: 'poster',
      payload: { code, severity, message },
    });
    return this.send(Topics.OperatorNotice, env, `${tenant}:${code}`);
  }
}
