import { X3DocumentKind, X3DocumentLineDto, X3DocumentStateV1 } from '@connector/contracts';
import { sumDecimals, toDecimal, toDecimalString } from '@connector/decimal';
import { X3EntityConfig, x3Decimal } from '@connector/sage-x3';

type X3Row = Record<string, unknown>;

/** A document X3 answered with that the connector cannot read (unknown sign, not a decimal…): named, never guessed. */
export class UnreadableX3DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableX3DocumentError';
  }
}

const text = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : typeof v === 'object' ? null : String(v);

/** The document number: the last key field (GACCENTRY TYP~NUM → NUM, PINVOICE NUM), else `$key`. */
export function documentNumberOf(cfg: X3EntityConfig, row: X3Row): string | null {
  const field = cfg.keyFields[cfg.keyFields.length - 1];
  return (field ? text(row[field]) : null) ?? text(row['$key']);
}

/** The key `$details` takes: `$key` when X3 sent it, else the key fields joined with `~`. */
export function x3KeyOf(cfg: X3EntityConfig, row: X3Row): string | null {
  const key = text(row['$key']);
  if (key) return key;
  const parts = cfg.keyFields.map((f) => text(row[f]));
  return parts.length && parts.every((p) => p !== null) ? parts.join('~') : null;
}

/** UPDDATTIM (or the configured stamp field) as ISO 8601; null when X3 sent none. */
export function updateStampOf(cfg: X3EntityConfig, row: X3Row): string | null {
  const v = row[cfg.updateStampField] ?? row[cfg.createStampField];
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return null;
  return new Date(v).toISOString();
}

function decimalField(row: X3Row, field: string | undefined, what: string): string | null {
  if (!field) return null;
  try {
    return x3Decimal(row[field]) ?? null;
  } catch {
    throw new UnreadableX3DocumentError(`${what} (${field}) is not a decimal: ${JSON.stringify(row[field])}`);
  }
}

function dateField(row: X3Row, field: string | undefined): string | null {
  const v = field ? text(row[field]) : null;
  if (!v) return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(v);
  return m ? m[1] : null;
}

/**
 * journal entries: STA 2 = final (validated), anything else temporary; supplier invoices: STA 2 = validated by AP
 * once matched, anything else unmatched. The local menu values are unpublished (docs/sage-x3.md, Assumptions).
 */
export function documentStatus(kind: X3DocumentKind, raw: string | null): string | null {
  if (raw === null) return null;
  if (kind === 'journal-entry') return raw === '2' ? 'final' : 'temporary';
  return raw === '2' ? 'matched' : 'unmatched';
}

function sideOf(sign: unknown, lineNo: number): 'debit' | 'credit' {
  const s = text(sign);
  if (s === '1') return 'debit';
  if (s === '-1') return 'credit';
  throw new UnreadableX3DocumentError(
    `line ${lineNo}: sign ${JSON.stringify(sign)} is neither 1 (debit) nor -1 (credit)`,
  );
}

function journalLines(cfg: X3EntityConfig, rows: X3Row[]): X3DocumentLineDto[] {
  const f = cfg.lines?.fields ?? {};
  return rows.map((l, i) => {
    const lineNo = i + 1;
    const amount = decimalField(l, f['amount'], `line ${lineNo} amount`);
    if (amount === null) throw new UnreadableX3DocumentError(`line ${lineNo} has no amount (${f['amount'] ?? '?'})`);
    let side = sideOf(f['sign'] ? l[f['sign']] : undefined, lineNo);
    let value = toDecimal(amount);
    // A negative amount on a debit line is a credit (some sites store signed amounts).
    if (value.isNegative()) {
      side = side === 'debit' ? 'credit' : 'debit';
      value = value.negated();
    }
    return {
      lineNo,
      account: text(l[f['account'] ?? '']),
      costCenter: text(l[f['costCenter'] ?? '']),
      dimensionType: text(l[f['dimensionType'] ?? '']),
      side,
      amount: value.toFixed(),
      description: text(l[f['description'] ?? '']),
    };
  });
}

function invoiceLines(cfg: X3EntityConfig, rows: X3Row[]): X3DocumentLineDto[] {
  const f = cfg.lines?.fields ?? {};
  return rows.map((l, i) => {
    const lineNo = i + 1;
    const quantity = decimalField(l, f['quantity'], `line ${lineNo} quantity`);
    const netPrice = decimalField(l, f['netPrice'], `line ${lineNo} net price`);
    const poLine = text(l[f['purchaseOrderLine'] ?? '']);
    return {
      lineNo,
      side: 'debit' as const,
      amount: toDecimal(quantity ?? '0')
        .times(toDecimal(netPrice ?? '0'))
        .toFixed(),
      purchaseOrder: text(l[f['purchaseOrder'] ?? '']),
      purchaseOrderLine: poLine !== null && /^\d+$/.test(poLine) ? Number.parseInt(poLine, 10) : null,
      product: text(l[f['product'] ?? '']),
      quantity,
      netPrice,
    };
  });
}

export interface ReadBackInput {
  kind: X3DocumentKind;
  cfg: X3EntityConfig;
  /** The `$details` resource. */
  row: X3Row;
  /** From the ledger, for classes without a reference field. */
  ledgerRef: string | null;
  inLedger: boolean;
  readAt: string;
}

/**
 * A document as X3 holds it, in the contract's terms, through the tenant's entity configuration (which field is the
 * accounting date, the sign, the cost center…): every field read is a configured field.
 */
export function readBackDocument(input: ReadBackInput): X3DocumentStateV1 {
  const { kind, cfg, row } = input;
  const f = cfg.fields;
  const number = documentNumberOf(cfg, row);
  if (!number) throw new UnreadableX3DocumentError(`${cfg.className} resource without a document number`);
  const rawLines = cfg.lines && Array.isArray(row[cfg.lines.field]) ? (row[cfg.lines.field] as X3Row[]) : [];
  const lines = kind === 'journal-entry' ? journalLines(cfg, rawLines) : invoiceLines(cfg, rawLines);
  const x3Status = cfg.statusField ? text(row[cfg.statusField]) : null;
  const debits = sumDecimals(lines.filter((l) => l.side === 'debit').map((l) => l.amount));
  return {
    documentKind: kind,
    documentNumber: number,
    x3Key: x3KeyOf(cfg, row),
    externalRef: (cfg.referenceField ? text(row[cfg.referenceField]) : null) ?? input.ledgerRef,
    referenceFrom: cfg.referenceField ? 'x3' : 'ledger',
    inLedger: input.inLedger,
    present: true,
    absence: null,
    status: documentStatus(kind, x3Status),
    x3Status,
    accountingDate: dateField(row, f['accountingDate']),
    currency: text(row[f['currency'] ?? '']),
    site: text(row[f['site'] ?? '']),
    amount: kind === 'journal-entry' ? toDecimalString(debits) : decimalField(row, f['controlTotal'], 'control total'),
    supplier: kind === 'supplier-invoice' ? text(row[f['supplier'] ?? '']) : null,
    supplierInvoiceNumber: kind === 'supplier-invoice' ? text(row[f['supplierInvoiceNumber'] ?? '']) : null,
    lines,
    x3UpdatedAt: updateStampOf(cfg, row),
    readAt: input.readAt,
  };
}

/** A document the connector's ledger names (or an earlier read showed) that X3 does not hold now. */
export function absentDocument(input: {
  kind: X3DocumentKind;
  documentNumber: string;
  externalRef: string | null;
  referenceFrom: 'x3' | 'ledger';
  inLedger: boolean;
  absence: 'deleted' | 'not-found';
  x3Key?: string | null;
  readAt: string;
}): X3DocumentStateV1 {
  return {
    documentKind: input.kind,
    documentNumber: input.documentNumber,
    x3Key: input.x3Key ?? null,
    externalRef: input.externalRef,
    referenceFrom: input.referenceFrom,
    inLedger: input.inLedger,
    present: false,
    absence: input.absence,
    status: null,
    x3Status: null,
    accountingDate: null,
    currency: null,
    site: null,
    amount: null,
    supplier: null,
    supplierInvoiceNumber: null,
    lines: [],
    x3UpdatedAt: null,
    readAt: input.readAt,
  };
}
