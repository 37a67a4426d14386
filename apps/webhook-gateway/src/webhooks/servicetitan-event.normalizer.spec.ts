import { buildJobCompletedEvent, buildWebhookEvent } from '@connector/servicetitan-simulator';
import { Topics } from '@connector/contracts';
import { normalizeServiceTitanEvent } from './servicetitan-event.normalizer';

const tenant = { id: 1000001, name: 'Demo' };
const job = {
  id: 42,
  jobNumber: '42',
  customerId: 1,
  locationId: 2,
  jobStatus: 'Completed',
  completedOn: '2026-11-20T15:00:00Z',
  businessUnitId: 7,
  jobTypeId: 3,
  priority: 'Normal',
  campaignId: 1,
  invoiceId: 900,
  createdOn: '2026-11-19T10:00:00Z',
  modifiedOn: '2026-11-20T15:01:00Z',
  customFields: [],
  externalData: [],
};

describe('ServiceTitan event normaliser', () => {
  it('turns JobCompleted into a job event with decimal-string amounts', () => {
    const ev = buildJobCompletedEvent({
      tenant,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      job: job as any,
      invoice: {
        id: 900,
        referenceNumber: 'INV-900',
        total: '250.00',
        items: [
          {
            id: 1,
            type: 'Material',
            skuId: 5,
            skuName: 'Filter',
            quantity: '2',
            cost: '12.25',
            totalCost: '24.50',
            total: '60.00',
            costOfSaleAccount: { number: '5000' },
          } as never,
        ],
      },
      eventId: 'evt-1',
    });
    const n = normalizeServiceTitanEvent(JSON.parse(JSON.stringify(ev)), 'demo', 1000001);
    expect(n.topic).toBe(Topics.StJob);
    expect(n.key).toBe('demo:job:42');
    expect(n.eventId).toBe('evt-1');
    expect(n.payload).toMatchObject({
      event: 'completed',
      jobId: 42,
      sourceEventId: 'evt-1',
      invoice: {
        id: 900,
        total: '250',
        items: [{ quantity: '2', cost: '12.25', totalCost: '24.5', costOfSaleAccount: '5000' }],
      },
    });
  });
  it('reads numeric amounts without float drift', () => {
    const ev = buildWebhookEvent({
      webhookType: 'JobCompleted',
      tenant,
      eventId: 'e2',
      entity: {
        ...job,
        invoice: { id: 1, items: [{ id: 1, type: 'Material', quantity: 3, cost: 0.1, totalCost: 0.3 }] },
      },
    });
    const n = normalizeServiceTitanEvent(ev, 'demo', 1000001);
    expect((n.payload as { invoice: { items: Array<{ totalCost: string }> } }).invoice.items[0].totalCost).toBe('0.3');
  });
  it('derives a missing totalCost from quantity × cost', () => {
    const ev = buildWebhookEvent({
      webhookType: 'JobCompleted',
      tenant,
      eventId: 'e3',
      entity: {
        ...job,
        invoice: { id: 1, items: [{ id: 1, type: 'Service', quantity: '1.5', cost: '40.10', totalCost: null }] },
      },
    });
    const n = normalizeServiceTitanEvent(ev, 'demo', 1000001);
    expect((n.payload as { invoice: { items: Array<{ totalCost: string }> } }).invoice.items[0].totalCost).toBe(
      '60.15',
    );
  });
  it.each([
    [{ hello: 'world' }, 'unknown event shape: missing __eventInfo'],
    [{ __eventInfo: { webhookType: 'JobCompleted' } }, 'missing eventId'],
    [
      buildWebhookEvent({ webhookType: 'InvoiceExploded', tenant, entity: { id: 1 } }),
      'unsupported webhookType "InvoiceExploded"',
    ],
    [buildWebhookEvent({ webhookType: 'JobCompleted', tenant: { id: 999, name: 'x' }, entity: job }), 'does not match'],
    [
      buildWebhookEvent({ webhookType: 'JobCompleted', tenant, entity: { ...job, id: 'abc' } }),
      'id must be an integer id',
    ],
    [
      buildWebhookEvent({
        webhookType: 'JobCompleted',
        tenant,
        entity: { ...job, invoice: { id: 1, items: [{ id: 1, quantity: '1,5' }] } },
      }),
      'invoice.items[0].quantity is not a decimal amount',
    ],
    [[1, 2], 'body must be a JSON object'],
  ])('rejects %j with a reason', (body, reason) => {
    expect(() => normalizeServiceTitanEvent(body, 'demo', 1000001)).toThrow(reason);
  });
});
