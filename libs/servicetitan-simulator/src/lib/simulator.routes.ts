import {
  compareFeedPositions,
  type EntityKind,
  type FeedEntry,
  type FeedPosition,
  type SimulatorTenant,
  type StoredRecords,
} from './simulator.store';
import {
  ACTIVE_VALUES,
  MODIFIED_PARAMS,
  PAGE_PARAMS,
  QueryValidationError,
  pageWindow,
  type ParamSpec,
  type ParsedQuery,
} from './query.parser';
import { SimulatorHttpError, type SimulatedMethod, type SimulatorRoute } from './route.types';
import { WRITE_ROUTES } from './write.routes';

export { SimulatorHttpError, type RouteContext, type SimulatedMethod, type SimulatorRoute } from './route.types';

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

function paginate<T>(rows: readonly T[], q: ParsedQuery) {
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

// ---------------------------------------------------------------- external data
const EXTERNAL_DATA_PARAMS: ParamSpec = {
  externalDataApplicationGuid: 'guid',
  externalDataKey: 'string',
  externalDataValues: 'string',
};

/** `externalDataKey` + `externalDataValues` (comma list, ≤ 50) lookup, on the requested application's entries. */
function externalDataFilter(
  tenant: SimulatorTenant,
  kind: EntityKind,
  q: ParsedQuery,
): (record: { id: number }) => boolean {
  const key = q['externalDataKey'] as string | undefined;
  const rawValues = q['externalDataValues'] as string | undefined;
  if (key === undefined && rawValues === undefined) return () => true;
  if (key === undefined || rawValues === undefined) {
    const missing = key === undefined ? 'externalDataKey' : 'externalDataValues';
    throw new QueryValidationError({
      [missing]: [`'externalDataKey' and 'externalDataValues' must be given together.`],
    });
  }
  const values = rawValues.split(',').map((v) => v.trim());
  if (values.length > 50) throw new QueryValidationError({ externalDataValues: ['Maximum 50 values are allowed.'] });
  const guid = q['externalDataApplicationGuid'] as string | undefined;
  const wanted = new Set(values);
  return (record) =>
    tenant
      .externalDataOf(kind, record.id, guid ?? tenant.applicationGuid)
      .some((e) => e.key === key && wanted.has(e.value));
}

const guidOf = (q: ParsedQuery) => q['externalDataApplicationGuid'] as string | undefined;

// ---------------------------------------------------------------- export feeds
function encodeToken(position: FeedPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, m: position.m, i: position.i }), 'utf8').toString('base64url');
}

/** `from`: a continuation token of this simulator, or a date string (rows modified on or after it). */
function decodeFrom(from: string | undefined): FeedPosition {
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

/** Index of the first entry at or after `start` (entries are sorted by position). */
function firstAtOrAfter<T>(entries: readonly FeedEntry<T>[], start: FeedPosition): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareFeedPositions((entries[mid] as FeedEntry<T>).pos, start) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Export feed semantics: rows ordered by (modifiedOn, id); `from` is INCLUSIVE, so the row the token points at is
 * returned again as the first row of the next response (the real API repeats boundary rows too). `from` may also be a
 * date (`2026-11-01`): the feed starts at the first row modified on or after it; no `from` starts at the tenant's
 * first record. `hasMore` is true while rows beyond the returned page exist.
 */
export function exportPage<T>(
  entries: readonly FeedEntry<T>[],
  from: string | undefined,
  pageSize: number,
  render: (row: T) => unknown = (row) => row,
) {
  const start = decodeFrom(from);
  const index = firstAtOrAfter(entries, start);
  const page = entries.slice(index, index + pageSize);
  const last = page[page.length - 1];
  const continueFrom = last
    ? encodeToken(last.pos)
    : encodeToken({ m: Number.isFinite(start.m) ? start.m : 0, i: Number.isFinite(start.i) ? start.i : 0 });
  return {
    hasMore: index + pageSize < entries.length,
    continueFrom,
    data: page.map((entry) => render(entry.row)),
  };
}

const EXPORT_PARAMS: ParamSpec = {
  from: 'string',
  includeRecentChanges: 'bool',
};

function exportRoute<K extends EntityKind>(
  name: string,
  module: string,
  resource: string,
  operationId: string,
  kind: K,
): SimulatorRoute {
  return {
    name,
    method: 'GET',
    module,
    resource,
    operationId,
    params: EXPORT_PARAMS,
    handle: ({ tenant, query, exportPageSize }) =>
      exportPage(tenant.feed(kind), query['from'] as string | undefined, exportPageSize, (row) =>
        tenant.view(kind, row as StoredRecords[K]),
      ),
  };
}

// ---------------------------------------------------------------- routes
const ids = { ids: 'idsCsv' } as const;
const active = { active: { enum: ACTIVE_VALUES } } as const;

function activeList<K extends 'technicians' | 'businessUnits' | 'glAccounts' | 'jobTypes' | 'materials' | 'vendors'>(
  name: string,
  module: string,
  resource: string,
  operationId: string,
  kind: K,
  extraParams: ParamSpec = {},
): SimulatorRoute {
  return {
    name,
    method: 'GET',
    module,
    resource,
    operationId,
    params: { ...PAGE_PARAMS, ...MODIFIED_PARAMS, ...ids, ...active, ...extraParams },
    handle: ({ tenant, query }) => {
      const byExternalData = externalDataFilter(tenant, kind, query);
      return paginate(
        tenant
          .all(kind)
          .filter((r) => commonFilter(r, query) && activeFilter(r.active, query) && byExternalData(r))
          .map((r) => tenant.view(kind, r as StoredRecords[K], guidOf(query))),
        query,
      );
    },
  };
}

function getById<K extends 'vendors' | 'materials'>(
  name: string,
  module: string,
  resource: string,
  operationId: string,
  kind: K,
  label: string,
): SimulatorRoute {
  return {
    name,
    method: 'GET',
    module,
    resource,
    operationId,
    params: kind === 'vendors' ? EXTERNAL_DATA_PARAMS : { externalDataApplicationGuid: 'guid' },
    handle: ({ tenant, query, params }) => {
      const record = tenant.get(kind, params['id'] as number);
      if (!record) throw new SimulatorHttpError(404, `${label} with id ${params['id']} was not found.`);
      return tenant.view(kind, record, guidOf(query));
    },
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

const READ_ROUTES: readonly SimulatorRoute[] = [
  {
    name: 'jobs.list',
    method: 'GET',
    module: 'jpm',
    resource: 'jobs',
    operationId: 'Jobs_GetList',
    params: {
      ...PAGE_PARAMS,
      ...MODIFIED_PARAMS,
      ...ids,
      externalDataApplicationGuid: 'guid',
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
          .map((job) => withoutActive(tenant.view('jobs', job, guidOf(query)))),
        query,
      ),
  },
  exportRoute('jobs.export', 'jpm', 'export/jobs', 'Export_Jobs', 'jobs'),
  activeList('jobTypes.list', 'jpm', 'job-types', 'JobTypes_GetList', 'jobTypes', {
    externalDataApplicationGuid: 'guid',
  }),
  {
    name: 'invoices.list',
    method: 'GET',
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
  exportRoute('invoices.export', 'accounting', 'export/invoices', 'Export_Invoices', 'invoices'),
  {
    name: 'invoiceItems.export',
    method: 'GET',
    module: 'accounting',
    resource: 'export/invoice-items',
    operationId: 'Export_InvoiceItems',
    params: EXPORT_PARAMS,
    handle: ({ tenant, query, exportPageSize }) =>
      exportPage(tenant.invoiceItemFeed(), query['from'] as string | undefined, exportPageSize),
  },
  {
    // The quirk: a BARE ARRAY, no paging envelope.
    name: 'inventoryBills.list',
    method: 'GET',
    module: 'accounting',
    resource: 'inventory-bills',
    operationId: 'InventoryBills_GetList',
    params: inventoryBillParams,
    handle: ({ tenant, query }) => paginate(listedInventoryBills(tenant, query), query).data,
  },
  {
    name: 'inventoryBills.paginated',
    method: 'GET',
    module: 'accounting',
    resource: 'inventory-bills/paginated',
    operationId: 'InventoryBills_GetListPaginated',
    params: inventoryBillParams,
    handle: ({ tenant, query }) => paginate(listedInventoryBills(tenant, query), query),
  },
  exportRoute(
    'inventoryBills.export',
    'accounting',
    'export/inventory-bills',
    'Export_InventoryBills',
    'inventoryBills',
  ),
  activeList('glAccounts.list', 'accounting', 'gl-accounts', 'GlAccounts_GetList', 'glAccounts'),
  {
    name: 'purchaseOrders.list',
    method: 'GET',
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
  exportRoute(
    'purchaseOrders.export',
    'inventory',
    'export/purchase-orders',
    'Export_PurchaseOrders',
    'purchaseOrders',
  ),
  // The spec types vendor ids as an array (repeated `ids=`), unlike most lists.
  activeList('vendors.list', 'inventory', 'vendors', 'Vendors_GetList', 'vendors', {
    ids: 'idsArray',
    ...EXTERNAL_DATA_PARAMS,
  }),
  getById('vendors.get', 'inventory', 'vendors/{id}', 'Vendors_GetById', 'vendors', 'Vendor'),
  {
    name: 'grossPayItems.list',
    method: 'GET',
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
  exportRoute('grossPayItems.export', 'payroll', 'export/gross-pay-items', 'Export_GrossPayItems', 'grossPayItems'),
  activeList('technicians.list', 'settings', 'technicians', 'Technicians_GetList', 'technicians'),
  activeList('businessUnits.list', 'settings', 'business-units', 'BusinessUnits_GetList', 'businessUnits', {
    externalDataApplicationGuid: 'guid',
  }),
  activeList('materials.list', 'pricebook', 'materials', 'Materials_GetList', 'materials', EXTERNAL_DATA_PARAMS),
  getById('materials.get', 'pricebook', 'materials/{id}', 'Materials_Get', 'materials', 'Material'),
  exportRoute('materials.export', 'pricebook', 'export/materials', 'Export_Materials', 'materials'),
];

export const SIMULATOR_ROUTES: readonly SimulatorRoute[] = [...READ_ROUTES, ...WRITE_ROUTES];

export type RouteMatch =
  | { kind: 'found'; route: SimulatorRoute; params: Record<string, number> }
  /** The path exists for other methods only (405 with Allow). */
  | { kind: 'method-not-allowed'; allow: SimulatedMethod[] }
  | { kind: 'not-found' };

/** Matches `{module}` + the path after `/tenant/{tenant}/` against the routes (`{id}` = a positive integer). */
export function findRoute(method: string, module: string, resourcePath: string): RouteMatch {
  const segments = resourcePath.split('/');
  const matches: { route: SimulatorRoute; params: Record<string, number> }[] = [];
  for (const route of SIMULATOR_ROUTES) {
    if (route.module !== module) continue;
    const pattern = route.resource.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, number> = {};
    const ok = pattern.every((part, i) => {
      const segment = segments[i] as string;
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (param === undefined) return part === segment;
      if (!/^\d+$/.test(segment) || !Number.isSafeInteger(Number(segment))) return false;
      params[param] = Number(segment);
      return true;
    });
    if (ok) matches.push({ route, params });
  }
  const found = matches.find((m) => m.route.method === method);
  if (found) return { kind: 'found', ...found };
  if (matches.length > 0)
    return { kind: 'method-not-allowed', allow: [...new Set(matches.map((m) => m.route.method))] };
  return { kind: 'not-found' };
}

/** Route by name (tests). */
export function routeNamed(name: string): SimulatorRoute {
  const route = SIMULATOR_ROUTES.find((r) => r.name === name);
  if (!route) throw new Error(`no simulator route ${name}`);
  return route;
}
