/**
 * Response and query types of the ServiceTitan endpoints the connector reads. Every record type is an alias of a
 * type generated from ServiceTitan's official OpenAPI specs (src/generated, see scripts/generate-types.sh), so a
 * spec update shows up as a compile error instead of a silent mismatch.
 */
import type { Decimal } from '@connector/decimal';
import type { components as AccountingComponents, operations as AccountingOperations } from '../generated/accounting';
import type { components as InventoryComponents, operations as InventoryOperations } from '../generated/inventory';
import type { components as JpmComponents, operations as JpmOperations } from '../generated/jpm';
import type { components as PayrollComponents, operations as PayrollOperations } from '../generated/payroll';
import type { components as PricebookComponents, operations as PricebookOperations } from '../generated/pricebook';
import type { components as SettingsComponents, operations as SettingsOperations } from '../generated/settings';

type AccountingSchemas = AccountingComponents['schemas'];
type InventorySchemas = InventoryComponents['schemas'];
type JpmSchemas = JpmComponents['schemas'];
type PayrollSchemas = PayrollComponents['schemas'];
type PricebookSchemas = PricebookComponents['schemas'];
type SettingsSchemas = SettingsComponents['schemas'];

/** The API modules (first path segment) the connector talks to. */
export type ServiceTitanModule = 'jpm' | 'accounting' | 'inventory' | 'payroll' | 'settings' | 'pricebook';

// --- records (list shapes) ---
export type Job = JpmSchemas['Jpm.V2.JobResponse'];
export type JobStatus = JpmSchemas['Jpm.V2.JobStatus'];
export type Invoice = AccountingSchemas['Accounting.V2.InvoiceResponse'];
export type InvoiceItem = AccountingSchemas['Accounting.V2.InvoiceItemResponse'];
export type InventoryBill = AccountingSchemas['Accounting.V2.InventoryBillResponse'];
export type InventoryBillItem = AccountingSchemas['Accounting.V2.InventoryBillItemResponse'];
export type GlAccount = AccountingSchemas['Accounting.V2.GlAccountExtendedResponse'];
export type GlAccountRef = AccountingSchemas['Accounting.V2.GLAccountResponse'];
export type NamedRef = AccountingSchemas['Accounting.V2.NamedFieldResponse'];
export type PurchaseOrder = InventorySchemas['Inventory.V2.PurchaseOrderResponse'];
export type PurchaseOrderItem = InventorySchemas['Inventory.V2.PurchaseOrderItemResponse'];
export type Vendor = InventorySchemas['Inventory.V2.VendorResponse'];
export type GrossPayItem = PayrollSchemas['Payroll.V2.GrossPayItems.GrossPayItemResponse'];
export type Technician = SettingsSchemas['TenantSettings.V2.TechnicianResponse'];
export type BusinessUnit = SettingsSchemas['TenantSettings.V2.BusinessUnitResponse'];
export type JobType = JpmSchemas['Jpm.V2.JobTypeResponse'];
export type Material = PricebookSchemas['Pricebook.V2.MaterialResponse'];
/** A `{ key, value }` pair of external data, as responses carry it (for the application guid of the request). */
export type ExternalDataEntry = InventorySchemas['Inventory.V2.ExternalDataModel'];

// --- records (export feed shapes: the list shape plus `active`, deleted/inactive rows included) ---
export type ExportJob = JpmSchemas['Jpm.V2.ExportJobsResponse'];
export type ExportInvoice = AccountingSchemas['Accounting.V2.ExportInvoiceResponse'];
export type ExportInvoiceItem = AccountingSchemas['Accounting.V2.ExportInvoiceItemResponse'];
export type ExportInventoryBill = AccountingSchemas['Accounting.V2.ExportInventoryBillResponse'];
export type ExportPurchaseOrder = InventorySchemas['Inventory.V2.ExportPurchaseOrdersResponse'];
export type ExportGrossPayItem = PayrollSchemas['Payroll.V2.GrossPayItems.GrossPayItemExportResponse'];
export type ExportMaterial = PricebookSchemas['Pricebook.V2.ExportMaterialResponse'];

// --- write requests and answers (official request schemas) ---
export type MarkInvoiceExportedRequest = AccountingSchemas['Accounting.V2.MarkInvoiceAsExportedUpdateRequest'];
export type MarkInvoiceExportedResult = AccountingSchemas['Accounting.V2.MarkInvoiceAsExportedUpdateResponse'];
export type MarkInventoryBillExportedResult =
  AccountingSchemas['Accounting.V2.MarkInventoryBillAsExportedUpdateResponse'];
export type VendorCreateRequest = InventorySchemas['Inventory.V2.CreateVendorRequest'];
export type VendorUpdateRequest = InventorySchemas['Inventory.V2.UpdateVendorRequest'];
/** `{ id }`: what vendor create and update answer. */
export type ModificationResponse = InventorySchemas['ModificationResponse'];
export type MaterialCreateRequest = PricebookSchemas['Pricebook.V2.MaterialCreateRequest'];
export type MaterialUpdateRequest = PricebookSchemas['Pricebook.V2.MaterialUpdateRequest'];
/** External data is stored per application guid; a create sets the list, an update replaces or merges it. */
export type ExternalDataCreate = InventorySchemas['Inventory.V2.ExternalDataCreateRequest'];
export type ExternalDataUpdate = InventorySchemas['Inventory.V2.ExternalDataUpdateRequest'];

/** RFC 7807 error body every module documents for 4xx responses. */
export type ApiErrorResponse = AccountingSchemas['ApiErrorResponse'];

// --- envelopes ---
/** `PaginatedResponse_Of_*` in the specs. */
export interface PagedResponse<T> {
  page: number;
  pageSize: number;
  hasMore: boolean;
  totalCount?: number | null;
  data: T[];
}

/** `ExportResponse_Of_*` in the specs. */
export interface ExportResponse<T> {
  hasMore: boolean;
  continueFrom: string;
  data: T[];
}

// --- queries (subsets of the generated operation parameters that the client supports) ---
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export interface PageQuery {
  /** 1-based page number. */
  page?: number;
  /** Up to 5000 (the API maximum); the API default is 50. */
  pageSize?: number;
  includeTotal?: boolean;
}

export type ActiveFilter = 'True' | 'Any' | 'False';
export type InvoiceActiveState = AccountingSchemas['Accounting.Share.ActiveStateFilterType'];

interface ModifiedWindow {
  /** Inclusive lower bound (UTC). A Date or an ISO 8601 string. */
  modifiedOnOrAfter?: Date | string;
  /** Exclusive upper bound (UTC). */
  modifiedBefore?: Date | string;
}

export interface JobsQuery extends ModifiedWindow {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
  jobStatus?: JobStatus;
}

export interface InvoicesQuery extends ModifiedWindow {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
  /** API default is not documented; pass `All` to see inactive invoices too. */
  activeState?: InvoiceActiveState;
  jobId?: number;
}

export interface InventoryBillsQuery extends ModifiedWindow {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
}

export interface PurchaseOrdersQuery extends ModifiedWindow {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
  status?: string;
}

interface ExternalDataQuery {
  /** Responses carry the external data of this application only (none without it). */
  externalDataApplicationGuid?: string;
  /** Lookup by external data: the key, with `externalDataValues` (comma list, at most 50). */
  externalDataKey?: string;
  externalDataValues?: readonly string[];
}

export interface VendorsQuery extends ModifiedWindow, ExternalDataQuery {
  ids?: readonly number[];
  /** The client defaults to `Any` (the API defaults to `True`, which hides deactivated vendors). */
  active?: ActiveFilter;
}

export interface MaterialsQuery extends ModifiedWindow, ExternalDataQuery {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
  /** The client defaults to `Any` (the API defaults to `True`). */
  active?: ActiveFilter;
}

export interface JobTypesQuery extends ModifiedWindow {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
  active?: ActiveFilter;
  externalDataApplicationGuid?: string;
}

export interface GrossPayItemsQuery extends ModifiedWindow {
  /** Inclusive lower bound on the item date (UTC). */
  dateOnOrAfter?: Date | string;
  /** Inclusive upper bound on the item date (UTC). */
  dateOnOrBefore?: Date | string;
  employeeId?: number;
  employeeType?: 'Technician' | 'Employee';
}

export interface ActiveListQuery extends ModifiedWindow {
  /** At most 50 ids per request (API limit). */
  ids?: readonly number[];
  /** API default: `True`. */
  active?: ActiveFilter;
}

export interface ExportQuery {
  /**
   * A continuation token from a previous `continueFrom`, or a date string (`2026-11-01`): rows modified on or after
   * it. Omitted = from the tenant's first record ever (a whole history: a connector starts at its go-live date).
   */
  from?: string;
  includeRecentChanges?: boolean;
}

// Compile-time guards that the hand-written queries only name parameters the official operations have.
type OnlyKnownKeys<Sub, Sup> = [Exclude<keyof Sub, keyof Sup>] extends [never] ? true : false;
type Expect<T extends true> = T;
export type QueryParameterChecks = [
  Expect<OnlyKnownKeys<JobsQuery & PageQuery, QueryOf<JpmOperations['Jobs_GetList']>>>,
  Expect<OnlyKnownKeys<InvoicesQuery & PageQuery, QueryOf<AccountingOperations['Invoices_GetList']>>>,
  Expect<OnlyKnownKeys<InventoryBillsQuery & PageQuery, QueryOf<AccountingOperations['InventoryBills_GetList']>>>,
  Expect<OnlyKnownKeys<PurchaseOrdersQuery & PageQuery, QueryOf<InventoryOperations['PurchaseOrders_GetList']>>>,
  Expect<OnlyKnownKeys<VendorsQuery & PageQuery, QueryOf<InventoryOperations['Vendors_GetList']>>>,
  Expect<OnlyKnownKeys<GrossPayItemsQuery & PageQuery, QueryOf<PayrollOperations['GrossPayItems_GetList']>>>,
  Expect<OnlyKnownKeys<ActiveListQuery & PageQuery, QueryOf<SettingsOperations['Technicians_GetList']>>>,
  Expect<OnlyKnownKeys<ActiveListQuery & PageQuery, QueryOf<SettingsOperations['BusinessUnits_GetList']>>>,
  Expect<OnlyKnownKeys<ActiveListQuery & PageQuery, QueryOf<AccountingOperations['GlAccounts_GetList']>>>,
  Expect<OnlyKnownKeys<ExportQuery, QueryOf<AccountingOperations['Export_InventoryBills']>>>,
  Expect<OnlyKnownKeys<ExportQuery, QueryOf<PricebookOperations['Export_Materials']>>>,
  Expect<OnlyKnownKeys<MaterialsQuery & PageQuery, QueryOf<PricebookOperations['Materials_GetList']>>>,
  Expect<OnlyKnownKeys<JobTypesQuery & PageQuery, QueryOf<JpmOperations['JobTypes_GetList']>>>,
];

// --- write inputs: the official request shapes, with money as exact decimals instead of JSON numbers ---
/** A decimal amount for a field the API types as a JSON number: a Decimal or a decimal string (`"12.50"`). */
export type DecimalInput = Decimal | string;

type WithDecimals<T, K extends keyof T> = Omit<T, K> & {
  [P in K]?: null extends T[P] ? DecimalInput | null : DecimalInput;
};

export const MATERIAL_DECIMAL_FIELDS = [
  'cost',
  'price',
  'memberPrice',
  'addOnPrice',
  'addOnMemberPrice',
  'hours',
  'bonus',
  'commissionBonus',
] as const;
type MaterialDecimalField = (typeof MATERIAL_DECIMAL_FIELDS)[number];
export const VENDOR_DECIMAL_FIELDS = ['taxRate'] as const;
type VendorDecimalField = (typeof VENDOR_DECIMAL_FIELDS)[number];

export type MaterialCreateInput = WithDecimals<MaterialCreateRequest, MaterialDecimalField>;
export type MaterialUpdateInput = WithDecimals<MaterialUpdateRequest, MaterialDecimalField>;
/** `taxRate` is required by the API; pass `'0'` when the vendor charges none. */
export type VendorCreateInput = Omit<VendorCreateRequest, VendorDecimalField> & { taxRate: DecimalInput };
export type VendorUpdateInput = WithDecimals<VendorUpdateRequest, VendorDecimalField>;
