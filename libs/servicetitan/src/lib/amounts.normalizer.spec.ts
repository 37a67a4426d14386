import { toDecimal } from '@connector/decimal';
import {
  normalizeGrossPayItem,
  normalizeInventoryBill,
  normalizeMaterial,
  normalizePurchaseOrder,
} from './amounts.normalizer';
import type { GrossPayItem, InventoryBill, Material, PurchaseOrder } from './servicetitan.types';

describe('amount normalisers', () => {
  it('turns accounting strings into canonical decimal strings, keeping nulls', () => {
    const bill: InventoryBill = {
      id: 1,
      billAmount: '1234.50',
      taxAmount: null,
      shippingAmount: '0.10',
      items: [
        {
          id: 2,
          order: 1,
          skuId: 3,
          skuType: 'Material',
          skuCode: 'A',
          quantity: '3.0000',
          cost: '0.20',
        },
      ],
    };
    const n = normalizeInventoryBill(bill);
    expect(n).toMatchObject({
      id: 1,
      billAmount: '1234.5',
      taxAmount: null,
      shippingAmount: '0.1',
    });
    expect(n.items[0]).toMatchObject({
      quantity: '3',
      cost: '0.2',
      skuCode: 'A',
    });
    expect(n).not.toHaveProperty('otherAmount');
  });

  it('reads inventory/payroll JSON numbers without float error', () => {
    const po = {
      id: 1,
      total: 1043.21,
      tax: 79.01,
      shipping: 12.5,
      items: [],
    } as unknown as PurchaseOrder;
    expect(normalizePurchaseOrder(po)).toMatchObject({
      total: '1043.21',
      tax: '79.01',
      shipping: '12.5',
    });
    const pay = {
      payrollId: 1,
      date: '2025-01-01T00:00:00Z',
      amount: 19.99,
      paidDurationHours: 0.1,
      grossPayItemType: 'TimesheetTime',
      jobId: 1,
      createdOn: '',
      modifiedOn: '',
    } as GrossPayItem;
    expect(normalizeGrossPayItem(pay)).toMatchObject({
      amount: '19.99',
      paidDurationHours: '0.1',
    });
    const normalized = normalizeGrossPayItem(pay);
    expect(toDecimal(normalized.amount).times(3).toFixed()).toBe('59.97');
  });

  it('reads pricebook costs and prices (JSON numbers) as exact decimal strings', () => {
    const material = { id: 9, code: 'CU-1', cost: 0.1, price: 1043.21, hours: 0, bonus: 12.5 } as Material;
    expect(normalizeMaterial(material)).toMatchObject({ cost: '0.1', price: '1043.21', hours: '0', bonus: '12.5' });
  });

  it('names the field when an amount is not a number', () => {
    const bill = { id: 7, billAmount: '12,50', items: [] } as InventoryBill;
    expect(() => normalizeInventoryBill(bill)).toThrow('inventoryBill 7.billAmount');
  });
});
