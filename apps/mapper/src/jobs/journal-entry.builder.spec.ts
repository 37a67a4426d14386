import { toDecimal } from '@connector/decimal';
import {
  grossPayRecord,
  invoiceRecord,
  jobRecord,
  jobSources,
  TEST_RULES_JSON,
  testCache,
  testRules,
} from '../testing/mapper-fixtures';
import { jobCosts } from './job-costs';
import { buildJournalDraft, imbalance, itemCost, JobCost, resolveCostCenter, swapSides } from './journal-entry.builder';

const LABOR = { grossPayItemTypes: ['TimesheetTime'], activeOnly: true };

const cache = testCache();
const takes = (account: string, die: string) =>
  cache.account('acme', account)?.allowedDimensionTypes.includes(die) ?? false;

describe('journal entry building', () => {
  it('uses totalCost, or quantity x cost when totalCost is zero or null (one rule for every path)', () => {
    expect(itemCost({ quantity: '2', cost: '12.25', totalCost: '24.50' }).toFixed()).toBe('24.5');
    expect(itemCost({ quantity: '3', cost: '0.105', totalCost: '0' }).toFixed()).toBe('0.315');
    expect(itemCost({ quantity: '1.5', cost: '40.10', totalCost: null }).toFixed()).toBe('60.15');
    expect(itemCost({ quantity: null, cost: '40.10', totalCost: null }).toFixed()).toBe('0');
  });

  it('takes material types and (with invoice-items labor) service items; ignores the rest', () => {
    const costs = jobCosts(jobSources(), testRules(), LABOR);
    expect(costs.map((c) => [c.kind, c.amount.toFixed(), c.stAccount, c.sourceRef])).toEqual([
      ['material', '24.5', '5000', 'invoice-item:1'],
      ['material', '0.315', null, 'invoice-item:2'],
      ['labor', '100', null, 'invoice-item:3'],
    ]);
    expect(
      jobCosts(jobSources(), testRules({ labor: { source: 'gross-pay-items' } }), LABOR).map((c) => c.kind),
    ).toEqual(['material', 'material']);
  });

  it('labor from gross pay items: the configured types, active ones only unless told otherwise', () => {
    const sources = jobSources({
      grossPayItems: [
        grossPayRecord(1, '81.25'),
        grossPayRecord(2, '25', { grossPayItemType: 'InvoiceRelatedBonus' }),
        grossPayRecord(3, '10', { active: false }),
      ],
    });
    const rules = testRules({ labor: { source: 'gross-pay-items' } });
    const labor = (rule: typeof LABOR) =>
      jobCosts(sources, rules, rule)
        .filter((c) => c.kind === 'labor')
        .map((c) => [c.amount.toFixed(), c.sourceRef]);
    expect(labor(LABOR)).toEqual([['81.25', 'gross-pay-item:1']]);
    expect(labor({ grossPayItemTypes: ['TimesheetTime', 'InvoiceRelatedBonus'], activeOnly: false })).toEqual([
      ['81.25', 'gross-pay-item:1'],
      ['25', 'gross-pay-item:2'],
      ['10', 'gross-pay-item:3'],
    ]);
    // An inactive (voided) invoice is no cost.
    const voided = jobSources({ invoices: [] });
    expect(jobCosts(voided, testRules(), LABOR)).toEqual([]);
  });

  it('builds a balanced entry grouped per account and cost center, with exact decimal amounts', () => {
    const rules = testRules();
    const job = jobRecord({ businessUnitId: 2 });
    const { draft, reasons } = buildJournalDraft({
      job,
      costs: jobCosts(jobSources({ job }), rules, LABOR),
      rules,
      costCenter: resolveCostCenter(2, rules)!,
      accountTakesDimension: takes,
    });
    expect(reasons).toEqual([]);
    expect(draft!.accountingDate).toBe('2026-01-15');
    expect(draft!.description).toBe('ServiceTitan job J-4242');
    expect(draft!.lines.map((l) => [l.costKind, l.side, l.account, l.amount, l.costCenter])).toEqual([
      ['material', 'debit', '601000', '24.82', 'CC-PLUMB'],
      ['labor', 'debit', '641000', '100.00', 'CC-PLUMB'],
      ['offset', 'credit', '310000', '24.82', null],
      ['offset', 'credit', '421000', '100.00', null],
    ]);
    expect(imbalance(draft!.lines).isZero()).toBe(true);
  });

  it("takes the accounting date from the completion's calendar day in the tenant's time zone", () => {
    const rules = testRules();
    const draftOf = (completedOn: string, timeZone?: string) => {
      const job = jobRecord({ completedOn });
      return buildJournalDraft({
        job,
        costs: jobCosts(jobSources({ job }), rules, LABOR),
        rules,
        costCenter: resolveCostCenter(2, rules)!,
        accountTakesDimension: takes,
        timeZone,
      }).draft!.accountingDate;
    };
    // 23:30 in Chicago on 31 January is already 1 February in UTC: a January cost for a Chicago business.
    expect(draftOf('2026-01-31T23:30:00-06:00', 'America/Chicago')).toBe('2026-01-31');
    expect(draftOf('2026-02-01T05:30:00Z', 'America/Chicago')).toBe('2026-01-31');
    // Without a zone (files written before timeZone existed): UTC, as before.
    expect(draftOf('2026-01-31T23:30:00-06:00')).toBe('2026-02-01');
    expect(draftOf('2026-01-31T23:30:00-06:00', 'UTC')).toBe('2026-02-01');
  });

  it('stays exactly balanced with many fractional amounts (no float drift)', () => {
    const rules = testRules();
    const costs: JobCost[] = Array.from({ length: 300 }, (_, i) => ({
      kind: i % 2 ? 'labor' : 'material',
      amount: toDecimal('0.1').plus(toDecimal(i).div(1000)),
      stAccount: i % 3 === 0 ? '5100' : null,
      sourceRef: `x:${i}`,
    }));
    const { draft } = buildJournalDraft({
      job: jobRecord(),
      costs,
      rules,
      costCenter: resolveCostCenter(1, rules)!,
      accountTakesDimension: takes,
    });
    expect(imbalance(draft!.lines).toFixed()).toBe('0');
    const debits = draft!.lines
      .filter((l) => l.side === 'debit')
      .reduce((a, l) => a.plus(toDecimal(l.amount)), toDecimal(0));
    expect(debits.toFixed(2)).toBe('74.85');
    expect(draft!.lines.every((l) => /^\d+\.\d{2}$/.test(l.amount))).toBe(true);
  });

  it('maps ServiceTitan GL accounts; an unmapped one falls back to the default, or is rejected when mapping is required', () => {
    const rules = testRules();
    const job = jobRecord();
    const sources = jobSources({
      invoices: [
        invoiceRecord({
          items: [
            { id: 1, type: 'Material', quantity: '1', cost: '10', totalCost: '10', costOfSaleAccount: '5100' },
            { id: 2, type: 'Material', quantity: '1', cost: '5', totalCost: '5', generalLedgerAccount: '9999' },
          ],
        }),
      ],
    });
    const built = buildJournalDraft({
      job,
      costs: jobCosts(sources, rules, LABOR),
      rules,
      costCenter: resolveCostCenter(1, rules)!,
      accountTakesDimension: takes,
    });
    expect(built.draft!.lines.filter((l) => l.side === 'debit').map((l) => [l.account, l.amount])).toEqual([
      ['601000', '5.00'],
      ['602000', '10.00'],
    ]);
    const strict = testRules({ accounts: { ...TEST_RULES_JSON.accounts, requireGlAccountMapping: true } });
    const rejected = buildJournalDraft({
      job,
      costs: jobCosts(sources, strict, LABOR),
      rules: strict,
      costCenter: resolveCostCenter(1, strict)!,
      accountTakesDimension: takes,
    });
    expect(rejected.draft).toBeNull();
    expect(rejected.reasons.map((r) => r.code)).toEqual(['GL_ACCOUNT_UNMAPPED']);
  });

  it('a cost of a kind without accounts is an internal error (the rules check at load makes it impossible)', () => {
    const rules = testRules();
    const broken = {
      ...rules,
      accounts: { ...rules.accounts, default: { material: rules.accounts.default.material } },
    };
    const costs: JobCost[] = [
      { kind: 'labor', amount: toDecimal('5'), stAccount: null, sourceRef: 'gross-pay-item:1' },
    ];
    expect(() =>
      buildJournalDraft({
        job: jobRecord(),
        costs,
        rules: broken,
        costCenter: resolveCostCenter(1, rules)!,
        accountTakesDimension: takes,
      }),
    ).toThrow('internal error: no labor accounts for job 4242');
  });

  it('moves a net negative group (returns) to the other side and drops zero groups', () => {
    const rules = testRules();
    const costs: JobCost[] = [
      { kind: 'material', amount: toDecimal('-30'), stAccount: null, sourceRef: 'a' },
      { kind: 'labor', amount: toDecimal('5'), stAccount: null, sourceRef: 'b' },
      { kind: 'labor', amount: toDecimal('-5'), stAccount: null, sourceRef: 'c' },
    ];
    const { draft } = buildJournalDraft({
      job: jobRecord(),
      costs,
      rules,
      costCenter: resolveCostCenter(1, rules)!,
      accountTakesDimension: takes,
    });
    expect(draft!.lines.map((l) => [l.side, l.account, l.amount])).toEqual([
      ['credit', '601000', '30.00'],
      ['debit', '310000', '30.00'],
    ]);
  });

  it('puts the cost center on an offset account that takes the dimension', () => {
    const rules = testRules();
    const { draft } = buildJournalDraft({
      job: jobRecord(),
      costs: [{ kind: 'labor', amount: toDecimal(1), stAccount: null, sourceRef: 'x' }],
      rules,
      costCenter: resolveCostCenter(1, rules)!,
      accountTakesDimension: () => true,
    });
    expect(draft!.lines.map((l) => l.costCenter)).toEqual(['CC-HVAC', 'CC-HVAC']);
  });

  it('rejects a job without costs (NO_COSTS)', () => {
    const rules = testRules();
    const { draft, reasons } = buildJournalDraft({
      job: jobRecord(),
      costs: [],
      rules,
      costCenter: resolveCostCenter(1, rules)!,
      accountTakesDimension: takes,
    });
    expect(draft).toBeNull();
    expect(reasons[0].code).toBe('NO_COSTS');
  });

  it('swapSides inverts every line', () => {
    const lines = [
      { account: 'A', side: 'debit' as const, amount: '1.00', costKind: 'labor' as const },
      { account: 'B', side: 'credit' as const, amount: '1.00', costKind: 'offset' as const },
    ];
    expect(swapSides(lines).map((l) => l.side)).toEqual(['credit', 'debit']);
  });
});
