import {
  FeedRowError,
  grossPayItemFeedRecord,
  inventoryBillFeedRecord,
  invoiceFeedRecord,
  jobFeedRecord,
} from './feed-record.mappers';

const invoice = {
  id: 900,
  syncStatus: 'Pending',
  total: '250.00',
  job: { id: 4242, number: '4242', type: null },
  businessUnit: { id: 10, name: 'HVAC' },
  modifiedOn: '2026-11-20T15:05:00Z',
  items: [
    {
      id: 1,
      type: 'Material',
      quantity: '2.000',
      cost: '12.25',
      totalCost: '24.50',
      costOfSaleAccount: { number: '5000' },
    },
    { id: 2, type: 'Material', quantity: 3, cost: 0.1, totalCost: null, modifiedOn: '2026-11-20T15:05:00Z' },
  ],
};

describe('feed rows → records', () => {
  it('keeps amounts exact as decimal strings and a null totalCost null (the mapper has the one rule)', () => {
    const r = invoiceFeedRecord('acme', invoice)!;
    expect(r).toMatchObject({ key: 'acme:job:4242:invoice:900', partitionKey: 'acme:job:4242', jobId: 4242 });
    expect(r.payload['items']).toEqual([
      expect.objectContaining({ quantity: '2', cost: '12.25', totalCost: '24.5', costOfSaleAccount: '5000' }),
      expect.objectContaining({ quantity: '3', cost: '0.1', totalCost: null }),
    ]);
  });

  it('leaves volatile fields out of the content hash (a write-back bumps syncStatus and modifiedOn)', () => {
    const a = invoiceFeedRecord('acme', invoice)!;
    const exported = invoiceFeedRecord('acme', {
      ...invoice,
      syncStatus: 'Exported',
      modifiedOn: '2026-11-21T09:00:00Z',
      items: invoice.items.map((i) => ({ ...i, modifiedOn: '2026-11-21T09:00:00Z' })),
    })!;
    expect(exported.hash).toBe(a.hash);
    expect(exported.modifiedOn).toBe('2026-11-21T09:00:00.000Z');
    expect(invoiceFeedRecord('acme', { ...invoice, total: '251.00' })!.hash).not.toBe(a.hash);
    const bill = { id: 1, billAmount: '80.00', modifiedOn: '2026-11-05T00:00:00Z', items: [] };
    expect(inventoryBillFeedRecord('acme', { ...bill, syncStatus: 'Pending' }).hash).toBe(
      inventoryBillFeedRecord('acme', { ...bill, syncStatus: 'Exported', modifiedOn: '2026-11-06T00:00:00Z' }).hash,
    );
  });

  it('no job, no job cost; unreadable rows are refused with the reason', () => {
    expect(invoiceFeedRecord('acme', { ...invoice, job: null })).toBeNull();
    expect(
      grossPayItemFeedRecord('acme', { id: 5, jobId: 0, amount: 1, date: '2026-11-20', modifiedOn: '2026-11-20' }),
    ).toBeNull();
    expect(() => jobFeedRecord('acme', { id: 'abc', modifiedOn: '2026-11-20T00:00:00Z' })).toThrow(FeedRowError);
    expect(() =>
      jobFeedRecord('acme', { id: Number.MAX_SAFE_INTEGER + 2, modifiedOn: '2026-11-20T00:00:00Z' }),
    ).toThrow('id 9007199254740992 is beyond 2^53 − 1');
    expect(() => invoiceFeedRecord('acme', { ...invoice, items: [{ id: 1, quantity: '1,5' }] })).toThrow(
      'items[0].quantity: not a decimal amount: "1,5"',
    );
    expect(() => jobFeedRecord('acme', { id: 1 })).toThrow('modifiedOn is missing');
    // invoiceId 0 means "no invoice", not a broken feed.
    expect(
      jobFeedRecord('acme', { id: 1, invoiceId: 0, modifiedOn: '2026-11-20T00:00:00Z' }).payload['invoiceId'],
    ).toBeNull();
  });

  it('ids are positive safe integers, never rounded; amounts follow the strict grammar with bounds', () => {
    const job = (id: unknown) => () => jobFeedRecord('acme', { id, modifiedOn: '2026-11-20T00:00:00Z' });
    expect(job('9007199254740993')).toThrow('id "9007199254740993" is beyond 2^53 − 1');
    expect(job(-4)).toThrow('id must be a positive integer id');
    expect(job(4.5)).toThrow('id must be a positive integer id');
    expect(job('1e3')).toThrow('id must be a positive integer id');
    expect(job(' 12 ')).toThrow('id must be a positive integer id');
    expect(job('9007199254740991')().id).toBe(9007199254740991);
    const bill = (billAmount: unknown) => () =>
      inventoryBillFeedRecord('acme', { id: 1, billAmount, modifiedOn: '2026-11-05T00:00:00Z', items: [] });
    expect(bill('1e3')).toThrow('billAmount: not a decimal amount: "1e3"');
    expect(bill(' 12 ')).toThrow('billAmount: not a decimal amount: " 12 "');
    expect(bill(1e26)).toThrow('billAmount: amount out of range');
    expect(bill('0.0000000000000000001')).toThrow('billAmount: amount has too many decimal places');
    expect(bill(true)).toThrow('billAmount: not an amount: boolean');
    expect(bill(12.5)().payload['billAmount']).toBe('12.5');
  });
});
