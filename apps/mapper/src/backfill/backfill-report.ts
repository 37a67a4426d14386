import {
  BackfillCountsDto,
  BackfillReportV1,
  JournalEntryRequestedV1,
  SupplierInvoiceRequestedV1,
} from '@connector/contracts';
import { Decimal, toDecimal } from '@connector/decimal';
import { BillDecision } from '../bills/bill-mapping.decider';
import { JobDecision } from '../jobs/job-mapping.decider';

const counts = (): BackfillCountsDto => ({ considered: 0, toPost: 0, alreadyPosted: 0, rejected: 0, waiting: 0 });

/** Sums what a backfill posts (or would post) on one partition: counts, lines per cost center and account. */
export class BackfillTally {
  private readonly jobs = counts();
  private readonly bills = counts();
  private readonly reasons = new Map<string, number>();
  private readonly lines = new Map<
    string,
    { costCenter: string | null; account: string; debit: Decimal; credit: Decimal }
  >();
  private readonly suppliers = new Map<string, { count: number; amount: Decimal }>();

  job(d: JobDecision): void {
    this.jobs.considered++;
    switch (d.outcome) {
      case 'requested':
      case 'corrected':
      case 'adjusted':
      case 'reversed':
        this.jobs.toPost += d.entries.length;
        for (const e of d.entries) this.addLines(e);
        return;
      case 'unchanged':
        this.jobs.alreadyPosted++;
        return;
      case 'rejected':
        this.jobs.rejected++;
        for (const r of d.rejection?.reasons ?? []) this.reasons.set(r.code, (this.reasons.get(r.code) ?? 0) + 1);
        return;
      case 'ignored':
        this.jobs.considered--; // a canceled or open job is not part of what a window posts
        return;
      default:
        this.jobs.waiting++;
    }
  }

  bill(d: BillDecision): void {
    this.bills.considered++;
    if (d.request) {
      this.bills.toPost++;
      this.addInvoice(d.request);
    } else if (d.outcome === 'unchanged') this.bills.alreadyPosted++;
    else if (d.outcome === 'rejected' || d.outcome === 'void-noted') {
      this.bills.rejected++;
      for (const r of d.rejection?.reasons ?? []) this.reasons.set(r.code, (this.reasons.get(r.code) ?? 0) + 1);
    } else if (d.outcome === 'ignored') this.bills.considered--;
    else this.bills.waiting++;
  }

  report(requestId: string, partition: number, dryRun: boolean): BackfillReportV1 {
    return {
      requestId,
      partition,
      dryRun,
      jobs: this.jobs,
      bills: this.bills,
      rejections: [...this.reasons].sort().map(([code, count]) => ({ code, count })),
      lines: [...this.lines.values()]
        .sort((a, b) => (a.costCenter ?? '').localeCompare(b.costCenter ?? '') || a.account.localeCompare(b.account))
        .map((l) => ({
          costCenter: l.costCenter,
          account: l.account,
          debit: l.debit.toFixed(),
          credit: l.credit.toFixed(),
        })),
      suppliers: [...this.suppliers]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([supplier, s]) => ({ supplier, count: s.count, amount: s.amount.toFixed() })),
    };
  }

  private addLines(e: JournalEntryRequestedV1): void {
    for (const l of e.lines) {
      const key = `${l.costCenter ?? ''}|${l.account}`;
      const t = this.lines.get(key) ?? {
        costCenter: l.costCenter ?? null,
        account: l.account,
        debit: new Decimal(0),
        credit: new Decimal(0),
      };
      if (l.side === 'debit') t.debit = t.debit.plus(toDecimal(l.amount));
      else t.credit = t.credit.plus(toDecimal(l.amount));
      this.lines.set(key, t);
    }
  }

  private addInvoice(r: SupplierInvoiceRequestedV1): void {
    const s = this.suppliers.get(r.supplier) ?? { count: 0, amount: new Decimal(0) };
    s.count++;
    s.amount = s.amount.plus(toDecimal(r.controlTotal));
    this.suppliers.set(r.supplier, s);
  }
}
