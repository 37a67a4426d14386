import { toDecimal } from '@connector/decimal';
import { completedJob, testCache, testRules } from '../testing/mapper-fixtures';
import {
  buildJournalDraft,
  imbalance,
  invoiceItemCosts,
  itemCost,
  JobCost,
  resolveCostCenter,
  swapSides,
} from './journal-entry.builder';

const cache = testCache();
const takes = (account: string, die: string) =>
  cache.account('acme', account)?.allowedDimensionTypes.includes(die) ?? false;

describe('journal entry building', () => {
  it('uses totalCost, or quantity x cost when totalCost is zero', () => {
    expect(itemCost({ quantity: '2', cost: '12.25', totalCost: '24.50' }).toFixed()).toBe('24.5');
    expect(itemCost({ quantity: '3', cost: '0.105', totalCost: '0' }).toFixed()).toBe('0.315');
  });

  it('takes material types and (with invoice-items labor) service items; ignores the rest', () => {
    const costs = invoiceItemCosts(completedJob(), testRules());
    expect(costs.map((c) => [c.kind, c.amount.toFixed(), c.stAccount, c.sourceRef])).toEqual([
      ['material', '24.5', '5000', 'invoice-item:1'],
      ['material', '0.315', null, 'invoice-item:2'],
      ['labor', '100', null, 'invoice-item:3'],
    ]);
    expect(
      invoiceItemCosts(completedJob(), testRules({ labor: { source: 'gross-pay-items' } })).map((c) => c.kind),
    ).toEqual(['material', 'material']);
  });

  it('builds a balanced entry grouped per account and cost center, with exact decimal amounts', () => {
    const rules = testRules();
    const job = completedJob({ businessUnitId: 2 });
    const { draft, reasons } = buildJournalDraft({
      job,
      costs: invoiceItemCosts(job, rules),
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

  it('stays exactly balanced with many fractional amounts (no float drift)', () => {
    const rules = testRules();
    const costs: JobCost[] = Array.from({ length: 300 }, (_, i) => ({
      kind: i % 2 ? 'labor' : 'material',
      amount: toDecimal('0.1').plus(toDecimal(i).div(1000)),
      stAccount: i % 3 === 0 ? '5100' : null,
      sourceRef: `x:${i}`,
    }));
    const { draft } = buildJournalDraft({
      job: completedJob(),
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
    const job = completedJob({
      invoice: {
        id: 1,
        items: [
          { id: 1, type: 'Material', quantity: '1', cost: '10', totalCost: '10', costOfSaleAccount: '5100' },
          { id: 2, type: 'Material', quantity: '1', cost: '5', totalCost: '5', generalLedgerAccount: '9999' },
        ],
      },
    });
    const built = buildJournalDraft({
      job,
      costs: invoiceItemCosts(job, rules),
      rules,
      costCenter: resolveCostCenter(1, rules)!,
      accountTakesDimension: takes,
    });
    expect(built.draft!.lines.filter((l) => l.side === 'debit').map((l) => [l.account, l.amount])).toEqual([
      ['601000', '5.00'],
      ['602000', '10.00'],
    ]);
    const strict = testRules({ accounts: { ...testRules().accounts, requireGlAccountMapping: true } });
    const rejected = buildJournalDraft({
      job,
      costs: invoiceItemCosts(job, strict),
      rules: strict,
      costCenter: resolveCostCenter(1, strict)!,
      accountTakesDimension: takes,
    });
    expect(rejected.draft).toBeNull();
    expect(rejected.reasons.map((r) => r.code)).toEqual(['GL_ACCOUNT_UNMAPPED']);
  });

  it('moves a net negative group (returns) to the other side and drops zero groups', () => {
    const rules = testRules();
    const costs: JobCost[] = [
      { kind: 'material', amount: toDecimal('-30'), stAccount: null, sourceRef: 'a' },
      { kind: 'labor', amount: toDecimal('5'), stAccount: null, sourceRef: 'b' },
      { kind: 'labor', amount: toDecimal('-5'), stAccount: null, sourceRef: 'c' },
    ];
    const { draft } = buildJournalDraft({
      job: completedJob(),
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
      job: completedJob(),
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
      job: completedJob(),
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
