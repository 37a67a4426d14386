import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@connector/contracts';
import { eventually, MessagingHarness, startMessagingHarness, uniquePrefix } from '@connector/testing';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { ReconciliationReport } from '../reconciliation/reconciliation.report';
import { AuditFixtures } from '../testing/audit-fixtures';
import {
  call,
  RunningAuditApp,
  startAuditApp,
  TEST_DRIVERS,
  TEST_TOKENS,
  TestDatabase,
} from '../testing/audit-test.harness';
import { parseReconciliationCsv, parseReconciliationHtml } from '../testing/reconciliation-exports.parse';

jest.setTimeout(120000);

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.each(TEST_DRIVERS)('operator console in headless Chromium ($name)', (driver) => {
  const prefix = uniquePrefix(`console-${driver.name}`);
  let database: TestDatabase;
  let audit: RunningAuditApp;
  let bus: MessagingHarness;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    database = await driver.open();
    bus = await startMessagingHarness(prefix, [], 'bus');
    audit = await startAuditApp(prefix, database.db);
    const fx = new AuditFixtures(bus.publisher);
    const ok = await fx.job('acme', 3001, ['12.00']);
    const okJe = await fx.journalEntry(ok, 3001, [
      { side: 'debit', amount: '12.00', costCenter: 'CC1', costKind: 'labor' },
      { side: 'credit', amount: '12.00', costKind: 'offset' },
    ]);
    await fx.result(okJe, 'job', 3001, 'posted', { doc: 'JE-3001', amount: '12.00' });
    // What X3 holds of it, as the x3-poller reads it back.
    await fx.x3Document('acme', {
      documentKind: 'journal-entry',
      documentNumber: 'JE-3001',
      externalRef: 'acme:job:3001:1',
      amount: '12.00',
      lines: [
        { lineNo: 1, account: '6000', costCenter: 'CC1', side: 'debit', amount: '12.00' },
        { lineNo: 2, account: '4000', side: 'credit', amount: '12.00' },
      ],
    });
    await fx.x3Scan('acme', { documentKind: 'journal-entry', mode: 'full' });
    const bad = await fx.job('acme', 3002, ['8.00']);
    const badJe = await fx.journalEntry(bad, 3002, [
      { side: 'debit', amount: '8.00', costCenter: 'CC1', costKind: 'labor' },
      { side: 'credit', amount: '8.00', costKind: 'offset' },
    ]);
    await fx.result(badJe, 'job', 3002, 'failed');
    const rej = await fx.job('acme', 3003);
    await fx.rejected(rej, 3003, 'COST_CENTER_UNKNOWN');
    await eventually(
      async () =>
        (
          (await call(audit.baseUrl, '/api/records?tenant=acme', { token: TEST_TOKENS.admin })).body as {
            items: Array<{ messageCount: number }>;
          }
        ).items,
      (items) => items.reduce((n, r) => n + r.messageCount, 0) >= 9,
      'fixtures in the audit trail',
    );
    profile = mkdtempSync(join(tmpdir(), 'audit-console-chromium-'));
    // A fresh profile directory per run (playwright passes it to Chromium as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await audit?.close();
    await bus?.close();
    await database?.dispose();
  });

  it('rejects a wrong token, then loads, filters, opens a timeline, replays a failure and shows the new status', async () => {
    await page.goto(`${audit.baseUrl}/console`);
    await page.fill('#token', 'not-a-real-token');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error:text("Token not accepted.")');

    await page.fill('#token', TEST_TOKENS.admin);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#records tbody tr');
    expect(await page.locator('#records tbody tr').count()).toBe(3);

    await page.selectOption('#filters select[name=status]', 'failed');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#records tbody tr').length === 1);
    expect(await page.textContent('#records tbody tr .source-id')).toBe('3002');

    await page.click('#records tbody tr');
    await page.waitForSelector('#detail:not([hidden]) #timeline tbody tr');
    const positions = await page.locator('#timeline td.position').allTextContents();
    expect(positions).toHaveLength(3);
    expect(positions[0]).toMatch(new RegExp(`^${Topics.StJob.replace(/\./g, '\\.')} \\[\\d\\] @\\d+$`));
    expect(positions[2]).toContain(Topics.PostingResult);
    expect(await page.textContent('#detail-facts [data-fact=Status]')).toBe('failed');

    await page.fill('#replay-reason', 'X3 maintenance over');
    await page.click('#replay-one');
    await page.waitForSelector('#replay-result:text("Replay published")');
    // The replayed request comes back through Kafka and the console refreshes the record.
    await page.waitForSelector('#detail-facts [data-fact=Status] .status-requested', { timeout: 30000 });
    await page.waitForSelector('#timeline tr.tl-action:has-text("replay by admin")');
    expect(await page.locator('#timeline td.position').count()).toBe(4);
  });

  it('shows failure reasons', async () => {
    await page.click('[data-tab=failures]');
    await page.waitForSelector('#failures tbody tr');
    expect(await page.locator('#failures tbody tr').allTextContents()).toEqual(['rejectedCOST_CENTER_UNKNOWN1']);
  });

  it('reconciliation: pick tenant and period, see source vs X3 per account, follow an exception to its timeline', async () => {
    await page.click('[data-tab=reconciliation]');
    await page.fill('#recon-form input[name=tenant]', 'acme');
    await page.dispatchEvent('#recon-form input[name=tenant]', 'change');
    await page.waitForSelector('#recon-form select[name=period] option[value="2026-11"]', { state: 'attached' });
    await page.selectOption('#recon-form select[name=period]', '2026-11');
    await page.click('#recon-form button[type=submit]');
    await page.waitForSelector('#recon-accounts tbody tr');
    const api = (
      await call(audit.baseUrl, '/api/reconciliation?tenant=acme&period=2026-11', { token: TEST_TOKENS.admin })
    ).body as ReconciliationReport;
    expect(await page.textContent('#recon-verdict')).toBe('NOT BALANCED');
    const rows = await page
      .locator('#recon-accounts tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    expect(rows).toEqual([
      ['CC1', '6000', 'USD', '20.00', '0.00', '20.00', '12.00', '12.00', '0.00', '12.00', '8.00'],
      ['—', '4000', 'USD', '0.00', '20.00', '-20.00', '-12.00', '0.00', '12.00', '-12.00', '-8.00'],
    ]);
    expect(rows.map((r) => r[10])).toEqual(api.accounts.map((a) => a.difference));
    expect(await page.getAttribute('#recon-accounts tbody tr:first-child td[data-col=difference]', 'class')).toContain(
      'diff',
    );
    expect(await page.textContent('#recon-counts tr[data-count=posted] td:nth-child(2)')).toBe('1');
    const codes = await page
      .locator('#recon-exceptions tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')));
    expect(codes).toEqual(api.exceptions.map((e) => e.code));
    expect(codes).toEqual(expect.arrayContaining(['MAPPING_REJECTED', 'NOT_POSTED']));

    // The exception's link opens the record's timeline in the console.
    await page.click('#recon-exceptions tr[data-code=MAPPING_REJECTED] a.timeline-link');
    await page.waitForSelector('#detail:not([hidden]) #timeline tbody tr');
    expect(await page.textContent('#detail-title')).toBe('job 3003 · acme');
    expect(await page.textContent('#detail-facts [data-fact=Status]')).toBe('rejected');
  });

  it('reconciliation: CSV and HTML downloads carry the numbers on screen; an X3 document opens from its link', async () => {
    await page.goto(`${audit.baseUrl}/console#reconciliation/acme/2026-11`);
    await page.waitForSelector('#recon-accounts tbody tr');
    const api = (
      await call(audit.baseUrl, '/api/reconciliation?tenant=acme&period=2026-11', { token: TEST_TOKENS.admin })
    ).body as ReconciliationReport;
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#recon-csv')]);
    expect(csvDownload.suggestedFilename()).toBe('reconciliation-acme-2026-11.csv');
    const csv = parseReconciliationCsv(readFileSync(await csvDownload.path(), 'utf8'));
    expect(
      csv.rows.filter((r) => r.section === 'account').map((r) => [r.account, r.source, r.x3, r.difference]),
    ).toEqual(api.accounts.map((a) => [a.account, a.source, a.x3, a.difference]));
    const [htmlDownload] = await Promise.all([page.waitForEvent('download'), page.click('#recon-html')]);
    expect(htmlDownload.suggestedFilename()).toBe('reconciliation-acme-2026-11.html');
    const html = parseReconciliationHtml(readFileSync(await htmlDownload.path(), 'utf8'));
    expect(html.fields['verdict']).toEqual(['NOT BALANCED']);
    expect(
      html.rows.filter((r) => r.kind === 'account').map((r) => [r.attrs['account'], r.cols['difference']]),
    ).toEqual(api.accounts.map((a) => [a.account, a.difference]));

    await page.goto(`${audit.baseUrl}/console#x3-document/acme/journal-entry/JE-3001`);
    await page.waitForSelector('#x3-document:not([hidden]) #x3-document-lines tbody tr');
    expect(await page.textContent('#x3-document-title')).toBe('X3 journal-entry JE-3001 · acme');
    expect(await page.textContent('#x3-document-facts [data-fact="In X3"]')).toBe('yes');
    expect(await page.locator('#x3-document-lines tbody tr').count()).toBe(2);
    expect(await page.locator('#x3-document-history tbody tr').count()).toBe(1);
  });

  it('bulk replay shows the dry-run count in a confirmation dialog; cancel publishes nothing, confirm replays', async () => {
    await page.click('[data-tab=records]');
    await page.selectOption('#filters select[name=status]', '');
    await page.click('#filters button[type=submit]');
    await page.click('#bulk-replay');
    await page.waitForSelector('#confirm[open]');
    // Only the rejected job is still a failure (3002 was replayed and is requested again).
    expect(await page.textContent('#confirm-text')).toContain('1 failure(s) match this filter');
    await page.click('#confirm button[value=cancel]');
    await page.waitForSelector('#confirm', { state: 'hidden' });
    const rec = (await call(audit.baseUrl, '/api/records?q=3003', { token: TEST_TOKENS.admin })).body as {
      items: Array<{ id: string }>;
    };
    const d = (await call(audit.baseUrl, `/api/records/${rec.items[0].id}`, { token: TEST_TOKENS.admin })).body as {
      timeline: Array<{ type: string }>;
    };
    expect(d.timeline.some((t) => t.type === 'action')).toBe(false);

    await page.click('#bulk-replay');
    await page.waitForSelector('#confirm[open]');
    await page.fill('#confirm-reason', 'cost centers fixed');
    await page.click('#confirm-ok');
    await page.waitForSelector('#records-count:text("Replayed 1 of 1 failure(s).")');
  });
});
