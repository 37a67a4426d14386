import { Decimal, toDecimal } from '@connector/decimal';
import { Injectable } from '@nestjs/common';
import { Database, SqlParam, toIso } from '../database/database';
import {
  AccountRow,
  AccountTotalRow,
  BillRow,
  DocumentCounts,
  EXCEPTION_CODES,
  ReadBackStatus,
  ReconciliationException,
  ReconciliationReport,
  SOURCE_OF_TRUTH_NOTES,
} from './reconciliation.report';

type Row = Record<string, unknown>;
type DocKind = 'journal-entry' | 'supplier-invoice';

export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** First and last day of a YYYY-MM period. */
export function periodRange(period: string): { from: string; to: string } {
  if (!PERIOD_PATTERN.test(period)) throw new RangeError(`period must be YYYY-MM, got "${period}"`);
  const [y, m] = period.split('-').map((x) => Number.parseInt(x, 10));
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}

/** Console links: a record's timeline, or an X3 document's read-back history. */
export class ConsoleLinks {
  constructor(private readonly baseUrl: string) {}
  record(id: string): string {
    return `${this.baseUrl}/console#record/${encodeURIComponent(id)}`;
  }
  x3Document(tenant: string, kind: string, number: string): string {
    return `${this.baseUrl}/console#x3-document/${encodeURIComponent(tenant)}/${kind}/${encodeURIComponent(number)}`;
  }
  report(tenant: string, period: string): string {
    return `${this.baseUrl}/console#reconciliation/${encodeURIComponent(tenant)}/${period}`;
  }
}

const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const d = (v: unknown): Decimal => (v === null || v === undefined ? new Decimal(0) : toDecimal(String(v)));
const dateText = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
};

/** Net amounts of one document, by account + cost center (what "the same lines" means for a controller). */
type NetByLine = Map<string, Decimal>;

/** An amount in a sentence: at least the cent. */
function money(v: Decimal): string {
  return v.toFixed(Math.max(2, v.decimalPlaces()));
}

function describeLineKey(key: string): string {
  const [account, costCenter] = key.split('|');
  if (!account) return 'invoice lines';
  return costCenter ? `${account}/${costCenter}` : account;
}

/** A cost center + account + currency line, summed exactly. */
interface AccountSums {
  costCenter: string | null;
  account: string;
  currency: string;
  sourceDebit: Decimal;
  sourceCredit: Decimal;
  posted: Decimal;
  postedDebit: Decimal;
  x3Debit: Decimal;
  x3Credit: Decimal;
}

/** A bill row before formatting. */
type BillSums = Omit<BillRow, 'source' | 'requested' | 'x3' | 'difference'> & {
  source: Decimal;
  requested: Decimal | null;
  x3: Decimal;
  matched: number;
  unmatched: number;
};

/** One report's query context: parameters $1 tenant, $2 first day, $3 last day. */
interface Ctx {
  tenant: string;
  period: string;
  params: SqlParam[];
  links: ConsoleLinks;
  exceptions: ReconciliationException[];
}

function emptyCounts(): DocumentCounts {
  return {
    requested: 0,
    posted: 0,
    inX3: 0,
    failedAttempts: 0,
    stillFailed: 0,
    replayed: 0,
    duplicateSkipped: 0,
    notPosted: 0,
  };
}

export interface X3DocumentView {
  tenant: string;
  documentKind: string;
  documentNumber: string;
  x3Key: string | null;
  externalRef: string | null;
  referenceFrom: string;
  inLedger: boolean;
  present: boolean;
  absence: string | null;
  status: string | null;
  x3Status: string | null;
  accountingDate: string | null;
  currency: string | null;
  amount: string | null;
  supplier: string | null;
  supplierInvoiceNumber: string | null;
  x3UpdatedAt: string | null;
  readAt: string;
  recordId: string | null;
  lines: Array<{
    lineNo: number;
    account: string | null;
    costCenter: string | null;
    side: string;
    amount: string;
    purchaseOrder: string | null;
    purchaseOrderLine: number | null;
    product: string | null;
    quantity: string | null;
    netPrice: string | null;
  }>;
  /** Every read-back of it the audit trail holds, oldest first. */
  history: Array<{ at: string; partition: number; offset: string; present: boolean | null; status: string | null }>;
}

/**
 * The reconciliation a controller signs, per tenant and accounting period: ServiceTitan source totals as mapped vs
 * what the connector believes it posted vs what Sage X3 holds (the x3-poller's read-back), per cost center and
 * account to the cent; bills matched/unmatched; document counts; every exception with its reason and a console link.
 * Sums run in SQL on NUMERIC and are combined with the decimal type: exact, never floating point.
 */
@Injectable()
export class ReconciliationService {
  constructor(private readonly db: Database) {}

  /** Periods (accounting months) with documents, newest first; one tenant, or every tenant (admin). */
  async periods(tenant: string | null): Promise<Array<{ tenant: string; period: string }>> {
    const params: SqlParam[] = [];
    const where = tenant ? (params.push(tenant), 'AND tenant = $1') : '';
    const r = await this.db.query<Row>(
      `SELECT DISTINCT tenant, to_char(accounting_date, 'YYYY-MM') AS period FROM (
         SELECT tenant, accounting_date FROM audit_documents WHERE accounting_date IS NOT NULL ${where}
         UNION ALL SELECT tenant, accounting_date FROM audit_x3_documents WHERE accounting_date IS NOT NULL ${where}) p
       ORDER BY period DESC, tenant LIMIT 1000`,
      params,
    );
    return r.rows.map((x) => ({ tenant: String(x['tenant']), period: String(x['period']) }));
  }

  async report(tenant: string, period: string, links: ConsoleLinks): Promise<ReconciliationReport> {
    const { from, to } = periodRange(period);
    const ctx: Ctx = { tenant, period, params: [tenant, from, to], links, exceptions: [] };
    const exceptions = ctx.exceptions;

    const accounts = await this.accountRows(ctx);
    const bills = await this.billRows(ctx);
    const counts = await this.counts(ctx);
    await this.recordExceptions(ctx);
    await this.postingExceptions(ctx);
    await this.documentExceptions(ctx);
    await this.unknownDocuments(ctx);

    // Every amount at one scale: the cent, or more where the data has more decimals.
    const decimals = [...accounts, ...bills]
      .flatMap((r) => Object.values(r))
      .filter((v): v is Decimal => v instanceof Decimal);
    const scale = Math.max(2, ...decimals.map((v) => v.decimalPlaces()));
    const fmt = (v: Decimal): string => v.toFixed(scale);

    const accountRows: AccountRow[] = accounts.map((a) => ({
      costCenter: a.costCenter,
      account: a.account,
      currency: a.currency,
      sourceDebit: fmt(a.sourceDebit),
      sourceCredit: fmt(a.sourceCredit),
      source: fmt(a.sourceDebit.minus(a.sourceCredit)),
      posted: fmt(a.posted),
      x3Debit: fmt(a.x3Debit),
      x3Credit: fmt(a.x3Credit),
      x3: fmt(a.x3Debit.minus(a.x3Credit)),
      difference: fmt(a.sourceDebit.minus(a.sourceCredit).minus(a.x3Debit.minus(a.x3Credit))),
    }));

    const totals = new Map<
      string,
      { account: string; currency: string; source: Decimal; posted: Decimal; x3: Decimal }
    >();
    const journal = new Map<string, { source: Decimal; posted: Decimal; x3: Decimal }>();
    for (const a of accounts) {
      const k = `${a.account}|${a.currency}`;
      const t = totals.get(k) ?? {
        account: a.account,
        currency: a.currency,
        source: new Decimal(0),
        posted: new Decimal(0),
        x3: new Decimal(0),
      };
      t.source = t.source.plus(a.sourceDebit).minus(a.sourceCredit);
      t.posted = t.posted.plus(a.posted);
      t.x3 = t.x3.plus(a.x3Debit).minus(a.x3Credit);
      totals.set(k, t);
      const j = journal.get(a.currency) ?? { source: new Decimal(0), posted: new Decimal(0), x3: new Decimal(0) };
      j.source = j.source.plus(a.sourceDebit);
      j.posted = j.posted.plus(a.postedDebit);
      j.x3 = j.x3.plus(a.x3Debit);
      journal.set(a.currency, j);
    }
    const accountTotals: AccountTotalRow[] = [...totals.values()]
      .sort((a, b) => a.account.localeCompare(b.account) || a.currency.localeCompare(b.currency))
      .map((t) => ({
        account: t.account,
        currency: t.currency,
        source: fmt(t.source),
        posted: fmt(t.posted),
        x3: fmt(t.x3),
        difference: fmt(t.source.minus(t.x3)),
      }));

    const billRows: BillRow[] = bills.map((b) => ({
      recordId: b.recordId,
      billId: b.billId,
      externalRef: b.externalRef,
      supplier: b.supplier,
      supplierInvoiceNumber: b.supplierInvoiceNumber,
      x3DocumentNumber: b.x3DocumentNumber,
      currency: b.currency,
      source: fmt(b.source),
      requested: b.requested === null ? null : fmt(b.requested),
      x3: fmt(b.x3),
      difference: fmt(b.source.minus(b.x3)),
      x3Status: b.x3Status,
      link: b.link,
    }));
    const billTotalsMap = new Map<string, { source: Decimal; x3: Decimal; matched: number; unmatched: number }>();
    for (const b of bills) {
      const cur = b.currency ?? '';
      const t = billTotalsMap.get(cur) ?? { source: new Decimal(0), x3: new Decimal(0), matched: 0, unmatched: 0 };
      t.source = t.source.plus(b.source);
      t.x3 = t.x3.plus(b.x3);
      t.matched += b.matched;
      t.unmatched += b.unmatched;
      billTotalsMap.set(cur, t);
    }

    const differingAccounts = accountRows.filter((a) => !toDecimal(a.difference).isZero()).length;
    const differingBills = billRows.filter((b) => !toDecimal(b.difference).isZero()).length;
    const verdictReasons: string[] = [];
    if (differingAccounts)
      verdictReasons.push(`${differingAccounts} cost center/account line(s) differ between source and X3`);
    if (differingBills) verdictReasons.push(`${differingBills} bill(s) differ between ServiceTitan and X3`);
    if (exceptions.length) verdictReasons.push(`${exceptions.length} exception(s)`);
    const balanced = verdictReasons.length === 0;

    return {
      tenant,
      period,
      from,
      to,
      generatedAt: new Date().toISOString(),
      balanced,
      verdict: balanced ? 'balanced' : 'not balanced',
      verdictReasons,
      readBack: await this.readBackStatus(tenant),
      notes: SOURCE_OF_TRUTH_NOTES,
      accounts: accountRows,
      accountTotals,
      journalTotals: [...journal.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, j]) => ({
          currency,
          source: fmt(j.source),
          posted: fmt(j.posted),
          x3: fmt(j.x3),
          difference: fmt(j.source.minus(j.x3)),
        })),
      bills: billRows,
      billTotals: [...billTotalsMap.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, t]) => ({
          currency,
          source: fmt(t.source),
          x3: fmt(t.x3),
          difference: fmt(t.source.minus(t.x3)),
          matched: t.matched,
          unmatched: t.unmatched,
        })),
      counts,
      exceptions: exceptions.sort(
        (a, b) =>
          a.code.localeCompare(b.code) ||
          (a.externalRef ?? a.sourceId ?? '').localeCompare(b.externalRef ?? b.sourceId ?? ''),
      ),
    };
  }

  /** What X3 holds of one document of a tenant, its lines and every read-back of it; null when unknown. */
  async x3Document(tenant: string, kind: string, number: string): Promise<X3DocumentView | null> {
    const r = await this.db.query<Row>(
      `SELECT x.*, to_char(x.accounting_date, 'YYYY-MM-DD') AS acc, x.amount::text AS amt,
         (SELECT d.record_id::text FROM audit_documents d WHERE d.tenant = x.tenant AND d.external_ref = x.external_ref LIMIT 1) AS rec
       FROM audit_x3_documents x WHERE x.tenant = $1 AND x.document_kind = $2 AND x.document_number = $3`,
      [tenant, kind, number],
    );
    const x = r.rows[0];
    if (!x) return null;
    const lines = await this.db.query<Row>(
      `SELECT line_no, account, cost_center, side, amount::text AS amount, purchase_order, purchase_order_line, product,
         quantity::text AS quantity, net_price::text AS net_price
       FROM audit_x3_document_lines WHERE tenant = $1 AND document_kind = $2 AND document_number = $3 ORDER BY line_no`,
      [tenant, kind, number],
    );
    const history = await this.db.query<Row>(
      `SELECT message_ts, partition, "offset"::text AS "offset", payload FROM audit_messages
       WHERE tenant = $1 AND message_type = 'x3.document.state' AND message_key = $2 ORDER BY message_ts, id`,
      [tenant, `${tenant}:${kind}:${number}`],
    );
    return {
      tenant,
      documentKind: kind,
      documentNumber: number,
      x3Key: s(x['x3_key']),
      externalRef: s(x['external_ref']),
      referenceFrom: String(x['reference_from']),
      inLedger: Boolean(x['in_ledger']),
      present: Boolean(x['present']),
      absence: s(x['absence']),
      status: s(x['status']),
      x3Status: s(x['x3_status']),
      accountingDate: s(x['acc']),
      currency: s(x['currency']),
      amount: s(x['amt']),
      supplier: s(x['supplier']),
      supplierInvoiceNumber: s(x['supplier_invoice_number']),
      x3UpdatedAt: toIso(x['x3_updated_at']),
      readAt: toIso(x['read_at']) as string,
      recordId: s(x['rec']),
      lines: lines.rows.map((l) => ({
        lineNo: Number(l['line_no']),
        account: s(l['account']),
        costCenter: s(l['cost_center']),
        side: String(l['side']),
        amount: String(l['amount']),
        purchaseOrder: s(l['purchase_order']),
        purchaseOrderLine: l['purchase_order_line'] === null ? null : Number(l['purchase_order_line']),
        product: s(l['product']),
        quantity: s(l['quantity']),
        netPrice: s(l['net_price']),
      })),
      history: history.rows.map((h) => {
        const payload = (h['payload'] as { payload?: { present?: boolean; status?: string | null } } | null)?.payload;
        return {
          at: toIso(h['message_ts']) as string,
          partition: Number(h['partition']),
          offset: String(h['offset']),
          present: payload?.present ?? null,
          status: payload?.status ?? null,
        };
      }),
    };
  }

  // ------------------------------------------------------------------ general ledger

  private async accountRows(ctx: Ctx): Promise<AccountSums[]> {
    const source = await this.db.query<Row>(
      `SELECT COALESCE(l.cost_center, '') AS cc, COALESCE(l.account, '') AS acc, COALESCE(d.currency, '') AS cur,
         COALESCE(SUM(l.amount) FILTER (WHERE l.side = 'debit'), 0)::text AS debit,
         COALESCE(SUM(l.amount) FILTER (WHERE l.side = 'credit'), 0)::text AS credit,
         COALESCE(SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END)
           FILTER (WHERE d.status IN ('posted', 'duplicate-skipped')), 0)::text AS posted,
         COALESCE(SUM(l.amount) FILTER (WHERE l.side = 'debit' AND d.status IN ('posted', 'duplicate-skipped')), 0)::text AS posted_debit
       FROM audit_document_lines l JOIN audit_documents d ON d.tenant = l.tenant AND d.external_ref = l.external_ref
       WHERE d.tenant = $1 AND d.document_kind = 'journal-entry' AND d.requested_amount IS NOT NULL
         AND d.accounting_date BETWEEN $2::date AND $3::date
       GROUP BY 1, 2, 3`,
      ctx.params,
    );
    const x3 = await this.db.query<Row>(
      `SELECT COALESCE(l.cost_center, '') AS cc, COALESCE(l.account, '') AS acc, COALESCE(x.currency, '') AS cur,
         COALESCE(SUM(l.amount) FILTER (WHERE l.side = 'debit'), 0)::text AS debit,
         COALESCE(SUM(l.amount) FILTER (WHERE l.side = 'credit'), 0)::text AS credit
       FROM audit_x3_document_lines l JOIN audit_x3_documents x
         ON x.tenant = l.tenant AND x.document_kind = l.document_kind AND x.document_number = l.document_number
       WHERE x.tenant = $1 AND x.document_kind = 'journal-entry' AND x.present
         AND x.accounting_date BETWEEN $2::date AND $3::date
       GROUP BY 1, 2, 3`,
      ctx.params,
    );
    const rows = new Map<string, AccountSums>();
    const row = (x: Row) => {
      const key = `${String(x['cc'])}|${String(x['acc'])}|${String(x['cur'])}`;
      let r = rows.get(key);
      if (!r) {
        r = {
          costCenter: String(x['cc']) || null,
          account: String(x['acc']),
          currency: String(x['cur']),
          sourceDebit: new Decimal(0),
          sourceCredit: new Decimal(0),
          posted: new Decimal(0),
          postedDebit: new Decimal(0),
          x3Debit: new Decimal(0),
          x3Credit: new Decimal(0),
        };
        rows.set(key, r);
      }
      return r;
    };
    for (const x of source.rows) {
      const r = row(x);
      r.sourceDebit = d(x['debit']);
      r.sourceCredit = d(x['credit']);
      r.posted = d(x['posted']);
      r.postedDebit = d(x['posted_debit']);
    }
    for (const x of x3.rows) {
      const r = row(x);
      r.x3Debit = d(x['debit']);
      r.x3Credit = d(x['credit']);
    }
    // Cost-center lines first (by cost center, account), then lines without a cost center.
    return [...rows.values()].sort(
      (a, b) =>
        Number(a.costCenter === null) - Number(b.costCenter === null) ||
        (a.costCenter ?? '').localeCompare(b.costCenter ?? '') ||
        a.account.localeCompare(b.account) ||
        a.currency.localeCompare(b.currency),
    );
  }

  // ------------------------------------------------------------------ bills

  private async billRows(ctx: Ctx): Promise<BillSums[]> {
    // The bill's period: the accounting date of its latest (not superseded) request, else its ServiceTitan date.
    const billsOfPeriod = `WITH latest AS (
         SELECT DISTINCT ON (d.record_id) d.record_id, d.external_ref, d.accounting_date, d.requested_amount, d.currency
         FROM audit_documents d
         WHERE d.tenant = $1 AND d.document_kind = 'supplier-invoice' AND d.requested_amount IS NOT NULL AND d.record_id IS NOT NULL
         ORDER BY d.record_id, d.revision DESC NULLS LAST, d.status_at DESC NULLS LAST),
       bills AS (
         SELECT r.id, r.source_id, r.source_amount, l.external_ref, l.requested_amount, l.currency
         FROM audit_records r LEFT JOIN latest l ON l.record_id = r.id
         WHERE r.tenant = $1 AND r.kind = 'inventory-bill' AND COALESCE(l.accounting_date, r.business_date) BETWEEN $2::date AND $3::date)`;
    const bills = await this.db.query<Row>(
      `${billsOfPeriod}
       SELECT id::text AS id, source_id, source_amount::text AS source_amount, external_ref,
         requested_amount::text AS requested, currency
       FROM bills ORDER BY source_id`,
      ctx.params,
    );
    // Every supplier invoice X3 holds for those bills (any revision), whatever its own accounting date.
    const x3 = await this.db.query<Row>(
      `${billsOfPeriod}
       SELECT d.record_id::text AS record_id, x.document_number, x.amount::text AS amount, x.status, x.supplier,
         x.supplier_invoice_number, x.currency, x.external_ref
       FROM audit_x3_documents x JOIN audit_documents d ON d.tenant = x.tenant AND d.external_ref = x.external_ref
       JOIN bills b ON b.id = d.record_id
       WHERE x.tenant = $1 AND x.document_kind = 'supplier-invoice' AND x.present
       ORDER BY x.document_number`,
      ctx.params,
    );
    const byRecord = new Map<string, Row[]>();
    for (const x of x3.rows) {
      const list = byRecord.get(String(x['record_id'])) ?? [];
      list.push(x);
      byRecord.set(String(x['record_id']), list);
    }
    return bills.rows.map((b) => {
      const id = String(b['id']);
      const held = byRecord.get(id) ?? [];
      const latest = held.find((x) => x['external_ref'] === b['external_ref']) ?? held[held.length - 1];
      const x3Total = held.reduce((acc, x) => acc.plus(d(x['amount'])), new Decimal(0));
      const row = {
        recordId: id,
        billId: s(b['source_id']),
        externalRef: s(b['external_ref']),
        supplier: s(latest?.['supplier']),
        supplierInvoiceNumber: s(latest?.['supplier_invoice_number']),
        x3DocumentNumber: held.map((x) => String(x['document_number'])).join(', ') || null,
        currency: s(b['currency']) ?? s(latest?.['currency']),
        source: d(b['source_amount']),
        requested: b['requested'] === null ? null : d(b['requested']),
        x3: x3Total,
        x3Status: s(latest?.['status']),
        matched: held.filter((x) => x['status'] === 'matched').length,
        unmatched: held.filter((x) => x['status'] !== 'matched').length,
        link: ctx.links.record(id),
      };
      if (!row.source.eq(row.x3))
        ctx.exceptions.push({
          code: EXCEPTION_CODES.BillDiffers,
          reason: `ServiceTitan bill ${row.billId ?? '?'} is ${money(row.source)}; X3 holds ${held.length ? `${money(row.x3)} (${row.x3DocumentNumber})` : 'no supplier invoice for it'}`,
          documentKind: 'supplier-invoice',
          sourceKind: 'inventory-bill',
          sourceId: row.billId,
          externalRef: row.externalRef,
          x3DocumentNumber: row.x3DocumentNumber,
          recordId: id,
          link: row.link,
        });
      return row;
    });
  }

  // ------------------------------------------------------------------ counts

  private async counts(ctx: Ctx): Promise<{ journalEntries: DocumentCounts; supplierInvoices: DocumentCounts }> {
    const r = await this.db.query<Row>(
      `WITH docs AS (
         SELECT d.external_ref, d.document_kind, d.status FROM audit_documents d
         WHERE d.tenant = $1 AND d.requested_amount IS NOT NULL AND d.accounting_date BETWEEN $2::date AND $3::date),
       msgs AS (
         SELECT m.external_ref,
           count(*) FILTER (WHERE m.message_type = 'x3.posting.result' AND m.derived_status = 'failed')::int AS failed,
           count(*) FILTER (WHERE m.message_type = 'x3.posting.result' AND m.derived_status = 'duplicate-skipped')::int AS dup,
           count(*) FILTER (WHERE m.message_type = 'x3.posting.result' AND m.derived_status = 'posted')::int AS posted,
           count(*) FILTER (WHERE m.replay_id IS NOT NULL
             AND m.message_type IN ('connector.journal-entry.requested', 'connector.supplier-invoice.requested'))::int AS replays
         FROM audit_messages m JOIN docs ON docs.external_ref = m.external_ref
         WHERE m.tenant = $1 GROUP BY m.external_ref),
       held AS (
         SELECT DISTINCT x.external_ref FROM audit_x3_documents x JOIN docs ON docs.external_ref = x.external_ref
         WHERE x.tenant = $1 AND x.present)
       SELECT docs.document_kind AS kind, count(*)::int AS requested,
         count(*) FILTER (WHERE docs.status IN ('posted', 'duplicate-skipped') OR COALESCE(msgs.posted, 0) > 0)::int AS posted,
         count(held.external_ref)::int AS in_x3,
         COALESCE(SUM(msgs.failed), 0)::int AS failed_attempts,
         count(*) FILTER (WHERE docs.status = 'failed')::int AS still_failed,
         count(*) FILTER (WHERE COALESCE(msgs.replays, 0) > 0)::int AS replayed,
         COALESCE(SUM(msgs.dup), 0)::int AS duplicate_skipped,
         count(*) FILTER (WHERE docs.status = 'requested')::int AS not_posted
       FROM docs LEFT JOIN msgs ON msgs.external_ref = docs.external_ref LEFT JOIN held ON held.external_ref = docs.external_ref
       GROUP BY docs.document_kind`,
      ctx.params,
    );
    const out = { journalEntries: emptyCounts(), supplierInvoices: emptyCounts() };
    for (const x of r.rows) {
      const c = x['kind'] === 'journal-entry' ? out.journalEntries : out.supplierInvoices;
      c.requested = Number(x['requested']);
      c.posted = Number(x['posted']);
      c.inX3 = Number(x['in_x3']);
      c.failedAttempts = Number(x['failed_attempts']);
      c.stillFailed = Number(x['still_failed']);
      c.replayed = Number(x['replayed']);
      c.duplicateSkipped = Number(x['duplicate_skipped']);
      c.notPosted = Number(x['not_posted']);
    }
    return out;
  }

  private async readBackStatus(tenant: string): Promise<ReadBackStatus[]> {
    const r = await this.db.query<Row>(
      'SELECT document_kind, mode, completed_at FROM audit_x3_scans WHERE tenant = $1',
      [tenant],
    );
    return (['journal-entry', 'supplier-invoice'] as const).map((kind) => {
      const at = (mode: string) =>
        toIso(r.rows.find((x) => x['document_kind'] === kind && x['mode'] === mode)?.['completed_at'] ?? null);
      // A full scan reads everything an incremental one would: the latest of both says how current X3's side is.
      const full = at('full');
      const incremental = at('incremental');
      return {
        documentKind: kind,
        lastIncremental: incremental && full && full > incremental ? full : (incremental ?? full),
        lastFull: full,
      };
    });
  }

  // ------------------------------------------------------------------ exceptions

  /** ServiceTitan records of the period the mapper rejected, or that were dead-lettered. */
  private async recordExceptions(ctx: Ctx): Promise<void> {
    const r = await this.db.query<Row>(
      `SELECT id::text AS id, kind, source_id, status, status_reason, reasons, summary FROM audit_records
       WHERE tenant = $1 AND kind IN ('job', 'inventory-bill') AND status IN ('rejected', 'dead-lettered')
         AND COALESCE(business_date, first_seen_at::date) BETWEEN $2::date AND $3::date
       ORDER BY kind, source_id`,
      ctx.params,
    );
    for (const x of r.rows) {
      const reasons = (x['reasons'] as Array<{ code: string; message: string }> | null) ?? [];
      const id = String(x['id']);
      ctx.exceptions.push({
        code: x['status'] === 'rejected' ? EXCEPTION_CODES.MappingRejected : EXCEPTION_CODES.DeadLettered,
        reason: `${String(x['summary'] ?? `${String(x['kind'])} ${String(x['source_id'])}`)}: ${
          reasons.length ? reasons.map((z) => `${z.code} — ${z.message}`).join('; ') : String(x['status_reason'] ?? '')
        }`,
        documentKind: null,
        sourceKind: String(x['kind']),
        sourceId: String(x['source_id']),
        externalRef: null,
        x3DocumentNumber: null,
        recordId: id,
        link: ctx.links.record(id),
      });
    }
  }

  /** Requested documents of the period whose latest result is failed, or that have none yet. */
  private async postingExceptions(ctx: Ctx): Promise<void> {
    const r = await this.db.query<Row>(
      `SELECT d.external_ref, d.document_kind, d.status, d.error, d.record_id::text AS record_id, rec.kind, rec.source_id
       FROM audit_documents d LEFT JOIN audit_records rec ON rec.id = d.record_id
       WHERE d.tenant = $1 AND d.requested_amount IS NOT NULL AND d.accounting_date BETWEEN $2::date AND $3::date
         AND d.status IN ('failed', 'requested')
         AND NOT EXISTS (SELECT 1 FROM audit_documents n WHERE n.tenant = d.tenant AND n.supersedes = d.external_ref)
       ORDER BY d.external_ref`,
      ctx.params,
    );
    for (const x of r.rows) {
      const recordId = s(x['record_id']);
      const failed = x['status'] === 'failed';
      ctx.exceptions.push({
        code: failed ? EXCEPTION_CODES.PostingFailed : EXCEPTION_CODES.NotPosted,
        reason: failed
          ? `posting to X3 failed: ${String(x['error'] ?? 'no reason given')}`
          : 'requested; no posting result from the x3-poster yet',
        documentKind: x['document_kind'] as DocKind,
        sourceKind: s(x['kind']),
        sourceId: s(x['source_id']),
        externalRef: String(x['external_ref']),
        x3DocumentNumber: null,
        recordId,
        link: recordId ? ctx.links.record(recordId) : ctx.links.report(ctx.tenant, ctx.period),
      });
    }
  }

  /**
   * Requested documents vs what X3 holds under their reference: not read back, missing, duplicated, altered
   * (lines, amounts or accounting date), or superseded and still there. A document is in the period when its
   * requested accounting date or its X3 accounting date is.
   */
  private async documentExceptions(ctx: Ctx): Promise<void> {
    const { tenant, links, params } = ctx;
    const out = ctx.exceptions;
    const inPeriod = `(d.accounting_date BETWEEN $2::date AND $3::date OR EXISTS (SELECT 1 FROM audit_x3_documents y
        WHERE y.tenant = d.tenant AND y.external_ref = d.external_ref AND y.accounting_date BETWEEN $2::date AND $3::date))`;
    const docs = await this.db.query<Row>(
      `SELECT d.external_ref, d.document_kind, d.status, to_char(d.accounting_date, 'YYYY-MM-DD') AS acc,
         d.requested_amount::text AS requested, d.x3_document_number, d.record_id::text AS record_id, rec.kind, rec.source_id,
         EXISTS (SELECT 1 FROM audit_documents n WHERE n.tenant = d.tenant AND n.supersedes = d.external_ref) AS superseded,
         x.document_number, x.present, x.absence, to_char(x.accounting_date, 'YYYY-MM-DD') AS x3_acc, x.amount::text AS x3_amount, x.read_at
       FROM audit_documents d LEFT JOIN audit_records rec ON rec.id = d.record_id
         LEFT JOIN audit_x3_documents x ON x.tenant = d.tenant AND x.external_ref = d.external_ref AND x.document_kind = d.document_kind
       WHERE d.tenant = $1 AND d.requested_amount IS NOT NULL AND ${inPeriod}
       ORDER BY d.external_ref, x.document_number`,
      params,
    );
    const requestLines = await this.db.query<Row>(
      `SELECT d.external_ref, COALESCE(l.account, '') AS acc, COALESCE(l.cost_center, '') AS cc,
         SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END)::text AS net
       FROM audit_document_lines l JOIN audit_documents d ON d.tenant = l.tenant AND d.external_ref = l.external_ref
       WHERE d.tenant = $1 AND d.requested_amount IS NOT NULL AND ${inPeriod}
       GROUP BY 1, 2, 3`,
      params,
    );
    const x3Lines = await this.db.query<Row>(
      `SELECT x.document_number, COALESCE(l.account, '') AS acc, COALESCE(l.cost_center, '') AS cc,
         SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END)::text AS net
       FROM audit_x3_document_lines l JOIN audit_x3_documents x
         ON x.tenant = l.tenant AND x.document_kind = l.document_kind AND x.document_number = l.document_number
       JOIN audit_documents d ON d.tenant = x.tenant AND d.external_ref = x.external_ref
       WHERE x.tenant = $1 AND x.present AND d.requested_amount IS NOT NULL AND ${inPeriod}
       GROUP BY 1, 2, 3`,
      params,
    );
    const netOf = (rows: Row[], keyCol: string): Map<string, NetByLine> => {
      const m = new Map<string, NetByLine>();
      for (const x of rows) {
        const k = String(x[keyCol]);
        const lines = m.get(k) ?? new Map<string, Decimal>();
        const net = d(x['net']);
        if (!net.isZero()) lines.set(`${String(x['acc'])}|${String(x['cc'])}`, net);
        m.set(k, lines);
      }
      return m;
    };
    const requested = netOf(requestLines.rows, 'external_ref');
    const held = netOf(x3Lines.rows, 'document_number');

    const byRef = new Map<string, Row[]>();
    for (const x of docs.rows) {
      const list = byRef.get(String(x['external_ref'])) ?? [];
      list.push(x);
      byRef.set(String(x['external_ref']), list);
    }
    for (const [ref, rows] of byRef) {
      const first = rows[0];
      const kind = first['document_kind'] as DocKind;
      const recordId = s(first['record_id']);
      const base = {
        documentKind: kind,
        sourceKind: s(first['kind']),
        sourceId: s(first['source_id']),
        externalRef: ref,
        recordId,
      };
      const linkFor = (number: string | null) =>
        recordId
          ? links.record(recordId)
          : number
            ? links.x3Document(tenant, kind, number)
            : links.report(tenant, ctx.period);
      const status = s(first['status']);
      const postedByConnector = status === 'posted' || status === 'duplicate-skipped';
      const readBack = rows.filter((x) => x['document_number'] !== null);
      const present = readBack.filter((x) => x['present'] === true);
      const requestedInPeriod =
        first['acc'] !== null && String(first['acc']) >= String(params[1]) && String(first['acc']) <= String(params[2]);
      if (first['superseded'] === true) {
        for (const x of present)
          out.push({
            ...base,
            code: EXCEPTION_CODES.SupersededInX3,
            reason: `superseded by a later revision of the bill, but X3 still holds it as ${String(x['document_number'])} (${String(x['x3_amount'] ?? '?')}): credit or correct it in X3`,
            x3DocumentNumber: String(x['document_number']),
            link: linkFor(String(x['document_number'])),
          });
        continue;
      }
      if (present.length > 1) {
        const numbers = present.map((x) => String(x['document_number'])).join(', ');
        out.push({
          ...base,
          code: EXCEPTION_CODES.DuplicateInX3,
          reason: `${present.length} X3 documents carry this reference: ${numbers}`,
          x3DocumentNumber: numbers,
          link: linkFor(String(present[0]['document_number'])),
        });
      }
      if (present.length === 0) {
        if (!postedByConnector || !requestedInPeriod) continue; // failed / not posted: reported by postingExceptions
        const absent = readBack[0];
        const number = s(first['x3_document_number']);
        out.push({
          ...base,
          code: absent ? EXCEPTION_CODES.MissingInX3 : EXCEPTION_CODES.NotReadBack,
          reason: absent
            ? `posted as X3 ${String(absent['document_number'])}, but X3 no longer holds it (${
                absent['absence'] === 'deleted' ? 'deleted in X3' : 'not found in X3'
              }, read back ${toIso(absent['read_at']) ?? '?'})`
            : `posted as X3 ${number ?? '?'}, not read back from X3 yet`,
          x3DocumentNumber: s(absent?.['document_number']) ?? number,
          link: linkFor(s(absent?.['document_number']) ?? number),
        });
        continue;
      }
      for (const x of present) {
        const number = String(x['document_number']);
        const diffs: string[] = [];
        if (first['acc'] !== x['x3_acc'])
          diffs.push(`accounting date ${String(first['acc'])} requested, ${String(x['x3_acc'] ?? 'none')} in X3`);
        const want = requested.get(ref) ?? new Map<string, Decimal>();
        const got = held.get(number) ?? new Map<string, Decimal>();
        for (const key of new Set([...want.keys(), ...got.keys()])) {
          const a = want.get(key) ?? new Decimal(0);
          const b = got.get(key) ?? new Decimal(0);
          if (!a.eq(b)) diffs.push(`${describeLineKey(key)}: ${money(a)} requested, ${money(b)} in X3`);
        }
        if (kind === 'supplier-invoice' && (x['x3_amount'] === null || !d(first['requested']).eq(d(x['x3_amount']))))
          diffs.push(
            `control total ${String(first['requested'])} requested, ${String(x['x3_amount'] ?? 'none')} in X3`,
          );
        if (diffs.length)
          out.push({
            ...base,
            code: EXCEPTION_CODES.AlteredInX3,
            reason: `X3 ${number} differs from what was posted: ${diffs.join('; ')}`,
            x3DocumentNumber: number,
            link: linkFor(number),
          });
      }
    }
  }

  /** X3 documents of the period carrying the connector's reference that the connector never requested. */
  private async unknownDocuments(ctx: Ctx): Promise<void> {
    const r = await this.db.query<Row>(
      `SELECT x.document_kind, x.document_number, x.external_ref, x.amount::text AS amount,
         to_char(x.accounting_date, 'YYYY-MM-DD') AS acc, x.in_ledger
       FROM audit_x3_documents x
       WHERE x.tenant = $1 AND x.present AND x.accounting_date BETWEEN $2::date AND $3::date
         AND NOT EXISTS (SELECT 1 FROM audit_documents d WHERE d.tenant = x.tenant AND d.external_ref = x.external_ref
           AND d.requested_amount IS NOT NULL)
       ORDER BY x.document_number`,
      ctx.params,
    );
    for (const x of r.rows) {
      const kind = x['document_kind'] as DocKind;
      const number = String(x['document_number']);
      ctx.exceptions.push({
        code: EXCEPTION_CODES.UnknownInX3,
        reason: `X3 ${number} (${String(x['acc'])}, ${String(x['amount'] ?? '?')}) carries the connector's reference ${String(
          x['external_ref'] ?? '?',
        )}, but the connector has no record of requesting it${x['in_ledger'] ? '' : ' (not in the posted ledger either)'}`,
        documentKind: kind,
        sourceKind: null,
        sourceId: null,
        externalRef: s(x['external_ref']),
        x3DocumentNumber: number,
        recordId: null,
        link: ctx.links.x3Document(ctx.tenant, kind, number),
      });
    }
  }
}
