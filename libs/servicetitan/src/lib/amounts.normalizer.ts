import { toDecimal } from '@connector/decimal';
import {
  MATERIAL_DECIMAL_FIELDS,
  type ExportGrossPayItem,
  type ExportInventoryBill,
  type ExportInvoice,
  type ExportInvoiceItem,
  type ExportMaterial,
  type ExportPurchaseOrder,
  type GrossPayItem,
  type InventoryBill,
  type InventoryBillItem,
  type Invoice,
  type InvoiceItem,
  type Material,
  type PurchaseOrder,
  type PurchaseOrderItem,
} from './servicetitan.types';

/**
 * ServiceTitan sends amounts as strings in accounting and as JSON numbers in inventory and payroll. The normalisers
 * below replace every amount/quantity field by a canonical decimal string (via @connector/decimal, never a float),
 * so downstream code sees one representation. Other fields are passed through unchanged.
 */

function amountString(value: string | number | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  try {
    return toDecimal(value).toFixed();
  } catch (error) {
    throw new RangeError(`ServiceTitan field ${field}: ${(error as Error).message}`);
  }
}

type AmountsAsStrings<T, K extends keyof T> = Omit<T, K> & {
  [P in K]: undefined extends T[P] ? string | null | undefined : null extends T[P] ? string | null : string;
};

function withAmounts<T extends object, K extends keyof T>(
  record: T,
  keys: readonly K[],
  context: string,
): AmountsAsStrings<T, K> {
  const out = { ...record } as Record<string, unknown>;
  for (const key of keys) {
    if (!(key in record)) continue;
    out[key as string] = amountString(record[key] as string | number | null | undefined, `${context}.${String(key)}`);
  }
  return out as AmountsAsStrings<T, K>;
}

const INVENTORY_BILL_AMOUNTS = ['billAmount', 'taxAmount', 'shippingAmount'] as const;
const INVENTORY_BILL_ITEM_AMOUNTS = ['quantity', 'cost'] as const;

export type NormalizedInventoryBillItem = AmountsAsStrings<
  InventoryBillItem,
  (typeof INVENTORY_BILL_ITEM_AMOUNTS)[number]
>;
export type NormalizedInventoryBill<
  B extends InventoryBill | ExportInventoryBill = InventoryBill | ExportInventoryBill,
> = Omit<AmountsAsStrings<B, (typeof INVENTORY_BILL_AMOUNTS)[number]>, 'items'> & {
  items: NormalizedInventoryBillItem[];
};

export function normalizeInventoryBill<B extends InventoryBill | ExportInventoryBill>(
  bill: B,
): NormalizedInventoryBill<B> {
  const ctx = `inventoryBill ${bill.id}`;
  return {
    ...withAmounts(bill, INVENTORY_BILL_AMOUNTS, ctx),
    items: (bill.items ?? []).map((item) => withAmounts(item, INVENTORY_BILL_ITEM_AMOUNTS, `${ctx} item ${item.id}`)),
  } as NormalizedInventoryBill<B>;
}

const INVOICE_AMOUNTS = ['subTotal', 'salesTax', 'total', 'balance', 'discountTotal'] as const;
const INVOICE_ITEM_AMOUNTS = ['quantity', 'cost', 'totalCost', 'price', 'total', 'memberPrice', 'soldHours'] as const;

export type NormalizedInvoiceItem<I extends InvoiceItem | ExportInvoiceItem = InvoiceItem> = AmountsAsStrings<
  I,
  (typeof INVOICE_ITEM_AMOUNTS)[number]
>;
export type NormalizedInvoice<V extends Invoice | ExportInvoice = Invoice | ExportInvoice> = Omit<
  AmountsAsStrings<V, (typeof INVOICE_AMOUNTS)[number]>,
  'items'
> & {
  items: NormalizedInvoiceItem[];
};

function normalizeInvoiceItem<I extends InvoiceItem | ExportInvoiceItem>(
  item: I,
  context = 'invoice item',
): NormalizedInvoiceItem<I> {
  return withAmounts(item, INVOICE_ITEM_AMOUNTS, `${context} ${item.id}`);
}

export function normalizeInvoice<V extends Invoice | ExportInvoice>(invoice: V): NormalizedInvoice<V> {
  const ctx = `invoice ${invoice.id}`;
  return {
    ...withAmounts(invoice, INVOICE_AMOUNTS, ctx),
    items: (invoice.items ?? []).map((item) => normalizeInvoiceItem(item, `${ctx} item`)),
  } as NormalizedInvoice<V>;
}

const PO_AMOUNTS = ['total', 'tax', 'shipping'] as const;
const PO_ITEM_AMOUNTS = ['quantity', 'quantityReceived', 'cost', 'total'] as const;

export type NormalizedPurchaseOrderItem = AmountsAsStrings<PurchaseOrderItem, (typeof PO_ITEM_AMOUNTS)[number]>;
export type NormalizedPurchaseOrder<
  P extends PurchaseOrder | ExportPurchaseOrder = PurchaseOrder | ExportPurchaseOrder,
> = Omit<AmountsAsStrings<P, (typeof PO_AMOUNTS)[number]>, 'items'> & {
  items: NormalizedPurchaseOrderItem[];
};

export function normalizePurchaseOrder<P extends PurchaseOrder | ExportPurchaseOrder>(
  po: P,
): NormalizedPurchaseOrder<P> {
  const ctx = `purchaseOrder ${po.id}`;
  return {
    ...withAmounts(po, PO_AMOUNTS, ctx),
    items: po.items.map((item) => withAmounts(item, PO_ITEM_AMOUNTS, `${ctx} item ${item.id}`)),
  } as NormalizedPurchaseOrder<P>;
}

const GROSS_PAY_AMOUNTS = ['amount', 'amountAdjustment', 'paidDurationHours'] as const;

export type NormalizedGrossPayItem<G extends GrossPayItem | ExportGrossPayItem = GrossPayItem | ExportGrossPayItem> =
  AmountsAsStrings<G, (typeof GROSS_PAY_AMOUNTS)[number]>;

export function normalizeGrossPayItem<G extends GrossPayItem | ExportGrossPayItem>(item: G): NormalizedGrossPayItem<G> {
  return withAmounts(item, GROSS_PAY_AMOUNTS, `grossPayItem ${item.id ?? `payroll ${item.payrollId}`}`);
}

export type NormalizedMaterial<M extends Material | ExportMaterial = Material | ExportMaterial> = AmountsAsStrings<
  M,
  (typeof MATERIAL_DECIMAL_FIELDS)[number]
>;

/** Pricebook costs and prices are JSON numbers: read them as exact decimal strings (issue 11 compares them with X3). */
export function normalizeMaterial<M extends Material | ExportMaterial>(material: M): NormalizedMaterial<M> {
  return withAmounts(material, MATERIAL_DECIMAL_FIELDS, `material ${material.id}`);
}
