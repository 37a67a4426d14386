import { JournalEntryRequestedV1, SupplierInvoiceRequestedV1 } from '@connector/contracts';
import { Decimal, isDecimalString, sumDecimals, toDecimal, toDecimalString } from '@connector/decimal';

export type DocumentKind = 'journal-entry' | 'supplier-invoice';

/** A request the poster cannot turn into an X3 document (never worth retrying). */
export class InvalidPostingRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPostingRequestError';
  }
}

/** The X3 body plus what the result message reports about it. */
export interface BuiltDocument {
  kind: DocumentKind;
  body: Record<string, unknown>;
  /** Sum of debits (journal entry) or control total (supplier invoice), as a decimal string. */
  amount: string;
  currency: string;
}

/** X3 dates are plain YYYY-MM-DD; the contract carries ISO 8601 (a date, or a timestamp whose local date is meant). */
export function x3Date(iso: string, field: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(iso);
  if (!m || Number.isNaN(Date.parse(m[1]))) throw new InvalidPostingRequestError(`${field} "${iso}" is not a date`);
  return m[1];
}

/** A strictly positive decimal string, kept at the scale the mapper chose (the currency's decimals). */
function positiveAmount(value: string, what: string): Decimal {
  if (!isDecimalString(value)) throw new InvalidPostingRequestError(`${what} "${value}" is not a decimal string`);
  const d = toDecimal(value);
  if (d.lte(0))
    throw new InvalidPostingRequestError(`${what} must be positive (the side gives the sign), got "${value}"`);
  return d;
}

function scaleOf(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/**
 * GACCENTRY `$create` body: header FCY/TYP/JOU/ACCDAT/CUR/REF/DESVCR and lines GACCENTRYD[] with SNS 1 (debit) or
 * -1 (credit) and AMTCUR as a decimal string. Balance and master-data checks are X3's (its diagnoses are the message
 * the operator sees); only what X3 could misread (signs, dates, amounts) is checked here.
 */
export function buildJournalEntry(req: JournalEntryRequestedV1): BuiltDocument {
  let maxScale = 0;
  const lines = req.lines.map((l, i) => {
    positiveAmount(l.amount, `line ${i + 1} amount`);
    maxScale = Math.max(maxScale, scaleOf(l.amount));
    const line: Record<string, unknown> = {
      ACC: l.account,
      SNS: l.side === 'debit' ? 1 : -1,
      AMTCUR: l.amount,
      CUR: req.currency,
      DES: l.description ?? req.description,
    };
    if (l.costCenter) {
      if (l.dimensionType) line['DIE'] = l.dimensionType;
      line['CCE'] = l.costCenter;
    }
    return line;
  });
  const debits = req.lines.filter((l) => l.side === 'debit').map((l) => l.amount);
  return {
    kind: 'journal-entry',
    currency: req.currency,
    amount: toDecimalString(sumDecimals(debits), maxScale),
    body: {
      FCY: req.site,
      TYP: req.entryType,
      JOU: req.journal,
      ACCDAT: x3Date(req.accountingDate, 'accountingDate'),
      CUR: req.currency,
      REF: req.externalRef,
      DESVCR: req.description,
      GACCENTRYD: lines,
    },
  };
}

/** PINVOICE `$create` body: a not-yet-validated purchase invoice whose lines point at purchase order lines. */
export function buildSupplierInvoice(req: SupplierInvoiceRequestedV1): BuiltDocument {
  if (!req.lines.length) throw new InvalidPostingRequestError('a supplier invoice needs at least one line');
  if (!isDecimalString(req.controlTotal))
    throw new InvalidPostingRequestError(`controlTotal "${req.controlTotal}" is not a decimal string`);
  if (toDecimal(req.controlTotal).isNegative())
    throw new InvalidPostingRequestError(`controlTotal must not be negative, got "${req.controlTotal}"`);
  const lines = req.lines.map((l, i) => {
    positiveAmount(l.quantity, `line ${i + 1} quantity`);
    if (!isDecimalString(l.netPrice) || toDecimal(l.netPrice).isNegative()) {
      throw new InvalidPostingRequestError(`line ${i + 1} net price "${l.netPrice}" must be a decimal >= 0`);
    }
    return {
      POHNUM: l.purchaseOrder,
      POPLIN: l.purchaseOrderLine,
      ITMREF: l.product,
      QTYUOM: l.quantity,
      NETPRI: l.netPrice,
    };
  });
  return {
    kind: 'supplier-invoice',
    currency: req.currency,
    amount: req.controlTotal,
    body: {
      FCY: req.site,
      BPR: req.supplier,
      BPRVCR: req.supplierInvoiceNumber,
      BPRDAT: x3Date(req.invoiceDate, 'invoiceDate'),
      ACCDAT: x3Date(req.accountingDate, 'accountingDate'),
      CUR: req.currency,
      // No REF: public PINVOICE representations have none; the client finds the invoice by BPR + BPRVCR.
      DES: `ServiceTitan ${req.source.kind} ${req.source.id} rev ${req.source.revision}`,
      AMTNOT: req.controlTotal,
      PINVOICED: lines,
    },
  };
}

/** The X3 document number of a created or found resource (NUM; `$key` when a representation hides it). */
export function documentNumber(resource: Record<string, unknown>): string | null {
  const num = resource['NUM'];
  if (typeof num === 'string' && num) return num;
  if (typeof num === 'number') return String(num);
  const key = resource['$key'];
  return typeof key === 'string' && key ? key : null;
}

/** The amount of a document X3 already holds (found by reference): debit total or control total; null if unreadable. */
export function amountOfResource(kind: DocumentKind, resource: Record<string, unknown>): string | null {
  try {
    if (kind === 'supplier-invoice') {
      const v = resource['AMTNOT'];
      return typeof v === 'string' || typeof v === 'number' ? toDecimalString(v, scaleOf(String(v))) : null;
    }
    const lines = resource['GACCENTRYD'];
    if (!Array.isArray(lines)) return null;
    const debits: Array<string | number> = [];
    for (const l of lines as Array<Record<string, unknown>>) {
      const sns = l['SNS'];
      const amt = l['AMTCUR'];
      if ((sns === 1 || sns === '1') && (typeof amt === 'string' || typeof amt === 'number')) debits.push(amt);
    }
    if (!debits.length) return null;
    const scale = Math.max(...debits.map((d) => scaleOf(String(d))));
    return toDecimalString(sumDecimals(debits), scale);
  } catch {
    return null;
  }
}
