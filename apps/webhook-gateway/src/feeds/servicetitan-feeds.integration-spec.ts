import { validateEnv } from '@connector/config';
import { Headers as H, Topics } from '@connector/contracts';
import { BusContext, partitionForKey } from '@connector/messaging';
import { ServiceTitanSimulator, startServiceTitanSimulator } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { GATEWAY_HTTP } from '../app/gateway-http';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { ServiceTitanFeedsService } from './servicetitan-feeds.service';

jest.setTimeout(180000);

type Rec = Record<string, unknown>;
const BEFORE = '2026-10-10T12:00:00.000Z';
const AFTER = '2026-11-05T12:00:00.000Z';

describe('ServiceTitan export feeds into servicetitan.records.v1 (simulator + real Kafka)', () => {
  const prefix = uniquePrefix('feeds');
  const seen: BusContext[] = [];
  let sim: ServiceTitanSimulator;
  let reader: MessagingHarness;
  let env: WebhookGatewayEnv;
  let gateway: AppUnderTest | undefined;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      exportPageSize: 2, // several pages, each repeating its boundary row
      seed: {
        appKey: TEST_CREDENTIALS.stAppKey,
        tenants: [
          {
            id: TEST_CREDENTIALS.stTenantId,
            clientId: TEST_CREDENTIALS.stClientId,
            clientSecret: TEST_CREDENTIALS.stClientSecret,
            vendors: [
              {
                id: 71,
                name: 'Ferguson',
                active: true,
                createdOn: '2020-01-01T00:00:00Z',
                modifiedOn: '2020-01-01T00:00:00Z',
              },
              {
                id: 72,
                name: 'Old Supply Co',
                active: false,
                createdOn: '2020-01-01T00:00:00Z',
                modifiedOn: '2021-01-01T00:00:00Z',
              },
            ],
            purchaseOrders: [
              {
                // Created and last changed before the go-live: not on the feed, read by id for its bills.
                id: 501,
                number: 'PO-501',
                vendorId: 71,
                status: 'Received',
                total: 80,
                createdOn: BEFORE,
                modifiedOn: BEFORE,
                items: [{ id: 1, skuId: 9, skuCode: 'FLT-16', quantity: 4, quantityReceived: 4, cost: 20, total: 80 }],
              },
            ],
            inventoryBills: [
              ...[1, 2, 3].map((id) => ({
                id,
                purchaseOrderId: 501,
                vendor: { id: 71, name: 'Ferguson' },
                billDate: AFTER,
                billAmount: '80.00',
                createdOn: AFTER,
                modifiedOn: AFTER,
                items: [{ id: id * 10, order: 1, skuId: 9, skuCode: 'FLT-16', quantity: '4', cost: '20.00' }],
              })),
              {
                id: 4,
                purchaseOrderId: 501,
                billAmount: '5.00',
                billDate: BEFORE,
                createdOn: BEFORE,
                modifiedOn: BEFORE,
              },
            ],
            jobs: [
              {
                id: 4242,
                jobStatus: 'Completed',
                completedOn: AFTER,
                invoiceId: 900,
                businessUnitId: 10,
                modifiedOn: AFTER,
              },
              { id: 4243, jobStatus: 'InProgress', modifiedOn: AFTER },
              { id: 4244, jobStatus: 'Canceled', modifiedOn: AFTER },
              { id: 4100, jobStatus: 'Completed', completedOn: BEFORE, invoiceId: 800, modifiedOn: BEFORE },
            ],
            invoices: [
              {
                id: 900,
                total: '250.00',
                job: { id: 4242, number: '4242', type: null },
                createdOn: AFTER,
                modifiedOn: AFTER,
                items: [
                  { id: 1, type: 'Material', skuId: 9, quantity: '2', cost: '12.25', totalCost: '24.50' },
                  { id: 2, type: 'Material', skuId: 9, quantity: '3', cost: '1.10', totalCost: null },
                ],
              },
              // Counter sale: no job, no job cost.
              { id: 901, total: '10.00', createdOn: AFTER, modifiedOn: AFTER },
              // A row the connector cannot read: refused with its reason, the feed goes on.
              {
                id: 902,
                job: { id: 4243, number: '4243', type: null },
                createdOn: AFTER,
                modifiedOn: AFTER,
                items: [{ id: 3, type: 'Material', skuId: 9, quantity: 'two', cost: '1' }],
              },
            ],
            grossPayItems: [
              {
                id: 11,
                jobId: 4242,
                amount: 81.25,
                grossPayItemType: 'TimesheetTime',
                date: AFTER,
                payrollId: 1,
                createdOn: AFTER,
                modifiedOn: AFTER,
              },
              {
                id: 12,
                jobId: 4242,
                amount: 25,
                grossPayItemType: 'InvoiceRelatedBonus',
                date: AFTER,
                payrollId: 1,
                createdOn: AFTER,
                modifiedOn: AFTER,
              },
            ],
          },
        ],
      },
    });
    const tenants = writeTestTenantsFile([
      testTenant({
        id: 'acme',
        stUrl: sim.url,
        servicetitan: { syncFrom: '2026-11-01', pull: { enabled: true, intervalSeconds: 3600, pageSize: 50 } },
      }),
    ]);
    env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      ST_PULL_ENABLED: 'false',
      ST_OWNER_HANDOVER_GRACE_MS: '0',
    });
    reader = await startMessagingHarness(
      prefix,
      [{ group: 'reader', topics: [Topics.StRecords], handler: async (m) => void seen.push(m) }],
      'reader',
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await reader?.close();
    await sim?.close();
  });

  const keys = () => seen.map((m) => m.key);
  const byKey = (key: string) => seen.filter((m) => m.key === key);
  const run = () => (gateway as AppUnderTest).app.get(ServiceTitanFeedsService).runOnce('acme');
  const start = async () => {
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', GATEWAY_HTTP);
  };

  it('publishes each record once from the go-live date; a job and its costs share the job partition', async () => {
    await start();
    const reports = await run();
    const report = (feed: string) => reports.find((r) => r.feed === feed);
    expect(report('inventory-bills')).toMatchObject({ published: 3 });
    expect(report('invoices')).toMatchObject({ published: 1, rejected: 1 });
    expect(report('jobs')).toMatchObject({ published: 2 });
    expect(report('gross-pay-items')).toMatchObject({ published: 2 });
    expect(report('vendors')).toMatchObject({ published: 2 });
    // bills 3 + PO (by id) 1 + invoice 1 + gross pay 2 + jobs 2 + vendors 2
    await eventually(
      () => seen.length,
      (n) => n >= 11,
      'the records',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(keys().sort()).toEqual(
      [
        'acme:bill:1',
        'acme:bill:2',
        'acme:bill:3',
        'acme:purchase-order:501',
        'acme:job:4242',
        'acme:job:4242:invoice:900',
        'acme:job:4242:gross-pay-item:11',
        'acme:job:4242:gross-pay-item:12',
        'acme:job:4244',
        'acme:vendor:71',
        'acme:vendor:72',
      ].sort(),
    );
    const jobPartition = partitionForKey('acme:job:4242', 3);
    for (const k of ['acme:job:4242', 'acme:job:4242:invoice:900', 'acme:job:4242:gross-pay-item:11'])
      expect(byKey(k)[0].partition).toBe(jobPartition);
    const invoice = byKey('acme:job:4242:invoice:900')[0].envelope.payload as Rec;
    expect(invoice).toMatchObject({
      invoiceId: 900,
      jobId: 4242,
      items: [
        { id: 1, quantity: '2', cost: '12.25', totalCost: '24.5' },
        { id: 2, quantity: '3', cost: '1.1', totalCost: null },
      ],
    });
    expect(byKey('acme:job:4242')[0].envelope.payload).toMatchObject({
      jobStatus: 'Completed',
      invoiceId: 900,
      modifiedOn: AFTER,
    });
    expect(byKey('acme:bill:1')[0].envelope.payload).toMatchObject({
      revision: 1,
      billAmount: '80',
      purchaseOrderId: 501,
    });
    // The job's costs come before the job on its partition (read order: invoices, gross pay items, jobs).
    const order = seen.filter((m) => m.partition === jobPartition && m.key?.startsWith('acme:job:4242'));
    expect(order[order.length - 1].key).toBe('acme:job:4242');
    const metrics = await (await fetch(`${gateway!.url}/metrics`)).text();
    expect(metrics).toMatch(/connector_pull_errors_total\{tenant="acme",stream="invoices",app="webhook-gateway"\} 1/);
    // Right away again: nothing new.
    expect((await run()).reduce((a, r) => a + r.published, 0)).toBe(0);
  });

  it('survives a restart; a write-back bump publishes nothing; changes and moves become new records', async () => {
    await gateway?.close();
    await start();
    expect((await run()).reduce((a, r) => a + r.published, 0)).toBe(0);
    const count = seen.length;
    const t = sim.tenant(TEST_CREDENTIALS.stTenantId);
    // What markasexported changes (syncStatus, modifiedOn) is not content.
    t.updateInvoice(900, { syncStatus: 'Exported' });
    t.updateInventoryBill(3, { syncStatus: 'Exported' });
    expect((await run()).reduce((a, r) => a + r.published, 0)).toBe(0);
    t.voidInventoryBill(1);
    t.updateInventoryBill(2, { billAmount: '85.00' });
    t.addGrossPayItem({ jobId: 4242, amount: 40, grossPayItemType: 'TimesheetTime', date: AFTER, payrollId: 1 });
    t.updateGrossPayItem(12, { jobId: 4244 });
    const reports = await run();
    expect(reports.find((r) => r.feed === 'inventory-bills')?.published).toBe(2);
    expect(reports.find((r) => r.feed === 'gross-pay-items')?.published).toBe(2);
    await eventually(
      () => seen.length,
      (n) => n >= count + 5,
      'the changes',
    );
    const revisions = seen
      .filter((m) => m.key?.startsWith('acme:bill:'))
      .map((m) => m.envelope.payload as { billId: number; revision: number; voided: boolean; billAmount: string });
    expect(revisions.filter((r) => r.billId === 1).map((r) => [r.revision, r.voided])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(revisions.filter((r) => r.billId === 2).map((r) => [r.revision, r.billAmount])).toEqual([
      [1, '80'],
      [2, '85'],
    ]);
    // The moved item: retracted from job 4242 (on its partition), then under job 4244.
    const removed = byKey('acme:job:4242:gross-pay-item:12');
    expect(removed.map((m) => m.envelope.type)).toEqual([
      'servicetitan.gross-pay-item.record',
      'servicetitan.record.removed',
    ]);
    expect(removed[1].envelope.payload).toMatchObject({
      entity: 'gross-pay-item',
      id: 12,
      jobId: 4242,
      movedToJobId: 4244,
    });
    expect(removed[1].partition).toBe(partitionForKey('acme:job:4242', 3));
    expect(byKey('acme:job:4244:gross-pay-item:12')[0].partition).toBe(partitionForKey('acme:job:4244', 3));
    expect(seen.every((m) => m.headers[H.BackfillRequest] === undefined)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.length).toBe(count + 5);
  });
});
