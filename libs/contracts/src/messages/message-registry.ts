import { Topics } from '../topics/topic-names';
import { DOCUMENT_STATUS, DocumentStatusV1 } from './document-status/document-status.message';
import { CHECKPOINT, CheckpointV1 } from './checkpoint/checkpoint.message';
import {
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
} from './journal-entry-requested/journal-entry-requested.message';
import { MAPPING_REJECTED, MappingRejectedV1 } from './mapping-rejected/mapping-rejected.message';
import { POSTED_LEDGER_ENTRY, PostedLedgerEntryV1 } from './posted-ledger-entry/posted-ledger-entry.message';
import { POSTING_RESULT, PostingResultV1 } from './posting-result/posting-result.message';
import { OPERATOR_NOTICE, OperatorNoticeV1 } from './operator-notice/operator-notice.message';
import { X3_CREDENTIALS, X3CredentialsV1 } from './x3-credentials/x3-credentials.message';
import {
  X3_DOCUMENT_SCAN,
  X3_DOCUMENT_STATE,
  X3DocumentScanV1,
  X3DocumentStateV1,
} from './x3-document/x3-document.message';
import {
  SUPPLIER_INVOICE_REQUESTED,
  SupplierInvoiceRequestedV1,
} from './supplier-invoice-requested/supplier-invoice-requested.message';
import {
  ST_APPOINTMENT_EVENT,
  ServiceTitanAppointmentEventV1,
} from './servicetitan-appointment-event/servicetitan-appointment-event.message';
import {
  ST_INVENTORY_BILL_REVISION,
  ServiceTitanInventoryBillRevisionV1,
} from './servicetitan-inventory-bill-revision/servicetitan-inventory-bill-revision.message';
import { ST_JOB_EVENT, ServiceTitanJobEventV1 } from './servicetitan-job-event/servicetitan-job-event.message';
import {
  ST_PURCHASE_ORDER_REVISION,
  ServiceTitanPurchaseOrderRevisionV1,
} from './servicetitan-purchase-order-revision/servicetitan-purchase-order-revision.message';
import {
  ST_VENDOR_REVISION,
  ServiceTitanVendorRevisionV1,
} from './servicetitan-vendor-revision/servicetitan-vendor-revision.message';
import { ST_JOB_RECORD, ServiceTitanJobRecordV1 } from './servicetitan-job-record/servicetitan-job-record.message';
import {
  ST_INVOICE_RECORD,
  ServiceTitanInvoiceRecordV1,
} from './servicetitan-invoice-record/servicetitan-invoice-record.message';
import {
  ST_GROSS_PAY_ITEM_RECORD,
  ServiceTitanGrossPayItemRecordV1,
} from './servicetitan-gross-pay-item-record/servicetitan-gross-pay-item-record.message';
import {
  ST_RECORD_REMOVED,
  ServiceTitanRecordRemovedV1,
} from './servicetitan-record-removed/servicetitan-record-removed.message';
import {
  ST_RECORDS_MARKER,
  ServiceTitanRecordsMarkerV1,
} from './servicetitan-records-marker/servicetitan-records-marker.message';
import {
  ST_WEBHOOK_TRIGGER,
  WebhookTriggerCommandV1,
} from './servicetitan-webhook-trigger/servicetitan-webhook-trigger.message';
import {
  MarkExportedCommandV1,
  ST_MARK_EXPORTED,
} from './servicetitan-mark-exported/servicetitan-mark-exported.message';
import {
  BackfillCommandV1,
  ST_BACKFILL_COMMAND,
} from './servicetitan-backfill-command/servicetitan-backfill-command.message';
import {
  ST_WRITE_BACK_STATE,
  WriteBackStateV1,
} from './servicetitan-write-back-state/servicetitan-write-back-state.message';
import { BACKFILL_STATUS, BackfillStatusV1 } from './backfill-status/backfill-status.message';
import { BACKFILL_REPORT, BackfillReportV1 } from './backfill-report/backfill-report.message';
import {
  X3_COST_CENTER_STATE,
  X3_GL_ACCOUNT_STATE,
  X3_PRODUCT_STATE,
  X3_PURCHASE_ORDER_STATE,
  X3_SUPPLIER_STATE,
  X3CostCenterStateV1,
  X3GlAccountStateV1,
  X3ProductStateV1,
  X3PurchaseOrderStateV1,
  X3SupplierStateV1,
} from './x3-master-data/x3-master-data.message';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PayloadClass = new (...args: any[]) => object;

export interface MessageTypeSpec {
  type: string;
  schemaVersion: number;
  payload: PayloadClass;
  /** Topics this type may appear on; anything else is a contract violation (dead-lettered). */
  topics: string[];
}

/** Message type → payload class, version and topics. One entry per folder under messages/. */
export const MESSAGE_TYPES: MessageTypeSpec[] = [
  { type: ST_JOB_EVENT, schemaVersion: 1, payload: ServiceTitanJobEventV1, topics: [Topics.StJob] },
  {
    type: ST_APPOINTMENT_EVENT,
    schemaVersion: 1,
    payload: ServiceTitanAppointmentEventV1,
    topics: [Topics.StAppointment],
  },
  {
    type: ST_INVENTORY_BILL_REVISION,
    schemaVersion: 1,
    payload: ServiceTitanInventoryBillRevisionV1,
    topics: [Topics.StInventoryBill, Topics.StRecords],
  },
  {
    type: ST_PURCHASE_ORDER_REVISION,
    schemaVersion: 1,
    payload: ServiceTitanPurchaseOrderRevisionV1,
    topics: [Topics.StPurchaseOrder, Topics.StRecords],
  },
  {
    type: ST_VENDOR_REVISION,
    schemaVersion: 1,
    payload: ServiceTitanVendorRevisionV1,
    topics: [Topics.StVendor, Topics.StRecords],
  },
  { type: ST_JOB_RECORD, schemaVersion: 1, payload: ServiceTitanJobRecordV1, topics: [Topics.StRecords] },
  { type: ST_INVOICE_RECORD, schemaVersion: 1, payload: ServiceTitanInvoiceRecordV1, topics: [Topics.StRecords] },
  {
    type: ST_GROSS_PAY_ITEM_RECORD,
    schemaVersion: 1,
    payload: ServiceTitanGrossPayItemRecordV1,
    topics: [Topics.StRecords],
  },
  { type: ST_RECORD_REMOVED, schemaVersion: 1, payload: ServiceTitanRecordRemovedV1, topics: [Topics.StRecords] },
  { type: ST_RECORDS_MARKER, schemaVersion: 1, payload: ServiceTitanRecordsMarkerV1, topics: [Topics.StRecords] },
  { type: ST_WEBHOOK_TRIGGER, schemaVersion: 1, payload: WebhookTriggerCommandV1, topics: [Topics.StCommand] },
  { type: ST_MARK_EXPORTED, schemaVersion: 1, payload: MarkExportedCommandV1, topics: [Topics.StCommand] },
  { type: ST_BACKFILL_COMMAND, schemaVersion: 1, payload: BackfillCommandV1, topics: [Topics.StCommand] },
  { type: ST_WRITE_BACK_STATE, schemaVersion: 1, payload: WriteBackStateV1, topics: [Topics.StWriteBack] },
  { type: BACKFILL_STATUS, schemaVersion: 1, payload: BackfillStatusV1, topics: [Topics.Backfill] },
  { type: BACKFILL_REPORT, schemaVersion: 1, payload: BackfillReportV1, topics: [Topics.Backfill] },
  { type: X3_GL_ACCOUNT_STATE, schemaVersion: 1, payload: X3GlAccountStateV1, topics: [Topics.X3GlAccount] },
  { type: X3_COST_CENTER_STATE, schemaVersion: 1, payload: X3CostCenterStateV1, topics: [Topics.X3CostCenter] },
  { type: X3_SUPPLIER_STATE, schemaVersion: 1, payload: X3SupplierStateV1, topics: [Topics.X3Supplier] },
  { type: X3_PRODUCT_STATE, schemaVersion: 1, payload: X3ProductStateV1, topics: [Topics.X3Product] },
  {
    type: X3_PURCHASE_ORDER_STATE,
    schemaVersion: 1,
    payload: X3PurchaseOrderStateV1,
    topics: [Topics.X3PurchaseOrder],
  },
  {
    type: JOURNAL_ENTRY_REQUESTED,
    schemaVersion: 1,
    payload: JournalEntryRequestedV1,
    topics: [Topics.JournalEntryRequested],
  },
  {
    type: SUPPLIER_INVOICE_REQUESTED,
    schemaVersion: 1,
    payload: SupplierInvoiceRequestedV1,
    topics: [Topics.SupplierInvoiceRequested],
  },
  { type: MAPPING_REJECTED, schemaVersion: 1, payload: MappingRejectedV1, topics: [Topics.MappingRejected] },
  { type: POSTING_RESULT, schemaVersion: 1, payload: PostingResultV1, topics: [Topics.PostingResult] },
  { type: DOCUMENT_STATUS, schemaVersion: 1, payload: DocumentStatusV1, topics: [Topics.DocumentStatus] },
  { type: X3_DOCUMENT_STATE, schemaVersion: 1, payload: X3DocumentStateV1, topics: [Topics.X3Document] },
  { type: X3_DOCUMENT_SCAN, schemaVersion: 1, payload: X3DocumentScanV1, topics: [Topics.X3Document] },
  { type: CHECKPOINT, schemaVersion: 1, payload: CheckpointV1, topics: [Topics.Checkpoint] },
  { type: POSTED_LEDGER_ENTRY, schemaVersion: 1, payload: PostedLedgerEntryV1, topics: [Topics.PostedLedger] },
  { type: X3_CREDENTIALS, schemaVersion: 1, payload: X3CredentialsV1, topics: [Topics.X3Credentials] },
  { type: OPERATOR_NOTICE, schemaVersion: 1, payload: OperatorNoticeV1, topics: [Topics.OperatorNotice] },
];

const byType = new Map(MESSAGE_TYPES.map((m) => [m.type, m]));

export function messageTypeSpec(type: string): MessageTypeSpec | undefined {
  return byType.get(type);
}
