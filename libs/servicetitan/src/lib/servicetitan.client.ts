import { toDecimal } from '@connector/decimal';
import {
  resolveServiceTitanConfig,
  type ResolvedServiceTitanConfig,
  type ServiceTitanClientConfig,
} from './servicetitan.config';
import { ServiceTitanHttpTransport, type QueryParams } from './servicetitan-http.transport';
import {
  assertPageSize,
  iterateExportFeed,
  iteratePagedList,
  type ExportFeedResult,
  type ExportIterationOptions,
  type ExportPage,
  type PageIterationOptions,
} from './paging.iterator';
import {
  MATERIAL_DECIMAL_FIELDS,
  VENDOR_DECIMAL_FIELDS,
  type ActiveListQuery,
  type BusinessUnit,
  type DecimalInput,
  type ExportGrossPayItem,
  type ExportInventoryBill,
  type ExportInvoice,
  type ExportJob,
  type ExportMaterial,
  type ExportPurchaseOrder,
  type ExportQuery,
  type ExportResponse,
  type GrossPayItem,
  type GrossPayItemsQuery,
  type InventoryBill,
  type InventoryBillsQuery,
  type Invoice,
  type InvoicesQuery,
  type Job,
  type JobsQuery,
  type JobType,
  type JobTypesQuery,
  type MarkInventoryBillExportedResult,
  type MarkInvoiceExportedRequest,
  type MarkInvoiceExportedResult,
  type Material,
  type MaterialCreateInput,
  type MaterialsQuery,
  type MaterialUpdateInput,
  type ModificationResponse,
  type PagedResponse,
  type PageQuery,
  type PurchaseOrder,
  type PurchaseOrdersQuery,
  type ServiceTitanModule,
  type Technician,
  type Vendor,
  type VendorCreateInput,
  type VendorsQuery,
  type VendorUpdateInput,
} from './servicetitan.types';

/** The API accepts at most 50 ids per request. */
export const MAX_IDS_PER_REQUEST = 50;

/**
 * Records per markasexported request. The specs give no maximum; 50 matches the API's other batch limits and keeps
 * one failed request small.
 */
export const MARK_EXPORTED_BATCH_SIZE = 50;

export type ExportIterator<T> = AsyncGenerator<ExportPage<T>, ExportFeedResult, undefined>;

/**
 * ServiceTitan API client for ONE tenant (tenant id, client id/secret are per tenant). It owns the tenant's token
 * cache; its rate limit is the (app key, tenant) bucket shared with every other client of that pair in the process
 * (see ServiceTitanRateLimiterRegistry), so creating several clients never exceeds the API's 60 requests/s.
 *
 * Retries: reads and PATCHes retry 429, 5xx, network errors and timeouts; POSTs (markasexported, creates) retry only
 * a 429 and the one 401 token refresh, answers the API gives before it applies anything. A POST that fails otherwise
 * throws with `writeOutcomeUnknown: true` and the caller decides (look the record up, then send again).
 */
export class ServiceTitanClient {
  readonly tenantId: number;
  private readonly config: ResolvedServiceTitanConfig;
  private readonly http: ServiceTitanHttpTransport;

  constructor(config: ServiceTitanClientConfig) {
    this.config = resolveServiceTitanConfig(config);
    this.tenantId = this.config.tenantId;
    this.http = new ServiceTitanHttpTransport(this.config);
  }

  /** Token requests sent so far by this client. */
  get tokenRequestCount(): number {
    return this.http.tokens.tokenRequestCount;
  }

  /** Forget the cached access token (next call requests a new one). */
  invalidateToken(): void {
    this.http.tokens.invalidate();
  }

  /** Escape hatch: authenticated, rate-limited, retried GET of any tenant resource. */
  get<T>(module: ServiceTitanModule, resource: string, query: QueryParams = {}): Promise<T> {
    return this.http.get<T>(module, resource, query);
  }

  // ---------------------------------------------------------------- jobs (jpm)
  listJobs(query: JobsQuery & PageQuery = {}): Promise<PagedResponse<Job>> {
    return this.get('jpm', 'jobs', {
      ...pageParams(query),
      ...modifiedParams(query),
      ids: commaIds(query.ids),
      jobStatus: query.jobStatus,
    });
  }

  /** Jobs with the given ids (any number; requested in chunks of 50). */
  getJobsByIds(ids: readonly number[]): Promise<Job[]> {
    return this.collectByIds(ids, (chunk) => this.listJobs({ ids: chunk, pageSize: chunk.length }));
  }

  exportJobsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportJob>> {
    return this.get('jpm', 'export/jobs', exportParams(query));
  }

  /** Export feed of jobs from `options.from` (a continuation token or a date string). */
  exportJobs(options: ExportIterationOptions = {}): ExportIterator<ExportJob> {
    return this.exportFeed((q) => this.exportJobsPage(q), options);
  }

  listJobTypes(query: JobTypesQuery & PageQuery = {}): Promise<PagedResponse<JobType>> {
    return this.get('jpm', 'job-types', {
      ...activeListParams(query),
      externalDataApplicationGuid: query.externalDataApplicationGuid,
    });
  }

  iterateJobTypes(
    query: JobTypesQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<JobType, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listJobTypes({ ...query, page, pageSize }), options);
  }

  // ---------------------------------------------------------------- invoices (accounting)
  listInvoices(query: InvoicesQuery & PageQuery = {}): Promise<PagedResponse<Invoice>> {
    return this.get('accounting', 'invoices', {
      ...pageParams(query),
      ...modifiedParams(query),
      ids: commaIds(query.ids),
      activeState: query.activeState,
      jobId: query.jobId,
    });
  }

  /**
   * Invoices (with their items) by id, in chunks of 50. There is no GET of a single invoice in the API; this is the
   * documented bulk read. activeState defaults to `All` so voided/inactive invoices are found too.
   */
  getInvoicesByIds(ids: readonly number[], activeState: InvoicesQuery['activeState'] = 'All'): Promise<Invoice[]> {
    return this.collectByIds(ids, (chunk) => this.listInvoices({ ids: chunk, activeState, pageSize: chunk.length }));
  }

  exportInvoicesPage(query: ExportQuery = {}): Promise<ExportResponse<ExportInvoice>> {
    return this.get('accounting', 'export/invoices', exportParams(query));
  }

  /** Export feed of invoices, each with its `items` (material costs), `job` and `businessUnit`. */
  exportInvoices(options: ExportIterationOptions = {}): ExportIterator<ExportInvoice> {
    return this.exportFeed((q) => this.exportInvoicesPage(q), options);
  }

  /**
   * `POST /accounting/v2/tenant/{t}/invoices/markasexported`, in batches of 50: tells ServiceTitan users which ERP
   * document an invoice became (`externalId`, e.g. the X3 document number, and `externalMessage`). Returns one
   * result per invoice (`success`, `errorMessage`). Retried on 429 only (a POST); a batch whose outcome is unknown
   * throws with `writeOutcomeUnknown`, and sending the same marks again is harmless.
   */
  async markInvoicesExported(marks: readonly MarkInvoiceExportedRequest[]): Promise<MarkInvoiceExportedResult[]> {
    const out: MarkInvoiceExportedResult[] = [];
    for (const chunk of chunks(marks, MARK_EXPORTED_BATCH_SIZE)) {
      for (const mark of chunk) checkId(mark.invoiceId);
      out.push(
        ...(await this.http.request<MarkInvoiceExportedResult[]>('POST', 'accounting', 'invoices/markasexported', {
          body: chunk.map((m) => ({
            invoiceId: m.invoiceId,
            externalId: m.externalId ?? null,
            externalMessage: m.externalMessage ?? null,
          })),
          retry: 'rejected-only',
        })),
      );
    }
    return out;
  }

  // ---------------------------------------------------------------- inventory bills (accounting)
  /** `GET /accounting/v2/tenant/{t}/inventory-bills/paginated` (the enveloped list). */
  listInventoryBillsPaginated(query: InventoryBillsQuery & PageQuery = {}): Promise<PagedResponse<InventoryBill>> {
    return this.get('accounting', 'inventory-bills/paginated', {
      ...pageParams(query),
      ...modifiedParams(query),
      ids: commaIds(query.ids),
    });
  }

  getInventoryBillsByIds(ids: readonly number[]): Promise<InventoryBill[]> {
    return this.collectByIds(ids, (chunk) => this.listInventoryBillsPaginated({ ids: chunk, pageSize: chunk.length }));
  }

  exportInventoryBillsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportInventoryBill>> {
    return this.get('accounting', 'export/inventory-bills', exportParams(query));
  }

  exportInventoryBills(options: ExportIterationOptions = {}): ExportIterator<ExportInventoryBill> {
    return this.exportFeed((q) => this.exportInventoryBillsPage(q), options);
  }

  /**
   * `POST /accounting/v2/tenant/{t}/inventory-bills/markasexported` with `{ inventoryBillIds }`, in batches of 50.
   * Returns one result per bill (`success`, `errorMessage`). Retried on 429 only (a POST).
   */
  async markInventoryBillsExported(ids: readonly number[]): Promise<MarkInventoryBillExportedResult[]> {
    const out: MarkInventoryBillExportedResult[] = [];
    for (const chunk of chunks([...new Set(ids)], MARK_EXPORTED_BATCH_SIZE)) {
      for (const id of chunk) checkId(id);
      out.push(
        ...(await this.http.request<MarkInventoryBillExportedResult[]>(
          'POST',
          'accounting',
          'inventory-bills/markasexported',
          { body: { inventoryBillIds: chunk }, retry: 'rejected-only' },
        )),
      );
    }
    return out;
  }

  // ---------------------------------------------------------------- purchase orders, vendors (inventory)
  listPurchaseOrders(query: PurchaseOrdersQuery & PageQuery = {}): Promise<PagedResponse<PurchaseOrder>> {
    return this.get('inventory', 'purchase-orders', {
      ...pageParams(query),
      ...modifiedParams(query),
      ids: commaIds(query.ids),
      status: query.status,
    });
  }

  getPurchaseOrdersByIds(ids: readonly number[]): Promise<PurchaseOrder[]> {
    return this.collectByIds(ids, (chunk) => this.listPurchaseOrders({ ids: chunk, pageSize: chunk.length }));
  }

  exportPurchaseOrdersPage(query: ExportQuery = {}): Promise<ExportResponse<ExportPurchaseOrder>> {
    return this.get('inventory', 'export/purchase-orders', exportParams(query));
  }

  exportPurchaseOrders(options: ExportIterationOptions = {}): ExportIterator<ExportPurchaseOrder> {
    return this.exportFeed((q) => this.exportPurchaseOrdersPage(q), options);
  }

  /**
   * Vendors have no export feed: poll this with `modifiedOnOrAfter`. `active` defaults to `Any` here (the API
   * default `True` would hide deactivations). Pass `externalDataApplicationGuid` to see the connector's external data.
   */
  listVendors(query: VendorsQuery & PageQuery = {}): Promise<PagedResponse<Vendor>> {
    return this.get('inventory', 'vendors', {
      ...pageParams(query),
      ...modifiedParams(query),
      ...externalDataParams(query),
      // The spec types vendor ids as an array: sent as repeated `ids=` parameters.
      ids: checkIds(query.ids),
      active: query.active ?? 'Any',
    });
  }

  iterateVendors(
    query: VendorsQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<Vendor, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listVendors({ ...query, page, pageSize }), options);
  }

  /** `GET …/vendors/{id}`; a 404 surfaces as ServiceTitanApiError (status 404). */
  getVendor(id: number, externalDataApplicationGuid?: string): Promise<Vendor> {
    return this.get('inventory', `vendors/${checkId(id)}`, { externalDataApplicationGuid });
  }

  /**
   * `POST …/inventory/v2/tenant/{t}/vendors` → `{ id }`. NOT retried except on 429: a create sent twice makes two
   * vendors. Put the ERP code in `externalData` so a caller that got `writeOutcomeUnknown` can find the vendor.
   */
  createVendor(input: VendorCreateInput): Promise<ModificationResponse> {
    return this.http.request('POST', 'inventory', 'vendors', {
      body: withDecimalFields(input, VENDOR_DECIMAL_FIELDS),
      retry: 'rejected-only',
    });
  }

  /** `PATCH …/vendors/{id}` → `{ id }`. Idempotent (the same patch sets the same state): retried like a read. */
  updateVendor(id: number, patch: VendorUpdateInput): Promise<ModificationResponse> {
    return this.http.request('PATCH', 'inventory', `vendors/${checkId(id)}`, {
      body: withDecimalFields(patch, VENDOR_DECIMAL_FIELDS),
      retry: 'idempotent',
    });
  }

  // ---------------------------------------------------------------- materials (pricebook)
  /** `active` defaults to `Any` here (the API default `True` would hide deactivated materials). */
  listMaterials(query: MaterialsQuery & PageQuery = {}): Promise<PagedResponse<Material>> {
    return this.get('pricebook', 'materials', {
      ...pageParams(query),
      ...modifiedParams(query),
      ...externalDataParams(query),
      ids: commaIds(query.ids),
      active: query.active ?? 'Any',
    });
  }

  iterateMaterials(
    query: MaterialsQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<Material, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listMaterials({ ...query, page, pageSize }), options);
  }

  getMaterial(id: number, externalDataApplicationGuid?: string): Promise<Material> {
    return this.get('pricebook', `materials/${checkId(id)}`, { externalDataApplicationGuid });
  }

  exportMaterialsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportMaterial>> {
    return this.get('pricebook', 'export/materials', exportParams(query));
  }

  exportMaterials(options: ExportIterationOptions = {}): ExportIterator<ExportMaterial> {
    return this.exportFeed((q) => this.exportMaterialsPage(q), options);
  }

  /**
   * `POST …/pricebook/v2/tenant/{t}/materials` → the created material (HTTP 201). Costs and prices are decimals,
   * written as exact JSON numbers. NOT retried except on 429 (a create sent twice makes two materials).
   */
  createMaterial(input: MaterialCreateInput): Promise<Material> {
    return this.http.request('POST', 'pricebook', 'materials', {
      body: withDecimalFields(input, MATERIAL_DECIMAL_FIELDS),
      retry: 'rejected-only',
    });
  }

  /** `PATCH …/materials/{id}` → the material. Idempotent: retried like a read. */
  updateMaterial(id: number, patch: MaterialUpdateInput): Promise<Material> {
    return this.http.request('PATCH', 'pricebook', `materials/${checkId(id)}`, {
      body: withDecimalFields(patch, MATERIAL_DECIMAL_FIELDS),
      retry: 'idempotent',
    });
  }

  // ---------------------------------------------------------------- gross pay items (payroll)
  /** Gross pay items cannot be filtered by job: filter by date and group by `jobId` (or use the export feed). */
  listGrossPayItems(query: GrossPayItemsQuery & PageQuery = {}): Promise<PagedResponse<GrossPayItem>> {
    return this.get('payroll', 'gross-pay-items', {
      ...pageParams(query),
      ...modifiedParams(query),
      dateOnOrAfter: query.dateOnOrAfter,
      dateOnOrBefore: query.dateOnOrBefore,
      employeeId: query.employeeId,
      employeeType: query.employeeType,
    });
  }

  iterateGrossPayItems(
    query: GrossPayItemsQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<GrossPayItem, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listGrossPayItems({ ...query, page, pageSize }), options);
  }

  exportGrossPayItemsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportGrossPayItem>> {
    return this.get('payroll', 'export/gross-pay-items', exportParams(query));
  }

  /** Export feed of gross pay items (labor cost: TimesheetTime, bonuses, …), inactive rows included. */
  exportGrossPayItems(options: ExportIterationOptions = {}): ExportIterator<ExportGrossPayItem> {
    return this.exportFeed((q) => this.exportGrossPayItemsPage(q), options);
  }

  // ---------------------------------------------------------------- technicians, business units (settings)
  listTechnicians(query: ActiveListQuery & PageQuery = {}): Promise<PagedResponse<Technician>> {
    return this.get('settings', 'technicians', activeListParams(query));
  }

  iterateTechnicians(
    query: ActiveListQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<Technician, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listTechnicians({ ...query, page, pageSize }), options);
  }

  listBusinessUnits(query: ActiveListQuery & PageQuery = {}): Promise<PagedResponse<BusinessUnit>> {
    return this.get('settings', 'business-units', activeListParams(query));
  }

  iterateBusinessUnits(
    query: ActiveListQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<BusinessUnit, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listBusinessUnits({ ...query, page, pageSize }), options);
  }

  // ---------------------------------------------------------------- helpers
  private exportFeed<T>(
    fetchPage: (query: ExportQuery) => Promise<ExportResponse<T>>,
    options: ExportIterationOptions,
  ): ExportIterator<T> {
    return iterateExportFeed(
      (from) => fetchPage({ from, includeRecentChanges: options.includeRecentChanges }),
      options,
    );
  }

  private async collectByIds<T>(
    ids: readonly number[],
    fetchChunk: (chunk: number[]) => Promise<PagedResponse<T>>,
  ): Promise<T[]> {
    const out: T[] = [];
    for (const chunk of chunks([...new Set(ids)], MAX_IDS_PER_REQUEST)) {
      const response = await fetchChunk(chunk);
      out.push(...response.data);
    }
    return out;
  }
}

function pageParams(query: PageQuery): QueryParams {
  return {
    page: query.page,
    pageSize: query.pageSize === undefined ? undefined : assertPageSize(query.pageSize),
    includeTotal: query.includeTotal,
  };
}

function modifiedParams(query: { modifiedOnOrAfter?: Date | string; modifiedBefore?: Date | string }): QueryParams {
  return {
    modifiedOnOrAfter: query.modifiedOnOrAfter,
    modifiedBefore: query.modifiedBefore,
  };
}

function exportParams(query: ExportQuery): QueryParams {
  return { from: query.from, includeRecentChanges: query.includeRecentChanges };
}

function activeListParams(query: ActiveListQuery & PageQuery): QueryParams {
  return {
    ...pageParams(query),
    ...modifiedParams(query),
    ids: commaIds(query.ids),
    active: query.active,
  };
}

function externalDataParams(query: {
  externalDataApplicationGuid?: string;
  externalDataKey?: string;
  externalDataValues?: readonly string[];
}): QueryParams {
  if ((query.externalDataKey === undefined) !== (query.externalDataValues === undefined)) {
    throw new RangeError('externalDataKey and externalDataValues go together');
  }
  if (query.externalDataValues && query.externalDataValues.length > MAX_IDS_PER_REQUEST) {
    throw new RangeError(`at most ${MAX_IDS_PER_REQUEST} externalDataValues per request`);
  }
  return {
    externalDataApplicationGuid: query.externalDataApplicationGuid,
    externalDataKey: query.externalDataKey,
    externalDataValues: query.externalDataValues?.join(','),
  };
}

function checkId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`invalid id: ${id}`);
  return id;
}

function checkIds(ids: readonly number[] | undefined): readonly number[] | undefined {
  if (ids === undefined) return undefined;
  if (ids.length > MAX_IDS_PER_REQUEST)
    throw new RangeError(`at most ${MAX_IDS_PER_REQUEST} ids per request (got ${ids.length})`);
  for (const id of ids) checkId(id);
  return ids;
}

/** Most endpoints type `ids` as one comma-delimited string. */
function commaIds(ids: readonly number[] | undefined): string | undefined {
  const checked = checkIds(ids);
  return checked === undefined ? undefined : checked.join(',');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Turns decimal strings of the named fields into Decimals, which the body serializer writes as exact numbers. */
function withDecimalFields<T extends object>(input: T, fields: readonly string[]): Record<string, unknown> {
  const out = { ...input } as Record<string, unknown>;
  for (const field of fields) {
    const value = out[field];
    if (value === undefined || value === null) continue;
    try {
      out[field] = toDecimal(value as DecimalInput);
    } catch (error) {
      throw new RangeError(`${field}: ${(error as Error).message}`);
    }
  }
  return out;
}
