import { parseReconciliationCsv, parseReconciliationHtml } from '../testing/reconciliation-exports.parse';
import { CSV_COLUMNS, reconciliationCsv, reconciliationHtml, reconciliationText } from './reconciliation.export';
import { ReconciliationReport } from './reconciliation.report';
import { periodRange } from './reconciliation.service';

const counts = {
  requested: 2,
  posted: 2,
  inX3: 1,
  failedAttempts: 0,
  stillFailed: 0,
  replayed: 0,
  duplicateSkipped: 0,
  notPosted: 0,
};

function report(over: Partial<ReconciliationReport> = {}): ReconciliationReport {
  return {
    tenant: 'acme',
    period: '2026-11',
    from: '2026-11-01',
    to: '2026-11-30',
    generatedAt: '2026-12-01T08:00:00.000Z',
    balanced: false,
    verdict: 'not balanced',
    verdictReasons: ['1 exception(s)'],
    readBack: [
      { documentKind: 'journal-entry', lastIncremental: '2026-12-01T07:59:00.000Z', lastFull: null },
      { documentKind: 'supplier-invoice', lastIncremental: null, lastFull: null },
    ],
    notes: ['Source: "ServiceTitan", as mapped'],
    accounts: [
      {
        costCenter: 'HVAC',
        account: '601000',
        currency: 'USD',
        sourceDebit: '100.10',
        sourceCredit: '0.00',
        source: '100.10',
        posted: '100.10',
        x3Debit: '0.00',
        x3Credit: '0.00',
        x3: '0.00',
        difference: '100.10',
      },
      {
        costCenter: null,
        account: '310000',
        currency: 'USD',
        sourceDebit: '0.00',
        sourceCredit: '100.10',
        source: '-100.10',
        posted: '-100.10',
        x3Debit: '0.00',
        x3Credit: '0.00',
        x3: '0.00',
        difference: '-100.10',
      },
    ],
    accountTotals: [],
    journalTotals: [{ currency: 'USD', source: '100.10', posted: '100.10', x3: '0.00', difference: '100.10' }],
    bills: [],
    billTotals: [],
    counts: { journalEntries: counts, supplierInvoices: { ...counts, requested: 0, posted: 0, inX3: 0 } },
    exceptions: [
      {
        code: 'MISSING_IN_X3',
        reason: '=HYPERLINK("http://evil"), "quoted", <b>bold</b>\nsecond line',
        documentKind: 'journal-entry',
        sourceKind: 'job',
        sourceId: '1',
        externalRef: 'acme:JOB:1:R1',
        x3DocumentNumber: 'JE-1',
        recordId: '7',
        link: 'http://audit.local/console#record/7',
      },
    ],
    ...over,
  };
}

describe('reconciliation exports', () => {
  it('CSV: one table with a section column, RFC 4180 quoting, formulas neutralised, numbers as written', () => {
    const csv = reconciliationCsv(report());
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.split('\r\n')[0]).toBe(`\uFEFF${CSV_COLUMNS.join(',')}`);
    const { header, rows } = parseReconciliationCsv(csv);
    expect(header).toEqual([...CSV_COLUMNS]);
    const accounts = rows.filter((r) => r.section === 'account');
    expect(accounts.map((r) => [r.cost_center, r.account, r.source, r.difference])).toEqual([
      ['HVAC', '601000', '100.10', '100.10'],
      ['', '310000', '-100.10', '-100.10'],
    ]);
    const exception = rows.find((r) => r.section === 'exception')!;
    // Text a spreadsheet would run as a formula is prefixed; quotes doubled; the newline kept inside the field.
    expect(exception.detail).toBe('\'=HYPERLINK("http://evil"), "quoted", <b>bold</b>\nsecond line');
    expect(exception).toMatchObject({ code: 'MISSING_IN_X3', reference: 'acme:JOB:1:R1', x3_document: 'JE-1' });
    expect(rows.find((r) => r.reference === 'verdict')?.detail).toBe('not balanced');
    expect(rows.filter((r) => r.section === 'count')).toHaveLength(16);
  });

  it('HTML: standalone, no script, every text escaped, the verdict and a signature line', () => {
    const html = reconciliationHtml(report());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('Reviewed by');
    const parsed = parseReconciliationHtml(html);
    expect(parsed.fields['verdict']).toEqual(['NOT BALANCED']);
    expect(parsed.fields['verdict-reason']).toEqual(['1 exception(s)']);
    expect(
      parsed.rows.filter((r) => r.kind === 'account').map((r) => [r.attrs['cost-center'], r.cols['difference']]),
    ).toEqual([
      ['HVAC', '100.10'],
      ['', '-100.10'],
    ]);
    expect(parsed.rows.find((r) => r.kind === 'exception')?.attrs['code']).toBe('MISSING_IN_X3');
    expect(
      reconciliationHtml(report({ balanced: true, verdict: 'balanced', verdictReasons: [], exceptions: [] })),
    ).toContain('<span class="verdict balanced" data-field="verdict">BALANCED</span>');
  });

  it('text: the verdict first, aligned columns, every exception with its link', () => {
    const text = reconciliationText(report());
    expect(text).toContain('VERDICT: NOT BALANCED');
    expect(text).toMatch(/HVAC\s+601000\s+USD\s+100\.10\s+100\.10\s+0\.00\s+100\.10/);
    expect(text).toContain('MISSING_IN_X3  acme:JOB:1:R1  X3 JE-1');
    expect(text).toContain('http://audit.local/console#record/7');
    expect(text).toContain('X3 read back  supplier-invoice: never');
  });

  it('periods are calendar months', () => {
    expect(periodRange('2026-11')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(periodRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(() => periodRange('2026-13')).toThrow('period must be YYYY-MM');
  });
});
