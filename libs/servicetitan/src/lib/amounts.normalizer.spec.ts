import { isDecimalString, toDecimal } from '@connector/decimal';
import fc from 'fast-check';
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

  describe('properties (fast-check)', () => {
    const accountingString = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 4 }))
      .map(([neg, cents, scale]) => {
        const digits = cents.toString().padStart(scale + 1, '0');
        const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
        return `${neg && cents > 0n ? '-' : ''}${text}`;
      });
    const jsonNumber = fc.double({ min: -1e12, max: 1e12, noNaN: true }).map((n) => Math.round(n * 10000) / 10000);
    const amount = fc.oneof(accountingString, jsonNumber);
    const badAmount = fc.constantFrom('1e3', ' 12 ', '+1', '1.', '.5', '', '12,50', '0x1f', 'NaN', 1e26, -1e20);

    it('every amount field becomes a wire-valid decimal string of the same value; other fields pass through', () => {
      fc.assert(
        fc.property(amount, amount, amount, fc.array(fc.tuple(amount, amount), { maxLength: 5 }), (b, t, sh, items) => {
          const bill = {
            id: 7,
            billAmount: b,
            taxAmount: t,
            shippingAmount: sh,
            summary: 'kept as is',
            items: items.map(([quantity, cost], i) => ({ id: i + 1, order: i, skuId: 3, quantity, cost })),
          } as unknown as InventoryBill;
          const n = normalizeInventoryBill(bill);
          for (const [field, original] of [
            ['billAmount', b],
            ['taxAmount', t],
            ['shippingAmount', sh],
          ] as const) {
            const value = n[field] as string;
            expect(isDecimalString(value)).toBe(true);
            expect(toDecimal(value).equals(toDecimal(original))).toBe(true);
          }
          expect((n as unknown as { summary: string }).summary).toBe('kept as is');
          n.items.forEach((item, i) => {
            expect(isDecimalString(item.quantity)).toBe(true);
            expect(toDecimal(item.cost as string).equals(toDecimal(items[i][1]))).toBe(true);
          });
          // normalising the normalised record changes nothing
          expect(normalizeInventoryBill(n as unknown as InventoryBill)).toEqual(n);
        }),
      );
    });

    it('a malformed or out-of-range amount anywhere is refused with a RangeError naming the field', () => {
      fc.assert(
        fc.property(badAmount, fc.constantFrom('billAmount', 'taxAmount', 'item'), (bad, where) => {
          const bill = {
            id: 9,
            billAmount: where === 'billAmount' ? bad : '1.00',
            taxAmount: where === 'taxAmount' ? bad : 0,
            shippingAmount: null,
            items: [{ id: 4, order: 0, skuId: 3, quantity: 1, cost: where === 'item' ? bad : '2.50' }],
          } as unknown as InventoryBill;
          if (bad === '') {
            // an empty string is "no value" in accounting responses, like null
            expect(() => normalizeInventoryBill(bill)).not.toThrow();
            return;
          }
          const field = where === 'item' ? 'inventoryBill 9 item 4.cost' : `inventoryBill 9.${where}`;
          expect(() => normalizeInventoryBill(bill)).toThrow(RangeError);
          expect(() => normalizeInventoryBill(bill)).toThrow(`ServiceTitan field ${field}`);
        }),
      );
    });
  });
});
