import { deadLetterTopic, TopicName, Topics } from './topic-names';

export type TopicKind = 'events' | 'state' | 'commands' | 'results' | 'dead-letter';

export interface TopicSpec {
  name: string;
  kind: TopicKind;
  partitions: number;
  /** Compacted topics keep the latest value per key (master data, checkpoints, ledgers). */
  compacted: boolean;
  /** Retention for non-compacted topics; -1 = forever. */
  retentionMs: number;
  description: string;
  /** Recorded by the audit trail (default). False for topics that hold secrets, even encrypted ones. */
  audited: boolean;
}

const DAY = 24 * 60 * 60 * 1000;

const base: Array<Omit<TopicSpec, 'partitions' | 'audited'> & { partitions?: number; audited?: boolean }> = [
  {
    name: Topics.StJob,
    kind: 'events',
    compacted: false,
    retentionMs: 30 * DAY,
    description: 'ServiceTitan job events (created, completed, updated, canceled)',
  },
  {
    name: Topics.StAppointment,
    kind: 'events',
    compacted: false,
    retentionMs: 30 * DAY,
    description: 'ServiceTitan appointment events',
  },
  {
    name: Topics.StInventoryBill,
    kind: 'events',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'ServiceTitan inventory bill revisions (incl. corrections and voids)',
  },
  {
    name: Topics.StPurchaseOrder,
    kind: 'events',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'ServiceTitan purchase order revisions',
  },
  {
    name: Topics.StVendor,
    kind: 'events',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'ServiceTitan vendor revisions',
  },
  {
    name: Topics.StRecords,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description:
      "ServiceTitan records from the export feeds, latest per record; partitioned by job for a job's records",
  },
  {
    name: Topics.StCommand,
    kind: 'commands',
    compacted: false,
    // Also the webhook dedupe memory (a redelivery within this time is answered without a second trigger).
    retentionMs: 7 * DAY,
    description: "Commands for the tenant's ServiceTitan owner: webhook triggers, write-backs, backfills",
  },
  {
    name: Topics.StWriteBack,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'ServiceTitan write-backs (mark as exported): pending, done or failed, per record',
  },
  {
    name: Topics.Backfill,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Backfill requests: status by the ServiceTitan owner, reports per partition by the mapper',
  },
  {
    name: Topics.X3GlAccount,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Sage X3 GL accounts, latest per tenant:code',
  },
  {
    name: Topics.X3CostCenter,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Sage X3 cost centers (dimension CCE), latest per tenant:code',
  },
  {
    name: Topics.X3Supplier,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Sage X3 suppliers, latest per tenant:code',
  },
  {
    name: Topics.X3Product,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Sage X3 products, latest per tenant:code',
  },
  {
    name: Topics.X3PurchaseOrder,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Sage X3 purchase orders, latest per tenant:number',
  },
  {
    name: Topics.JournalEntryRequested,
    kind: 'commands',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'Journal entries to post to Sage X3',
  },
  {
    name: Topics.SupplierInvoiceRequested,
    kind: 'commands',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'Supplier invoices to post to Sage X3',
  },
  {
    name: Topics.MappingRejected,
    kind: 'results',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'Source records the mapper rejected, with reason codes',
  },
  {
    name: Topics.PostingResult,
    kind: 'results',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'posted / failed / duplicate-skipped per external reference',
  },
  {
    name: Topics.DocumentStatus,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Reconciliation status of documents the connector posted',
  },
  {
    name: Topics.X3Document,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Documents as Sage X3 holds them (header and lines), read back by the x3-poller for reconciliation',
  },
  {
    name: Topics.Checkpoint,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Pull checkpoints and watermarks per tenant:stream',
  },
  {
    name: Topics.PostedLedger,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Ledger of posted external references',
  },
  {
    name: Topics.X3Credentials,
    kind: 'state',
    compacted: true,
    retentionMs: -1,
    description: 'Sage X3 OAuth2 token set per tenant (encrypted); its partitions decide the credential owner',
    // Tokens, even encrypted, stay out of the audit trail (the audit-service holds no tenant credentials).
    audited: false,
  },
  {
    name: Topics.OperatorNotice,
    kind: 'events',
    compacted: false,
    retentionMs: 90 * DAY,
    description: 'Operator notices: X3 refresh token expiring or refused, tenant refused by the X3 field check',
  },
];

/** The whole catalogue, applied at start by the messaging module (create missing, never delete). */
export function topicCatalogue(partitions = 3): TopicSpec[] {
  const specs: TopicSpec[] = base.map((t) => ({
    ...t,
    partitions: t.partitions ?? partitions,
    audited: t.audited ?? true,
  }));
  // Every topic has a dead-letter twin: any consumer may reject what it reads.
  const dlqs: TopicSpec[] = base.map((t) => ({
    name: deadLetterTopic(t.name),
    kind: 'dead-letter' as const,
    partitions: t.partitions ?? partitions,
    compacted: false,
    retentionMs: 90 * DAY,
    description: `Dead letters of ${t.name}: reason and original bytes`,
    audited: t.audited ?? true,
  }));
  return [...specs, ...dlqs];
}

export const ALL_TOPICS: TopicName[] = Object.values(Topics);
