import type { SimulatorTenant, StoredRecords } from './simulator.store';
import {
  ACTIVE_VALUES,
  MODIFIED_PARAMS,
  PAGE_PARAMS,
  QueryValidationError,
  pageWindow,
  type ParamSpec,
  type ParsedQuery,
} from './query.parser';

export interface RouteContext {
  tenant: SimulatorTenant;
  query: ParsedQuery;
  exportPageSize: number;
}

/** One simulated GET endpoint: `/{module}/v2/tenant/{tenant}/{resource}`. */
export interface SimulatorRoute {
  /** Stable name used for call counts, e.g. `inventoryBills.list`. */
  name: string;
  module: string;
  resource: string;
  /** OpenAPI operationId of the official spec (used by the contract tests). */
  operationId: string;
  params: ParamSpec;
  handle(ctx: RouteContext): unknown;
}

interface Timestamped {
  id?: number | null;
  modifiedOn?: string | null;
  createdOn?: string | null;
}

const ms = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : 0);

/** ids, modifiedOnOrAfter, modifiedBefore, createdOnOrAfter, createdBefore. */
function commonFilter(record: Timestamped, q: ParsedQuery): boolean {
  const ids = q['ids'] as number[] | undefined;
  if (ids && !ids.includes(record.id ?? -1)) return false;
  const modified = ms(record.modifiedOn);
  const created = ms(record.createdOn);
  if (q['modifiedOnOrAfter'] !== undefined && modified < (q['modifiedOnOrAfter'] as number)) return false;
  if (q['modifiedBefore'] !== undefined && modified >= (q['modifiedBefore'] as number)) return false;
  if (q['createdOnOrAfter'] !== undefined && created < (q['createdOnOrAfter'] as number)) return false;
  if (q['createdBefore'] !== undefined && created >= (q['createdBefore'] as number)) return false;
  return true;
}

/** `active=True|Any|False`, default True (as documented). */
function activeFilter(active: boolean, q: ParsedQuery): boolean {
  const wanted = (q['active'] as string | undefined) ?? 'True';
  return wanted === 'Any' || (wanted === 'True') === active;
}

function paginate<T>(rows: T[], q: ParsedQuery) {
  const { page, pageSize } = pageWindow(q);
  const start = (page - 1) * pageSize;
  const data = rows.slice(start, start + pageSize);
  return {
    page,
    pageSize,
    hasMore: start + pageSize < rows.length,
    totalCount: q['includeTotal'] === true ? rows.length : null,
    data,
  };
}

function withoutActive<T extends { active?: boolean }>(record: T): Omit<T, 'active'> {
  const { active: _active, ...rest } = record;
  void _active;
  return rest;
}

// ---------------------------------------------------------------- export feeds
interface ExportPosition {
  m: number;
  i: number;
}

function encodeToken(position: ExportPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, m: position.m, i: position.i }), 'utf8').toString('base64url');
}

function decodeFrom(from: string | undefined): ExportPosition {
  if (from === undefined || from === '') return { m: Number.NEGATIVE_INFINITY, i: Number.NEGATIVE_INFINITY };
  try {
    const decoded: unknown = JSON.parse(Buffer.from(from, 'base64url').toString('utf8'));
    if (decoded && typeof decoded === 'object' && 'v' in decoded && 'm' in decoded && 'i' in decoded) {
      const { m, i } = decoded as { m: unknown; i: unknown };
      if (typeof m === 'number' && typeof i === 'number') return { m, i };
    }
  } catch {
    // not a token: maybe a date
  }
  const date = Date.parse(from);
  if (!Number.isNaN(date)) return { m: date, i: Number.NEGATIVE_INFINITY };
  throw new QueryValidationError({
    from: [`The value '${from}' is neither a continuation token nor a date.`],
  });
}

const compare = (a: ExportPosition, b: ExportPosition) => (a.m !== b.m ? a.m - b.m : a.i - b.i);

/**
 * Export feed semantics: rows ordered by (modifiedOn, id); `from` is INCLUSIVE, so the row the token points at is
 * returned again as the first row of the next response (the real API repeats boundary rows too). `hasMore` is true
 * while rows beyond the returned page exist.
 */
export function exportPage<T extends Timestamped>(rows: T[], from: string | undefined, pageSize: number) {
  const start = decodeFrom(from);
  const positioned = rows
    .map((row) => ({
      row,
      pos: { m: ms(row.modifiedOn ?? row.createdOn), i: row.id ?? 0 },
    }))
    .filter((entry) => compare(entry.pos, start) >= 0)
    .sort((a, b) => compare(a.pos, b.pos));
  const page = positioned.slice(0, pageSize);
  const last = page[page.length - 1];
  const continueFrom = last
    ? encodeToken(last.pos)
    : encodeToken({
        m: Number.isFinite(start.m) ? start.m : 0,
        i: Number.isFinite(start.i) ? start.i : 0,
      });
  return {
    hasMore: positioned.length > pageSize,
    continueFrom,
    data: page.map((entry) => entry.row),
  };
}

const EXPORT_PARAMS: ParamSpec = {
  from: 'string',
  includeRecentChanges: 'bool',
};

function exportRoute<T extends Timestamped>(
  name: string,
  module: string,
  resource: string,
  operationId: string,
  rows: (tenant: SimulatorTenant) => T[],
): SimulatorRoute {
  return {
    name,
    module,
    resource,
    operationId,
    params: EXPORT_PARAMS,
    handle: ({ tenant, query, exportPageSize }) =>
      exportPage(rows(tenant), query['from'] as string | undefined, exportPageSize),
  };
}

// ---------------------------------------------------------------- routes
const ids = { ids: 'idsCsv' } as const;
const active = { active: { enum: ACTIVE_VALUES } } as const;

function activeList<K extends 'technicians' | 'businessUnits' | 'glAccounts'>(
  name: string,
  module: string,
  resource: string,
  operationId: string,
  kind: K,
): SimulatorRoute {
  return {
    name,
    module,
    resource,
    operationId,
    params: { ...PAGE_PARAMS, ...MODIFIED_PARAMS, ...ids, ...active },
    handle: ({ tenant, query }) =>
      paginate(
        tenant.all(kind).filter((r: StoredRecords[K]) => commonFilter(r, query) && activeFilter(r.active, query)),
        query,
      ),
  };
}

const inventoryBillParams: ParamSpec = {
  ...PAGE_PARAMS,
  ...MODIFIED_PARAMS,
  ...ids,
};
const listedInventoryBills = (tenant: SimulatorTenant, query: ParsedQuery) =>
  tenant
    .all('inventoryBills')
    .filter((bill) => bill.active && commonFilter(bill, query))
    .map(withoutActive);

export const SIMULATOR_ROUTES: readonly SimulatorRoute[] = [
  {
    name: 'jobs.list',
    module: 'jpm',
    resource: 'jobs',
    operationId: 'Jobs_GetList',
    params: {
      ...PAGE_PARAMS,
      ...MODIFIED_PARAMS,
      ...ids,
      jobStatus: {
        enum: ['Scheduled', 'Dispatched', 'InProgress', 'Hold', 'Completed', 'Canceled'],
      },
    },
    handle: ({ tenant, query }) =>
      paginate(
        tenant
          .all('jobs')
          .filter((job) => job.active && commonFilter(job, query))
          .filter((job) => query['jobStatus'] === undefined || job.jobStatus === query['jobStatus'])
          .map(withoutActive),
        query,
      ),
  },
  exportRoute('jobs.export', 'jpm', 'export/jobs', 'Export_Jobs', (t) => t.all('jobs')),
  {
    name: 'invoices.list',
    module: 'accounting',
    resource: 'invoices',
    operationId: 'Invoices_GetList',
    params: {
      ...PAGE_PARAMS,
      ...MODIFIED_PARAMS,
      ...ids,
      activeState: { enum: ['ActiveOnly', 'InactiveOnly', 'All'] },
      jobId: 'int',
    },
    handle: ({ tenant, query }) => {
      // The spec documents no default for activeState; the simulator assumes ActiveOnly like the other lists.
      const state = (query['activeState'] as string | undefined) ?? 'ActiveOnly';
      return paginate(
        tenant
          .all('invoices')
          .filter((inv) => commonFilter(inv, query))
          .filter((inv) => state === 'All' || (state === 'ActiveOnly') === inv.active)
          .filter((inv) => query['jobId'] === undefined || inv.job?.id === query['jobId']),
        query,
      );
    },
  },
  exportRoute('invoices.export', 'accounting', 'export/invoices', 'Export_Invoices', (t) => t.all('invoices')),
  exportRoute('invoiceItems.export', 'accounting', 'export/invoice-items', 'Export_InvoiceItems', (t) =>
    t.invoiceItemRows(),
  ),
  {
    // The quirk: a BARE ARRAY, no paging envelope.
    name: 'inventoryBills.list',
    module: 'accounting',
    resource: 'inventory-bills',
    operationId: 'InventoryBills_GetList',
    params: inventoryBillParams,
    handle: ({ tenant, query }) => paginate(listedInventoryBills(tenant, query), query).data,
  },
  {
    name: 'inventoryBills.paginated',
    module: 'accounting',
    resource: 'inventory-bills/paginated',
    operationId: 'InventoryBills_GetListPaginated',
    params: inventoryBillParams,
    handle: ({ tenant, query }) => paginate(listedInventoryBills(tenant, query), query),
  },
  exportRoute('inventoryBills.export', 'accounting', 'export/inventory-bills', 'Export_InventoryBills', (t) =>
    t.all('inventoryBills'),
  ),
  activeList('glAccounts.list', 'accounting', 'gl-accounts', 'GlAccounts_GetList', 'glAccounts'),
  {
    name: 'purchaseOrders.list',
    module: 'inventory',
    resource: 'purchase-orders',
    operationId: 'PurchaseOrders_GetList',
    params: { ...PAGE_PARAMS, ...MODIFIED_PARAMS, ...ids, status: 'string' },
    handle: ({ tenant, query }) =>
      paginate(
        tenant
          .all('purchaseOrders')
          .filter((po) => commonFilter(po, query))
          .filter(
            (po) => query['status'] === undefined || po.status.toLowerCase() === String(query['status']).toLowerCase(),
          ),
        query,
      ),
  },
  exportRoute('purchaseOrders.export', 'inventory', 'export/purchase-orders', 'Export_PurchaseOrders', (t) =>
    t.all('purchaseOrders'),
  ),
  {
    name: 'vendors.list',
    module: 'inventory',
    resource: 'vendors',
    operationId: 'Vendors_GetList',
    params: { ...PAGE_PARAMS, ...MODIFIED_PARAMS, ids: 'idsArray', ...active },
    handle: ({ tenant, query }) =>
      paginate(
        tenant.all('vendors').filter((v) => commonFilter(v, query) && activeFilter(v.active, query)),
        query,
      ),
  },
  {
    name: 'grossPayItems.list',
    module: 'payroll',
    resource: 'gross-pay-items',
    operationId: 'GrossPayItems_GetList',
    params: {
      ...PAGE_PARAMS,
      ...MODIFIED_PARAMS,
      dateOnOrAfter: 'date',
      dateOnOrBefore: 'date',
      employeeId: 'int',
      employeeType: { enum: ['Technician', 'Employee'] },
    },
    handle: ({ tenant, query }) =>
      paginate(
        tenant
          .all('grossPayItems')
          .filter((item) => item.active && commonFilter({ ...item, id: undefined }, query))
          .filter((item) => query['dateOnOrAfter'] === undefined || ms(item.date) >= (query['dateOnOrAfter'] as number))
          .filter(
            (item) => query['dateOnOrBefore'] === undefined || ms(item.date) <= (query['dateOnOrBefore'] as number),
          )
          .filter((item) => query['employeeId'] === undefined || item.employeeId === query['employeeId'])
          .filter((item) => query['employeeType'] === undefined || item.employeeType === query['employeeType'])
          .map(withoutActive),
        query,
      ),
  },
  exportRoute('grossPayItems.export', 'payroll', 'export/gross-pay-items', 'Export_GrossPayItems', (t) =>
    t.all('grossPayItems'),
  ),
  activeList('technicians.list', 'settings', 'technicians', 'Technicians_GetList', 'technicians'),
  activeList('businessUnits.list', 'settings', 'business-units', 'BusinessUnits_GetList', 'businessUnits'),
];

export function findRoute(module: string, resource: string): SimulatorRoute | undefined {
  return SIMULATOR_ROUTES.find((route) => route.module === module && route.resource === resource);
}
