import { validateEnv } from '@connector/config';
import { Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { SageX3Client } from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS, SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  testTenant,
  testAppEnv,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { X3PollerEnv } from '../app/x3-poller.env';
import { X3PollService } from './x3-poll.service';

jest.setTimeout(120000);

describe('x3-poller (Sage X3 simulator + real Kafka)', () => {
  const prefix = uniquePrefix('x3poll');
  const seen: BusContext[] = [];
  let sim: SageX3Simulator;
  let reader: MessagingHarness;
  let env: X3PollerEnv;
  let poller: AppUnderTest | undefined;

  beforeAll(async () => {
    sim = await startSageX3Simulator({ seed: createDemoSeed({ extraSuppliers: 30 }) });
    const tenants = writeTestTenantsFile([
      testTenant({
        id: 'acme',
        x3Url: sim.url,
        x3Auth: { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password },
      }),
    ]);
    env = validateEnv(X3PollerEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_POLL_ENABLED: 'false',
      X3_POLL_LOOKBACK_SECONDS: '0',
    });
    reader = await startMessagingHarness(
      prefix,
      [
        {
          group: 'reader',
          topics: [
            Topics.X3GlAccount,
            Topics.X3CostCenter,
            Topics.X3Supplier,
            Topics.X3Product,
            Topics.X3PurchaseOrder,
            Topics.DocumentStatus,
          ],
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
    await sim?.close();
  });

  const poll = (full = false) => (poller as AppUnderTest).app.get(X3PollService).runOnce('acme', { full });
  const on = (topic: string) => seen.filter((m) => m.topic === topic);
  const payloadsOf = (topic: string, code: string) =>
    on(topic)
      .map((m) => m.envelope.payload as Record<string, unknown>)
      .filter((p) => p['code'] === code);

  it('publishes master data to compacted topics keyed by tenant and code, paging through every supplier', async () => {
    const reports = await poll();
    const suppliers = reports.find((r) => r.stream === 'supplier');
    expect(suppliers?.published).toBeGreaterThan(30);
    const total = reports.reduce((a, r) => a + r.published, 0);
    await eventually(
      () => seen.length,
      (n) => n === total,
      'every published record on the topics',
    );
    expect(on(Topics.X3Supplier)).toHaveLength(suppliers?.published ?? -1);
    const keys = on(Topics.X3Supplier).map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('acme:supplier:SUP001');
    expect(payloadsOf(Topics.X3GlAccount, '601000')[0]).toMatchObject({
      active: true,
      allowedDimensionTypes: ['CC'],
      deleted: false,
    });
    expect(payloadsOf(Topics.X3GlAccount, '609000')[0]).toMatchObject({ active: false });
    expect(on(Topics.X3PurchaseOrder).length).toBeGreaterThan(0);
    const po = on(Topics.X3PurchaseOrder)[0].envelope.payload as { lines: Array<{ quantity: string }> };
    expect(po.lines.length).toBeGreaterThan(0);
    expect(typeof po.lines[0].quantity).toBe('string');
  });

  it('a changed account appears after the next cycle, once; an unchanged poll publishes nothing', async () => {
    const before = seen.length;
    expect((await poll()).reduce((a, r) => a + r.published, 0)).toBe(0);
    sim.folder().update('GACCOUNT', '601000', { DES: 'Purchases of materials (HVAC)' });
    const reports = await poll();
    expect(reports.find((r) => r.stream === 'gl-account')?.published).toBe(1);
    await eventually(
      () => payloadsOf(Topics.X3GlAccount, '601000').length,
      (n) => n === 2,
      'changed account',
    );
    expect(payloadsOf(Topics.X3GlAccount, '601000')[1]).toMatchObject({ description: 'Purchases of materials (HVAC)' });
    expect(seen.length).toBe(before + 1);
  });

  it('a restart resumes from the watermark; an inactivated cost center is published inactive; a full resync publishes deletions', async () => {
    await poller?.close();
    poller = await startAppUnderTest(AppModule.forRoot(env), 'x3-poller');
    expect((await poll()).reduce((a, r) => a + r.published, 0)).toBe(0);
    sim.folder().inactivate('CACCE', 'CC~PLUMB');
    expect((await poll()).find((r) => r.stream === 'cost-center')?.published).toBe(1);
    await eventually(
      () => payloadsOf(Topics.X3CostCenter, 'PLUMB').length,
      (n) => n === 2,
      'inactive cost center',
    );
    expect(payloadsOf(Topics.X3CostCenter, 'PLUMB')[1]).toMatchObject({
      active: false,
      dimensionType: 'CC',
      deleted: false,
    });
    sim.folder().delete('BPSUPPLIER', 'SUP009');
    const full = await poll(true);
    expect(full.find((r) => r.stream === 'supplier')).toMatchObject({ published: 0, deleted: 1 });
    await eventually(
      () => payloadsOf(Topics.X3Supplier, 'SUP009').length,
      (n) => n === 2,
      'deleted supplier',
    );
    expect(payloadsOf(Topics.X3Supplier, 'SUP009')[1]).toMatchObject({ deleted: true, active: false });
  });

  it('polls the status of documents the connector posted, for reconciliation', async () => {
    const client = new SageX3Client({
      baseUrl: sim.url,
      folder: 'SEED',
      auth: { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password },
    });
    await client.create('journalEntry', {
      FCY: 'US011',
      TYP: 'ODT',
      JOU: 'ODT',
      ACCDAT: '2026-11-20',
      CUR: 'USD',
      REF: 'acme:JOB:1:R1',
      GACCENTRYD: [
        { ACC: '512000', SNS: 1, AMTCUR: '100.00' },
        { ACC: '401000', SNS: -1, AMTCUR: '100.00' },
      ],
    });
    client.close();
    const reports = await poll();
    expect(reports.find((r) => r.stream === 'status:journal-entry')?.published).toBe(1);
    // No supplier invoice changed: the supplier-invoice status stream (by BPR + BPRVCR) publishes nothing.
    expect(reports.find((r) => r.stream === 'status:supplier-invoice')).toMatchObject({ published: 0 });
    const status = await eventually(
      () => on(Topics.DocumentStatus),
      (l) => l.length >= 1,
      'document status',
    );
    expect(status[0].envelope.payload).toMatchObject({
      documentKind: 'journal-entry',
      externalRef: 'acme:JOB:1:R1',
      status: 'temporary',
    });
  });
});
