import {
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanJobEventV1,
  ServiceTitanPurchaseOrderRevisionV1,
  ServiceTitanVendorRevisionV1,
} from '@connector/contracts';
import { toDecimalString } from '@connector/decimal';

type Row = Record<string, unknown>;

const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null;
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
const dec = (v: unknown, fallback = '0'): string =>
  v === null || v === undefined || v === '' ? fallback : toDecimalString(v as string | number);
const ref = (v: unknown): Row | null => (v && typeof v === 'object' ? (v as Row) : null);
const iso = (v: unknown): string | null =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null;

/** The business content of a bill (what a correction changes); modifiedOn alone is not a new revision. */
export function inventoryBillContent(
  bill: Row,
): Omit<ServiceTitanInventoryBillRevisionV1, 'revision' | 'contentHash' | 'raw' | 'modifiedOn'> {
  const vendor = ref(bill['vendor']);
  const bu = ref(bill['businessUnit']);
  const items = Array.isArray(bill['items']) ? (bill['items'] as Row[]) : [];
  return {
    billId: num(bill['id']) as number,
    voided: bill['active'] === false,
    purchaseOrderId: num(bill['purchaseOrderId']),
    referenceNumber: str(bill['referenceNumber']),
    vendorNumber: str(bill['vendorNumber']),
    vendorId: num(vendor?.['id']),
    vendorName: str(vendor?.['name']),
    billDate: iso(bill['billDate']),
    billAmount: dec(bill['billAmount']),
    taxAmount: dec(bill['taxAmount']),
    shippingAmount: dec(bill['shippingAmount']),
    businessUnitId: num(bu?.['id']),
    businessUnitName: str(bu?.['name']),
    jobId: num(bill['jobId']),
    items: items.map((it, i) => ({
      id: num(it['id']) as number,
      order: num(it['order']) ?? i + 1,
      name: str(it['name']),
      description: str(it['description']),
      quantity: dec(it['quantity']),
      cost: dec(it['cost']),
      skuId: num(it['skuId']) as number,
      skuCode: str(it['skuCode']),
      skuType: str(it['skuType']),
      receiptItemId: num(it['receiptItemId']),
    })),
  };
}

export function purchaseOrderContent(po: Row): Omit<ServiceTitanPurchaseOrderRevisionV1, 'raw' | 'modifiedOn'> {
  const items = Array.isArray(po['items']) ? (po['items'] as Row[]) : [];
  return {
    purchaseOrderId: num(po['id']) as number,
    number: str(po['number']) ?? String(po['id']),
    status: str(po['status']) ?? 'Unknown',
    vendorId: num(po['vendorId']) as number,
    jobId: num(po['jobId']),
    businessUnitId: num(po['businessUnitId']),
    total: dec(po['total']),
    items: items.map((it) => ({
      id: num(it['id']) as number,
      skuId: num(it['skuId']) as number,
      skuCode: str(it['skuCode']),
      vendorPartNumber: str(it['vendorPartNumber']),
      quantity: dec(it['quantity']),
      quantityReceived: dec(it['quantityReceived']),
      cost: dec(it['cost']),
      total: dec(it['total']),
      status: str(it['status']),
    })),
  };
}

export function vendorContent(v: Row): Omit<ServiceTitanVendorRevisionV1, 'raw' | 'modifiedOn'> {
  return { vendorId: num(v['id']) as number, name: str(v['name']) ?? '', active: v['active'] !== false };
}

/** A completed job seen on the export feed, with its invoice items, as a catch-up job event. */
export function jobCatchUpEvent(job: Row, invoice: Row | null): ServiceTitanJobEventV1 {
  const modifiedOn = iso(job['modifiedOn']) ?? new Date().toISOString();
  const items = invoice && Array.isArray(invoice['items']) ? (invoice['items'] as Row[]) : [];
  const account = (a: unknown) => str(ref(a)?.['number'] ?? ref(a)?.['name']);
  return {
    event: 'completed',
    jobId: num(job['id']) as number,
    jobNumber: str(job['jobNumber']),
    jobStatus: str(job['jobStatus']) ?? 'Completed',
    completedOn: iso(job['completedOn']),
    businessUnitId: num(job['businessUnitId']),
    jobTypeId: num(job['jobTypeId']),
    modifiedOn,
    sourceEventId: `export:job:${String(job['id'])}:${modifiedOn}`,
    invoice: invoice
      ? {
          id: num(invoice['id']) as number,
          number: str(invoice['referenceNumber']),
          total: invoice['total'] === null || invoice['total'] === undefined ? null : dec(invoice['total']),
          items: items.map((it) => ({
            id: num(it['id']) as number,
            description: str(it['description']),
            type: str(it['type']) ?? 'Unspecified',
            skuId: num(it['skuId']),
            skuName: str(it['skuName']),
            quantity: dec(it['quantity']),
            cost: dec(it['cost']),
            totalCost: dec(it['totalCost']),
            total: it['total'] === null || it['total'] === undefined ? null : dec(it['total']),
            costOfSaleAccount: account(it['costOfSaleAccount']),
            generalLedgerAccount: account(it['generalLedgerAccount']),
            technicianId: num(it['technicianId']),
          })),
        }
      : null,
    raw: job,
  };
}
