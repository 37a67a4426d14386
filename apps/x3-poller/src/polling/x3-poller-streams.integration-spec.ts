/* The x3-poller on two tenants (real broker, two Sage X3 simulators): supplier-invoice status read by supplier +
 * supplier invoice number (PINVOICE has no REF), one failing stream that does not stop the others, and a tenant
 * whose configured fields its X3 lacks — refused for that class only (status poll and read-back), named in the log,
 * readiness and audit trail, while the other tenant goes on. */
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  DocumentStatusV1,
  OperatorNoticeV1,
  POSTED_LEDGER_ENTRY,
  PostedLedgerEntryV1,
  Topics,
} from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { SageX3Client } from '@connector/sage-x3';
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
import { AppModule } from '../app/app.module';
import { X3PollerEnv } from '../app/x3-poller.env';
import { DocumentReadBackService } from '../readback/document-readback.service';
import { X3PollService } from './x3-poll.service';

jest.setTimeout(120000);

const basic = { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password };

describe('x3-poller streams and field check (two tenants, real Kafka)', () => {
  const prefix = uniquePrefix('x3streams');
  const seen: BusContext[] = [];
  let good: SageX3Simulator;
  let broken: SageX3Simulator;
  let reader: MessagingHarness;
  let poller: AppUnderTest;

  beforeAll(async () => {
    good = await startSageX3Simulator();
    broken = await startSageX3Simulator();
    broken.representation('PINVOICE').removeField('BPRVCR');
    const tenants = writeTestTenantsFile([
      testTenant({ id: 'acme', x3Url: good.url, x3Auth: basic }),
      testTenant({ id: 'bravo', x3Url: broken.url, x3Auth: basic }),
    ]);
    const env = validateEnv(X3PollerEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_POLL_ENABLED: 'false',
      X3_POLL_LOOKBACK_SECONDS: '0',
      X3_POLL_STREAM_ATTEMPTS: '2',
      X3_POLL_STREAM_RETRY_MS: '20',
    });
    reader = await startMessagingHarness(
      prefix,
      [
        {
          group: 'reader',
          topics: [Topics.DocumentStatus, Topics.OperatorNotice, Topics.X3Supplier, Topics.X3GlAccount],
          handler: async (m) => void seen.push(m),
        },
      ],
      'reader',
    );
    poller = await startAppUnderTest(AppModule.forRoot(env), 'x3-poller');
  });

  afterAll(async () => {
    await poller?.close();
    await reader?.close();
    await Promise.all([good?.close(), broken?.close()]);
  });

  const poll = (tenant: string) => poller.app.get(X3PollService).runOnce(tenant);
  const on = (topic: string, tenant?: string) =>
    seen.filter((m) => m.topic === topic && (!tenant || m.envelope.tenant === tenant));
  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${poller.url}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  };

  it('a tenant whose X3 lacks a configured field is refused for that class, named everywhere; the other tenant is not', async () => {
    const notice = await eventually(
      () => on(Topics.OperatorNotice, 'bravo'),
      (l) => l.length >= 1,
      'the refusal notice in the audit trail',
    );
    const payload = notice[0].envelope.payload as OperatorNoticeV1;
    expect(payload).toMatchObject({ code: 'x3-fields-refused', severity: 'error' });
    expect(payload.message).toMatch(/purchaseInvoice: .*PINVOICE .*has no field BPRVCR/);
    expect(notice[0].key).toBe('bravo:x3-fields-refused');
    const ready = (await (await fetch(`${poller.url}/health/ready`)).json()) as { checks: Record<string, boolean> };
    expect(ready.checks).toMatchObject({ 'x3-fields:bravo': false, 'x3-fields:acme': true });

    // bravo: master data still flows; only the supplier-invoice status stream is refused, with the reason.
    const reports = await poll('bravo');
    const invoices = reports.find((r) => r.stream === 'status:supplier-invoice');
    expect(invoices?.error).toMatch(/refused by the Sage X3 field check: .*has no field BPRVCR/);
    expect(reports.filter((r) => r.error).map((r) => r.stream)).toEqual(['status:supplier-invoice']);
    expect(reports.find((r) => r.stream === 'supplier')?.published).toBeGreaterThan(0);
    // The read-back for reconciliation does not query the refused class either: the run fails naming the field.
    await expect(poller.app.get(DocumentReadBackService).runOnce('bravo')).rejects.toThrow(
      /refused by the Sage X3 field check: .*has no field BPRVCR/,
    );
    expect(broken.callCounts()['api1 GET PINVOICE $query'] ?? 0).toBe(0);
    expect(on(Topics.OperatorNotice, 'acme')).toHaveLength(0);
  });

  it("reads a supplier invoice's status by supplier + supplier invoice number (no REF), and follows its validation", async () => {
    // As the poster posts it: the invoice in X3, then its ledger entry with the lookup values.
    const client = new SageX3Client({ baseUrl: good.url, folder: 'SEED', auth: basic as never });
    const created = await client.create('purchaseInvoice', {
      FCY: 'US011',
      BPR: 'SUP001',
      BPRVCR: 'ST-BILL-880',
      BPRDAT: '2026-03-10',
      ACCDAT: '2026-03-10',
      CUR: 'USD',
      AMTNOT: '125.00',
      PINVOICED: [{ POHNUM: 'PO0001', POPLIN: 1000, ITMREF: 'FILTER-16', QTYUOM: '10', NETPRI: '12.50' }],
    });
    client.close();
    const num = String(created.resource['NUM']);
    const entry: PostedLedgerEntryV1 = {
      externalRef: 'acme:BILL:880:R1',
      documentKind: 'supplier-invoice',
      x3DocumentNumber: num,
      postedAt: new Date().toISOString(),
      lookupValues: { BPR: 'SUP001', BPRVCR: 'ST-BILL-880' },
    };
    await reader.publisher.publish(
      Topics.PostedLedger,
      createEnvelope({ type: POSTED_LEDGER_ENTRY, tenant: 'acme', source: 'poster', payload: entry }),
      { key: `acme:${entry.externalRef}` },
    );
    // Another company's invoice (not in the ledger) changes too: never published.
    const other = new SageX3Client({ baseUrl: good.url, folder: 'SEED', auth: basic as never });
    await other.create('purchaseInvoice', {
      FCY: 'US011',
      BPR: 'SUP002',
      BPRVCR: 'MANUAL-1',
      BPRDAT: '2026-03-11',
      ACCDAT: '2026-03-11',
      CUR: 'USD',
      AMTNOT: '12.00',
      PINVOICED: [{ POHNUM: 'PO0002', POPLIN: 1000, ITMREF: 'FILTER-16', QTYUOM: '1', NETPRI: '12.00' }],
    });
    other.close();

    const statusOf = () =>
      on(Topics.DocumentStatus, 'acme')
        .map((m) => m.envelope.payload as DocumentStatusV1)
        .filter((p) => p.documentKind === 'supplier-invoice');
    await eventually(
      async () => (await poll('acme')).find((r) => r.stream === 'status:supplier-invoice')?.published ?? 0,
      (n) => n > 0 || statusOf().length > 0,
      'the ledger entry seen by the poller',
    );
    await eventually(statusOf, (l) => l.length === 1, 'the invoice status');
    expect(statusOf()[0]).toMatchObject({
      documentNumber: num,
      externalRef: 'acme:BILL:880:R1',
      status: 'unmatched',
      amount: '125', // x3Decimal's canonical form
    });
    good.reconcile(num); // the AP team validates it (STA 2)
    expect((await poll('acme')).find((r) => r.stream === 'status:supplier-invoice')?.published).toBe(1);
    await eventually(statusOf, (l) => l.length === 2, 'the validated status');
    expect(statusOf()[1]).toMatchObject({ documentNumber: num, status: 'matched' });
    expect(statusOf().every((s) => s.externalRef === 'acme:BILL:880:R1')).toBe(true);
  });

  it('one stream failing does not stop the others: it is retried, counted, and catches up at the next run', async () => {
    const before = await metric(/connector_pull_errors_total\{tenant="acme",stream="supplier"[^}]*\} (\d+)/);
    good.folder().update('GACCOUNT', '601000', { DES: 'Purchases (materials)' });
    good.folder().update('BPSUPPLIER', 'SUP002', { BPSNAM: 'Bolt & Nut Company' });
    // Every supplier read answers a bare 500 (no diagnosis): transient, retried, then given up for this run.
    const fault = good.faults.failNext(Infinity, { className: 'BPSUPPLIER' });
    const reports = await poll('acme');
    good.faults.remove(fault);
    expect(reports.find((r) => r.stream === 'supplier')?.error).toMatch(/HTTP 500/);
    expect(reports.find((r) => r.stream === 'gl-account')).toMatchObject({ published: 1 });
    expect(reports.filter((r) => r.error).map((r) => r.stream)).toEqual(['supplier']);
    expect(await metric(/connector_pull_errors_total\{tenant="acme",stream="supplier"[^}]*\} (\d+)/)).toBe(before + 1);
    const names = () =>
      on(Topics.X3Supplier, 'acme')
        .map((m) => m.envelope.payload as { code: string; name: string })
        .filter((p) => p.code === 'SUP002')
        .map((p) => p.name);
    expect(names()).not.toContain('Bolt & Nut Company');
    expect((await poll('acme')).find((r) => r.stream === 'supplier')).toMatchObject({ published: 1 });
    await eventually(names, (l) => l.includes('Bolt & Nut Company'), 'the supplier change, one run late');
  });
});
