import {
  resolveServiceTitanConfig,
  type ResolvedServiceTitanConfig,
  type ServiceTitanClientConfig,
} from './servicetitan.config';
import { ServiceTitanHttpTransport, type QueryParams } from './servicetitan-http.transport';
import {
  assertPageSize,
  iterateBareArrayList,
  iterateExportFeed,
  iteratePagedList,
  type ExportFeedResult,
  type ExportIterationOptions,
  type ExportPage,
  type PageIterationOptions,
} from './paging.iterator';
import type {
  ActiveListQuery,
  BusinessUnit,
  ExportGrossPayItem,
  ExportInventoryBill,
  ExportInvoice,
  ExportInvoiceItem,
  ExportJob,
  ExportPurchaseOrder,
  ExportQuery,
  ExportResponse,
  GlAccount,
  GrossPayItem,
  GrossPayItemsQuery,
  InventoryBill,
  InventoryBillsQuery,
  Invoice,
  InvoicesQuery,
  Job,
  JobsQuery,
  PagedResponse,
  PageQuery,
  PurchaseOrder,
  PurchaseOrdersQuery,
  ServiceTitanModule,
  Technician,
  Vendor,
  VendorsQuery,
} from './servicetitan.types';

/** The API accepts at most 50 ids per request. */
export const MAX_IDS_PER_REQUEST = 50;

export type ExportIterator<T> = AsyncGenerator<ExportPage<T>, ExportFeedResult, undefined>;

/**
 * Read-only ServiceTitan API client for ONE tenant (tenant id, client id/secret are per tenant). Create one per
 * tenant and keep it: it owns the tenant's token cache and rate limiter.
 */
export class ServiceTitanClient {
  readonly tenantId: number;
  private readonly config: ResolvedServiceTitanConfig;
  private readonly http: ServiceTitanHttpTransport;

  constructor(config: ServiceTitanClientConfig) {
    this.config = resolveServiceTitanConfig(config);
    this.tenantId = this.config.tenantId;
    this.http = new ServiceTitanHttpTransport(this.config, config.rateLimiter);
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

  iterateJobs(query: JobsQuery = {}, options: PageIterationOptions = {}): AsyncGenerator<Job, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listJobs({ ...query, page, pageSize }), options);
  }

  /** Jobs with the given ids (any number; requested in chunks of 50). */
  async getJobsByIds(ids: readonly number[]): Promise<Job[]> {
    return this.collectByIds(ids, (chunk) => this.listJobs({ ids: chunk, pageSize: chunk.length }));
  }

  exportJobsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportJob>> {
    return this.get('jpm', 'export/jobs', exportParams(query));
  }

  exportJobs(options: ExportIterationOptions = {}): ExportIterator<ExportJob> {
    return this.exportFeed((q) => this.exportJobsPage(q), options);
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

  iterateInvoices(
    query: InvoicesQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<Invoice, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listInvoices({ ...query, page, pageSize }), options);
  }

  /**
   * Invoices (with their items) by id, in chunks of 50. There is no GET of a single invoice in the API; this is the
   * documented bulk read. activeState defaults to `All` so voided/inactive invoices are found too.
   */
  async getInvoicesByIds(
    ids: readonly number[],
    activeState: InvoicesQuery['activeState'] = 'All',
  ): Promise<Invoice[]> {
    return this.collectByIds(ids, (chunk) => this.listInvoices({ ids: chunk, activeState, pageSize: chunk.length }));
  }

  exportInvoicesPage(query: ExportQuery = {}): Promise<ExportResponse<ExportInvoice>> {
    return this.get('accounting', 'export/invoices', exportParams(query));
  }

  exportInvoices(options: ExportIterationOptions = {}): ExportIterator<ExportInvoice> {
    return this.exportFeed((q) => this.exportInvoicesPage(q), options);
  }

  exportInvoiceItemsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportInvoiceItem>> {
    return this.get('accounting', 'export/invoice-items', exportParams(query));
  }

  exportInvoiceItems(options: ExportIterationOptions = {}): ExportIterator<ExportInvoiceItem> {
    return this.exportFeed((q) => this.exportInvoiceItemsPage(q), options);
  }

  // ---------------------------------------------------------------- inventory bills (accounting)
  /** `GET /accounting/v2/tenant/{t}/inventory-bills`: the API answers a BARE ARRAY (no envelope, no hasMore). */
  listInventoryBills(query: InventoryBillsQuery & PageQuery = {}): Promise<InventoryBill[]> {
    return this.get('accounting', 'inventory-bills', inventoryBillParams(query));
  }

  /** `GET /accounting/v2/tenant/{t}/inventory-bills/paginated`: the enveloped variant. */
  listInventoryBillsPaginated(query: InventoryBillsQuery & PageQuery = {}): Promise<PagedResponse<InventoryBill>> {
    return this.get('accounting', 'inventory-bills/paginated', inventoryBillParams(query));
  }

  /** Iterates with the enveloped endpoint (hasMore avoids the extra empty request of the bare array). */
  iterateInventoryBills(
    query: InventoryBillsQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<InventoryBill, void, undefined> {
    return iteratePagedList(
      (page, pageSize) => this.listInventoryBillsPaginated({ ...query, page, pageSize }),
      options,
    );
  }

  /** Iterates with the bare-array endpoint (stops at the first short page). */
  iterateInventoryBillsBareArray(
    query: InventoryBillsQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<InventoryBill, void, undefined> {
    return iterateBareArrayList((page, pageSize) => this.listInventoryBills({ ...query, page, pageSize }), options);
  }

  async getInventoryBillsByIds(ids: readonly number[]): Promise<InventoryBill[]> {
    return this.collectByIds(ids, (chunk) => this.listInventoryBillsPaginated({ ids: chunk, pageSize: chunk.length }));
  }

  exportInventoryBillsPage(query: ExportQuery = {}): Promise<ExportResponse<ExportInventoryBill>> {
    return this.get('accounting', 'export/inventory-bills', exportParams(query));
  }

  exportInventoryBills(options: ExportIterationOptions = {}): ExportIterator<ExportInventoryBill> {
    return this.exportFeed((q) => this.exportInventoryBillsPage(q), options);
  }

  // ---------------------------------------------------------------- GL accounts (accounting)
  listGlAccounts(query: ActiveListQuery & PageQuery = {}): Promise<PagedResponse<GlAccount>> {
    return this.get('accounting', 'gl-accounts', activeListParams(query));
  }

  iterateGlAccounts(
    query: ActiveListQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<GlAccount, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listGlAccounts({ ...query, page, pageSize }), options);
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

  iteratePurchaseOrders(
    query: PurchaseOrdersQuery = {},
    options: PageIterationOptions = {},
  ): AsyncGenerator<PurchaseOrder, void, undefined> {
    return iteratePagedList((page, pageSize) => this.listPurchaseOrders({ ...query, page, pageSize }), options);
  }

  exportPurchaseOrdersPage(query: ExportQuery = {}): Promise<ExportResponse<ExportPurchaseOrder>> {
    return this.get('inventory', 'export/purchase-orders', exportParams(query));
  }

  exportPurchaseOrders(options: ExportIterationOptions = {}): ExportIterator<ExportPurchaseOrder> {
    return this.exportFeed((q) => this.exportPurchaseOrdersPage(q), options);
  }

  /**
   * Vendors have no export feed: poll this with `modifiedOnOrAfter`. `active` defaults to `Any` here (the API
   * default `True` would hide deactivations).
   */
  listVendors(query: VendorsQuery & PageQuery = {}): Promise<PagedResponse<Vendor>> {
    return this.get('inventory', 'vendors', {
      ...pageParams(query),
      ...modifiedParams(query),
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

  // ---------------------------------------------------------------- gross pay items (payroll)
  /** Gross pay items cannot be filtered by job: filter by date and group by `jobId`. */
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
    const unique = [...new Set(ids)];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += MAX_IDS_PER_REQUEST) {
      const response = await fetchChunk(unique.slice(i, i + MAX_IDS_PER_REQUEST));
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

function inventoryBillParams(query: InventoryBillsQuery & PageQuery): QueryParams {
  return {
    ...pageParams(query),
    ...modifiedParams(query),
    ids: commaIds(query.ids),
  };
}

function activeListParams(query: ActiveListQuery & PageQuery): QueryParams {
  return {
    ...pageParams(query),
    ...modifiedParams(query),
    ids: commaIds(query.ids),
    active: query.active,
  };
}

function checkIds(ids: readonly number[] | undefined): readonly number[] | undefined {
  if (ids === undefined) return undefined;
  if (ids.length > MAX_IDS_PER_REQUEST)
    throw new RangeError(`at most ${MAX_IDS_PER_REQUEST} ids per request (got ${ids.length})`);
  for (const id of ids) if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`invalid id: ${id}`);
  return ids;
}

/** Most endpoints type `ids` as one comma-delimited string. */
function commaIds(ids: readonly number[] | undefined): string | undefined {
  const checked = checkIds(ids);
  return checked === undefined ? undefined : checked.join(',');
}
