/* Month-end reconciliation end to end: ServiceTitan records (as the gateway publishes them on servicetitan.records.v1) go through the real
 * mapper and x3-poster into the Sage X3 simulator; the x3-poller reads X3 back; the audit-service reconciles source
 * vs X3 per cost center and account. A small month — jobs on two cost centers and four accounts, a correction
 * (reversal + new revision), a posting X3 refuses that is replayed, a replay ending duplicate-skipped, a bill matched
 * in X3 and one unmatched — balances to the cent; then a document altered and one deleted directly in X3 show up
 * as exceptions and the verdict flips. The reconcile command is run as a process against the same audit-service. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  jobKey,
  jobRecordKey,
  recordKey,
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanInvoiceRecordV1,
  ServiceTitanJobRecordV1,
  ST_INVENTORY_BILL_REVISION,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  Topics,
} from '@connector/contracts';
import { DEMO_CREDENTIALS, SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { fetchReconciliationExports, ReconciliationReport, runReconcileCli } from '@connector/app-audit-service';
import { AppModule as MapperModule, MapperEnv } from '@connector/app-mapper';
import {
  DocumentReadBackService,
  AppModule as PollerModule,
  X3PollerEnv,
  X3PollService,
} from '@connector/app-x3-poller';
import { AppModule as PosterModule, X3PosterEnv } from '@connector/app-x3-poster';
import { AuditUnderTest, startAuditUnderTest } from './support/audit-under-test';
import { demoSeeds } from './support/demo-seeds';

jest.setTimeout(300000);

const T = 'acme';
const ADMIN_TOKEN = 'e2e-recon-admin-token-not-a-real-secret';
const RULES = {
  version: 1,
  costCenters: { dimensionType: 'CC', businessUnits: { '1': 'HVAC', '2': 'PLUMB' } },
  accounts: { material: { debit: '601000', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
  materialItemTypes: ['Material'],
  labor: { source: 'invoice-items', invoiceItemTypes: ['Service'] },
  suppliers: { byVendorId: { '301': 'SUP001', '302': 'SUP002' } },
  products: { bySkuCode: { 'FLT-16': 'FILTER-16' } },
  purchaseOrders: { byServiceTitanId: { '1101': 'PO0001', '1102': 'PO0002' } },
  journal: { entryType: 'ODT', journal: 'ODT' },
  bills: { supplierInvoiceNumberField: 'vendorNumber' },
  amountScale: 2,
};

type Rec = Record<string, unknown>;

/** A completed job and its invoice, as the gateway's feed reader publishes them (the invoice first). */
function job(
  jobId: number,
  businessUnitId: number,
  day: string,
  items: Array<[type: 'Material' | 'Service', cost: string]>,
  modifiedOn = `2026-11-${day}T16:00:00.000Z`,
): { job: ServiceTitanJobRecordV1; invoice: ServiceTitanInvoiceRecordV1 } {
  return {
    invoice: {
      invoiceId: jobId * 10,
      jobId,
      active: true,
      items: items.map(([type, cost], i) => ({ id: jobId * 100 + i, type, quantity: '1', cost, totalCost: cost })),
      modifiedOn,
      contentHash: `invoice-${jobId}-${modifiedOn}`,
    },
    job: {
      jobId,
      jobNumber: `J-${jobId}`,
      jobStatus: 'Completed',
      active: true,
      completedOn: `2026-11-${day}T15:00:00.000Z`,
      businessUnitId,
      invoiceId: jobId * 10,
      modifiedOn: `2026-11-${day}T16:00:00.000Z`,
      contentHash: `job-${jobId}`,
    },
  };
}

function bill(billId: number, vendorId: number, purchaseOrderId: number, qty: string, cost: string, amount: string) {
  const b: ServiceTitanInventoryBillRevisionV1 = {
    billId,
    revision: 1,
    contentHash: `hash-${billId}`,
    voided: false,
    purchaseOrderId,
    referenceNumber: `REF-${billId}`,
    vendorNumber: `INV-${billId}`,
    vendorId,
    billDate: '2026-11-07T00:00:00Z',
    billAmount: amount,
    taxAmount: '0',
    shippingAmount: '0',
    modifiedOn: '2026-11-07T12:00:00Z',
    items: [{ id: billId * 10, order: 1, quantity: qty, cost, skuId: 16, skuCode: 'FLT-16' }],
  };
  return b;
}

describe('reconciliation end to end (mapper, poster, poller, audit-service, Sage X3 simulator, real Kafka)', () => {
  const prefix = uniquePrefix('e2erecon');
  let x3: SageX3Simulator;
  let bus: MessagingHarness;
  let poller: AppUnderTest;
  const apps: AppUnderTest[] = [];
  let audit: AuditUnderTest;

  const api = (path: string, body?: unknown) => audit.api(path, body);
  const record = async (kind: string, id: string) =>
    ((await api(`/api/records?tenant=${T}&kind=${kind}&q=${id}`))['items'] as Rec[]).find((r) => r['sourceId'] === id);
  const waitStatus = (kind: string, id: string, status: string) =>
    eventually(
      () => record(kind, id),
      (r) => r?.['status'] === status,
      `${kind} ${id} ${status}`,
      90000,
    );
  const report = async () =>
    (await api(`/api/reconciliation?tenant=${T}&period=2026-11`)) as unknown as ReconciliationReport;
  const publishJob = async (r: ReturnType<typeof job>, withJob = true) => {
    const partitionKey = jobKey(T, r.job.jobId);
    await bus.publisher.publish(
      Topics.StRecords,
      createEnvelope({ type: ST_INVOICE_RECORD, tenant: T, source: 'poll', payload: r.invoice }),
      { key: jobRecordKey(T, r.job.jobId, 'invoice', r.invoice.invoiceId), partitionKey },
    );
    if (withJob)
      await bus.publisher.publish(
        Topics.StRecords,
        createEnvelope({ type: ST_JOB_RECORD, tenant: T, source: 'poll', payload: r.job }),
        { key: partitionKey, partitionKey },
      );
  };
  const publishBill = (b: ServiceTitanInventoryBillRevisionV1) =>
    bus.publisher.publish(
      Topics.StRecords,
      createEnvelope({ type: ST_INVENTORY_BILL_REVISION, tenant: T, source: 'poll', payload: b }),
      { key: recordKey(T, 'bill', b.billId) },
    );
  const entry = (ref: string) =>
    x3
      .folder()
      .list('GACCENTRY')
      .find((d) => d['REF'] === ref) as Rec;
  const readBack = () => poller.app.get(DocumentReadBackService).runOnce(T, { full: true });
  const cli = () => runReconcileCli([T, '--period', '2026-11', '--url', audit.url], { AUDIT_API_TOKEN: ADMIN_TOKEN });

  beforeAll(async () => {
    x3 = await startSageX3Simulator({ seed: demoSeeds({ openJanuary2025: false }).x3 });
    const auth = { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password };
    const tenant = testTenant({ id: T, x3Url: x3.url, x3Auth: auth }) as Rec & { sageX3: Rec };
    tenant.sageX3 = { ...tenant.sageX3, site: 'US011', journal: { entryType: 'ODT', journal: 'ODT' } };
    tenant['mappingRulesFile'] = 'mapping-rules.json';
    const tenants = writeTestTenantsFile([tenant]);
    writeFileSync(join(tenants.dir, 'mapping-rules.json'), JSON.stringify(RULES));
    const base = { ...testAppEnv(prefix), TENANTS_FILE: tenants.file, CONNECTOR_ENCRYPTION_KEY: tenants.key };

    audit = await startAuditUnderTest(prefix, ADMIN_TOKEN);

    poller = await startAppUnderTest(
      PollerModule.forRoot(validateEnv(X3PollerEnv, { ...base, X3_POLL_ENABLED: 'false' })),
      'x3-poller',
    );
    apps.push(poller);
    await poller.app.get(X3PollService).runOnce(T); // master data before the mapper maps
    apps.push(await startAppUnderTest(MapperModule.forRoot(validateEnv(MapperEnv, base)), 'mapper'));
    apps.push(
      await startAppUnderTest(
        PosterModule.forRoot(
          validateEnv(X3PosterEnv, { ...base, X3_POST_RETRY_ATTEMPTS: '2', X3_POST_RETRY_INITIAL_BACKOFF_MS: '100' }),
        ),
        'x3-poster',
      ),
    );
    // What the webhook-gateway would publish: ServiceTitan records on their topics.
    bus = await startMessagingHarness(prefix, [], 'gateway-stand-in');
  });

  afterAll(async () => {
    await bus?.close();
    for (const a of apps.reverse()) await a.close();
    await audit?.app.close();
    await x3?.close();
  });

  it('a month through the real poster and poller balances: source = X3 per cost center and account, to the cent', async () => {
    await publishJob(
      job(1, 1, '03', [
        ['Material', '100.10'],
        ['Service', '80.00'],
      ]),
    );
    await publishJob(job(2, 2, '05', [['Material', '45.55']]));
    await publishJob(job(3, 1, '10', [['Material', '250.00']]));
    await publishBill(bill(501, 301, 1101, '2', '12.50', '25.00'));
    await publishBill(bill(502, 302, 1102, '1', '12.00', '12.00'));
    for (const id of ['1', '2', '3']) await waitStatus('job', id, 'posted');
    for (const id of ['501', '502']) await waitStatus('inventory-bill', id, 'posted');

    // X3 refuses job 4 once (a business rule); the operator replays it from the audit trail and it posts.
    x3.faults.businessRejectionNext(1, {
      match: { method: 'POST', className: 'GACCENTRY' },
      message: 'Period locked for closing',
    });
    await publishJob(job(4, 2, '12', [['Service', '120.00']]));
    const failed = (await waitStatus('job', '4', 'failed'))!;
    expect(String(failed['statusReason'])).toContain('Period locked for closing');
    expect(
      (await api(`/api/records/${String(failed['id'])}/replay`, { reason: 'closing lock lifted' }))['outcome'],
    ).toBe('published');
    await waitStatus('job', '4', 'posted');

    // Job 3's invoice corrected after posting: the mapper reverses R1 and posts R2.
    await publishJob(job(3, 1, '10', [['Material', '275.25']], '2026-11-20T09:00:00.000Z'), false);
    await eventually(
      () =>
        x3
          .folder()
          .list('GACCENTRY')
          .map((d) => String(d['REF'])),
      (refs) => refs.includes('acme:JOB:3:R1:REV') && refs.includes('acme:JOB:3:R2'),
      'reversal and correction in X3',
      90000,
    );
    await waitStatus('job', '3', 'posted');
    // A replay of job 1, already posted: duplicate-skipped, no second document.
    const j1 = (await record('job', '1'))!;
    await api(`/api/records/${String(j1['id'])}/replay`, { reason: 'double-check' });
    await waitStatus('job', '1', 'duplicate-skipped');
    expect(x3.folder().list('GACCENTRY')).toHaveLength(6);

    // AP matches bill 501 in X3; 502 stays unmatched.
    const pi501 = x3
      .folder()
      .list('PINVOICE')
      .find((d) => d['BPRVCR'] === 'INV-501')!;
    x3.reconcile(String(pi501['NUM']));

    const r = await eventually(
      async () => (await readBack(), await report()),
      (x) =>
        x.balanced &&
        x.counts.journalEntries.inX3 === 6 &&
        x.counts.supplierInvoices.inX3 === 2 &&
        x.bills.some((b) => b.x3Status === 'matched'),
      'a balanced month read back from X3',
      90000,
    );
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
    expect(r.counts.journalEntries).toEqual({
      requested: 6,
      posted: 6,
      inX3: 6,
      failedAttempts: 1,
      stillFailed: 0,
      replayed: 2,
      duplicateSkipped: 1,
      notPosted: 0,
    });
    expect(r.counts.supplierInvoices).toMatchObject({ requested: 2, posted: 2, inX3: 2, stillFailed: 0 });
    expect(
      r.bills.map((b) => [b.billId, b.supplier, b.supplierInvoiceNumber, b.source, b.x3, b.difference, b.x3Status]),
    ).toEqual([
      ['501', 'SUP001', 'INV-501', '25.00', '25.00', '0.00', 'matched'],
      ['502', 'SUP002', 'INV-502', '12.00', '12.00', '0.00', 'unmatched'],
    ]);
    expect(r.billTotals).toEqual([
      { currency: 'USD', source: '37.00', x3: '37.00', difference: '0.00', matched: 1, unmatched: 1 },
    ]);

    // The exports carry the same numbers; the command prints the report and exits 0.
    const { csv, html } = await fetchReconciliationExports(audit.url, ADMIN_TOKEN, T, '2026-11');
    expect(
      csv.rows.filter((x) => x.section === 'account').map((x) => [x.account, x.source, x.x3, x.difference]),
    ).toEqual(r.accounts.map((a) => [a.account, a.source, a.x3, a.difference]));
    expect(html.fields['verdict']).toEqual(['BALANCED']);
    expect(
      html.rows.filter((x) => x.kind === 'bill').map((x) => [x.attrs['bill'], x.cols['x3'], x.cols['status']]),
    ).toEqual([
      ['501', '25.00', 'matched'],
      ['502', '12.00', 'unmatched'],
    ]);
    const balanced = await cli();
    expect(balanced.code).toBe(0);
    expect(balanced.stdout).toContain('VERDICT: BALANCED');
  });

  it('a document altered and one deleted directly in X3 become exceptions with their reasons; the verdict flips', async () => {
    // In X3, someone moves job 2's material line to another cost center, and deletes job 1's entry.
    const je2 = entry('acme:JOB:2:R1');
    const key2 = `${String(je2['TYP'])}~${String(je2['NUM'])}`;
    x3.folder().update('GACCENTRY', key2, {
      GACCENTRYD: (je2['GACCENTRYD'] as Rec[]).map((l) => (l['CCE'] === 'PLUMB' ? { ...l, CCE: 'HVAC' } : l)),
    });
    const je1 = entry('acme:JOB:1:R1');
    x3.folder().delete('GACCENTRY', `${String(je1['TYP'])}~${String(je1['NUM'])}`);

    const r = await eventually(
      async () => (await readBack(), await report()),
      (x) => x.exceptions.length >= 2,
      'the exceptions from the read-back',
      90000,
    );
    expect(r.balanced).toBe(false);
    expect(r.exceptions.map((e) => [e.code, e.externalRef, e.x3DocumentNumber])).toEqual([
      ['ALTERED_IN_X3', 'acme:JOB:2:R1', String(je2['NUM'])],
      ['MISSING_IN_X3', 'acme:JOB:1:R1', String(je1['NUM'])],
    ]);
    expect(r.exceptions[0].reason).toBe(
      `X3 ${String(je2['NUM'])} differs from what was posted: 601000/PLUMB: 45.55 requested, 0.00 in X3; 601000/HVAC: 0.00 requested, 45.55 in X3`,
    );
    expect(r.exceptions[1].reason).toMatch(/^posted as X3 \S+, but X3 no longer holds it \(deleted in X3, read back /);
    for (const e of r.exceptions) {
      expect(e.link).toBe(`${audit.url}/console#record/${e.recordId}`);
      const timeline = (await api(`/api/records/${e.recordId}`))['timeline'] as Rec[];
      expect(timeline.some((t) => t['messageType'] === 'x3.document.state')).toBe(true);
    }
    const row = (cc: string | null, account: string) =>
      r.accounts.find((a) => a.costCenter === cc && a.account === account);
    expect(row('HVAC', '601000')).toMatchObject({ source: '375.35', x3: '320.80', difference: '54.55' });
    expect(row('HVAC', '641000')).toMatchObject({ source: '80.00', x3: '0.00', difference: '80.00' });
    expect(row('PLUMB', '601000')).toMatchObject({ source: '45.55', x3: '0.00', difference: '45.55' });
    expect(row(null, '310000')).toMatchObject({ source: '-420.90', x3: '-320.80', difference: '-100.10' });
    expect(r.counts.journalEntries.inX3).toBe(5);

    const notBalanced = await cli();
    expect(notBalanced.code).toBe(1);
    expect(notBalanced.stdout).toContain('VERDICT: NOT BALANCED');
    expect(notBalanced.stdout).toContain('ALTERED_IN_X3');
  });
});
