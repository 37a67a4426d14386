/**
 * Every Kafka topic of the connector. WARNING: a value never changes in place — messages already on the
 * broker and consumer offsets are bound to it. A breaking change gets a new versioned name (…v2) and a migration.
 */
export const Topics = {
  /** Retired (no producer since issue 14: webhooks are triggers, records come from the export feeds). */
  StJob: 'servicetitan.job.v1',
  /** Retired, as StJob. */
  StAppointment: 'servicetitan.appointment.v1',
  /** Retired: bill revisions are on StRecords. */
  StInventoryBill: 'servicetitan.inventory-bill.v1',
  /** Retired: purchase orders are on StRecords. */
  StPurchaseOrder: 'servicetitan.purchase-order.v1',
  /** Retired: vendors are on StRecords. */
  StVendor: 'servicetitan.vendor.v1',
  /**
   * ServiceTitan source records from the export feeds (jobs, invoices, gross pay items, inventory bills, purchase
   * orders, vendors), compacted, one key per record; a job's records share the job's partition.
   */
  StRecords: 'servicetitan.records.v1',
  /** Commands for a tenant's ServiceTitan owner (webhook triggers, write-backs, backfills); key tenant. */
  StCommand: 'connector.servicetitan.command.v1',
  /** ServiceTitan write-backs (mark as exported) and their outcome, compacted. */
  StWriteBack: 'connector.servicetitan.write-back.v1',
  /** Backfill requests' status and per-partition reports, compacted. */
  Backfill: 'connector.backfill.v1',
  X3GlAccount: 'x3.master.gl-account.v1',
  X3CostCenter: 'x3.master.cost-center.v1',
  X3Supplier: 'x3.master.supplier.v1',
  X3Product: 'x3.master.product.v1',
  X3PurchaseOrder: 'x3.master.purchase-order.v1',
  JournalEntryRequested: 'connector.journal-entry.requested.v1',
  SupplierInvoiceRequested: 'connector.supplier-invoice.requested.v1',
  MappingRejected: 'connector.mapping.rejected.v1',
  PostingResult: 'x3.posting.result.v1',
  DocumentStatus: 'x3.document.status.v1',
  X3Document: 'x3.document.v1',
  Checkpoint: 'connector.checkpoint.v1',
  PostedLedger: 'connector.posted-ledger.v1',
  X3Credentials: 'connector.x3-credentials.v1',
  OperatorNotice: 'connector.operator-notice.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const DEAD_LETTER_SUFFIX = '.dlq';

/** The dead-letter topic of a source topic: same key, the reason and the original bytes. */
export function deadLetterTopic(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(DEAD_LETTER_SUFFIX);
}
