/** The reconciliation report a controller signs: one tenant, one accounting period (month). Amounts are decimal strings. */

export const EXCEPTION_CODES = {
  /** ServiceTitan record the mapper rejected (reasons in the message): not in the source totals, not in X3. */
  MappingRejected: 'MAPPING_REJECTED',
  /** ServiceTitan record or request that could not be processed (dead-letter topic). */
  DeadLettered: 'DEAD_LETTERED',
  /** The x3-poster's latest result for the document is failed. */
  PostingFailed: 'POSTING_FAILED',
  /** Requested, no posting result yet (in flight, or the poster is behind). */
  NotPosted: 'NOT_POSTED',
  /** The connector believes it posted the document; X3 does not hold it (deleted, or never found). */
  MissingInX3: 'MISSING_IN_X3',
  /** Posted, but no read-back of it from X3 yet (the poller has not read it, or is not running). */
  NotReadBack: 'NOT_READ_BACK',
  /** X3 holds a document carrying the connector's reference that the connector has no record of. */
  UnknownInX3: 'UNKNOWN_IN_X3',
  /** X3 holds the document with other lines, amounts or accounting date than the connector requested. */
  AlteredInX3: 'ALTERED_IN_X3',
  /** Several X3 documents carry the same external reference. */
  DuplicateInX3: 'DUPLICATE_IN_X3',
  /** A supplier invoice a later bill revision superseded is still in X3 (AP credits or corrects it by hand). */
  SupersededInX3: 'SUPERSEDED_IN_X3',
  /** A bill whose ServiceTitan amount differs from what X3 holds for it. */
  BillDiffers: 'BILL_DIFFERS',
} as const;
export type ExceptionCode = (typeof EXCEPTION_CODES)[keyof typeof EXCEPTION_CODES];

export interface ReconciliationException {
  code: ExceptionCode;
  /** What is wrong, in words a controller reads (amounts, dates, X3 document numbers). */
  reason: string;
  documentKind: 'journal-entry' | 'supplier-invoice' | null;
  /** job / inventory-bill, when the exception belongs to a ServiceTitan record. */
  sourceKind: string | null;
  sourceId: string | null;
  externalRef: string | null;
  x3DocumentNumber: string | null;
  recordId: string | null;
  /** The record's timeline (or the X3 document's read-back history) in the operator console. */
  link: string;
}

/** Net amounts are debit − credit. Difference = source − X3. */
export interface AccountRow {
  costCenter: string | null;
  account: string;
  currency: string;
  sourceDebit: string;
  sourceCredit: string;
  source: string;
  posted: string;
  x3Debit: string;
  x3Credit: string;
  x3: string;
  difference: string;
}

export interface AccountTotalRow {
  account: string;
  currency: string;
  source: string;
  posted: string;
  x3: string;
  difference: string;
}

export interface BillRow {
  recordId: string | null;
  billId: string | null;
  externalRef: string | null;
  supplier: string | null;
  supplierInvoiceNumber: string | null;
  x3DocumentNumber: string | null;
  currency: string | null;
  /** ServiceTitan's bill amount, latest revision (voided: 0). */
  source: string;
  /** Control total the connector requested (latest revision). */
  requested: string | null;
  /** Control totals of the supplier invoices X3 holds for the bill. */
  x3: string;
  difference: string;
  /** matched | unmatched (X3 STA), null when X3 holds none. */
  x3Status: string | null;
  link: string;
}

export interface DocumentCounts {
  /** Documents the connector requested with an accounting date in the period. */
  requested: number;
  /** …that the connector believes are in X3 (posted or duplicate-skipped). */
  posted: number;
  /** …that the read-back found in X3. */
  inX3: number;
  /** Posting attempts that ended failed (a replay may have fixed them since). */
  failedAttempts: number;
  /** …whose latest result is still failed. */
  stillFailed: number;
  /** …replayed from the audit trail at least once. */
  replayed: number;
  /** Results duplicate-skipped (a redelivery or replay of something already posted: no second document). */
  duplicateSkipped: number;
  /** Requested, no result yet. */
  notPosted: number;
}

export interface ReadBackStatus {
  documentKind: 'journal-entry' | 'supplier-invoice';
  /** When the last incremental / full read-back of X3 completed (null: never). */
  lastIncremental: string | null;
  lastFull: string | null;
}

export interface ReconciliationReport {
  tenant: string;
  period: string;
  from: string;
  to: string;
  generatedAt: string;
  balanced: boolean;
  verdict: 'balanced' | 'not balanced';
  /** Why not balanced (empty when balanced). */
  verdictReasons: string[];
  readBack: ReadBackStatus[];
  notes: string[];
  accounts: AccountRow[];
  accountTotals: AccountTotalRow[];
  /** Debit totals of the journal entries per currency (net totals are zero when entries balance). */
  journalTotals: Array<{ currency: string; source: string; posted: string; x3: string; difference: string }>;
  bills: BillRow[];
  billTotals: Array<{
    currency: string;
    source: string;
    x3: string;
    difference: string;
    matched: number;
    unmatched: number;
  }>;
  counts: { journalEntries: DocumentCounts; supplierInvoices: DocumentCounts };
  exceptions: ReconciliationException[];
}

/** Where the numbers come from: printed on every report. */
export const SOURCE_OF_TRUTH_NOTES = [
  'Source: the ServiceTitan records the connector received. Journal entries: completed jobs’ labor and material costs as the mapper mapped them — every entry requested, a correction as a reversal plus the new revision, each on its own accounting date. Bills: ServiceTitan’s bill amount of the latest revision (a voided bill counts 0).',
  'Posted: what the connector believes it posted (x3-poster results posted or duplicate-skipped).',
  'X3: what Sage X3 holds, read back from X3’s api1 ($query/$details) by the x3-poller — journal entries by their external reference (REF), supplier invoices by the document numbers in the poster’s ledger (PINVOICE publishes no reference field).',
  'Periods by accounting date: the date on the requested documents (set by the mapper), and X3’s own ACCDAT on the X3 side.',
  'Amounts are exact decimals; net = debit − credit; difference = source − X3. Balanced means every account, cost center and bill agrees to the cent and there is no exception.',
];
