import { sumDecimals, toDecimal } from '@connector/decimal';
import type {
  BusinessUnit,
  ExportGrossPayItem,
  ExportInventoryBill,
  ExportInvoiceItem,
  ExportJob,
  ExternalDataEntry,
  GlAccount,
  Invoice,
  JobType,
  Material,
  PurchaseOrder,
  Technician,
  Vendor,
} from '@connector/servicetitan';
import {
  buildBusinessUnit,
  buildGlAccount,
  buildGrossPayItem,
  buildInventoryBill,
  buildInvoice,
  buildJob,
  buildJobType,
  buildMaterial,
  buildPurchaseOrder,
  buildTechnician,
  buildVendor,
  type SeedInventoryBill,
  type SeedInvoice,
  type SeedOf,
  type SeedPurchaseOrder,
  type StoredGrossPayItem,
} from './record.builders';

/** Entity kinds the simulator stores per tenant (names match the seed file keys). */
export type EntityKind =
  | 'jobs'
  | 'invoices'
  | 'inventoryBills'
  | 'purchaseOrders'
  | 'vendors'
  | 'grossPayItems'
  | 'technicians'
  | 'businessUnits'
  | 'glAccounts'
  | 'materials'
  | 'jobTypes';

export const ENTITY_KINDS: readonly EntityKind[] = [
  'jobs',
  'invoices',
  'inventoryBills',
  'purchaseOrders',
  'vendors',
  'grossPayItems',
  'technicians',
  'businessUnits',
  'glAccounts',
  'materials',
  'jobTypes',
];

/** Full stored shape per kind (export shapes where the API has one: they add `active`). */
export interface StoredRecords {
  jobs: ExportJob;
  invoices: Invoice;
  inventoryBills: ExportInventoryBill;
  purchaseOrders: PurchaseOrder;
  vendors: Vendor;
  grossPayItems: StoredGrossPayItem;
  technicians: Technician;
  businessUnits: BusinessUnit;
  glAccounts: GlAccount;
  materials: Material;
  jobTypes: JobType;
}

/** Partial records accepted by seeds and upserts. */
export interface SeedRecords {
  jobs: SeedOf<ExportJob>;
  invoices: SeedInvoice;
  inventoryBills: SeedInventoryBill;
  purchaseOrders: SeedPurchaseOrder;
  vendors: SeedOf<Vendor>;
  grossPayItems: SeedOf<ExportGrossPayItem>;
  technicians: SeedOf<Technician>;
  businessUnits: SeedOf<BusinessUnit>;
  glAccounts: SeedOf<GlAccount>;
  materials: SeedOf<Material>;
  jobTypes: SeedOf<JobType>;
}

/**
 * External data written through seeds (a plain `externalData` list on a record) belongs to this application guid
 * unless the tenant seed names another: the API keeps external data per application and shows a request only the
 * entries of the `externalDataApplicationGuid` it names.
 */
export const SIMULATOR_SEED_APPLICATION_GUID = '5eed0000-0000-4000-8000-00000000c0de';

/** One tenant in a seed file. Credentials are per tenant, as in ServiceTitan. */
export type SimulatorTenantSeed = {
  id: number;
  name?: string;
  clientId: string;
  clientSecret: string;
  /** App keys accepted for this tenant in addition to the simulator-wide ones. */
  appKeys?: string[];
  /** Application guid that seeded `externalData` lists belong to. Default SIMULATOR_SEED_APPLICATION_GUID. */
  applicationGuid?: string;
} & { [K in EntityKind]?: SeedRecords[K][] };

/** The JSON seed format (SEED_FILE, `sim.seed()`, `POST /__admin/seed`). */
export interface ServiceTitanSimulatorSeed {
  /** App key(s) of the application (ST-App-Key), accepted for every tenant. */
  appKey?: string | string[];
  tenants?: SimulatorTenantSeed[];
}

/** What `markasexported` recorded on an invoice or inventory bill (simulator-side state, for tests). */
export interface ExportMark {
  externalId: string | null;
  externalMessage: string | null;
  /** When it was marked (the simulator clock). */
  at: string;
}

const BUILDERS: {
  [K in EntityKind]: (seed: SeedRecords[K], now: string) => StoredRecords[K];
} = {
  jobs: buildJob,
  invoices: buildInvoice,
  inventoryBills: buildInventoryBill,
  purchaseOrders: buildPurchaseOrder,
  vendors: buildVendor,
  grossPayItems: buildGrossPayItem,
  technicians: buildTechnician,
  businessUnits: buildBusinessUnit,
  glAccounts: buildGlAccount,
  materials: buildMaterial,
  jobTypes: buildJobType,
};

type Tables = { [K in EntityKind]: Map<number, StoredRecords[K]> };

interface Timestamped {
  id?: number | null;
  modifiedOn?: string | null;
  createdOn?: string | null;
}

/** A row's place in an export feed: (modifiedOn, id). */
export interface FeedPosition {
  m: number;
  i: number;
}

export interface FeedEntry<T> {
  row: T;
  pos: FeedPosition;
}

export const compareFeedPositions = (a: FeedPosition, b: FeedPosition): number => (a.m !== b.m ? a.m - b.m : a.i - b.i);

const feedPosition = (row: Timestamped): FeedPosition => {
  const stamp = row.modifiedOn ?? row.createdOn;
  return { m: stamp ? Date.parse(stamp) : 0, i: row.id ?? 0 };
};

/** In-memory data of one tenant plus the mutation helpers tests use to simulate changes in ServiceTitan. */
export class SimulatorTenant {
  readonly id: number;
  name: string;
  clientId: string;
  clientSecret: string;
  readonly applicationGuid: string;
  readonly appKeys = new Set<string>();
  private readonly tables: Tables = {
    jobs: new Map(),
    invoices: new Map(),
    inventoryBills: new Map(),
    purchaseOrders: new Map(),
    vendors: new Map(),
    grossPayItems: new Map(),
    technicians: new Map(),
    businessUnits: new Map(),
    glAccounts: new Map(),
    materials: new Map(),
    jobTypes: new Map(),
  };
  /** `kind:id` → application guid → entries. */
  private readonly externalData = new Map<string, Map<string, ExternalDataEntry[]>>();
  private readonly exportMarks = new Map<string, ExportMark>();
  // Sorted views are rebuilt only after a change: volume tests page through 100,000s of rows.
  private readonly byIdCache = new Map<EntityKind, unknown[]>();
  private readonly feedCache = new Map<string, FeedEntry<unknown>[]>();

  /** @param stamp returns a fresh, strictly increasing ISO timestamp from the simulator clock (a change's modifiedOn). */
  constructor(
    seed: SimulatorTenantSeed,
    readonly stamp: () => string,
  ) {
    if (!Number.isSafeInteger(seed.id) || seed.id <= 0) throw new RangeError('tenant id must be a positive integer');
    this.id = seed.id;
    this.name = seed.name ?? `Tenant ${seed.id}`;
    this.clientId = seed.clientId;
    this.clientSecret = seed.clientSecret;
    this.applicationGuid = seed.applicationGuid ?? SIMULATOR_SEED_APPLICATION_GUID;
    for (const key of seed.appKeys ?? []) this.appKeys.add(key);
    for (const kind of ENTITY_KINDS) {
      for (const record of (seed[kind] ?? []) as SeedRecords[typeof kind][]) this.insert(kind, record);
    }
  }

  /** All records of a kind ordered by id (the stored, export-shaped records). Do not mutate the array. */
  all<K extends EntityKind>(kind: K): readonly StoredRecords[K][] {
    let rows = this.byIdCache.get(kind) as StoredRecords[K][] | undefined;
    if (!rows) {
      rows = [...(this.tables[kind] as Map<number, StoredRecords[K]>).values()].sort((a, b) => a.id - b.id);
      this.byIdCache.set(kind, rows);
    }
    return rows;
  }

  /** Records in export-feed order, (modifiedOn, id) ascending, with their positions. Do not mutate the array. */
  feed<K extends EntityKind>(kind: K): readonly FeedEntry<StoredRecords[K]>[] {
    return this.cachedFeed(kind, () => this.all(kind));
  }

  /** Rows of export/invoice-items in feed order: each invoice item with `invoiceId` and the invoice's `active`. */
  invoiceItemFeed(): readonly FeedEntry<ExportInvoiceItem>[] {
    return this.cachedFeed('invoiceItems', () => {
      const rows: ExportInvoiceItem[] = [];
      for (const invoice of this.all('invoices')) {
        for (const item of invoice.items ?? []) rows.push({ ...item, invoiceId: invoice.id, active: invoice.active });
      }
      return rows;
    });
  }

  get<K extends EntityKind>(kind: K, id: number): StoredRecords[K] | undefined {
    return (this.tables[kind] as Map<number, StoredRecords[K]>).get(id);
  }

  count(kind: EntityKind): number {
    return this.tables[kind].size;
  }

  /** The next free id of a kind (max + 1). */
  nextId(kind: EntityKind): number {
    let max = 0;
    for (const id of this.tables[kind].keys()) if (id > max) max = id;
    return max + 1;
  }

  /**
   * Inserts a record as seeded: missing fields get schema-valid defaults, `modifiedOn`/`createdOn` default to now.
   * Replaces an existing record with the same id. A seeded `externalData` list belongs to the tenant's seed guid.
   */
  insert<K extends EntityKind>(kind: K, seed: SeedRecords[K]): StoredRecords[K] {
    const builder = BUILDERS[kind] as (s: SeedRecords[K], now: string) => StoredRecords[K];
    // id first: responses read like the real API's.
    const { id, ...rest } = builder(seed, this.stamp());
    const record = { id, ...rest } as StoredRecords[K];
    this.takeExternalData(kind, record);
    (this.tables[kind] as Map<number, StoredRecords[K]>).set(record.id, record);
    this.changed(kind);
    return record;
  }

  /** Changes a record the way an edit in ServiceTitan would: merges the patch and bumps `modifiedOn`. */
  update<K extends EntityKind>(kind: K, id: number, patch: Partial<StoredRecords[K]>): StoredRecords[K] {
    const table = this.tables[kind] as Map<number, StoredRecords[K]>;
    const existing = table.get(id);
    if (!existing) throw new Error(`tenant ${this.id} has no ${kind} record ${id}`);
    const modifiedOn = this.stamp();
    const next = { ...existing, ...patch, id, modifiedOn } as StoredRecords[K];
    if (kind === 'invoices' && 'items' in patch) {
      // Changed invoice items show up in export/invoice-items with a new modifiedOn.
      const invoice = next as Invoice;
      invoice.items = (invoice.items ?? []).map((item) => ({ ...item, modifiedOn }));
    }
    if ('externalData' in patch) this.takeExternalData(kind, next);
    else if ('externalData' in existing) (next as { externalData: unknown }).externalData = [];
    table.set(id, next);
    this.changed(kind);
    return next;
  }

  /** Marks a record inactive/deleted (it leaves the default lists and appears in exports with `active: false`). */
  deactivate(kind: EntityKind, id: number): void {
    if (kind === 'purchaseOrders') {
      this.update('purchaseOrders', id, { status: 'Canceled' });
      return;
    }
    if (kind === 'invoices') {
      const invoice = this.get('invoices', id);
      this.update('invoices', id, { active: false, items: invoice?.items ?? [] });
      return;
    }
    this.update(kind, id, { active: false } as Partial<StoredRecords[typeof kind]>);
  }

  // ---------------------------------------------------------------- external data (per application guid)
  /** The entries of one application on a record ([] when none). */
  externalDataOf(kind: EntityKind, id: number, applicationGuid: string): ExternalDataEntry[] {
    return [...(this.externalData.get(`${kind}:${id}`)?.get(applicationGuid.toLowerCase()) ?? [])];
  }

  /**
   * Writes an application's entries the way the API's ExternalData requests do: `Replace` (the default) sets the
   * list; `Merge` replaces only the keys given and deletes keys whose value is null.
   */
  writeExternalData(
    kind: EntityKind,
    id: number,
    applicationGuid: string,
    entries: readonly { key: string; value?: string | null }[],
    mode: 'Replace' | 'Merge' = 'Replace',
  ): void {
    const key = `${kind}:${id}`;
    const perApp = this.externalData.get(key) ?? new Map<string, ExternalDataEntry[]>();
    const guid = applicationGuid.toLowerCase();
    const current = new Map((mode === 'Merge' ? (perApp.get(guid) ?? []) : []).map((e) => [e.key, e.value]));
    for (const entry of entries) {
      if (entry.value === null || entry.value === undefined) current.delete(entry.key);
      else current.set(entry.key, entry.value);
    }
    perApp.set(
      guid,
      [...current].map(([k, value]) => ({ key: k, value })),
    );
    this.externalData.set(key, perApp);
  }

  /** The record as a response shows it: `externalData` holds the entries of `applicationGuid` only (none without). */
  view<K extends EntityKind>(kind: K, record: StoredRecords[K], applicationGuid?: string): StoredRecords[K] {
    if (!('externalData' in record)) return record;
    return {
      ...record,
      externalData: applicationGuid ? this.externalDataOf(kind, record.id, applicationGuid) : [],
    };
  }

  // ---------------------------------------------------------------- markasexported state
  exportMark(kind: 'invoices' | 'inventoryBills', id: number): ExportMark | undefined {
    return this.exportMarks.get(`${kind}:${id}`);
  }

  /** Records the mark and changes the record's syncStatus (assumption, see docs), which bumps modifiedOn. */
  markExported(
    kind: 'invoices' | 'inventoryBills',
    id: number,
    mark: { externalId?: string | null; externalMessage?: string | null } = {},
  ): void {
    const at = this.stamp();
    this.exportMarks.set(`${kind}:${id}`, {
      externalId: mark.externalId ?? null,
      externalMessage: mark.externalMessage ?? null,
      at,
    });
    if (kind === 'invoices') {
      this.update('invoices', id, { syncStatus: 'Exported' });
    } else {
      const bill = this.get('inventoryBills', id);
      const posted = bill?.syncStatus === 'Posted' || bill?.syncStatus === 'PostedAndExported';
      this.update('inventoryBills', id, { syncStatus: posted ? 'PostedAndExported' : 'Exported' });
    }
  }

  // ---------------------------------------------------------------- named helpers (changes made in ServiceTitan)
  updateInventoryBill(id: number, patch: Partial<ExportInventoryBill>): ExportInventoryBill {
    return this.update('inventoryBills', id, patch);
  }

  /**
   * A corrected bill (e.g. a wrong quantity or cost fixed after the fact). When items are given without a
   * `billAmount`, the bill amount is recomputed as the items' quantity × cost plus tax and shipping, in exact decimals.
   */
  correctInventoryBill(id: number, patch: Partial<ExportInventoryBill>): ExportInventoryBill {
    const existing = this.get('inventoryBills', id);
    if (!existing) throw new Error(`tenant ${this.id} has no inventoryBills record ${id}`);
    const next = { ...patch };
    if (patch.items && patch.billAmount === undefined) {
      next.billAmount = billTotal({ ...existing, ...patch });
    }
    return this.update('inventoryBills', id, next);
  }

  /** A voided/deleted bill: gone from the lists, `active: false` in export/inventory-bills. */
  voidInventoryBill(id: number): ExportInventoryBill {
    this.deactivate('inventoryBills', id);
    return this.get('inventoryBills', id) as ExportInventoryBill;
  }

  updateInvoice(id: number, patch: Partial<Invoice>): Invoice {
    return this.update('invoices', id, patch);
  }

  updateJob(id: number, patch: Partial<ExportJob>): ExportJob {
    return this.update('jobs', id, patch);
  }

  /** A canceled job: `jobStatus: Canceled` (it stays active, as in ServiceTitan), modifiedOn bumped. */
  cancelJob(id: number): ExportJob {
    return this.update('jobs', id, { jobStatus: 'Canceled' });
  }

  updatePurchaseOrder(id: number, patch: Partial<PurchaseOrder>): PurchaseOrder {
    return this.update('purchaseOrders', id, patch);
  }

  updateVendor(id: number, patch: Partial<Vendor>): Vendor {
    return this.update('vendors', id, patch);
  }

  updateGrossPayItem(id: number, patch: Partial<StoredGrossPayItem>): StoredGrossPayItem {
    return this.update('grossPayItems', id, patch);
  }

  /**
   * A gross pay item added after the fact (late payroll: a missed timesheet, a bonus). Gets the next id and fresh
   * createdOn/modifiedOn stamps, so the gross-pay-items feed returns it on its next poll.
   */
  addGrossPayItem(seed: Omit<SeedOf<ExportGrossPayItem>, 'id'> & { id?: number }): StoredGrossPayItem {
    const now = this.stamp();
    return this.insert('grossPayItems', {
      ...seed,
      id: seed.id ?? this.nextId('grossPayItems'),
      createdOn: now,
      modifiedOn: now,
    });
  }

  updateMaterial(id: number, patch: Partial<Material>): Material {
    return this.update('materials', id, patch);
  }

  // ---------------------------------------------------------------- internals
  private changed(kind: EntityKind): void {
    this.byIdCache.delete(kind);
    this.feedCache.delete(kind);
    if (kind === 'invoices') this.feedCache.delete('invoiceItems');
  }

  private cachedFeed<T extends Timestamped>(key: string, rows: () => readonly T[]): FeedEntry<T>[] {
    let entries = this.feedCache.get(key) as FeedEntry<T>[] | undefined;
    if (!entries) {
      entries = rows()
        .map((row) => ({ row, pos: feedPosition(row) }))
        .sort((a, b) => compareFeedPositions(a.pos, b.pos));
      this.feedCache.set(key, entries as FeedEntry<unknown>[]);
    }
    return entries;
  }

  /** Moves a seeded/patched plain `externalData` list into the per-application store (seed guid). */
  private takeExternalData(kind: EntityKind, record: object): void {
    const holder = record as { id: number; externalData?: unknown };
    if (!('externalData' in holder)) return;
    const list = holder.externalData;
    if (Array.isArray(list) && list.length > 0) {
      this.writeExternalData(kind, holder.id, this.applicationGuid, list as ExternalDataEntry[]);
    }
    holder.externalData = [];
  }
}

/** Bill amount from items (quantity × cost) plus tax and shipping; accounting amounts are decimal strings. */
function billTotal(bill: ExportInventoryBill): string {
  const lines = (bill.items ?? []).map((item) => toDecimal(item.quantity ?? '0').times(toDecimal(item.cost ?? '0')));
  return sumDecimals([...lines, bill.taxAmount ?? '0', bill.shippingAmount ?? '0']).toFixed(2);
}
