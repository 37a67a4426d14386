import {
  jobKey,
  jobRecordKey,
  recordKey,
  ServiceTitanGrossPayItemRecordV1,
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanInvoiceRecordV1,
  ServiceTitanJobRecordV1,
  ServiceTitanPurchaseOrderRevisionV1,
  ServiceTitanVendorRevisionV1,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVENTORY_BILL_REVISION,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  ST_PURCHASE_ORDER_REVISION,
  ST_VENDOR_REVISION,
  toEntityId,
} from '@connector/contracts';
import { decimalProblem, toDecimalString } from '@connector/decimal';
import { contentHash } from '@connector/util';

type Row = Record<string, unknown>;

/** A feed row the connector cannot key or read: rejected with the reason, the feed moves on. */
export class FeedRowError extends Error {}

/**
 * What one export-feed row becomes on `servicetitan.records.v1`: its message, its key, the partition key (the job
 * for a job's records) and the content hash over everything but volatile fields (modifiedOn, syncStatus: a
 * write-back bumps both, and must not make a record look changed).
 */
export interface FeedRecord {
  entity: 'job' | 'invoice' | 'gross-pay-item' | 'inventory-bill' | 'purchase-order' | 'vendor';
  id: number;
  /** The job a job-keyed record belongs to (job, invoice, gross pay item); null otherwise. */
  jobId: number | null;
  type: string;
  key: string;
  partitionKey: string;
  modifiedOn: string;
  /** The business date used to choose a backfill window's records (completion, invoice, pay or bill date). */
  businessDate: string | null;
  hash: string;
  /** The payload without the fields the publisher fills (bill revision numbers). */
  payload: Record<string, unknown>;
}

/** Positive safe integers only, never rounded (toEntityId): "9007199254740993" is refused, not read as …992. */
const id = (v: unknown, field: string): number => {
  try {
    return toEntityId(v, field);
  } catch (e) {
    throw new FeedRowError((e as Error).message);
  }
};
const optId = (v: unknown, field: string): number | null =>
  v === null || v === undefined || v === 0 ? null : id(v, field);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : typeof v === 'number' ? String(v) : null;
const obj = (v: unknown): Row | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : null);
const iso = (v: unknown): string | null =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null;
/** Amounts in the strict grammar with bounds (@connector/decimal): "1e3", " 12 " and 1e26 are refused with the reason. */
const dec = (v: unknown, field: string): string | null => {
  if (v === null || v === undefined || v === '') return null;
  const problem = decimalProblem(v);
  if (problem) throw new FeedRowError(`${field}: ${problem}`);
  return toDecimalString(v as string | number);
};
const accountNumber = (v: unknown): string | null => {
  const a = obj(v);
  return a ? (str(a['number']) ?? str(a['name'])) : str(v);
};
const modified = (row: Row): string => {
  const m = iso(row['modifiedOn']) ?? iso(row['createdOn']);
  if (!m) throw new FeedRowError('modifiedOn is missing');
  return m;
};

function finish(r: Omit<FeedRecord, 'hash'>): FeedRecord {
  const { modifiedOn: _m, ...content } = r.payload;
  return { ...r, hash: contentHash(content) };
}

/** A job; only jobs that completed, were canceled or deleted matter to the mapping (the caller filters the rest). */
export function jobFeedRecord(tenant: string, row: Row): FeedRecord {
  const jobId = id(row['id'], 'id');
  const payload: Omit<ServiceTitanJobRecordV1, 'contentHash'> = {
    jobId,
    jobNumber: str(row['jobNumber']),
    jobStatus: str(row['jobStatus']) ?? 'Unknown',
    active: row['active'] !== false,
    completedOn: iso(row['completedOn']),
    businessUnitId: optId(row['businessUnitId'], 'businessUnitId'),
    jobTypeId: optId(row['jobTypeId'], 'jobTypeId'),
    invoiceId: optId(row['invoiceId'], 'invoiceId'),
    modifiedOn: modified(row),
  };
  return finish({
    entity: 'job',
    id: jobId,
    jobId,
    type: ST_JOB_RECORD,
    key: jobKey(tenant, jobId),
    partitionKey: jobKey(tenant, jobId),
    modifiedOn: payload.modifiedOn,
    businessDate: payload.completedOn ?? null,
    payload: { ...payload },
  });
}

/** An invoice of a job (its items are the material costs); an invoice without a job is no job cost (null). */
export function invoiceFeedRecord(tenant: string, row: Row): FeedRecord | null {
  const invoiceId = id(row['id'], 'id');
  const job = obj(row['job']);
  const jobId = job ? optId(job['id'], 'job.id') : null;
  if (jobId === null) return null;
  const items = Array.isArray(row['items']) ? (row['items'] as Row[]) : [];
  const payload: Omit<ServiceTitanInvoiceRecordV1, 'contentHash'> = {
    invoiceId,
    jobId,
    active: row['active'] !== false,
    referenceNumber: str(row['referenceNumber']),
    invoiceDate: iso(row['invoiceDate']),
    total: dec(row['total'], 'total'),
    businessUnitId: optId(obj(row['businessUnit'])?.['id'], 'businessUnit.id'),
    items: items.map((it, i) => ({
      id: id(it['id'], `items[${i}].id`),
      type: str(it['type']) ?? 'Unspecified',
      description: str(it['description']),
      skuId: optId(it['skuId'], `items[${i}].skuId`),
      skuName: str(it['skuName']),
      quantity: dec(it['quantity'], `items[${i}].quantity`),
      cost: dec(it['cost'], `items[${i}].cost`),
      // Kept null when ServiceTitan sends null: the mapper's one rule decides (quantity × cost).
      totalCost: dec(it['totalCost'], `items[${i}].totalCost`),
      total: dec(it['total'], `items[${i}].total`),
      costOfSaleAccount: accountNumber(it['costOfSaleAccount']),
      generalLedgerAccount: accountNumber(it['generalLedgerAccount']),
      technicianId: optId(it['technicianId'], `items[${i}].technicianId`),
    })),
    modifiedOn: modified(row),
  };
  return finish({
    entity: 'invoice',
    id: invoiceId,
    jobId,
    type: ST_INVOICE_RECORD,
    key: jobRecordKey(tenant, jobId, 'invoice', invoiceId),
    partitionKey: jobKey(tenant, jobId),
    modifiedOn: payload.modifiedOn,
    businessDate: payload.invoiceDate ?? null,
    payload: { ...payload },
  });
}

/** A gross pay item of a job; one without a job (salary, PTO) is no job cost (null). */
export function grossPayItemFeedRecord(tenant: string, row: Row): FeedRecord | null {
  const jobId = optId(row['jobId'], 'jobId');
  if (jobId === null) return null;
  const itemId = id(row['id'], 'id');
  const amount = dec(row['amount'], 'amount');
  const date = iso(row['date']);
  if (amount === null) throw new FeedRowError('amount is missing');
  if (!date) throw new FeedRowError('date is missing');
  const payload: Omit<ServiceTitanGrossPayItemRecordV1, 'contentHash'> = {
    grossPayItemId: itemId,
    jobId,
    active: row['active'] !== false,
    grossPayItemType: str(row['grossPayItemType']) ?? 'Unknown',
    amount,
    employeeId: optId(row['employeeId'], 'employeeId'),
    payrollId: optId(row['payrollId'], 'payrollId'),
    date,
    paidTimeType: str(row['paidTimeType']),
    paidDurationHours: dec(row['paidDurationHours'], 'paidDurationHours'),
    invoiceId: optId(row['invoiceId'], 'invoiceId'),
    modifiedOn: modified(row),
  };
  return finish({
    entity: 'gross-pay-item',
    id: itemId,
    jobId,
    type: ST_GROSS_PAY_ITEM_RECORD,
    key: jobRecordKey(tenant, jobId, 'gross-pay-item', itemId),
    partitionKey: jobKey(tenant, jobId),
    modifiedOn: payload.modifiedOn,
    businessDate: date,
    payload: { ...payload },
  });
}

/**
 * An inventory bill (revision number and hash filled in by the publisher). Keyed by the bill, not its job: a bill's
 * mapping never reads the job, and its jobId may be set or changed later.
 */
export function inventoryBillFeedRecord(tenant: string, row: Row): FeedRecord {
  const billId = id(row['id'], 'id');
  const vendor = obj(row['vendor']);
  const bu = obj(row['businessUnit']);
  const items = Array.isArray(row['items']) ? (row['items'] as Row[]) : [];
  const payload: Omit<ServiceTitanInventoryBillRevisionV1, 'revision' | 'contentHash'> = {
    billId,
    voided: row['active'] === false,
    purchaseOrderId: optId(row['purchaseOrderId'], 'purchaseOrderId'),
    referenceNumber: str(row['referenceNumber']),
    vendorNumber: str(row['vendorNumber']),
    vendorId: optId(vendor?.['id'], 'vendor.id'),
    vendorName: str(vendor?.['name']),
    billDate: iso(row['billDate']),
    billAmount: dec(row['billAmount'], 'billAmount') ?? '0',
    taxAmount: dec(row['taxAmount'], 'taxAmount') ?? '0',
    shippingAmount: dec(row['shippingAmount'], 'shippingAmount') ?? '0',
    businessUnitId: optId(bu?.['id'], 'businessUnit.id'),
    businessUnitName: str(bu?.['name']),
    jobId: optId(row['jobId'], 'jobId'),
    items: items.map((it, i) => ({
      id: id(it['id'], `items[${i}].id`),
      order: typeof it['order'] === 'number' ? it['order'] : i + 1,
      name: str(it['name']),
      description: str(it['description']),
      quantity: dec(it['quantity'], `items[${i}].quantity`) ?? '0',
      cost: dec(it['cost'], `items[${i}].cost`) ?? '0',
      skuId: id(it['skuId'], `items[${i}].skuId`),
      skuCode: str(it['skuCode']),
      skuType: str(it['skuType']),
      receiptItemId: optId(it['receiptItemId'], `items[${i}].receiptItemId`),
    })),
    modifiedOn: modified(row),
  };
  return finish({
    entity: 'inventory-bill',
    id: billId,
    jobId: null,
    type: ST_INVENTORY_BILL_REVISION,
    key: recordKey(tenant, 'bill', billId),
    partitionKey: recordKey(tenant, 'bill', billId),
    modifiedOn: payload.modifiedOn as string,
    businessDate: payload.billDate ?? null,
    payload: { ...payload },
  });
}

export function purchaseOrderFeedRecord(tenant: string, row: Row): FeedRecord {
  const poId = id(row['id'], 'id');
  const items = Array.isArray(row['items']) ? (row['items'] as Row[]) : [];
  const payload: ServiceTitanPurchaseOrderRevisionV1 = {
    purchaseOrderId: poId,
    number: str(row['number']) ?? String(poId),
    status: str(row['status']) ?? 'Unknown',
    vendorId: id(row['vendorId'], 'vendorId'),
    jobId: optId(row['jobId'], 'jobId'),
    businessUnitId: optId(row['businessUnitId'], 'businessUnitId'),
    total: dec(row['total'], 'total') ?? '0',
    modifiedOn: modified(row),
    items: items.map((it, i) => ({
      id: id(it['id'], `items[${i}].id`),
      skuId: id(it['skuId'], `items[${i}].skuId`),
      skuCode: str(it['skuCode']),
      vendorPartNumber: str(it['vendorPartNumber']),
      quantity: dec(it['quantity'], `items[${i}].quantity`) ?? '0',
      quantityReceived: dec(it['quantityReceived'], `items[${i}].quantityReceived`) ?? '0',
      cost: dec(it['cost'], `items[${i}].cost`) ?? '0',
      total: dec(it['total'], `items[${i}].total`) ?? '0',
      status: str(it['status']),
    })),
  };
  return finish({
    entity: 'purchase-order',
    id: poId,
    jobId: null,
    type: ST_PURCHASE_ORDER_REVISION,
    key: recordKey(tenant, 'purchase-order', poId),
    partitionKey: recordKey(tenant, 'purchase-order', poId),
    modifiedOn: payload.modifiedOn,
    businessDate: iso(row['date']),
    payload: { ...payload },
  });
}

export function vendorFeedRecord(tenant: string, row: Row): FeedRecord {
  const vendorId = id(row['id'], 'id');
  const payload: ServiceTitanVendorRevisionV1 = {
    vendorId,
    name: str(row['name']) ?? '',
    active: row['active'] !== false,
    modifiedOn: modified(row),
  };
  return finish({
    entity: 'vendor',
    id: vendorId,
    jobId: null,
    type: ST_VENDOR_REVISION,
    key: recordKey(tenant, 'vendor', vendorId),
    partitionKey: recordKey(tenant, 'vendor', vendorId),
    modifiedOn: payload.modifiedOn,
    businessDate: null,
    payload: { ...payload },
  });
}
