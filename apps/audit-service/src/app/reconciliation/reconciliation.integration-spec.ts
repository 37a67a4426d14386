import { Headers as H, MessageEnvelope, recordKey, Topics, X3DocumentLineDto } from '@connector/contracts';
import { sumDecimals, toDecimal, toDecimalString } from '@connector/decimal';
import { eventually, MessagingHarness, startMessagingHarness, uniquePrefix } from '@connector/testing';
import { AuditFixtures } from '../testing/audit-fixtures';
import {
  call,
  RunningAuditApp,
  startAuditApp,
  TEST_DRIVERS,
  TEST_TOKENS,
  TestDatabase,
} from '../testing/audit-test.harness';
import {
  fetchReconciliationExports,
  parseReconciliationCsv,
  runReconcileCli,
} from '../testing/reconciliation-exports.parse';
import { ReconciliationReport } from './reconciliation.report';

jest.setTimeout(180000);

type Line = { account: string; side: 'debit' | 'credit'; amount: string; costCenter?: string | null };

/** X3's lines as the poller reads them back (same content as requested unless a test alters them). */
const x3Lines = (lines: Line[]): X3DocumentLineDto[] =>
  lines.map((l, i) => ({
    lineNo: i + 1,
    account: l.account,
    costCenter: l.costCenter ?? null,
    side: l.side,
    amount: l.amount,
  }));

const job1: Line[] = [
  { account: '601000', side: 'debit', amount: '100.10', costCenter: 'HVAC' },
  { account: '641000', side: 'debit', amount: '80.00', costCenter: 'HVAC' },
  { account: '310000', side: 'credit', amount: '100.10' },
  { account: '421000', side: 'credit', amount: '80.00' },
];
const job2: Line[] = [
  { account: '601000', side: 'debit', amount: '45.55', costCenter: 'PLUMB' },
  { account: '310000', side: 'credit', amount: '45.55' },
];
const job3r1: Line[] = [
  { account: '601000', side: 'debit', amount: '250.00', costCenter: 'HVAC' },
  { account: '310000', side: 'credit', amount: '250.00' },
];
const swap = (lines: Line[]): Line[] => lines.map((l) => ({ ...l, side: l.side === 'debit' ? 'credit' : 'debit' }));
const job3r2: Line[] = [
  { account: '601000', side: 'debit', amount: '275.25', costCenter: 'HVAC' },
  { account: '310000', side: 'credit', amount: '275.25' },
];
const job4: Line[] = [
  { account: '641000', side: 'debit', amount: '120.00', costCenter: 'PLUMB' },
  { account: '421000', side: 'credit', amount: '120.00' },
];

describe.each(TEST_DRIVERS)('reconciliation report, exports and CLI ($name)', (driver) => {
  const prefix = uniquePrefix(`recon-${driver.name}`);
  let database: TestDatabase;
  let audit: RunningAuditApp;
  let bus: MessagingHarness;
  let fx: AuditFixtures;
  const admin = TEST_TOKENS.admin;

  const report = async (query = 'tenant=acme&period=2026-11', token: string = admin) => {
    const res = await call(audit.baseUrl, `/api/reconciliation?${query}`, { token });
    expect(res.status).toBe(200);
    return res.body as ReconciliationReport;
  };
  const row = (r: ReconciliationReport, costCenter: string | null, account: string) =>
    r.accounts.find((a) => a.costCenter === costCenter && a.account === account);

  /** A job's request, its posting result and X3's read-back of it (same lines). */
  async function postedJob(
    cause: MessageEnvelope<unknown>,
    jobId: number,
    doc: string,
    lines: Line[],
    o: { revision?: number; reversal?: boolean } = {},
  ) {
    const req = await fx.journalEntryFor(cause, { jobId, lines, ...o });
    await fx.result(req, 'job', jobId, 'posted', { doc });
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: doc,
      externalRef: (req.payload as { externalRef: string }).externalRef,
      lines: x3Lines(lines),
      amount: toDecimalString(sumDecimals(lines.filter((l) => l.side === 'debit').map((l) => l.amount))),
    });
    return req;
  }

  beforeAll(async () => {
    database = await driver.open();
    bus = await startMessagingHarness(prefix, [], 'bus');
    audit = await startAuditApp(prefix, database.db);
    fx = new AuditFixtures(bus.publisher);

    // Job 1 (HVAC, material + labor) posted; later redelivered: duplicate-skipped.
    const j1 = await fx.job('acme', 1, ['100.10']);
    const j1r1 = await postedJob(j1, 1, 'JE-1', job1);
    await fx.result(j1r1, 'job', 1, 'duplicate-skipped', { doc: 'JE-1' });
    // Job 2 (PLUMB, material) posted.
    await postedJob(await fx.job('acme', 2, ['45.55']), 2, 'JE-2', job2);
    // Job 3 (HVAC) posted, then corrected: reversal of R1 and R2.
    const j3 = await fx.job('acme', 3, ['250.00']);
    await postedJob(j3, 3, 'JE-3', job3r1);
    await postedJob(j3, 3, 'JE-4', swap(job3r1), { reversal: true });
    await postedJob(j3, 3, 'JE-5', job3r2, { revision: 2 });
    // Job 4 (PLUMB, labor): failed, replayed from the audit trail, posted.
    const j4 = await fx.job('acme', 4, ['120.00']);
    const j4r1 = await fx.journalEntryFor(j4, { jobId: 4, lines: job4 });
    await fx.result(j4r1, 'job', 4, 'failed');
    await bus.publisher.publish(Topics.JournalEntryRequested, j4r1, {
      key: recordKey('acme', 'job', 4),
      headers: { [H.ReplayId]: 'replay-j4' },
    });
    await fx.result(j4r1, 'job', 4, 'posted', { doc: 'JE-6' });
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: 'JE-6',
      externalRef: 'acme:JOB:4:R1',
      lines: x3Lines(job4),
    });
    // Bill 501 matched in X3, bill 502 unmatched.
    for (const [id, amount, doc, status] of [
      [501, '25.00', 'PI-1', 'matched'],
      [502, '12.00', 'PI-2', 'unmatched'],
    ] as const) {
      const bill = await fx.bill('acme', id, amount);
      const si = await fx.supplierInvoice(bill, id, amount);
      await fx.result(si, 'inventory-bill', id, 'posted', { doc, amount, documentKind: 'supplier-invoice' });
      await fx.x3Document('acme', {
        documentKind: 'supplier-invoice',
        documentNumber: doc,
        externalRef: `acme:bill:${id}:1`,
        accountingDate: '2026-11-18',
        amount,
        status,
        x3Status: status === 'matched' ? '2' : '1',
        supplier: 'SUP1',
        supplierInvoiceNumber: `B-${id}`,
        lines: [
          {
            lineNo: 1,
            side: 'debit',
            amount,
            purchaseOrder: 'PO1',
            purchaseOrderLine: 1,
            quantity: '1',
            netPrice: amount,
          },
        ],
      });
    }
    await fx.x3Scan('acme', { documentKind: 'journal-entry', mode: 'full' });
    await fx.x3Scan('acme', { documentKind: 'supplier-invoice', mode: 'full' });
    // Another tenant's month: never in acme's report.
    const g = await fx.job('globex', 9, ['10.00']);
    await fx.journalEntryFor(g, { jobId: 9, lines: job2 });

    await eventually(
      () => report(),
      (r) =>
        r.counts.journalEntries.inX3 === 6 &&
        r.counts.journalEntries.posted === 6 &&
        r.counts.journalEntries.replayed === 1 &&
        r.counts.journalEntries.duplicateSkipped === 1 &&
        r.counts.journalEntries.failedAttempts === 1 &&
        r.counts.supplierInvoices.inX3 === 2 &&
        // the bills' own topic is read independently of the others: their ServiceTitan amounts are in too
        r.bills.length === 2 &&
        r.bills.every((b) => !toDecimal(b.source).isZero()) &&
        r.readBack.every((b) => b.lastFull !== null),
      'the month in the audit trail',
    );
  });

  afterAll(async () => {
    await audit?.close();
    await bus?.close();
    await database?.dispose();
  });

  it('balances: source = X3 per cost center and account to the cent, with the document counts', async () => {
    const r = await report();
    expect(r).toMatchObject({
      tenant: 'acme',
      period: '2026-11',
      from: '2026-11-01',
      to: '2026-11-30',
      balanced: true,
    });
    expect(r.verdict).toBe('balanced');
    expect(r.exceptions).toEqual([]);
    expect(r.accounts.map((a) => [a.costCenter, a.account, a.source, a.posted, a.x3, a.difference])).toEqual([
      ['HVAC', '601000', '375.35', '375.35', '375.35', '0.00'],
      ['HVAC', '641000', '80.00', '80.00', '80.00', '0.00'],
      ['PLUMB', '601000', '45.55', '45.55', '45.55', '0.00'],
      ['PLUMB', '641000', '120.00', '120.00', '120.00', '0.00'],
      [null, '310000', '-420.90', '-420.90', '-420.90', '0.00'],
      [null, '421000', '-200.00', '-200.00', '-200.00', '0.00'],
    ]);
    // The reversal nets out R1 on both sides: debits and credits are kept apart.
    expect(row(r, 'HVAC', '601000')).toMatchObject({
      sourceDebit: '625.35',
      sourceCredit: '250.00',
      x3Debit: '625.35',
    });
    expect(r.accountTotals.find((t) => t.account === '601000')).toMatchObject({ source: '420.90', x3: '420.90' });
    expect(r.journalTotals).toEqual([
      { currency: 'USD', source: '1120.90', posted: '1120.90', x3: '1120.90', difference: '0.00' },
    ]);
    expect(r.counts.journalEntries).toEqual({
      requested: 6,
      posted: 6,
      inX3: 6,
      failedAttempts: 1,
      stillFailed: 0,
      replayed: 1,
      duplicateSkipped: 1,
      notPosted: 0,
    });
    expect(r.counts.supplierInvoices).toMatchObject({ requested: 2, posted: 2, inX3: 2 });
    expect(r.bills.map((b) => [b.billId, b.source, b.x3, b.difference, b.x3Status, b.x3DocumentNumber])).toEqual([
      ['501', '25.00', '25.00', '0.00', 'matched', 'PI-1'],
      ['502', '12.00', '12.00', '0.00', 'unmatched', 'PI-2'],
    ]);
    expect(r.billTotals).toEqual([
      { currency: 'USD', source: '37.00', x3: '37.00', difference: '0.00', matched: 1, unmatched: 1 },
    ]);
    expect(r.readBack.every((b) => b.lastFull !== null)).toBe(true);
    expect(r.notes.join(' ')).toContain('read back from X3');
  });

  it('CSV and HTML exports carry the API’s numbers; the CLI prints the report and exits 0', async () => {
    const r = await report();
    await expectExportsToMatch(r);
    const cli = await runReconcileCli(['acme', '--period', '2026-11', '--url', audit.baseUrl], {
      AUDIT_API_TOKEN: admin,
    });
    expect(cli.stderr).not.toContain('error');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('VERDICT: BALANCED');
    expect(cli.stdout).toMatch(/HVAC\s+601000\s+USD\s+375\.35\s+375\.35\s+375\.35\s+0\.00/);
  });

  it('refuses what it cannot answer: no tenant for the admin, a bad period, no token; a tenant sees only itself', async () => {
    expect((await call(audit.baseUrl, '/api/reconciliation?period=2026-11', { token: admin })).status).toBe(400);
    const bad = await call(audit.baseUrl, '/api/reconciliation?tenant=acme&period=2026-13', { token: admin });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('YYYY-MM');
    expect((await call(audit.baseUrl, '/api/reconciliation?tenant=acme&period=2026-11')).status).toBe(401);
    expect((await call(audit.baseUrl, '/api/reconciliation/report.csv?tenant=acme&period=2026-11')).status).toBe(401);
    // acme's token asking for globex gets acme.
    const own = await report('tenant=globex&period=2026-11', TEST_TOKENS.acme);
    expect(own.tenant).toBe('acme');
    const globex = await report('tenant=globex&period=2026-11', TEST_TOKENS.globex);
    expect(globex.accounts.map((a) => a.source)).toEqual(['45.55', '-45.55']);
    expect(globex.exceptions.map((e) => e.code)).toEqual(['NOT_POSTED']);
    const periods = (await call(audit.baseUrl, '/api/reconciliation/periods', { token: TEST_TOKENS.acme })).body;
    expect(periods).toEqual([{ tenant: 'acme', period: '2026-11' }]);
    expect(
      (
        await call(audit.baseUrl, '/api/reconciliation/x3-documents/journal-entry/JE-1?tenant=acme', {
          token: TEST_TOKENS.globex,
        })
      ).status,
    ).toBe(404);

    const usage = await runReconcileCli(['acme'], { AUDIT_API_TOKEN: admin });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--period is required');
    const denied = await runReconcileCli(['acme', '--period', '2026-11', '--url', audit.baseUrl], {
      AUDIT_API_TOKEN: 'not-a-real-token',
    });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('HTTP 401');
  });

  it('flips to not balanced with every exception and its reason once X3 no longer matches', async () => {
    // X3 side: JE-2's line moved to another cost center; JE-1 deleted; a document nobody requested; PI-2 amount changed.
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: 'JE-2',
      externalRef: 'acme:JOB:2:R1',
      lines: x3Lines(job2.map((l) => (l.costCenter ? { ...l, costCenter: 'HVAC' } : l))),
    });
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: 'JE-1',
      externalRef: 'acme:JOB:1:R1',
      present: false,
      absence: 'deleted',
    });
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: 'JE-99',
      externalRef: 'acme:JOB:999:R1',
      inLedger: false,
      amount: '9.99',
      lines: x3Lines([
        { account: '601000', side: 'debit', amount: '9.99', costCenter: 'HVAC' },
        { account: '310000', side: 'credit', amount: '9.99' },
      ]),
    });
    await fx.x3Document('acme', {
      documentKind: 'supplier-invoice',
      documentNumber: 'PI-2',
      externalRef: 'acme:bill:502:1',
      accountingDate: '2026-11-18',
      amount: '21.00',
      lines: [{ lineNo: 1, side: 'debit', amount: '21.00', quantity: '1', netPrice: '21.00' }],
    });
    // Source side: a job the mapper rejected, a job whose posting failed.
    await fx.rejected(await fx.job('acme', 5, ['9.00']), 5, 'COST_CENTER_UNKNOWN');
    const j6 = await fx.job('acme', 6, ['30.00']);
    await fx.result(await fx.journalEntryFor(j6, { jobId: 6, lines: job4 }), 'job', 6, 'failed');

    const r = await eventually(
      () => report(),
      (x) => x.exceptions.length >= 7 && x.counts.journalEntries.stillFailed === 1,
      'the exceptions',
    );
    expect(r.balanced).toBe(false);
    expect(r.verdict).toBe('not balanced');
    const byCode = (code: string) => r.exceptions.filter((e) => e.code === code);
    expect(byCode('MISSING_IN_X3')).toEqual([
      expect.objectContaining({ externalRef: 'acme:JOB:1:R1', x3DocumentNumber: 'JE-1', sourceId: '1' }),
    ]);
    expect(byCode('MISSING_IN_X3')[0].reason).toContain('deleted in X3');
    expect(byCode('ALTERED_IN_X3').map((e) => [e.x3DocumentNumber, e.reason])).toEqual([
      [
        'PI-2',
        'X3 PI-2 differs from what was posted: invoice lines: 12.00 requested, 21.00 in X3; control total 12.00 requested, 21.00 in X3',
      ],
      [
        'JE-2',
        'X3 JE-2 differs from what was posted: 601000/PLUMB: 45.55 requested, 0.00 in X3; 601000/HVAC: 0.00 requested, 45.55 in X3',
      ],
    ]);
    expect(byCode('UNKNOWN_IN_X3')).toEqual([
      expect.objectContaining({ externalRef: 'acme:JOB:999:R1', x3DocumentNumber: 'JE-99', recordId: null }),
    ]);
    expect(byCode('UNKNOWN_IN_X3')[0].link).toBe(`${audit.baseUrl}/console#x3-document/acme/journal-entry/JE-99`);
    expect(byCode('MAPPING_REJECTED')[0].reason).toContain('COST_CENTER_UNKNOWN');
    expect(byCode('POSTING_FAILED')[0]).toMatchObject({ externalRef: 'acme:JOB:6:R1', sourceId: '6' });
    expect(byCode('POSTING_FAILED')[0].reason).toContain('X3_500: X3 answered 500');
    expect(byCode('BILL_DIFFERS')[0].reason).toBe('ServiceTitan bill 502 is 12.00; X3 holds 21.00 (PI-2)');
    expect(r.exceptions.map((e) => e.code)).toEqual([
      'ALTERED_IN_X3',
      'ALTERED_IN_X3',
      'BILL_DIFFERS',
      'MAPPING_REJECTED',
      'MISSING_IN_X3',
      'POSTING_FAILED',
      'UNKNOWN_IN_X3',
    ]);
    // Every exception links to a timeline in this console.
    for (const e of r.exceptions) expect(e.link.startsWith(`${audit.baseUrl}/console#`)).toBe(true);
    const rec = (await call(audit.baseUrl, `/api/records/${byCode('MISSING_IN_X3')[0].recordId}`, { token: admin }))
      .body as { record: { sourceId: string }; timeline: Array<{ messageType: string | null }> };
    expect(rec.record.sourceId).toBe('1');
    expect(rec.timeline.filter((t) => t.messageType === 'x3.document.state')).toHaveLength(2);

    // Per account: JE-1 gone and JE-2's line moved, to the cent.
    expect(row(r, 'HVAC', '601000')).toMatchObject({ source: '375.35', x3: '330.79', difference: '44.56' });
    expect(row(r, 'PLUMB', '601000')).toMatchObject({ source: '45.55', x3: '0.00', difference: '45.55' });
    expect(row(r, 'HVAC', '641000')).toMatchObject({ source: '80.00', x3: '0.00', difference: '80.00' });
    expect(row(r, 'PLUMB', '641000')).toMatchObject({
      source: '240.00',
      posted: '120.00',
      x3: '120.00',
      difference: '120.00',
    });
    expect(r.counts.journalEntries).toMatchObject({
      requested: 7,
      posted: 6,
      inX3: 5,
      stillFailed: 1,
      failedAttempts: 2,
    });
    expect(r.verdictReasons).toEqual([
      expect.stringMatching(/line\(s\) differ/),
      '1 bill(s) differ between ServiceTitan and X3',
      `${r.exceptions.length} exception(s)`,
    ]);

    const doc = (
      await call(audit.baseUrl, '/api/reconciliation/x3-documents/journal-entry/JE-1?tenant=acme', { token: admin })
    ).body as { present: boolean; absence: string; history: Array<{ present: boolean }>; recordId: string };
    expect(doc).toMatchObject({ present: false, absence: 'deleted', recordId: byCode('MISSING_IN_X3')[0].recordId });
    expect(doc.history.map((h) => h.present)).toEqual([true, false]);

    await expectExportsToMatch(r);
    const cli = await runReconcileCli(['acme', '--period', '2026-11', '--url', audit.baseUrl], {
      AUDIT_API_TOKEN: admin,
    });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('VERDICT: NOT BALANCED');
    expect(cli.stdout).toContain('MISSING_IN_X3  acme:JOB:1:R1  X3 JE-1');
    expect(cli.stderr).toContain('not balanced');
    const csv = await runReconcileCli(['acme', '--period', '2026-11', '--url', audit.baseUrl, '--format', 'csv'], {
      AUDIT_API_TOKEN: TEST_TOKENS.acme,
    });
    expect(csv.code).toBe(1);
    expect(parseReconciliationCsv(csv.stdout).rows.filter((x) => x.section === 'exception')).toHaveLength(
      r.exceptions.length,
    );
  });

  it('names the other exceptions too: not read back, duplicated in X3, superseded and still in X3, dead-lettered', async () => {
    // Bill 503 corrected: R2 supersedes R1, but X3 holds both invoices.
    const b1 = await fx.bill('acme', 503, '30.00');
    const r1 = await fx.supplierInvoice(b1, 503, '30.00');
    await fx.result(r1, 'inventory-bill', 503, 'posted', {
      doc: 'PI-3',
      amount: '30.00',
      documentKind: 'supplier-invoice',
    });
    const b2 = await fx.bill('acme', 503, '40.00');
    const r2 = await fx.supplierInvoiceRevision(b2, 503, 2, '40.00');
    await fx.result(r2, 'inventory-bill', 503, 'posted', {
      doc: 'PI-4',
      amount: '40.00',
      documentKind: 'supplier-invoice',
    });
    for (const [doc, ref, amount] of [
      ['PI-3', 'acme:bill:503:1', '30.00'],
      ['PI-4', 'acme:bill:503:2', '40.00'],
    ])
      await fx.x3Document('acme', {
        documentKind: 'supplier-invoice',
        documentNumber: doc,
        externalRef: ref,
        accountingDate: '2026-11-18',
        amount,
        lines: [{ lineNo: 1, side: 'debit', amount, quantity: '1', netPrice: amount }],
      });
    // Job 7 posted, never read back; a second X3 document carries job 2's reference.
    const j7 = await fx.job('acme', 7, ['15.00']);
    await fx.result(await fx.journalEntryFor(j7, { jobId: 7, lines: job2 }), 'job', 7, 'posted', { doc: 'JE-7' });
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: 'JE-55',
      externalRef: 'acme:JOB:2:R1',
      lines: x3Lines(job2),
    });
    // Job 8's event could not be processed by the mapper.
    await fx.deadLetter(
      'acme',
      Topics.StJob,
      recordKey('acme', 'job', 8),
      JSON.stringify(fx.jobEvent('acme', 8)),
      'handler failed: boom',
    );

    const r = await eventually(
      () => report(),
      (x) =>
        ['NOT_READ_BACK', 'DUPLICATE_IN_X3', 'SUPERSEDED_IN_X3', 'DEAD_LETTERED'].every((c) =>
          x.exceptions.some((e) => e.code === c),
        ),
      'the other exceptions',
    );
    const one = (code: string) => r.exceptions.filter((e) => e.code === code);
    expect(one('NOT_READ_BACK')).toEqual([
      expect.objectContaining({
        externalRef: 'acme:JOB:7:R1',
        x3DocumentNumber: 'JE-7',
        reason: 'posted as X3 JE-7, not read back from X3 yet',
      }),
    ]);
    expect(one('DUPLICATE_IN_X3')).toEqual([
      expect.objectContaining({
        externalRef: 'acme:JOB:2:R1',
        reason: '2 X3 documents carry this reference: JE-2, JE-55',
      }),
    ]);
    expect(one('SUPERSEDED_IN_X3')).toEqual([
      expect.objectContaining({ externalRef: 'acme:bill:503:1', x3DocumentNumber: 'PI-3' }),
    ]);
    expect(one('SUPERSEDED_IN_X3')[0].reason).toContain('credit or correct it in X3');
    expect(one('DEAD_LETTERED')).toEqual([expect.objectContaining({ sourceKind: 'job', sourceId: '8' })]);
    expect(one('DEAD_LETTERED')[0].reason).toContain('handler failed: boom (group mapper)');
    expect(r.bills.find((b) => b.billId === '503')).toMatchObject({
      source: '40.00',
      requested: '40.00',
      x3: '70.00',
      difference: '-30.00',
      x3DocumentNumber: 'PI-3, PI-4',
    });
    // Job 2: the duplicate is named once; JE-2 (altered earlier) stays altered, JE-55 matches the request.
    expect(
      r.exceptions
        .filter((e) => e.externalRef === 'acme:JOB:2:R1')
        .map((e) => e.code)
        .sort(),
    ).toEqual(['ALTERED_IN_X3', 'DUPLICATE_IN_X3']);
  });

  /** Every number of the JSON report is in the CSV and in the HTML page, as the same decimal string. */
  async function expectExportsToMatch(r: ReconciliationReport): Promise<void> {
    const { csv, html } = await fetchReconciliationExports(audit.baseUrl, admin, 'acme', '2026-11');
    expect(csv).toMatchObject({ status: 200, disposition: 'attachment; filename="reconciliation-acme-2026-11.csv"' });
    expect(csv.type).toContain('text/csv');
    const info = (key: string) =>
      csv.rows.filter((x) => x.section === 'report' && x.reference === key).map((x) => x.detail);
    expect(info('verdict')).toEqual([r.verdict]);
    expect(info('tenant')).toEqual(['acme']);
    expect(
      csv.rows
        .filter((x) => x.section === 'account')
        .map((x) => [
          x.cost_center || null,
          x.account,
          x.source_debit,
          x.source_credit,
          x.source,
          x.posted,
          x.x3_debit,
          x.x3_credit,
          x.x3,
          x.difference,
        ]),
    ).toEqual(
      r.accounts.map((a) => [
        a.costCenter,
        a.account,
        a.sourceDebit,
        a.sourceCredit,
        a.source,
        a.posted,
        a.x3Debit,
        a.x3Credit,
        a.x3,
        a.difference,
      ]),
    );
    expect(
      csv.rows
        .filter((x) => x.section === 'account-total')
        .map((x) => [x.account, x.source, x.posted, x.x3, x.difference]),
    ).toEqual(r.accountTotals.map((t) => [t.account, t.source, t.posted, t.x3, t.difference]));
    expect(
      csv.rows.filter((x) => x.section === 'bill').map((x) => [x.reference, x.source, x.x3, x.difference, x.status]),
    ).toEqual(r.bills.map((b) => [b.billId, b.source, b.x3, b.difference, b.x3Status ?? '']));
    expect(
      csv.rows
        .filter((x) => x.section === 'count' && x.reference === 'journal-entry')
        .map((x) => [x.status, Number(x.count)]),
    ).toEqual(Object.entries(r.counts.journalEntries));
    expect(csv.rows.filter((x) => x.section === 'exception').map((x) => [x.code, x.detail, x.link])).toEqual(
      r.exceptions.map((e) => [e.code, e.reason, e.link]),
    );

    expect(html).toMatchObject({ status: 200, disposition: 'attachment; filename="reconciliation-acme-2026-11.html"' });
    expect(html.type).toContain('text/html');
    expect(html.raw).not.toContain('<script');
    expect(html.fields['verdict']).toEqual([r.balanced ? 'BALANCED' : 'NOT BALANCED']);
    expect(html.fields['tenant']).toEqual(['acme']);
    expect(
      html.rows
        .filter((x) => x.kind === 'account')
        .map((x) => [
          x.attrs['cost-center'] || null,
          x.attrs['account'],
          x.cols['source'],
          x.cols['posted'],
          x.cols['x3'],
          x.cols['difference'],
        ]),
    ).toEqual(r.accounts.map((a) => [a.costCenter, a.account, a.source, a.posted, a.x3, a.difference]));
    expect(
      html.rows
        .filter((x) => x.kind === 'account-total')
        .map((x) => [x.attrs['account'], x.cols['source'], x.cols['x3'], x.cols['difference']]),
    ).toEqual(r.accountTotals.map((t) => [t.account, t.source, t.x3, t.difference]));
    expect(
      html.rows
        .filter((x) => x.kind === 'bill')
        .map((x) => [x.attrs['bill'], x.cols['source'], x.cols['x3'], x.cols['difference'], x.cols['status']]),
    ).toEqual(r.bills.map((b) => [b.billId, b.source, b.x3, b.difference, b.x3Status ?? '—']));
    expect(
      html.rows
        .filter((x) => x.kind === 'count')
        .map((x) => [x.attrs['count'], Number(x.cols['journal-entry']), Number(x.cols['supplier-invoice'])]),
    ).toEqual(
      Object.keys(r.counts.journalEntries).map((k) => [
        k,
        r.counts.journalEntries[k as keyof typeof r.counts.journalEntries],
        r.counts.supplierInvoices[k as keyof typeof r.counts.supplierInvoices],
      ]),
    );
    expect(html.rows.filter((x) => x.kind === 'exception').map((x) => x.attrs['code'])).toEqual(
      r.exceptions.map((e) => e.code),
    );
  }
});
