import type {
  BusinessUnit,
  ExportGrossPayItem,
  ExportInventoryBill,
  ExportInvoiceItem,
  ExportJob,
  GlAccount,
  Invoice,
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
  | 'glAccounts';

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
}

/** One tenant in a seed file. Credentials are per tenant, as in ServiceTitan. */
export type SimulatorTenantSeed = {
  id: number;
  name?: string;
  clientId: string;
  clientSecret: string;
  /** App keys accepted for this tenant in addition to the simulator-wide ones. */
  appKeys?: string[];
} & { [K in EntityKind]?: SeedRecords[K][] };

/** The JSON seed format (SEED_FILE, `sim.seed()`, `POST /__admin/seed`). */
export interface ServiceTitanSimulatorSeed {
  /** App key(s) of the application (ST-App-Key), accepted for every tenant. */
  appKey?: string | string[];
  tenants?: SimulatorTenantSeed[];
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
};

type Tables = { [K in EntityKind]: Map<number, StoredRecords[K]> };

/** In-memory data of one tenant plus the mutation helpers tests use to simulate changes in ServiceTitan. */
export class SimulatorTenant {
  readonly id: number;
  name: string;
  clientId: string;
  clientSecret: string;
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
  };

  /** @param stamp returns a fresh, strictly increasing ISO timestamp from the simulator clock. */
  constructor(
    seed: SimulatorTenantSeed,
    private readonly stamp: () => string,
  ) {
    if (!Number.isSafeInteger(seed.id) || seed.id <= 0) throw new RangeError('tenant id must be a positive integer');
    this.id = seed.id;
    this.name = seed.name ?? `Tenant ${seed.id}`;
    this.clientId = seed.clientId;
    this.clientSecret = seed.clientSecret;
    for (const key of seed.appKeys ?? []) this.appKeys.add(key);
    for (const kind of ENTITY_KINDS) {
      for (const record of (seed[kind] ?? []) as SeedRecords[typeof kind][]) this.insert(kind, record);
    }
  }

  /** All records of a kind ordered by id (the stored, export-shaped records). */
  all<K extends EntityKind>(kind: K): StoredRecords[K][] {
    return [...(this.tables[kind] as Map<number, StoredRecords[K]>).values()].sort((a, b) => a.id - b.id);
  }

  get<K extends EntityKind>(kind: K, id: number): StoredRecords[K] | undefined {
    return (this.tables[kind] as Map<number, StoredRecords[K]>).get(id);
  }

  count(kind: EntityKind): number {
    return this.tables[kind].size;
  }

  /**
   * Inserts a record as seeded: missing fields get schema-valid defaults, `modifiedOn`/`createdOn` default to now.
   * Replaces an existing record with the same id.
   */
  insert<K extends EntityKind>(kind: K, seed: SeedRecords[K]): StoredRecords[K] {
    const builder = BUILDERS[kind] as (s: SeedRecords[K], now: string) => StoredRecords[K];
    // id first: responses read like the real API's.
    const { id, ...rest } = builder(seed, this.stamp());
    const record = { id, ...rest } as StoredRecords[K];
    (this.tables[kind] as Map<number, StoredRecords[K]>).set(record.id, record);
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
      invoice.items = (invoice.items ?? []).map((item) => ({
        ...item,
        modifiedOn,
      }));
    }
    table.set(id, next);
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
      this.update('invoices', id, {
        active: false,
        items: invoice?.items ?? [],
      });
      return;
    }
    this.update(kind, id, { active: false } as Partial<StoredRecords[typeof kind]>);
  }

  // Named helpers for the records the connector cares most about.
  updateInventoryBill(id: number, patch: Partial<ExportInventoryBill>): ExportInventoryBill {
    return this.update('inventoryBills', id, patch);
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

  updatePurchaseOrder(id: number, patch: Partial<PurchaseOrder>): PurchaseOrder {
    return this.update('purchaseOrders', id, patch);
  }

  updateVendor(id: number, patch: Partial<Vendor>): Vendor {
    return this.update('vendors', id, patch);
  }

  updateGrossPayItem(id: number, patch: Partial<StoredGrossPayItem>): StoredGrossPayItem {
    return this.update('grossPayItems', id, patch);
  }

  /** Rows of export/invoice-items: each item of each invoice, with `invoiceId` and the invoice's `active`. */
  invoiceItemRows(): ExportInvoiceItem[] {
    const rows: ExportInvoiceItem[] = [];
    for (const invoice of this.all('invoices')) {
      for (const item of invoice.items ?? []) rows.push({ ...item, invoiceId: invoice.id, active: invoice.active });
    }
    return rows;
  }
}
