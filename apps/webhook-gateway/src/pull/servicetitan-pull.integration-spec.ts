import { validateEnv } from '@connector/config';
import { Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { ServiceTitanSimulator, startServiceTitanSimulator } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testTenant,
  testAppEnv,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { ServiceTitanPullService } from './servicetitan-pull.service';

jest.setTimeout(120000);

describe('scheduled ServiceTitan pull (simulator + real Kafka)', () => {
  const prefix = uniquePrefix('pull');
  const seen: BusContext[] = [];
  let sim: ServiceTitanSimulator;
  let reader: MessagingHarness;
  let env: WebhookGatewayEnv;
  let gateway: AppUnderTest | undefined;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      exportPageSize: 2, // forces several pages, each repeating its boundary row
      seed: {
        appKey: TEST_CREDENTIALS.stAppKey,
        tenants: [
          {
            id: TEST_CREDENTIALS.stTenantId,
            clientId: TEST_CREDENTIALS.stClientId,
            clientSecret: TEST_CREDENTIALS.stClientSecret,
            vendors: [
              { id: 71, name: 'Ferguson', active: true },
              { id: 72, name: 'Old Supply Co', active: false },
            ],
            purchaseOrders: [
              {
                id: 501,
                number: 'PO-501',
                vendorId: 71,
                status: 'Received',
                total: 80,
                items: [{ id: 1, skuId: 9, skuCode: 'FLT-16', quantity: 4, quantityReceived: 4, cost: 20, total: 80 }],
              },
            ],
            inventoryBills: [1, 2, 3].map((id) => ({
              id,
              purchaseOrderId: 501,
              vendor: { id: 71, name: 'Ferguson' },
              billAmount: '80.00',
              items: [{ id: id * 10, order: 1, skuId: 9, skuCode: 'FLT-16', quantity: '4', cost: '20.00' }],
            })),
            jobs: [
              {
                id: 4242,
                jobStatus: 'Completed',
                completedOn: '2026-11-20T15:00:00Z',
                invoiceId: 900,
                businessUnitId: 10,
              },
              { id: 4243, jobStatus: 'InProgress' },
            ],
            invoices: [
              {
                id: 900,
                total: '250.00',
                items: [{ id: 1, type: 'Material', skuId: 9, quantity: '2', cost: '12.25', totalCost: '24.50' }],
              },
            ],
          },
        ],
      },
    });
    const tenants = writeTestTenantsFile([testTenant({ id: 'acme', stUrl: sim.url })]);
    env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      ST_PULL_ENABLED: 'false',
    });
    reader = await startMessagingHarness(
      prefix,
      [
        {
          group: 'reader',
          topics: [Topics.StInventoryBill, Topics.StPurchaseOrder, Topics.StVendor, Topics.StJob],
          handler: async (m) => void seen.push(m),
        },
      ],
      'reader',
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await reader?.close();
    await sim?.close();
  });

  const on = (topic: string) => seen.filter((m) => m.topic === topic);
  const pull = () => (gateway as AppUnderTest).app.get(ServiceTitanPullService).runOnce('acme');

  it('publishes every record once across pages with repeating boundaries', async () => {
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', { bodyParser: false });
    const reports = await pull();
    expect(reports.find((r) => r.stream === 'inventory-bills')).toMatchObject({ published: 3 });
    expect(reports.find((r) => r.stream === 'inventory-bills')?.rows).toBeGreaterThan(3); // boundary rows repeated
    await eventually(
      () => seen.length,
      (n) => n >= 7,
      '3 bills, 1 PO, 2 vendors, 1 completed job',
    );
    expect(
      on(Topics.StInventoryBill)
        .map((m) => (m.envelope.payload as { billId: number }).billId)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(on(Topics.StVendor)).toHaveLength(2); // active=Any includes the inactive vendor
    expect(on(Topics.StJob)).toHaveLength(1);
    expect(on(Topics.StJob)[0].envelope.payload).toMatchObject({
      jobId: 4242,
      event: 'completed',
      invoice: { items: [{ totalCost: '24.5' }] },
    });
    expect(on(Topics.StInventoryBill)[0].envelope.payload).toMatchObject({
      revision: 1,
      voided: false,
      billAmount: '80',
      purchaseOrderId: 501,
    });
    // A second poll right away publishes nothing new.
    const again = await pull();
    expect(again.reduce((a, r) => a + r.published, 0)).toBe(0);
  });

  it('survives a gateway restart without losing or duplicating, and a voided or corrected bill yields a revision', async () => {
    await gateway?.close();
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', { bodyParser: false });
    const afterRestart = await pull();
    expect(afterRestart.reduce((a, r) => a + r.published, 0)).toBe(0);
    const tenant = sim.tenant(TEST_CREDENTIALS.stTenantId);
    tenant.voidInventoryBill(1);
    tenant.updateInventoryBill(2, { billAmount: '85.00' });
    const reports = await pull();
    expect(reports.find((r) => r.stream === 'inventory-bills')?.published).toBe(2);
    await eventually(
      () => on(Topics.StInventoryBill).length,
      (n) => n >= 5,
      'two revision events',
    );
    const revisions = on(Topics.StInventoryBill).map(
      (m) => m.envelope.payload as { billId: number; revision: number; voided: boolean; billAmount: string },
    );
    expect(revisions.filter((r) => r.billId === 1).map((r) => [r.revision, r.voided])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(revisions.filter((r) => r.billId === 2).map((r) => [r.revision, r.billAmount])).toEqual([
      [1, '80'],
      [2, '85'],
    ]);
    expect(revisions.filter((r) => r.billId === 3)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.length).toBe(9);
  });
});
