import { Injectable } from '@nestjs/common';
import { Database, SqlParam } from '../database/database';

export interface ReconciliationQuery {
  tenant: string | null;
  /** Inclusive accounting/business dates (YYYY-MM-DD). */
  from?: string;
  to?: string;
}

export interface CostCenterRow {
  tenant: string;
  period: string;
  costCenter: string;
  requested: string;
  posted: string;
  difference: string;
  documents: number;
}

export interface PeriodTotals {
  tenant: string;
  period: string;
  /** ServiceTitan side: completed jobs' invoice item costs and inventory bill amounts (latest revision; voided = 0). */
  sourceJobs: number;
  sourceJobTotal: string;
  sourceBills: number;
  sourceBillTotal: string;
  /** What the connector asked X3 to post (journal entries: debits, reversals negative; invoices: control totals). */
  requestedJournalTotal: string;
  requestedInvoiceTotal: string;
  /** What X3 confirmed (posting results posted or duplicate-skipped). */
  postedJournalTotal: string;
  postedInvoiceTotal: string;
  unpostedDocuments: number;
}

export interface UnmatchedBill {
  tenant: string;
  recordId: string | null;
  externalRef: string;
  sourceId: string | null;
  status: string | null;
  x3DocumentNumber: string | null;
  x3Status: string | null;
  amount: string | null;
  reason: 'not-posted' | 'not-matched';
}

/**
 * Source (ServiceTitan) totals vs what the connector requested vs what X3 confirmed, per tenant and month, and
 * per cost center from the requested journal-entry lines (cost lines only: labor and material; signed debit −
 * credit so a reversal nets out the entry it reverses). Sums are done in SQL on NUMERIC: exact decimals.
 */
@Injectable()
export class ReconciliationService {
  constructor(private readonly db: Database) {}

  async summary(
    q: ReconciliationQuery,
  ): Promise<{ costCenters: CostCenterRow[]; totals: PeriodTotals[]; unmatchedBills: UnmatchedBill[] }> {
    return {
      costCenters: await this.costCenters(q),
      totals: await this.totals(q),
      unmatchedBills: await this.unmatchedBills(q),
    };
  }

  private filter(q: ReconciliationQuery, dateCol: string, tenantCol: string, params: SqlParam[]): string {
    const w: string[] = [];
    if (q.tenant) {
      params.push(q.tenant);
      w.push(`${tenantCol} = $${params.length}`);
    }
    if (q.from) {
      params.push(q.from);
      w.push(`${dateCol} >= $${params.length}::date`);
    }
    if (q.to) {
      params.push(q.to);
      w.push(`${dateCol} <= $${params.length}::date`);
    }
    return w.length ? `AND ${w.join(' AND ')}` : '';
  }

  private async costCenters(q: ReconciliationQuery): Promise<CostCenterRow[]> {
    const params: SqlParam[] = [];
    const f = this.filter(q, 'd.accounting_date', 'd.tenant', params);
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT d.tenant, to_char(d.accounting_date, 'YYYY-MM') AS period, COALESCE(l.cost_center, '(none)') AS cost_center,
         SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END)::text AS requested,
         SUM(CASE WHEN d.status IN ('posted', 'duplicate-skipped') THEN (CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END) ELSE 0 END)::text AS posted,
         (SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END)
          - SUM(CASE WHEN d.status IN ('posted', 'duplicate-skipped') THEN (CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END) ELSE 0 END))::text AS difference,
         count(DISTINCT d.external_ref)::int AS documents
       FROM audit_document_lines l JOIN audit_documents d ON d.tenant = l.tenant AND d.external_ref = l.external_ref
       WHERE d.document_kind = 'journal-entry' AND l.cost_kind IN ('labor', 'material') ${f}
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      params,
    );
    return r.rows.map((x) => ({
      tenant: String(x['tenant']),
      period: String(x['period'] ?? '(undated)'),
      costCenter: String(x['cost_center']),
      requested: String(x['requested']),
      posted: String(x['posted']),
      difference: String(x['difference']),
      documents: Number(x['documents']),
    }));
  }

  private async totals(q: ReconciliationQuery): Promise<PeriodTotals[]> {
    const sp: SqlParam[] = [];
    const sf = this.filter(q, 'business_date', 'tenant', sp);
    const sources = await this.db.query<Record<string, unknown>>(
      `SELECT tenant, to_char(business_date, 'YYYY-MM') AS period,
         count(*) FILTER (WHERE kind = 'job' AND source_amount IS NOT NULL)::int AS jobs,
         COALESCE(SUM(source_amount) FILTER (WHERE kind = 'job'), 0)::text AS job_total,
         count(*) FILTER (WHERE kind = 'inventory-bill')::int AS bills,
         COALESCE(SUM(source_amount) FILTER (WHERE kind = 'inventory-bill'), 0)::text AS bill_total
       FROM audit_records WHERE kind IN ('job', 'inventory-bill') AND business_date IS NOT NULL ${sf} GROUP BY 1, 2`,
      sp,
    );
    const dp: SqlParam[] = [];
    const df = this.filter(q, 'accounting_date', 'tenant', dp);
    const docs = await this.db.query<Record<string, unknown>>(
      `SELECT tenant, to_char(accounting_date, 'YYYY-MM') AS period,
         COALESCE(SUM(CASE WHEN reversal_of IS NULL THEN requested_amount ELSE -requested_amount END) FILTER (WHERE document_kind = 'journal-entry'), 0)::text AS req_je,
         COALESCE(SUM(requested_amount) FILTER (WHERE document_kind = 'supplier-invoice'), 0)::text AS req_si,
         COALESCE(SUM(CASE WHEN reversal_of IS NULL THEN posted_amount ELSE -posted_amount END) FILTER (WHERE document_kind = 'journal-entry' AND status IN ('posted', 'duplicate-skipped')), 0)::text AS posted_je,
         COALESCE(SUM(posted_amount) FILTER (WHERE document_kind = 'supplier-invoice' AND status IN ('posted', 'duplicate-skipped')), 0)::text AS posted_si,
         count(*) FILTER (WHERE status IS NULL OR status NOT IN ('posted', 'duplicate-skipped'))::int AS unposted
       FROM audit_documents WHERE accounting_date IS NOT NULL ${df} GROUP BY 1, 2`,
      dp,
    );
    const out = new Map<string, PeriodTotals>();
    const get = (tenant: string, period: string): PeriodTotals => {
      const k = `${tenant}|${period}`;
      let t = out.get(k);
      if (!t) {
        t = {
          tenant,
          period,
          sourceJobs: 0,
          sourceJobTotal: '0',
          sourceBills: 0,
          sourceBillTotal: '0',
          requestedJournalTotal: '0',
          requestedInvoiceTotal: '0',
          postedJournalTotal: '0',
          postedInvoiceTotal: '0',
          unpostedDocuments: 0,
        };
        out.set(k, t);
      }
      return t;
    };
    for (const s of sources.rows) {
      const t = get(String(s['tenant']), String(s['period']));
      t.sourceJobs = Number(s['jobs']);
      t.sourceJobTotal = String(s['job_total']);
      t.sourceBills = Number(s['bills']);
      t.sourceBillTotal = String(s['bill_total']);
    }
    for (const d of docs.rows) {
      const t = get(String(d['tenant']), String(d['period']));
      t.requestedJournalTotal = String(d['req_je']);
      t.requestedInvoiceTotal = String(d['req_si']);
      t.postedJournalTotal = String(d['posted_je']);
      t.postedInvoiceTotal = String(d['posted_si']);
      t.unpostedDocuments = Number(d['unposted']);
    }
    return [...out.values()].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.period.localeCompare(b.period));
  }

  /** Supplier invoices requested but not posted, or posted but not matched in X3 (superseded ones excluded). */
  private async unmatchedBills(q: ReconciliationQuery): Promise<UnmatchedBill[]> {
    const params: SqlParam[] = [];
    const f = this.filter(q, 'd.accounting_date', 'd.tenant', params);
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT d.tenant, d.record_id::text AS record_id, d.external_ref, rec.source_id, d.status, d.x3_document_number, d.x3_status, d.requested_amount::text AS amount
       FROM audit_documents d LEFT JOIN audit_records rec ON rec.id = d.record_id
       WHERE d.document_kind = 'supplier-invoice' AND d.requested_amount IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM audit_documents n WHERE n.tenant = d.tenant AND n.supersedes = d.external_ref)
         AND (d.status IS NULL OR d.status NOT IN ('posted', 'duplicate-skipped') OR COALESCE(d.x3_status, '') <> 'matched') ${f}
       ORDER BY d.tenant, d.accounting_date, d.external_ref LIMIT 1000`,
      params,
    );
    return r.rows.map((x) => ({
      tenant: String(x['tenant']),
      recordId: (x['record_id'] as string | null) ?? null,
      externalRef: String(x['external_ref']),
      sourceId: (x['source_id'] as string | null) ?? null,
      status: (x['status'] as string | null) ?? null,
      x3DocumentNumber: (x['x3_document_number'] as string | null) ?? null,
      x3Status: (x['x3_status'] as string | null) ?? null,
      amount: (x['amount'] as string | null) ?? null,
      reason: x['status'] === 'posted' || x['status'] === 'duplicate-skipped' ? 'not-matched' : 'not-posted',
    }));
  }
}
