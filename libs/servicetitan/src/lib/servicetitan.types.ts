/**
 * Response and query types of the ServiceTitan endpoints the connector reads. Every record type is an alias of a
 * type generated from ServiceTitan's official OpenAPI specs (src/generated, see scripts/generate-types.sh), so a
 * spec update shows up as a compile error instead of a silent mismatch.
 */
import type { components as AccountingComponents, operations as AccountingOperations } from '../generated/accounting';
import type { components as InventoryComponents, operations as InventoryOperations } from '../generated/inventory';
import type { components as JpmComponents, operations as JpmOperations } from '../generated/jpm';
import type { components as PayrollComponents, operations as PayrollOperations } from '../generated/payroll';
import type { components as SettingsComponents, operations as SettingsOperations } from '../generated/settings';

type AccountingSchemas = AccountingComponents['schemas'];
type InventorySchemas = InventoryComponents['schemas'];
type JpmSchemas = JpmComponents['schemas'];
type PayrollSchemas = PayrollComponents['schemas'];
type SettingsSchemas = SettingsComponents['schemas'];

/** The API modules (first path segment) the connector talks to. */
export type ServiceTitanModule = 'jpm' | 'accounting' | 'inventory' | 'payroll' | 'settings';

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

// --- records (export feed shapes: the list shape plus `active`, deleted/inactive rows included) ---
export type ExportJob = JpmSchemas['Jpm.V2.ExportJobsResponse'];
export type ExportInvoice = AccountingSchemas['Accounting.V2.ExportInvoiceResponse'];
export type ExportInvoiceItem = AccountingSchemas['Accounting.V2.ExportInvoiceItemResponse'];
export type ExportInventoryBill = AccountingSchemas['Accounting.V2.ExportInventoryBillResponse'];
export type ExportPurchaseOrder = InventorySchemas['Inventory.V2.ExportPurchaseOrdersResponse'];
export type ExportGrossPayItem = PayrollSchemas['Payroll.V2.GrossPayItems.GrossPayItemExportResponse'];

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

export interface VendorsQuery extends ModifiedWindow {
  ids?: readonly number[];
  /** The client defaults to `Any` (the API defaults to `True`, which hides deactivated vendors). */
  active?: ActiveFilter;
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
  /** A continuation token from a previous `continueFrom`, or a date string ("2020-01-01"); omitted = from the start. */
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
];
