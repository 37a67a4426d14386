import { JournalEntryLineDto } from '@connector/contracts';
import { Decimal, toDecimal } from '@connector/decimal';
import { jobBusinessDate } from '../common/business-date';
import { Reason, ReasonCodes } from '../common/rejection-reasons';
import { accountsForJob } from '../rules/account-resolution';
import { CostCenterRef, CostKind, MappingRules, renderTemplate } from '../rules/mapping-rules';

export type { CostKind };

/** One cost of a job before mapping: an invoice item or a payroll gross pay item. */
export interface JobCost {
  kind: CostKind;
  /** Signed: a returned item lowers the cost. */
  amount: Decimal;
  /** ServiceTitan GL account number (costOfSaleAccount, else generalLedgerAccount), when the source has one. */
  stAccount: string | null;
  /** e.g. `invoice-item:5011`, `gross-pay-item:1201` (for messages and audit). */
  sourceRef: string;
}

/**
 * Line amount: totalCost when given and not zero, else quantity × cost (a missing quantity or cost counts as 0). The
 * one rule, whatever path the item came by: ServiceTitan's totalCost is nullable.
 */
export function itemCost(item: { quantity?: string | null; cost?: string | null; totalCost?: string | null }): Decimal {
  const total = toDecimal(item.totalCost ?? '0');
  return total.isZero() ? toDecimal(item.quantity ?? '0').times(toDecimal(item.cost ?? '0')) : total;
}

/** The job facts an entry is built from (descriptions, cost center, accounting date). */
export interface JournalJob {
  jobId: number;
  jobNumber?: string | null;
  businessUnitId?: number | null;
  jobTypeId?: number | null;
  completedOn?: string | null;
  modifiedOn: string;
}

export function resolveCostCenter(
  businessUnitId: number | null | undefined,
  rules: MappingRules,
): CostCenterRef | null {
  if (businessUnitId !== null && businessUnitId !== undefined) {
    const ref = rules.businessUnits[String(businessUnitId)];
    if (ref) return ref;
  }
  return rules.defaultCostCenter;
}

export interface JournalDraft {
  accountingDate: string;
  description: string;
  lines: JournalEntryLineDto[];
}

export interface BuildJournalInput {
  job: JournalJob;
  costs: JobCost[];
  rules: MappingRules;
  costCenter: CostCenterRef;
  /** Whether an offset (credit) account takes the cost center dimension; from the X3 master data. */
  accountTakesDimension: (account: string, dimensionType: string) => boolean;
  /** The tenant's IANA time zone: the accounting date is the completion's calendar day there. Default UTC. */
  timeZone?: string;
}

const KIND_ORDER: Record<string, number> = { material: 0, equipment: 1, labor: 2, other: 3, offset: 4 };

/**
 * Maps a job's costs to a balanced entry: per cost kind, cost lines (debit) on the accounts the rules choose for the
 * job's type and business unit (rules/account-resolution.ts) with the job's cost center, and offset lines (credit
 * accrued payroll / inventory). Lines are grouped per account + cost center + kind and rounded to the currency scale
 * BEFORE the offsets are summed from them, so debits equal credits exactly. A group that nets negative (returns)
 * moves to the other side.
 */
export function buildJournalDraft(input: BuildJournalInput): { draft: JournalDraft | null; reasons: Reason[] } {
  const { job, costs, rules, costCenter } = input;
  const reasons: Reason[] = [];
  const accounts = accountsForJob(rules, job);
  const accountsOf = (kind: CostKind) => {
    const pair = accounts[kind];
    // The rules are checked at load: every cost kind that takes costs has default accounts.
    if (!pair) throw new Error(`internal error: no ${kind} accounts for job ${job.jobId}`);
    return pair;
  };
  const debitGroups = new Map<string, { account: string; kind: CostKind; amount: Decimal }>();
  for (const c of costs) {
    let account = accountsOf(c.kind).debit.account;
    if (c.stAccount) {
      const mapped = rules.accounts.glAccounts[c.stAccount];
      if (mapped) account = mapped;
      else if (rules.accounts.requireGlAccountMapping) {
        reasons.push({
          code: ReasonCodes.GlAccountUnmapped,
          message: `ServiceTitan GL account ${c.stAccount} (${c.sourceRef}) has no X3 account in the mapping rules`,
          field: 'accounts.glAccounts',
        });
        continue;
      }
    }
    const key = `${c.kind}|${account}`;
    const g = debitGroups.get(key) ?? { account, kind: c.kind, amount: new Decimal(0) };
    g.amount = g.amount.plus(c.amount);
    debitGroups.set(key, g);
  }
  if (reasons.length) return { draft: null, reasons };

  const values = {
    jobId: job.jobId,
    jobNumber: job.jobNumber ?? String(job.jobId),
    businessUnitId: job.businessUnitId ?? '',
    jobTypeId: job.jobTypeId ?? '',
    costCenter: costCenter.costCenter,
    completedOn: job.completedOn ?? '',
  };
  const lines: JournalEntryLineDto[] = [];
  const offsets = new Map<string, Decimal>();
  const line = (
    account: string,
    signed: Decimal,
    kind: JournalEntryLineDto['costKind'],
    withCostCenter: boolean,
    descKind: string,
  ): void => {
    lines.push({
      account,
      side: signed.isNegative() ? 'credit' : 'debit',
      amount: signed.abs().toFixed(rules.amountScale),
      costCenter: withCostCenter ? costCenter.costCenter : null,
      dimensionType: withCostCenter ? costCenter.dimensionType : null,
      description: renderTemplate(rules.journal.lineDescriptionTemplate, { ...values, costKind: descKind }),
      costKind: kind,
    });
  };
  for (const g of debitGroups.values()) {
    const rounded = g.amount.toDecimalPlaces(rules.amountScale, Decimal.ROUND_HALF_UP);
    if (rounded.isZero()) continue;
    line(g.account, rounded, g.kind, true, g.kind);
    const credit = accountsOf(g.kind).credit.account;
    offsets.set(`${g.kind}|${credit}`, (offsets.get(`${g.kind}|${credit}`) ?? new Decimal(0)).plus(rounded));
  }
  for (const [key, amount] of offsets) {
    if (amount.isZero()) continue;
    const [kind, account] = key.split('|');
    line(
      account,
      amount.negated(),
      'offset',
      input.accountTakesDimension(account, costCenter.dimensionType),
      `${kind} offset`,
    );
  }
  if (lines.length === 0) {
    reasons.push({ code: ReasonCodes.NoCosts, message: `job ${job.jobId} has no cost to post` });
    return { draft: null, reasons };
  }
  lines.sort(
    (a, b) =>
      KIND_ORDER[a.costKind] - KIND_ORDER[b.costKind] ||
      a.account.localeCompare(b.account) ||
      a.side.localeCompare(b.side),
  );
  return {
    draft: {
      // The calendar day of completion in the tenant's time zone (a date-only X3 accounting date and its period).
      accountingDate: jobBusinessDate(job, input.timeZone ?? 'UTC'),
      description: renderTemplate(rules.journal.descriptionTemplate, values),
      lines,
    },
    reasons: [],
  };
}

/** Sum of debits minus credits (zero for a balanced entry). */
export function imbalance(lines: JournalEntryLineDto[]): Decimal {
  return lines.reduce(
    (acc, l) => (l.side === 'debit' ? acc.plus(toDecimal(l.amount)) : acc.minus(toDecimal(l.amount))),
    new Decimal(0),
  );
}

/** The exact inverse of an entry's lines (same amounts, sides swapped). */
export function swapSides(lines: JournalEntryLineDto[]): JournalEntryLineDto[] {
  return lines.map((l) => ({ ...l, side: l.side === 'debit' ? 'credit' : 'debit' }));
}
