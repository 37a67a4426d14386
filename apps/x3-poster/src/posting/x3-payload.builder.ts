import { JournalEntryRequestedV1, SupplierInvoiceRequestedV1 } from '@connector/contracts';
import { Decimal, isDecimalString, sumDecimals, toDecimal, toDecimalString } from '@connector/decimal';
import { X3ConfigError, X3EntityConfig } from '@connector/sage-x3';

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
  /** In the tenant's X3 field codes (the entity's configured fields). */
  body: Record<string, unknown>;
  /** Sum of debits (journal entry) or control total (supplier invoice), as a decimal string. */
  amount: string;
  currency: string;
}

type Values = Record<string, unknown>;

/**
 * Logical values the poster may leave out when the tenant's representation has no field for them (configured as
 * null): descriptions and line currency. Everything else must have a field, or the request cannot be posted.
 */
const OPTIONAL = new Set(['description', 'lines.currency', 'lines.description', 'lines.dimensionType']);

/**
 * A body in the entity's X3 field codes from logical values (`site`, `lines[].amount`…), through the tenant's field
 * configuration (sageX3.classes, defaults in docs/sage-x3.md). An absent value is left out; a value without a field
 * is left out when optional, otherwise a configuration error naming the field to configure.
 */
export function x3Body(cfg: X3EntityConfig, header: Values, lines: Values[]): Record<string, unknown> {
  const put = (map: Record<string, string>, values: Values, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || value === null) continue;
      const code = map[name];
      if (code) out[code] = value;
      else if (!OPTIONAL.has(`${prefix}${name}`))
        throw new X3ConfigError(
          `Sage X3 ${cfg.className} (${cfg.representation}): no field configured for ${prefix ? `${prefix}fields.` : 'fields.'}${name}`,
        );
    }
    return out;
  };
  const body = put(cfg.fields, header, '');
  if (!cfg.lines) throw new X3ConfigError(`Sage X3 ${cfg.className}: no lines configured (lines.field)`);
  body[cfg.lines.field] = lines.map((l) => put(cfg.lines?.fields ?? {}, l, 'lines.'));
  return body;
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
 * Journal entry (GACCENTRY by default) `$create` body: header site/entry type/journal/accounting date/currency/
 * reference/description and lines with sign 1 (debit) or -1 (credit) and the amount as a decimal string. Balance and
 * master-data checks are X3's (its diagnoses are the message the operator sees); only what X3 could misread (signs,
 * dates, amounts) is checked here.
 */
export function buildJournalEntry(req: JournalEntryRequestedV1, cfg: X3EntityConfig): BuiltDocument {
  let maxScale = 0;
  const lines = req.lines.map((l, i) => {
    positiveAmount(l.amount, `line ${i + 1} amount`);
    maxScale = Math.max(maxScale, scaleOf(l.amount));
    const line: Values = {
      account: l.account,
      sign: l.side === 'debit' ? 1 : -1,
      amount: l.amount,
      currency: req.currency,
      description: l.description ?? req.description,
    };
    if (l.costCenter) {
      if (l.dimensionType) line['dimensionType'] = l.dimensionType;
      line['costCenter'] = l.costCenter;
    }
    return line;
  });
  const debits = req.lines.filter((l) => l.side === 'debit').map((l) => l.amount);
  return {
    kind: 'journal-entry',
    currency: req.currency,
    amount: toDecimalString(sumDecimals(debits), maxScale),
    body: x3Body(
      cfg,
      {
        site: req.site,
        entryType: req.entryType,
        journal: req.journal,
        accountingDate: x3Date(req.accountingDate, 'accountingDate'),
        currency: req.currency,
        reference: req.externalRef,
        description: req.description,
      },
      lines,
    ),
  };
}

/** Supplier invoice (PINVOICE by default) `$create` body: a not-yet-validated invoice whose lines point at PO lines. */
export function buildSupplierInvoice(req: SupplierInvoiceRequestedV1, cfg: X3EntityConfig): BuiltDocument {
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
      purchaseOrder: l.purchaseOrder,
      purchaseOrderLine: l.purchaseOrderLine,
      product: l.product,
      quantity: l.quantity,
      netPrice: l.netPrice,
    };
  });
  return {
    kind: 'supplier-invoice',
    currency: req.currency,
    amount: req.controlTotal,
    body: x3Body(
      cfg,
      {
        site: req.site,
        supplier: req.supplier,
        supplierInvoiceNumber: req.supplierInvoiceNumber,
        invoiceDate: x3Date(req.invoiceDate, 'invoiceDate'),
        accountingDate: x3Date(req.accountingDate, 'accountingDate'),
        currency: req.currency,
        // No reference: public PINVOICE representations have no REF; the invoice is found by its lookup fields
        // (BPR + BPRVCR by default), unless the tenant configures a referenceField.
        description: `ServiceTitan ${req.source.kind} ${req.source.id} rev ${req.source.revision}`,
        controlTotal: req.controlTotal,
      },
      lines,
    ),
  };
}

/** The X3 document number of a created or found resource (NUM, else the last key field, else `$key`). */
export function documentNumber(resource: Record<string, unknown>, cfg?: X3EntityConfig): string | null {
  for (const field of ['NUM', ...(cfg ? [cfg.keyFields[cfg.keyFields.length - 1]] : [])]) {
    const v = resource[field];
    if (typeof v === 'string' && v) return v;
    if (typeof v === 'number') return String(v);
  }
  const key = resource['$key'];
  return typeof key === 'string' && key ? key : null;
}

/** The amount of a document X3 already holds (found by reference): debit total or control total; null if unreadable. */
export function amountOfResource(
  kind: DocumentKind,
  resource: Record<string, unknown>,
  cfg: X3EntityConfig,
): string | null {
  try {
    if (kind === 'supplier-invoice') {
      const v = resource[cfg.fields['controlTotal'] ?? 'AMTNOT'];
      return typeof v === 'string' || typeof v === 'number' ? toDecimalString(v, scaleOf(String(v))) : null;
    }
    const lines = resource[cfg.lines?.field ?? 'GACCENTRYD'];
    const sign = cfg.lines?.fields['sign'] ?? 'SNS';
    const amount = cfg.lines?.fields['amount'] ?? 'AMTCUR';
    if (!Array.isArray(lines)) return null;
    const debits: Array<string | number> = [];
    for (const l of lines as Array<Record<string, unknown>>) {
      const sns = l[sign];
      const amt = l[amount];
      if ((sns === 1 || sns === '1') && (typeof amt === 'string' || typeof amt === 'number')) debits.push(amt);
    }
    if (!debits.length) return null;
    const scale = Math.max(...debits.map((d) => scaleOf(String(d))));
    return toDecimalString(sumDecimals(debits), scale);
  } catch {
    return null;
  }
}
