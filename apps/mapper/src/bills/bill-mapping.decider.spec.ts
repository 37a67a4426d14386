import { createEnvelope, Topics, X3_SUPPLIER_STATE } from '@connector/contracts';
import { emptyBillState } from '../state/mapper-checkpoint.state';
import { billRevision, testCache, testRules } from '../testing/mapper-fixtures';
import { BillDecisionInput, decideBill } from './bill-mapping.decider';

function input(o: Partial<BillDecisionInput> = {}): BillDecisionInput {
  return {
    tenant: 'acme',
    bill: billRevision(),
    messageId: 'msg-b1',
    isReplay: false,
    rules: testRules(),
    x3: { site: 'FR011', currency: 'USD' },
    cache: testCache(),
    state: emptyBillState(),
    purchaseOrderNumber: () => null,
    goLive: { syncFrom: null, approved: () => false },
    ...o,
  };
}

describe('inventory bill mapping decisions', () => {
  it('maps a bill to a supplier invoice against the X3 supplier and PO lines', () => {
    const d = decideBill(input());
    expect(d.outcome).toBe('requested');
    expect(d.request).toEqual({
      externalRef: 'acme:BILL:901:R1',
      source: { kind: 'inventory-bill', id: '901', revision: 1 },
      site: 'FR011',
      supplier: 'SUP001',
      supplierInvoiceNumber: 'ACME-INV-77',
      invoiceDate: '2026-01-04',
      accountingDate: '2026-01-04',
      currency: 'USD',
      controlTotal: '70.5',
      lines: [
        { purchaseOrder: 'PO0001', purchaseOrderLine: 1000, product: 'FILTER-16', quantity: '2', netPrice: '12.5' },
        {
          purchaseOrder: 'PO0001',
          purchaseOrderLine: 2000,
          product: 'PIPE-CU-12',
          quantity: '10.5',
          netPrice: '4.333',
        },
      ],
      supersedes: null,
    });
    expect(d.nextState).toMatchObject({ revision: 1, requestedRef: 'acme:BILL:901:R1', contentHash: 'hash-1' });
  });

  it("dates the invoice on the bill's calendar day in the tenant's time zone; a date written as midnight UTC stays that date", () => {
    const chicago = { site: 'FR011', currency: 'USD', timeZone: 'America/Chicago' };
    const at = (billDate: string, x3 = chicago) => decideBill(input({ x3, bill: billRevision({ billDate }) })).request;
    expect(at('2026-02-01T04:30:00Z')).toMatchObject({ invoiceDate: '2026-01-31', accountingDate: '2026-01-31' });
    expect(at('2026-02-01T00:00:00.000Z')).toMatchObject({ accountingDate: '2026-02-01' });
    expect(at('2026-02-01')).toMatchObject({ accountingDate: '2026-02-01' });
    expect(at('2026-02-01T04:30:00Z', { site: 'FR011', currency: 'USD' } as typeof chicago)).toMatchObject({
      accountingDate: '2026-02-01',
    });
  });

  it('matches the supplier by exact name when the vendor is not mapped; builds the PO number from the template', () => {
    const rules = testRules({ suppliers: {}, purchaseOrders: { numberTemplate: 'PO{number}' } });
    const asked: number[] = [];
    const d = decideBill(
      input({
        rules,
        bill: billRevision({ vendorName: ' Acme Parts ' }),
        purchaseOrderNumber: (id) => (asked.push(id), '0001'),
      }),
    );
    expect(asked).toEqual([1101]);
    expect(d.request).toMatchObject({
      supplier: 'SUP001',
      lines: [{ purchaseOrder: 'PO0001' }, { purchaseOrder: 'PO0001' }],
    });
  });

  it.each([
    ['an unmapped vendor', { rules: testRules({ suppliers: { matchByName: false } }) }, ['SUPPLIER_UNMAPPED']],
    [
      'an inactive supplier',
      { rules: testRules({ suppliers: { byVendorId: { '301': 'SUP009' } } }) },
      ['SUPPLIER_INACTIVE'],
    ],
    [
      'an unknown X3 PO',
      { rules: testRules({ purchaseOrders: { byServiceTitanId: { '1101': 'PO9999' } } }) },
      ['PURCHASE_ORDER_UNKNOWN'],
    ],
    ['a bill without PO', { bill: billRevision({ purchaseOrderId: null }) }, ['PURCHASE_ORDER_MISSING']],
    [
      'a product not on the PO',
      {
        bill: billRevision({
          items: [
            { id: 9, order: 1, quantity: '1', cost: '1', skuId: 9, skuCode: 'FILTER-16' },
            { id: 8, order: 2, quantity: '1', cost: '1', skuId: 8, skuCode: 'COMP-3T' },
          ],
        }),
      },
      ['PRODUCT_UNKNOWN', 'PO_LINE_UNMATCHED'],
    ],
    [
      'a ServiceTitan PO that does not exist',
      {
        rules: testRules({ purchaseOrders: { numberTemplate: '{number}' } }),
        bill: billRevision({ purchaseOrderId: 5555 }),
      },
      ['PURCHASE_ORDER_UNKNOWN'],
    ],
  ])('%s is rejected', (_n, o, codes) => {
    const d = decideBill(input(o as Partial<BillDecisionInput>));
    expect(d.outcome).toBe('rejected');
    expect(d.request).toBeNull();
    expect(d.rejection!.reasons.map((r) => r.code)).toEqual(codes);
    expect(d.rejection).toMatchObject({
      source: { kind: 'inventory-bill', id: '901', revision: 1 },
      sourceTopic: 'servicetitan.records.v1',
    });
  });

  it('rejects a PO of another supplier and an ambiguous supplier name', () => {
    const cache = testCache();
    cache.apply(
      Topics.X3Supplier,
      createEnvelope({
        type: X3_SUPPLIER_STATE,
        tenant: 'acme',
        source: 'poller',
        payload: {
          code: 'SUP002',
          name: 'Acme Parts',
          active: true,
          deleted: false,
          updatedAt: '2026-01-01T00:00:00Z',
        },
      }),
    );
    const wrong = decideBill(input({ cache, rules: testRules({ suppliers: { byVendorId: { '301': 'SUP002' } } }) }));
    expect(wrong.rejection!.reasons.map((r) => r.code)).toEqual(['PURCHASE_ORDER_SUPPLIER_MISMATCH']);
    const ambiguous = decideBill(
      input({
        cache,
        rules: testRules({ suppliers: {} }),
        bill: billRevision({ vendorId: 777, vendorName: 'Acme Parts' }),
      }),
    );
    expect(ambiguous.rejection!.reasons.map((r) => r.code)).toEqual(['SUPPLIER_AMBIGUOUS']);
  });

  it('same content again is nothing new; a corrected revision supersedes the earlier request; older revisions are stale', () => {
    const first = decideBill(input());
    expect(decideBill(input({ state: first.nextState! })).outcome).toBe('unchanged');
    const corrected = decideBill(
      input({
        state: first.nextState!,
        bill: billRevision({
          revision: 2,
          contentHash: 'hash-2',
          billAmount: '25.00',
          items: [{ id: 1, order: 1, quantity: '2', cost: '12.50', skuId: 1, skuCode: 'FLT-16' }],
        }),
      }),
    );
    expect(corrected.outcome).toBe('superseded');
    expect(corrected.request).toMatchObject({
      externalRef: 'acme:BILL:901:R2',
      supersedes: 'acme:BILL:901:R1',
      controlTotal: '25',
    });
    expect(
      decideBill(input({ state: corrected.nextState!, bill: billRevision({ revision: 1, contentHash: 'hash-1' }) }))
        .outcome,
    ).toBe('stale');
  });

  it('an older version (source modifiedOn) arriving later is stale, even under the same revision number', () => {
    const first = decideBill(input({ bill: billRevision({ modifiedOn: '2026-01-05T00:00:00.000Z' }) }));
    const older = decideBill(
      input({
        state: first.nextState!,
        bill: billRevision({ contentHash: 'hash-old', modifiedOn: '2026-01-04T00:00:00.000Z' }),
      }),
    );
    expect(older).toMatchObject({ outcome: 'stale', request: null, nextState: null });
  });

  it('a bill dated before the go-live date is held (told once) until a backfill window releases it', () => {
    const goLive = { syncFrom: '2026-02-01', approved: () => false };
    const held = decideBill(input({ goLive }));
    expect(held).toMatchObject({ outcome: 'held', request: null, rejection: { hold: true } });
    expect(held.rejection!.reasons.map((r) => r.code)).toEqual(['BEFORE_GO_LIVE']);
    expect(decideBill(input({ goLive, state: held.nextState! }))).toMatchObject({ outcome: 'held', rejection: null });
    const released = decideBill(
      input({ goLive, state: held.nextState!, release: { requestId: 'bf-1', from: '2026-01-01', to: '2026-01-31' } }),
    );
    expect(released).toMatchObject({ outcome: 'requested', nextState: { releasedBy: 'bf-1' } });
    expect(decideBill(input({ goLive: { ...goLive, approved: () => true } })).outcome).toBe('requested');
  });

  it("the go-live date is compared with the bill's day in the tenant's time zone, the same day it is dated", () => {
    const goLive = { syncFrom: '2026-02-01', approved: () => false };
    // 04:30 UTC on 1 February is still 31 January in Chicago: before the go-live date there.
    const bill = billRevision({ billDate: '2026-02-01T04:30:00Z' });
    expect(decideBill(input({ goLive, bill })).outcome).toBe('requested');
    const chicago = { site: 'FR011', currency: 'USD', timeZone: 'America/Chicago' };
    const held = decideBill(input({ goLive, bill, x3: chicago }));
    expect(held.outcome).toBe('held');
    expect(held.rejection!.reasons[0].message).toContain('bill date 2026-01-31');
    const released = decideBill(
      input({ goLive, bill, x3: chicago, release: { requestId: 'bf-1', from: '2026-01-31', to: '2026-01-31' } }),
    );
    expect(released.request).toMatchObject({ invoiceDate: '2026-01-31', accountingDate: '2026-01-31' });
  });

  it('a bill voided after it was requested is noted once in the audit trail; voided before is ignored', () => {
    const first = decideBill(input());
    const voided = decideBill(
      input({ state: first.nextState!, bill: billRevision({ revision: 2, contentHash: 'hash-v', voided: true }) }),
    );
    expect(voided.outcome).toBe('void-noted');
    expect(voided.request).toBeNull();
    expect(voided.rejection!.reasons.map((r) => r.code)).toEqual(['BILL_VOIDED_AFTER_POSTING']);
    expect(
      decideBill(
        input({ state: voided.nextState!, bill: billRevision({ revision: 2, contentHash: 'hash-v', voided: true }) }),
      ).outcome,
    ).toBe('unchanged');
    const never = decideBill(input({ bill: billRevision({ voided: true }) }));
    expect(never).toMatchObject({ outcome: 'ignored', request: null, rejection: null });
  });
});
