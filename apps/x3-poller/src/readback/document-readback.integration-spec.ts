import { createHash } from 'node:crypto';
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  POSTED_LEDGER_ENTRY,
  Topics,
  X3_DOCUMENT_SCAN,
  X3DocumentScanV1,
  X3DocumentStateV1,
} from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { SageX3Client } from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS, SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
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
import { AppModule } from '../app/app.module';
import { X3PollerEnv } from '../app/x3-poller.env';
import { DocumentReadBackService } from './document-readback.service';

jest.setTimeout(120000);

const ADMIN_TOKEN = 'poller-admin-token-not-a-real-secret';
const auth = { mode: 'basic' as const, user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password };

describe('x3-poller read-back of posted documents (Sage X3 simulator + real Kafka)', () => {
  const prefix = uniquePrefix('readback');
  const seen: BusContext[] = [];
  let sim: SageX3Simulator;
  let client: SageX3Client;
  let bus: MessagingHarness;
  let poller: AppUnderTest;
  const docs: Record<string, { num: string; key: string }> = {};

  const states = () =>
    seen.filter((m) => m.envelope.type !== X3_DOCUMENT_SCAN).map((m) => m.envelope.payload as X3DocumentStateV1);
  const latest = (number: string) =>
    states()
      .filter((s) => s.documentNumber === number)
      .at(-1);
  const readBack = (full = false) => poller.app.get(DocumentReadBackService).runOnce('acme', { full });
  const ledger = (externalRef: string, kind: 'journal-entry' | 'supplier-invoice', number: string) =>
    bus.publisher.publish(
      Topics.PostedLedger,
      createEnvelope({
        type: POSTED_LEDGER_ENTRY,
        tenant: 'acme',
        source: 'poster',
        payload: { externalRef, documentKind: kind, x3DocumentNumber: number, postedAt: new Date().toISOString() },
      }),
      { key: `acme:${externalRef}` },
    );
  const journal = async (ref: string, amount: string, costCenter: string) => {
    const { resource } = await client.create('journalEntry', {
      FCY: 'US011',
      TYP: 'ODT',
      JOU: 'ODT',
      ACCDAT: '2026-11-20',
      CUR: 'USD',
      REF: ref,
      DESVCR: ref,
      GACCENTRYD: [
        { ACC: '601000', SNS: 1, AMTCUR: amount, DIE: 'CC', CCE: costCenter },
        { ACC: '401000', SNS: -1, AMTCUR: amount },
      ],
    });
    return { num: String(resource['NUM']), key: `${String(resource['TYP'])}~${String(resource['NUM'])}` };
  };

  beforeAll(async () => {
    sim = await startSageX3Simulator({ seed: createDemoSeed() });
    client = new SageX3Client({ baseUrl: sim.url, folder: 'SEED', auth });
    const tenants = writeTestTenantsFile([testTenant({ id: 'acme', x3Url: sim.url, x3Auth: auth })]);
    const env = validateEnv(X3PollerEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_POLL_ENABLED: 'false',
      X3_POLL_LOOKBACK_SECONDS: '0',
      X3_READBACK_BATCH_SIZE: '2',
      X3_POLLER_ADMIN_TOKEN_SHA256: createHash('sha256').update(ADMIN_TOKEN).digest('hex'),
    });
    bus = await startMessagingHarness(
      prefix,
      [{ group: 'reader', topics: [Topics.X3Document], handler: async (m) => void seen.push(m) }],
      'reader',
    );
    docs['je1'] = await journal('acme:JOB:1:R1', '100.10', 'HVAC');
    docs['je2'] = await journal('acme:JOB:2:R1', '45.55', 'PLUMB');
    await journal('globex:JOB:1:R1', '7.00', 'HVAC'); // another tenant's: never read back for acme
    const { resource: inv } = await client.create('purchaseInvoice', {
      FCY: 'US011',
      BPR: 'SUP001',
      BPRVCR: 'INV-1',
      BPRDAT: '2026-11-18',
      ACCDAT: '2026-11-18',
      CUR: 'USD',
      AMTNOT: '25.00',
      PINVOICED: [{ POHNUM: 'PO0001', POPLIN: 1000, ITMREF: 'FILTER-16', QTYUOM: '2', NETPRI: '12.50' }],
    });
    docs['pi'] = { num: String(inv['NUM']), key: String(inv['NUM']) };
    // The poster's ledger names JE 1 and the invoice; JE 2 carries acme's reference but the ledger has no record of it.
    await ledger('acme:JOB:1:R1', 'journal-entry', docs['je1'].num);
    await ledger('acme:BILL:1:R1', 'supplier-invoice', docs['pi'].num);
    poller = await startAppUnderTest(AppModule.forRoot(env), 'x3-poller');
  });
  afterAll(async () => {
    await poller?.close();
    await bus?.close();
    client?.close();
    await sim?.close();
  });

  it('reads back journal entries by reference and supplier invoices by the ledger’s numbers, with their lines', async () => {
    const reports = await readBack();
    expect(reports.map((r) => [r.documentKind, r.by, r.read, r.published, r.absent])).toEqual([
      ['journal-entry', 'reference', 2, 2, 0],
      ['supplier-invoice', 'ledger', 1, 1, 0],
    ]);
    await eventually(
      () => states().length,
      (n) => n === 3,
      'three read-backs on x3.document.v1',
    );
    const je1 = latest(docs['je1'].num)!;
    expect(je1).toMatchObject({
      documentKind: 'journal-entry',
      externalRef: 'acme:JOB:1:R1',
      referenceFrom: 'x3',
      inLedger: true,
      present: true,
      status: 'temporary',
      accountingDate: '2026-11-20',
      currency: 'USD',
      amount: '100.1',
      x3Key: docs['je1'].key,
    });
    expect(je1.lines.map((l) => [l.account, l.costCenter, l.side, l.amount])).toEqual([
      ['601000', 'HVAC', 'debit', '100.1'],
      ['401000', null, 'credit', '100.1'],
    ]);
    expect(latest(docs['je2'].num)).toMatchObject({ externalRef: 'acme:JOB:2:R1', inLedger: false, present: true });
    expect(latest(docs['pi'].num)).toMatchObject({
      documentKind: 'supplier-invoice',
      externalRef: 'acme:BILL:1:R1',
      referenceFrom: 'ledger',
      supplier: 'SUP001',
      supplierInvoiceNumber: 'INV-1',
      amount: '25',
      status: 'unmatched',
      x3Status: '1',
    });
    expect(latest(docs['pi'].num)?.lines).toEqual([
      expect.objectContaining({
        purchaseOrder: 'PO0001',
        purchaseOrderLine: 1000,
        quantity: '2',
        netPrice: '12.5',
        amount: '25',
      }),
    ]);
    expect(seen.map((m) => m.key)).toEqual(
      expect.arrayContaining([`acme:journal-entry:${docs['je1'].num}`, `acme:scan:journal-entry:incremental`]),
    );
  });

  it('an unchanged X3 publishes nothing and reads no details; a matched invoice and an altered entry are read again', async () => {
    const details = () => sim.callCounts()['api1 GET GACCENTRY $details'] ?? 0;
    const before = details();
    expect((await readBack()).map((r) => r.published)).toEqual([0, 0]);
    expect(details()).toBe(before);

    sim.reconcile(docs['pi'].num); // AP validated it: STA 2
    const je1 = sim.folder().get('GACCENTRY', docs['je1'].key)!;
    const lines = (je1['GACCENTRYD'] as Array<Record<string, unknown>>).map((l) => ({ ...l, AMTCUR: '110.10' }));
    sim.folder().update('GACCENTRY', docs['je1'].key, { GACCENTRYD: lines });
    expect((await readBack()).map((r) => r.published)).toEqual([1, 1]);
    await eventually(
      () => [latest(docs['pi'].num)?.status, latest(docs['je1'].num)?.amount],
      (v) => v[0] === 'matched' && v[1] === '110.1',
      'matched invoice and altered entry',
    );
  });

  it('a full read-back publishes what X3 no longer holds: deleted documents and ledger entries X3 never had', async () => {
    sim.folder().delete('GACCENTRY', docs['je2'].key);
    sim.folder().delete('PINVOICE', docs['pi'].num);
    await ledger('acme:BILL:9:R1', 'supplier-invoice', 'PI99999999');
    await ledger('acme:JOB:7:R1', 'journal-entry', 'ODT-2026-999999');
    // Full runs until the poller's view of the ledger has the two new entries too (it reads the topic as it comes).
    let absent = 0;
    await eventually(
      async () => (absent += (await readBack(true)).reduce((n, r) => n + r.absent, 0)),
      (n) => n >= 4,
      'four absences published',
    );
    expect(absent).toBe(4);
    await eventually(
      () => states().filter((s) => !s.present).length,
      (n) => n === 4,
      'four absent documents on the topic',
    );
    expect(latest(docs['je2'].num)).toMatchObject({ present: false, absence: 'deleted', externalRef: 'acme:JOB:2:R1' });
    expect(latest(docs['pi'].num)).toMatchObject({ present: false, absence: 'deleted', externalRef: 'acme:BILL:1:R1' });
    expect(latest('PI99999999')).toMatchObject({ present: false, absence: 'not-found', inLedger: true });
    expect(latest('ODT-2026-999999')).toMatchObject({
      present: false,
      absence: 'not-found',
      externalRef: 'acme:JOB:7:R1',
    });
    expect(latest(docs['je1'].num)?.present).toBe(true);
    const scans = seen
      .filter((m) => m.envelope.type === X3_DOCUMENT_SCAN)
      .map((m) => m.envelope.payload as X3DocumentScanV1);
    expect(scans.filter((s) => s.mode === 'full').map((s) => s.documentKind)).toEqual(
      expect.arrayContaining(['journal-entry', 'supplier-invoice']),
    );
    // Nothing changed since: a second full run publishes nothing more.
    expect((await readBack(true)).map((r) => r.published)).toEqual([0, 0]);
  });

  it('POST /admin/readback/:tenant runs it on demand behind the admin token', async () => {
    const post = (path: string, token?: string) =>
      fetch(`${poller.url}${path}`, { method: 'POST', headers: token ? { Authorization: `Bearer ${token}` } : {} });
    expect((await post('/admin/readback/acme')).status).toBe(401);
    expect((await post('/admin/readback/acme', 'not-the-token')).status).toBe(401);
    expect((await post('/admin/readback/nobody', ADMIN_TOKEN)).status).toBe(404);
    const ok = await post('/admin/readback/acme?full=false', ADMIN_TOKEN);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { reports: Array<{ mode: string; documentKind: string }> };
    expect(body.reports.map((r) => [r.documentKind, r.mode])).toEqual([
      ['journal-entry', 'incremental'],
      ['supplier-invoice', 'incremental'],
    ]);
    expect((await post('/admin/resync/acme?full=false', ADMIN_TOKEN)).status).toBe(200);
  });
});
