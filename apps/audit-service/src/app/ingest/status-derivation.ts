import {
  BACKFILL_REPORT,
  BACKFILL_STATUS,
  CHECKPOINT,
  CheckpointV1,
  decodeMessage,
  DOCUMENT_STATUS,
  DocumentStatusV1,
  Headers as H,
  isDeadLetterTopic,
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
  MAPPING_REJECTED,
  MappingRejectedV1,
  MessageEnvelope,
  parseRecordKey,
  POSTED_LEDGER_ENTRY,
  PostedLedgerEntryV1,
  POSTING_RESULT,
  PostingResultV1,
  ServiceTitanAppointmentEventV1,
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanJobEventV1,
  ServiceTitanPurchaseOrderRevisionV1,
  ServiceTitanVendorRevisionV1,
  ST_APPOINTMENT_EVENT,
  ST_INVENTORY_BILL_REVISION,
  ST_JOB_EVENT,
  ST_PURCHASE_ORDER_REVISION,
  ST_VENDOR_REVISION,
  ST_BACKFILL_COMMAND,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  ST_MARK_EXPORTED,
  ST_RECORD_REMOVED,
  ST_RECORDS_MARKER,
  ST_WEBHOOK_TRIGGER,
  ST_WRITE_BACK_STATE,
  MarkExportedCommandV1,
  OPERATOR_NOTICE,
  OperatorNoticeV1,
  ServiceTitanGrossPayItemRecordV1,
  ServiceTitanInvoiceRecordV1,
  ServiceTitanJobRecordV1,
  ServiceTitanRecordRemovedV1,
  WriteBackStateV1,
  SUPPLIER_INVOICE_REQUESTED,
  SupplierInvoiceRequestedV1,
  X3_COST_CENTER_STATE,
  X3_GL_ACCOUNT_STATE,
  X3_PRODUCT_STATE,
  X3_PURCHASE_ORDER_STATE,
  X3_SUPPLIER_STATE,
  DEAD_LETTER_SUFFIX,
  X3_DOCUMENT_SCAN,
  X3_DOCUMENT_STATE,
  X3DocumentScanV1,
  X3DocumentStateV1,
  jsonNestedDeeperThan,
} from '@connector/contracts';
import { sumDecimals, toDecimal, toDecimalString } from '@connector/decimal';
import { contentHash } from '@connector/util';
import { createHash } from 'node:crypto';
import { X3ReadBackFacts } from '../reconciliation/x3-read-back.store';

export const RECORD_STATUSES = [
  'received',
  'requested',
  'held',
  'rejected',
  'posted',
  'failed',
  'duplicate-skipped',
  'dead-lettered',
] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
/** Statuses a replay is meant for (`held` is not one: a backfill releases a hold, docs/audit-service.md). */
export const FAILURE_STATUSES: RecordStatus[] = ['rejected', 'failed', 'dead-lettered'];

/**
 * Where each message type goes in a record's history (docs/audit-service.md, "Every message type"):
 * - `source`: content of a business record (status `received`), describing it (summary, business date, amount);
 * - `part`: content of a job that is not the job's own record (its invoices, gross pay items, a removal): `received`,
 *   one more part of the job's content, no summary;
 * - `outcome`: what the connector did with the record (requested, held, rejected, posted, failed, duplicate-skipped);
 * - `decision`: the mapper's checkpoint of a job or bill — which document its last decision keeps in effect;
 * - `fact`: linked to a record by external reference, no status (what X3 holds, the ledger, write-backs);
 * - `notice`: an operator notice: a record of its own per tenant and code, `received`, its message as the summary;
 * - `none`: stored, belongs to no record (feed markers, webhook triggers, backfills, other owners' checkpoints).
 * A message type of an audited topic without a role fails the unit test (status-derivation.spec.ts): a new type gets
 * its place first. Types of topics the trail does not read (`audited: false`, the X3 credentials) have none.
 */
export type AuditRole = 'source' | 'part' | 'outcome' | 'decision' | 'fact' | 'notice' | 'none';
export const MESSAGE_ROLES: Readonly<Record<string, AuditRole>> = {
  [ST_JOB_EVENT]: 'source',
  [ST_APPOINTMENT_EVENT]: 'source',
  [ST_JOB_RECORD]: 'source',
  [ST_INVENTORY_BILL_REVISION]: 'source',
  [ST_PURCHASE_ORDER_REVISION]: 'source',
  [ST_VENDOR_REVISION]: 'source',
  [X3_GL_ACCOUNT_STATE]: 'source',
  [X3_COST_CENTER_STATE]: 'source',
  [X3_SUPPLIER_STATE]: 'source',
  [X3_PRODUCT_STATE]: 'source',
  [X3_PURCHASE_ORDER_STATE]: 'source',
  [ST_INVOICE_RECORD]: 'part',
  [ST_GROSS_PAY_ITEM_RECORD]: 'part',
  [ST_RECORD_REMOVED]: 'part',
  [JOURNAL_ENTRY_REQUESTED]: 'outcome',
  [SUPPLIER_INVOICE_REQUESTED]: 'outcome',
  [MAPPING_REJECTED]: 'outcome',
  [POSTING_RESULT]: 'outcome',
  [CHECKPOINT]: 'decision',
  [DOCUMENT_STATUS]: 'fact',
  [X3_DOCUMENT_STATE]: 'fact',
  [POSTED_LEDGER_ENTRY]: 'fact',
  [ST_MARK_EXPORTED]: 'fact',
  [ST_WRITE_BACK_STATE]: 'fact',
  [OPERATOR_NOTICE]: 'notice',
  [X3_DOCUMENT_SCAN]: 'none',
  [ST_RECORDS_MARKER]: 'none',
  [ST_WEBHOOK_TRIGGER]: 'none',
  [ST_BACKFILL_COMMAND]: 'none',
  [BACKFILL_STATUS]: 'none',
  [BACKFILL_REPORT]: 'none',
};

/** The mapper's checkpoint streams (key `<tenant>:mapper:job:<id>` / `…:bill:<id>`, apps/mapper/src/state). */
const MAPPER_DECISION_STREAM = /^mapper:(job|bill):([1-9]\d{0,15})$/;

export interface RecordIdentity {
  tenant: string;
  kind: string;
  sourceId: string;
  revision: number | null;
}

export interface DocumentLine {
  lineNo: number;
  account: string | null;
  side: 'debit' | 'credit';
  amount: string;
  costCenter: string | null;
  costKind: string | null;
}

export interface DocumentFacts {
  externalRef: string;
  documentKind: 'journal-entry' | 'supplier-invoice' | null;
  revision: number | null;
  request?: {
    amount: string;
    currency: string;
    accountingDate: string;
    reversalOf: string | null;
    supersedes: string | null;
    lines: DocumentLine[];
  };
  result?: {
    status: 'posted' | 'failed' | 'duplicate-skipped';
    x3DocumentNumber: string | null;
    amount: string | null;
    currency: string | null;
    error: string | null;
  };
  x3Status?: { status: string; documentNumber: string; updatedAt: string };
}

/** Everything the audit store learns from one consumed message (a pure function of the bytes and headers). */
export interface Derivation {
  /** Logical topic the message belongs to (the source topic for a dead letter). */
  sourceTopic: string;
  deadLetter: boolean;
  valid: boolean;
  invalidReason: string | null;
  tenant: string | null;
  messageId: string | null;
  messageType: string | null;
  correlationId: string | null;
  causationId: string | null;
  occurredAt: string | null;
  producedAt: string | null;
  /** Parsed JSON of the message (stored as the payload column), when it was JSON. */
  json: Record<string, unknown> | null;
  record: RecordIdentity | null;
  /** Links messages that carry only an external reference (document status, ledger) to their record. */
  externalRef: string | null;
  status: RecordStatus | null;
  statusReason: string | null;
  reasons: Array<{ code: string; message: string; field?: string | null }> | null;
  /** Facts from a ServiceTitan source event (record summary, reconciliation source totals). */
  source?: { summary: string; businessDate: string | null; amount: string | null };
  /**
   * Source messages (status `received`): what the record's content is and how new. `contentHash` hashes the business
   * content without delivery metadata (event id, event kind, modifiedOn stamp, the raw source record), so a
   * re-delivered or pulled copy of unchanged content hashes the same; `version` orders copies (bill revision, else
   * modifiedOn / X3 update stamp in ms; null when unknown). See record-status.ts.
   */
  revisionOf?: { contentHash: string | null; version: number | null };
  document?: DocumentFacts;
  /**
   * A mapper decision (its checkpoint of a job or bill): the outcome it remembers and, when that is `requested`, the
   * document it keeps in effect (`keeps`, also the message's external reference) — a change the mapper found to
   * post nothing new is answered by that document's outcome (record-status.ts).
   */
  decision?: { outcome: string | null; keeps: string | null };
  /** What Sage X3 holds (x3.document.v1), for reconciliation. */
  x3ReadBack?: X3ReadBackFacts;
}

export interface RawInput {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: Buffer | null;
}

const MASTER_KINDS: Record<string, string> = {
  [X3_GL_ACCOUNT_STATE]: 'x3-gl-account',
  [X3_COST_CENTER_STATE]: 'x3-cost-center',
  [X3_SUPPLIER_STATE]: 'x3-supplier',
  [X3_PRODUCT_STATE]: 'x3-product',
  [X3_PURCHASE_ORDER_STATE]: 'x3-purchase-order',
};

function looseJson(value: Buffer | null): Record<string, unknown> | null {
  if (!value || value.length === 0) return null;
  try {
    const v: unknown = JSON.parse(value.toString('utf8'));
    // Deeper than any contract allows: kept as bytes only (deep JSON would exhaust the stack when stored as jsonb).
    if (jsonNestedDeeperThan(v)) return null;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The record a key names: `{tenant}:{entity}:{id}`, a job's invoice or gross pay item under `{tenant}:job:{id}:…`. */
function recordOfKey(key: string): { tenant: string; entity: string; id: string } | null {
  const parsed = parseRecordKey(key);
  const part = parsed?.entity === 'job' ? /^(\d+):[a-z-]+:\d+$/.exec(parsed.id) : null;
  return parsed && part ? { ...parsed, id: part[1] } : parsed;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function dateOnly(v: string | null | undefined): string | null {
  return v ? v.slice(0, 10) : null;
}

/** Fields that describe a delivery, not the record's content: copies differing only in these are the same revision. */
const DELIVERY_FIELDS = ['sourceEventId', 'event', 'modifiedOn', 'updatedAt', 'raw'];

function businessContentHash(payload: unknown): string {
  const content: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const f of DELIVERY_FIELDS) delete content[f];
  return contentHash(content);
}

function timeVersion(iso: unknown): number | null {
  const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** Content and version of a valid source message (null for other types). */
function revisionOfSource(env: MessageEnvelope<unknown>): Derivation['revisionOf'] {
  const p = env.payload as Record<string, unknown>;
  switch (env.type) {
    case ST_INVENTORY_BILL_REVISION:
      return { contentHash: businessContentHash(p), version: p['revision'] as number };
    case ST_JOB_EVENT:
    case ST_APPOINTMENT_EVENT:
    case ST_PURCHASE_ORDER_REVISION:
    case ST_VENDOR_REVISION:
    case ST_JOB_RECORD:
    case ST_INVOICE_RECORD:
    case ST_GROSS_PAY_ITEM_RECORD:
    case ST_RECORD_REMOVED:
      return { contentHash: businessContentHash(p), version: timeVersion(p['modifiedOn']) };
    case OPERATOR_NOTICE:
      return { contentHash: businessContentHash(p), version: null };
    default:
      return MASTER_KINDS[env.type]
        ? { contentHash: businessContentHash(p), version: timeVersion(p['updatedAt']) }
        : undefined;
  }
}

/** Identity, status and facts of a valid envelope, as the message type defines them. */
function fromEnvelope(
  env: MessageEnvelope<unknown>,
): Pick<
  Derivation,
  'record' | 'externalRef' | 'status' | 'statusReason' | 'reasons' | 'source' | 'document' | 'decision' | 'x3ReadBack'
> {
  const t = env.tenant;
  const none = { record: null, externalRef: null, status: null, statusReason: null, reasons: null };
  switch (env.type) {
    case ST_JOB_EVENT: {
      const p = env.payload as ServiceTitanJobEventV1;
      const items = p.invoice?.items ?? [];
      return {
        ...none,
        record: { tenant: t, kind: 'job', sourceId: String(p.jobId), revision: null },
        status: 'received',
        source: {
          summary: `Job ${p.jobNumber ?? p.jobId} ${p.event} (${p.jobStatus})${p.businessUnitName ? ` · ${p.businessUnitName}` : ''}`,
          businessDate: dateOnly(p.completedOn ?? p.modifiedOn),
          amount: p.invoice ? toDecimalString(sumDecimals(items.map((i) => i.totalCost))) : null,
        },
      };
    }
    case ST_APPOINTMENT_EVENT: {
      const p = env.payload as ServiceTitanAppointmentEventV1;
      return {
        ...none,
        record: { tenant: t, kind: 'appointment', sourceId: String(p.appointmentId), revision: null },
        status: 'received',
        source: {
          summary: `Appointment ${p.appointmentId} of job ${p.jobId} ${p.event}`,
          businessDate: dateOnly(p.modifiedOn),
          amount: null,
        },
      };
    }
    case ST_INVENTORY_BILL_REVISION: {
      const p = env.payload as ServiceTitanInventoryBillRevisionV1;
      return {
        ...none,
        record: { tenant: t, kind: 'inventory-bill', sourceId: String(p.billId), revision: p.revision },
        status: 'received',
        source: {
          summary: `Inventory bill ${p.referenceNumber ?? p.billId} rev ${p.revision}${p.voided ? ' (voided)' : ''}${p.vendorName ? ` · ${p.vendorName}` : ''}`,
          businessDate: dateOnly(p.billDate ?? p.modifiedOn),
          amount: p.voided ? '0' : p.billAmount,
        },
      };
    }
    case ST_PURCHASE_ORDER_REVISION: {
      const p = env.payload as ServiceTitanPurchaseOrderRevisionV1;
      return {
        ...none,
        record: { tenant: t, kind: 'purchase-order', sourceId: String(p.purchaseOrderId), revision: null },
        status: 'received',
        source: {
          summary: `Purchase order ${p.number} (${p.status})`,
          businessDate: dateOnly(p.modifiedOn),
          amount: p.total,
        },
      };
    }
    case ST_VENDOR_REVISION: {
      const p = env.payload as ServiceTitanVendorRevisionV1;
      return {
        ...none,
        record: { tenant: t, kind: 'vendor', sourceId: String(p.vendorId), revision: null },
        status: 'received',
        source: {
          summary: `Vendor ${p.name}${p.active ? '' : ' (inactive)'}`,
          businessDate: dateOnly(p.modifiedOn),
          amount: null,
        },
      };
    }
    case ST_JOB_RECORD: {
      const p = env.payload as ServiceTitanJobRecordV1;
      return {
        ...none,
        record: { tenant: t, kind: 'job', sourceId: String(p.jobId), revision: null },
        status: 'received',
        source: {
          summary: `Job ${p.jobNumber ?? p.jobId} (${p.jobStatus}${p.active ? '' : ', deleted'})`,
          businessDate: dateOnly(p.completedOn ?? p.modifiedOn),
          // A job's costs are in its invoice and gross pay item records; what is posted is on its request.
          amount: null,
        },
      };
    }
    // A job's other records: one more part of the job's content (record-status.ts), no summary of their own.
    case ST_INVOICE_RECORD:
    case ST_GROSS_PAY_ITEM_RECORD:
    case ST_RECORD_REMOVED: {
      const p = env.payload as
        | ServiceTitanInvoiceRecordV1
        | ServiceTitanGrossPayItemRecordV1
        | ServiceTitanRecordRemovedV1;
      return {
        ...none,
        record: { tenant: t, kind: 'job', sourceId: String(p.jobId), revision: null },
        status: 'received',
      };
    }
    // Something an operator must act on (an X3 refresh token expiring or refused, a class refused by the field
    // check): one record per tenant and code, raised again and again; not a failure (nothing a replay could fix).
    case OPERATOR_NOTICE: {
      const p = env.payload as OperatorNoticeV1;
      return {
        ...none,
        record: { tenant: t, kind: 'operator-notice', sourceId: p.code, revision: null },
        status: 'received',
        source: { summary: `${p.severity}: ${p.message}`, businessDate: dateOnly(env.occurredAt), amount: null },
      };
    }
    // Write-backs concern the document X3 holds: linked to its record, no status (the posting's stands).
    case ST_MARK_EXPORTED:
      return { ...none, externalRef: (env.payload as MarkExportedCommandV1).externalRef };
    case ST_WRITE_BACK_STATE:
      return { ...none, externalRef: (env.payload as WriteBackStateV1).externalRef };
    case JOURNAL_ENTRY_REQUESTED: {
      const p = env.payload as JournalEntryRequestedV1;
      const lines: DocumentLine[] = p.lines.map((l, i) => ({
        lineNo: i + 1,
        account: l.account,
        side: l.side,
        amount: l.amount,
        costCenter: l.costCenter ?? null,
        costKind: l.costKind,
      }));
      const debits = sumDecimals(p.lines.filter((l) => l.side === 'debit').map((l) => l.amount));
      return {
        ...none,
        record: { tenant: t, kind: p.source.kind, sourceId: p.source.id, revision: p.source.revision },
        externalRef: p.externalRef,
        status: 'requested',
        document: {
          externalRef: p.externalRef,
          documentKind: 'journal-entry',
          revision: p.source.revision,
          request: {
            amount: toDecimalString(debits),
            currency: p.currency,
            accountingDate: dateOnly(p.accountingDate) ?? p.accountingDate,
            reversalOf: p.reversalOf ?? null,
            supersedes: null,
            lines,
          },
        },
      };
    }
    case SUPPLIER_INVOICE_REQUESTED: {
      const p = env.payload as SupplierInvoiceRequestedV1;
      const lines: DocumentLine[] = p.lines.map((l, i) => ({
        lineNo: i + 1,
        account: null,
        side: 'debit',
        amount: toDecimalString(toDecimal(l.netPrice).times(toDecimal(l.quantity))),
        costCenter: null,
        costKind: 'material',
      }));
      return {
        ...none,
        record: { tenant: t, kind: p.source.kind, sourceId: p.source.id, revision: p.source.revision },
        externalRef: p.externalRef,
        status: 'requested',
        document: {
          externalRef: p.externalRef,
          documentKind: 'supplier-invoice',
          revision: p.source.revision,
          request: {
            amount: p.controlTotal,
            currency: p.currency,
            accountingDate: dateOnly(p.accountingDate) ?? p.accountingDate,
            reversalOf: null,
            supersedes: p.supersedes ?? null,
            lines,
          },
        },
      };
    }
    case MAPPING_REJECTED: {
      const p = env.payload as MappingRejectedV1;
      return {
        ...none,
        record: { tenant: t, kind: p.source.kind, sourceId: p.source.id, revision: p.source.revision },
        // A hold (e.g. BEFORE_GO_LIVE) is not an error: nothing to fix or replay; a backfill releases it.
        status: p.hold ? 'held' : 'rejected',
        statusReason: p.reasons.map((r) => r.code).join(', '),
        reasons: p.reasons.map((r) => ({ code: r.code, message: r.message, field: r.field ?? null })),
      };
    }
    case POSTING_RESULT: {
      const p = env.payload as PostingResultV1;
      const error = p.error ? `${p.error.code}: ${p.error.message}` : null;
      return {
        ...none,
        record: { tenant: t, kind: p.source.kind, sourceId: p.source.id, revision: p.source.revision },
        externalRef: p.externalRef,
        status: p.status,
        statusReason: p.status === 'failed' ? (error ?? 'posting failed') : null,
        document: {
          externalRef: p.externalRef,
          documentKind: p.documentKind,
          revision: p.source.revision,
          result: {
            status: p.status,
            x3DocumentNumber: p.x3DocumentNumber ?? null,
            amount: p.amount ?? null,
            currency: p.currency ?? null,
            error,
          },
        },
      };
    }
    case DOCUMENT_STATUS: {
      const p = env.payload as DocumentStatusV1;
      return {
        ...none,
        externalRef: p.externalRef,
        document: {
          externalRef: p.externalRef,
          documentKind: p.documentKind,
          revision: null,
          x3Status: { status: p.status, documentNumber: p.documentNumber, updatedAt: p.updatedAt },
        },
      };
    }
    case X3_DOCUMENT_STATE: {
      const p = env.payload as X3DocumentStateV1;
      return { ...none, externalRef: p.externalRef ?? null, x3ReadBack: { document: p } };
    }
    case X3_DOCUMENT_SCAN:
      return { ...none, x3ReadBack: { scan: env.payload as X3DocumentScanV1 } };
    case POSTED_LEDGER_ENTRY: {
      const p = env.payload as PostedLedgerEntryV1;
      return { ...none, externalRef: p.externalRef };
    }
    case CHECKPOINT: {
      const p = env.payload as CheckpointV1;
      const m = MAPPER_DECISION_STREAM.exec(p.stream);
      if (!m) return none;
      const state = p.state ?? {};
      const outcome = str(state['lastOutcome']);
      const inEffect = str(m[1] === 'job' ? state['postedRef'] : state['requestedRef']);
      const keeps = outcome === 'requested' ? inEffect : null;
      return {
        ...none,
        record: { tenant: t, kind: m[1] === 'job' ? 'job' : 'inventory-bill', sourceId: m[2], revision: null },
        externalRef: keeps,
        decision: { outcome, keeps },
      };
    }
    default: {
      const kind = MASTER_KINDS[env.type];
      const code = str((env.payload as { code?: unknown }).code);
      if (kind && code)
        return {
          ...none,
          record: { tenant: t, kind, sourceId: code, revision: null },
          status: 'received',
          source: { summary: `${kind} ${code}`, businessDate: null, amount: null },
        };
      return none;
    }
  }
}

/**
 * Turns one consumed message (any topic, any bytes) into what the audit trail records: the business record it
 * belongs to, the status it implies, and document facts. Invalid messages are still recorded; dead letters
 * are decoded against their source topic so they land on the record they failed for.
 */
export function deriveMessage(input: RawInput): Derivation {
  try {
    return derive(input);
  } catch (e) {
    // Never expected (the bytes were validated); if it happens the message is still recorded, with the reason.
    const deadLetter = isDeadLetterTopic(input.topic);
    return {
      sourceTopic: input.topic,
      deadLetter,
      valid: false,
      invalidReason: `audit derivation failed: ${(e as Error).message}`,
      tenant: str(input.headers[H.Tenant]),
      messageId: str(input.headers[H.MessageId]),
      messageType: str(input.headers[H.MessageType]),
      correlationId: str(input.headers[H.CorrelationId]),
      causationId: str(input.headers[H.CausationId]),
      occurredAt: null,
      producedAt: null,
      json: null,
      record: null,
      externalRef: null,
      status: null,
      statusReason: null,
      reasons: null,
    };
  }
}

function derive(input: RawInput): Derivation {
  const deadLetter = isDeadLetterTopic(input.topic);
  const sourceTopic = deadLetter
    ? (input.headers[H.DeadLetterSourceTopic] ?? input.topic.slice(0, -DEAD_LETTER_SUFFIX.length))
    : input.topic;
  const decoded = decodeMessage(sourceTopic, input.value);
  const json = looseJson(input.value);
  const headerTenant = str(input.headers[H.Tenant]);
  const base: Derivation = {
    sourceTopic,
    deadLetter,
    valid: decoded.ok,
    invalidReason: decoded.ok ? null : decoded.reason,
    tenant: headerTenant,
    messageId: str(input.headers[H.MessageId]) ?? str(json?.['id']),
    messageType: str(input.headers[H.MessageType]) ?? str(json?.['type']),
    correlationId: str(input.headers[H.CorrelationId]) ?? str(json?.['correlationId']),
    causationId: str(input.headers[H.CausationId]) ?? str(json?.['causationId']),
    occurredAt: null,
    producedAt: null,
    json,
    record: null,
    externalRef: null,
    status: null,
    statusReason: null,
    reasons: null,
  };
  let d: Derivation = base;
  if (decoded.ok) {
    const env = decoded.envelope;
    d = {
      ...base,
      tenant: env.tenant,
      messageId: env.id,
      messageType: env.type,
      correlationId: env.correlationId,
      causationId: env.causationId,
      occurredAt: env.occurredAt,
      producedAt: env.producedAt,
      ...fromEnvelope(env),
      revisionOf: revisionOfSource(env),
    };
  } else {
    // Not a valid contract message: fall back to the record key ({tenant}:{entity}:{id}) so it still lands on a record.
    const key = input.key ? recordOfKey(input.key) : null;
    const tenant = key?.tenant ?? headerTenant;
    if (key && tenant)
      d = {
        ...base,
        tenant,
        record: { tenant, kind: key.entity, sourceId: key.id, revision: null },
        status: 'received',
        // Unreadable content: its bytes are its content (a repeat of the same bytes is the same revision).
        revisionOf: {
          contentHash: input.value ? createHash('sha256').update(input.value).digest('hex') : null,
          version: null,
        },
      };
  }
  if (deadLetter) {
    const reason = input.headers[H.DeadLetterReason] ?? (decoded.ok ? 'dead-lettered' : decoded.reason);
    const group = input.headers[H.DeadLetterConsumerGroup];
    const tenant = d.tenant ?? '_unknown';
    // A dead-lettered checkpoint is not its job's failure: it lands on a record of its topic position.
    const record = (d.decision ? null : d.record) ?? {
      tenant,
      kind: 'unknown',
      sourceId: `${sourceTopic}@${input.headers[H.DeadLetterSourcePartition] ?? '?'}:${input.headers[H.DeadLetterSourceOffset] ?? '?'}`,
      revision: null,
    };
    // A dead letter only marks the record; its document facts are not facts (the message was not processed).
    return {
      ...d,
      tenant,
      record,
      status: 'dead-lettered',
      statusReason: group ? `${reason} (group ${group})` : reason,
      reasons: null,
      document: undefined,
      decision: undefined,
      x3ReadBack: undefined,
      source: d.source,
      revisionOf: undefined,
    };
  }
  return d;
}
