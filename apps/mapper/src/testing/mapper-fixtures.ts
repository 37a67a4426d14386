import {
  createEnvelope,
  jobRecordKey,
  MessageEnvelope,
  ServiceTitanGrossPayItemRecordV1,
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanInvoiceRecordV1,
  ServiceTitanJobRecordV1,
  Topics,
  X3_COST_CENTER_STATE,
  X3_GL_ACCOUNT_STATE,
  X3_PRODUCT_STATE,
  X3_PURCHASE_ORDER_STATE,
  X3_SUPPLIER_STATE,
} from '@connector/contracts';
import { MappingRules, MappingRulesError, parseMappingRules } from '../rules/mapping-rules';
import { MasterDataCache } from '../state/master-data.cache';
import { JobSources } from '../state/source-records.state';

/** Test data shared by the mapper's unit and integration tests. */
export const TEST_RULES_JSON = {
  version: 1,
  costCenters: { dimensionType: 'CCE', businessUnits: { '1': 'CC-HVAC', '2': 'CC-PLUMB' } },
  accounts: {
    material: { debit: '601000', credit: '310000' },
    labor: { debit: '641000', credit: '421000' },
    glAccounts: { '5000': '601000', '5100': '602000' },
  },
  labor: { source: 'invoice-items' },
  suppliers: { byVendorId: { '301': 'SUP001' } },
  products: { bySkuCode: { 'FLT-16': 'FILTER-16' } },
  purchaseOrders: { byServiceTitanId: { '1101': 'PO0001' } },
};

/** Every problem parseMappingRules finds in a document ([] = valid). */
export function rulesProblems(json: unknown): string[] {
  try {
    parseMappingRules(json, 'test.json');
  } catch (e) {
    if (e instanceof MappingRulesError) return e.problems;
    throw e;
  }
  return [];
}

export function testRules(overrides: Record<string, unknown> = {}): MappingRules {
  return parseMappingRules({ ...TEST_RULES_JSON, ...overrides });
}

/** ServiceTitan job types of the version 2 test rules. */
export const JOB_TYPES = { service: 50, maintenance: 51, repair: 52, install: 53, inspection: 54, warranty: 55 };

/**
 * Version 2 rules: installation labor and service labor on their own accounts, plumbing (business unit 2) with its
 * own material account and payroll offset, plumbing installs with both, maintenance and inspections on the defaults;
 * strict job types (warranty, 55, is unmapped).
 */
export const TEST_RULES_V2_JSON = {
  version: 2,
  costCenters: { dimensionType: 'CCE', businessUnits: { '1': 'CC-HVAC', '2': 'CC-PLUMB' } },
  invoiceItemTypes: { material: ['Material'], equipment: ['Equipment'] },
  labor: { source: 'gross-pay-items' },
  accounts: {
    default: {
      material: { debit: '601000', credit: '310000' },
      equipment: { debit: '615000', credit: '310000' },
      labor: { debit: '641000', credit: '421000' },
    },
    rules: [
      { name: 'installation labor', jobTypes: [JOB_TYPES.install], accounts: { labor: { debit: '642000' } } },
      {
        name: 'service labor',
        jobTypes: [JOB_TYPES.service, JOB_TYPES.repair],
        accounts: { labor: { debit: '641000' } },
      },
      {
        name: 'plumbing installs',
        jobTypes: [JOB_TYPES.install],
        businessUnits: [2],
        accounts: { material: { debit: '603000' }, labor: { debit: '642500' } },
      },
      {
        name: 'plumbing',
        businessUnits: [2],
        accounts: { material: { debit: '602000' }, labor: { credit: '422000' } },
      },
      {
        name: 'maintenance and inspections: default accounts',
        jobTypes: [JOB_TYPES.maintenance, JOB_TYPES.inspection],
      },
    ],
    glAccounts: { '5100': '602000' },
  },
  jobTypes: { strict: true },
  suppliers: { byVendorId: { '301': 'SUP001' } },
};

export function testRulesV2(overrides: Record<string, unknown> = {}): MappingRules {
  return parseMappingRules({ ...TEST_RULES_V2_JSON, ...overrides });
}

type MasterState = { topic: string; type: string; payload: Record<string, unknown> };
const at = '2026-01-01T00:00:00Z';

export function masterDataStates(o: { inactiveAccounts?: string[] } = {}): MasterState[] {
  const acc = (code: string, dims: string[]) => ({
    topic: Topics.X3GlAccount,
    type: X3_GL_ACCOUNT_STATE,
    payload: {
      code,
      active: !(o.inactiveAccounts ?? []).includes(code),
      deleted: false,
      updatedAt: at,
      allowedDimensionTypes: dims,
    },
  });
  return [
    acc('601000', ['CCE']),
    acc('602000', ['CCE']),
    acc('641000', ['CCE']),
    acc('310000', []),
    acc('421000', []),
    // Accounts of the version 2 test rules.
    acc('603000', ['CCE']),
    acc('615000', ['CCE']),
    acc('642000', ['CCE']),
    acc('642500', ['CCE']),
    acc('422000', []),
    {
      topic: Topics.X3CostCenter,
      type: X3_COST_CENTER_STATE,
      payload: { code: 'CC-HVAC', dimensionType: 'CCE', active: true, deleted: false, updatedAt: at },
    },
    {
      topic: Topics.X3CostCenter,
      type: X3_COST_CENTER_STATE,
      payload: { code: 'CC-PLUMB', dimensionType: 'CCE', active: true, deleted: false, updatedAt: at },
    },
    {
      topic: Topics.X3Supplier,
      type: X3_SUPPLIER_STATE,
      payload: { code: 'SUP001', name: 'Acme Parts', active: true, deleted: false, updatedAt: at },
    },
    {
      topic: Topics.X3Supplier,
      type: X3_SUPPLIER_STATE,
      payload: { code: 'SUP009', name: 'Defunct Supply', active: false, deleted: false, updatedAt: at },
    },
    {
      topic: Topics.X3Product,
      type: X3_PRODUCT_STATE,
      payload: { code: 'FILTER-16', active: true, deleted: false, updatedAt: at },
    },
    {
      topic: Topics.X3Product,
      type: X3_PRODUCT_STATE,
      payload: { code: 'PIPE-CU-12', active: true, deleted: false, updatedAt: at },
    },
    {
      topic: Topics.X3PurchaseOrder,
      type: X3_PURCHASE_ORDER_STATE,
      payload: {
        code: 'PO0001',
        supplier: 'SUP001',
        currency: 'USD',
        active: true,
        deleted: false,
        updatedAt: at,
        lines: [
          { line: 1000, product: 'FILTER-16', quantity: '10', netPrice: '12.50' },
          { line: 2000, product: 'PIPE-CU-12', quantity: '30', netPrice: '4.20' },
        ],
      },
    },
  ];
}

export function masterEnvelope(tenant: string, s: MasterState): MessageEnvelope<unknown> {
  return createEnvelope({ type: s.type, tenant, source: 'poller', payload: s.payload });
}

export function testCache(tenant = 'acme', o: { inactiveAccounts?: string[] } = {}): MasterDataCache {
  const cache = new MasterDataCache();
  for (const s of masterDataStates(o)) cache.apply(s.topic, masterEnvelope(tenant, s));
  return cache;
}

export function jobRecord(overrides: Partial<ServiceTitanJobRecordV1> = {}): ServiceTitanJobRecordV1 {
  return {
    jobId: 4242,
    jobNumber: 'J-4242',
    jobStatus: 'Completed',
    active: true,
    completedOn: '2026-01-15T15:00:00.000Z',
    businessUnitId: 1,
    invoiceId: 900,
    modifiedOn: '2026-01-15T15:01:00.000Z',
    contentHash: 'job-hash',
    ...overrides,
  };
}

export function invoiceRecord(overrides: Partial<ServiceTitanInvoiceRecordV1> = {}): ServiceTitanInvoiceRecordV1 {
  return {
    invoiceId: 900,
    jobId: 4242,
    active: true,
    items: [
      { id: 1, type: 'Material', quantity: '2', cost: '12.25', totalCost: '24.50', costOfSaleAccount: '5000' },
      { id: 2, type: 'Equipment', quantity: '3', cost: '0.105', totalCost: '0' },
      { id: 3, type: 'Service', quantity: '2.5', cost: '40', totalCost: '100.00' },
      { id: 4, type: 'PriceModifier', quantity: '1', cost: '5', totalCost: '5' },
    ],
    modifiedOn: '2026-01-15T15:05:00.000Z',
    contentHash: 'invoice-hash',
    ...overrides,
  };
}

export function grossPayRecord(
  id: number,
  amount: string,
  overrides: Partial<ServiceTitanGrossPayItemRecordV1> = {},
): ServiceTitanGrossPayItemRecordV1 {
  return {
    grossPayItemId: id,
    jobId: 4242,
    active: true,
    grossPayItemType: 'TimesheetTime',
    amount,
    date: '2026-01-15T00:00:00.000Z',
    modifiedOn: '2026-01-15T18:00:00.000Z',
    contentHash: `gpi-${id}`,
    ...overrides,
  };
}

/** A job joined with its records, as SourceRecordsState holds it. */
export function jobSources(
  o: {
    job?: Partial<ServiceTitanJobRecordV1> | null;
    invoices?: ServiceTitanInvoiceRecordV1[];
    grossPayItems?: ServiceTitanGrossPayItemRecordV1[];
  } = {},
  tenant = 'acme',
): JobSources {
  const job = o.job === null ? undefined : jobRecord(o.job ?? {});
  const invoices = o.invoices ?? [invoiceRecord()];
  return {
    job,
    invoices: new Map(invoices.map((i) => [jobRecordKey(tenant, i.jobId, 'invoice', i.invoiceId), i])),
    grossPayItems: new Map(
      (o.grossPayItems ?? []).map((g) => [jobRecordKey(tenant, g.jobId, 'gross-pay-item', g.grossPayItemId), g]),
    ),
  };
}

export function billRevision(
  overrides: Partial<ServiceTitanInventoryBillRevisionV1> = {},
): ServiceTitanInventoryBillRevisionV1 {
  return {
    billId: 901,
    revision: 1,
    contentHash: 'hash-1',
    voided: false,
    purchaseOrderId: 1101,
    referenceNumber: 'VB-901',
    vendorNumber: 'ACME-INV-77',
    vendorId: 301,
    vendorName: 'Acme Supply',
    billDate: '2026-01-04T00:00:00.000Z',
    modifiedOn: '2026-01-04T09:00:00.000Z',
    billAmount: '70.50',
    taxAmount: '0',
    shippingAmount: '0',
    items: [
      { id: 1, order: 1, quantity: '2', cost: '12.50', skuId: 1, skuCode: 'FLT-16' },
      { id: 2, order: 2, quantity: '10.5', cost: '4.333', skuId: 2, skuCode: 'PIPE-CU-12' },
    ],
    ...overrides,
  };
}
