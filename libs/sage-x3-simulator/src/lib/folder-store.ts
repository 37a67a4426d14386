import { randomUUID } from 'node:crypto';
import { isDecimalString, toDecimalString } from '@connector/decimal';
import { SageX3FolderSeed, SeedDecimal, SeedFiscalPeriod, SeedFlag } from './seed.types';
import { SimulatorClock, StampIssuer } from './simulator-clock';
import { Representation } from './representation';
import { X3_CLASSES, X3_NO, X3_YES, X3ClassDef } from './x3-classes';

export type X3Record = Record<string, unknown>;

export class SimulatorError extends Error {}

export interface WriteOptions {
  user?: string;
  /** Force a stamp (e.g. two records on the same UPDDATTIM); otherwise the monotonic issuer is used. */
  stamp?: string;
}

/** One X3 folder: tables keyed by class then by `~`-joined key. All writes stamp CREDATTIM/UPDDATTIM. */
export class FolderStore {
  /** Published representations by name (each class under its own name, plus the seed's custom ones). */
  readonly representations = new Map<string, Representation>();
  readonly authModes: { api1: string[]; graphql: string[] };
  readonly blockDuplicateSupplierInvoiceNumber: boolean;
  readonly uniqueSupplierTaxId: boolean;
  /** HTTP status of a business rejection (unpublished by Sage; 400 unless the seed says otherwise). */
  businessErrorStatus: number;
  readonly exchangeRates = new Map<string, string>();
  entryTypes?: Set<string>;
  private readonly tables = new Map<string, Map<string, X3Record>>();
  private readonly counters = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly stamps: StampIssuer,
    readonly clock: SimulatorClock,
    seed: Pick<
      SageX3FolderSeed,
      'auth' | 'representations' | 'blockDuplicateSupplierInvoiceNumber' | 'uniqueSupplierTaxId' | 'businessErrorStatus'
    > = {},
  ) {
    for (const [cls, def] of Object.entries(X3_CLASSES)) {
      this.tables.set(cls, new Map());
      this.representations.set(cls, new Representation(cls, def));
    }
    for (const [repr, spec] of Object.entries(seed.representations ?? {})) {
      const cls = typeof spec === 'string' ? spec : spec.class;
      const def = X3_CLASSES[cls];
      if (!def) throw new SimulatorError(`representation ${repr} points at unknown class ${cls}`);
      const representation = new Representation(repr, def);
      try {
        if (typeof spec !== 'string') representation.customise(spec);
      } catch (error) {
        throw new SimulatorError(`representation ${repr}: ${(error as Error).message}`);
      }
      this.representations.set(repr, representation);
    }
    this.authModes = { api1: seed.auth?.api1 ?? ['basic', 'oauth2'], graphql: seed.auth?.graphql ?? ['oauth2', 'jwt'] };
    this.blockDuplicateSupplierInvoiceNumber = seed.blockDuplicateSupplierInvoiceNumber ?? true;
    this.uniqueSupplierTaxId = seed.uniqueSupplierTaxId ?? true;
    this.businessErrorStatus = seed.businessErrorStatus ?? 400;
  }

  /** A published representation, to customise in a test (remove/rename a field, change a length). */
  representation(name: string): Representation {
    const r = this.representations.get(name);
    if (!r) throw new SimulatorError(`representation ${name} is not published in folder ${this.name}`);
    return r;
  }

  /** Publishes (or replaces) a representation of a class, standard fields unless customised afterwards. */
  publishRepresentation(name: string, className: string): Representation {
    const def = this.classDef(className);
    const r = new Representation(name, def);
    this.representations.set(name, r);
    return r;
  }

  classDef(className: string): X3ClassDef {
    const def = X3_CLASSES[className];
    if (!def) throw new SimulatorError(`unknown class ${className}`);
    return def;
  }

  keyOf(className: string, record: X3Record): string {
    return this.classDef(className)
      .keyFields.map((f) => String(record[f] ?? ''))
      .join('~');
  }

  get(className: string, key: string): X3Record | undefined {
    return this.table(className).get(key);
  }

  list(className: string): X3Record[] {
    return [...this.table(className).values()];
  }

  insert(className: string, record: X3Record, options: WriteOptions = {}): X3Record {
    const key = this.keyOf(className, record);
    if (this.table(className).has(key)) throw new SimulatorError(`${className} ${key} already exists`);
    const stamp = this.stamp(options);
    const stored: X3Record = {
      ...structuredClone(record),
      $uuid: randomUUID(),
      CREDATTIM: stamp,
      UPDDATTIM: stamp,
      CREUSR: options.user ?? 'ADMIN',
      UPDUSR: options.user ?? 'ADMIN',
    };
    this.table(className).set(key, stored);
    return stored;
  }

  /** Insert or replace (keeps CREDATTIM of an existing record). */
  upsert(className: string, record: X3Record, options: WriteOptions = {}): X3Record {
    const key = this.keyOf(className, record);
    const existing = this.get(className, key);
    if (!existing) return this.insert(className, record, options);
    const stamp = this.stamp(options);
    const stored: X3Record = {
      ...structuredClone(record),
      $uuid: existing['$uuid'],
      CREDATTIM: existing['CREDATTIM'],
      CREUSR: existing['CREUSR'],
      UPDDATTIM: stamp,
      UPDUSR: options.user ?? 'ADMIN',
    };
    this.table(className).set(key, stored);
    return stored;
  }

  update(className: string, key: string, changes: X3Record, options: WriteOptions = {}): X3Record {
    const existing = this.get(className, key);
    if (!existing) throw new SimulatorError(`${className} ${key} does not exist`);
    for (const f of this.classDef(className).keyFields) {
      if (f in changes && changes[f] !== existing[f]) throw new SimulatorError(`key field ${f} cannot change`);
    }
    const updated: X3Record = {
      ...existing,
      ...structuredClone(changes),
      UPDDATTIM: this.stamp(options),
      UPDUSR: options.user ?? 'ADMIN',
    };
    this.table(className).set(key, updated);
    return updated;
  }

  inactivate(className: string, key: string, options: WriteOptions = {}): X3Record {
    return this.update(className, key, { ENAFLG: X3_NO }, options);
  }

  delete(className: string, key: string): boolean {
    return this.table(className).delete(key);
  }

  nextNumber(counter: string): number {
    const next = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, next);
    return next;
  }

  private table(className: string): Map<string, X3Record> {
    const table = this.tables.get(className);
    if (!table) throw new SimulatorError(`unknown class ${className}`);
    return table;
  }

  private stamp(options: WriteOptions): string {
    if (options.stamp) {
      this.stamps.observe(options.stamp);
      return options.stamp;
    }
    return this.stamps.next();
  }
}

export function seedFlag(value: SeedFlag | undefined): number {
  if (value === undefined || value === true || value === 2) return X3_YES;
  return X3_NO;
}

/** Fixture amounts keep their written scale ("12.50" stays "12.50"); numbers become canonical strings. */
function dec(value: SeedDecimal): string {
  const canonical = toDecimalString(value);
  return typeof value === 'string' && isDecimalString(value.trim()) ? value.trim() : canonical;
}

/** Loads one folder's fixture into a new store. */
export function buildFolderStore(seed: SageX3FolderSeed, stamps: StampIssuer, clock: SimulatorClock): FolderStore {
  const store = new FolderStore(seed.name, stamps, clock, seed);
  for (const c of seed.currencies ?? [])
    store.insert('TABCUR', { CUR: c.CUR, DES: c.DES ?? c.CUR, CURDEC: c.CURDEC ?? 2 });
  for (const r of seed.exchangeRates ?? []) store.exchangeRates.set(`${r.from}>${r.to}`, dec(r.rate));
  for (const c of seed.companies ?? []) store.insert('COMPANY', { CPY: c.CPY, DES: c.DES ?? c.CPY, CUR: c.CUR });
  for (const s of seed.sites ?? []) store.insert('FACILITY', { FCY: s.FCY, CPY: s.CPY, DES: s.DES ?? s.FCY });
  for (const j of seed.journals ?? [])
    store.insert('GJOURNAL', { JOU: j.JOU, DES: j.DES ?? j.JOU, ENAFLG: seedFlag(j.ENAFLG) });
  if (seed.entryTypes) store.entryTypes = new Set(seed.entryTypes);
  for (const y of seed.fiscalYears ?? []) {
    store.insert('FISCALYEAR', {
      CPY: y.CPY,
      FIY: String(y.FIY),
      STRDAT: y.STRDAT,
      ENDDAT: y.ENDDAT,
      FIYSTA: y.closed ? 'closed' : 'open',
    });
    const periods: SeedFiscalPeriod[] = y.periods ?? monthlyPeriods(y.STRDAT, y.ENDDAT);
    for (const p of periods) {
      const closed = p.closed || (y.closedPeriods ?? []).includes(p.PER);
      store.insert('PERIOD', {
        CPY: y.CPY,
        FIY: String(y.FIY),
        PER: p.PER,
        STRDAT: p.STRDAT,
        ENDDAT: p.ENDDAT,
        PERSTA: closed ? 'closed' : 'open',
      });
    }
  }
  for (const a of seed.accounts ?? [])
    store.insert('GACCOUNT', { ACC: a.ACC, DES: a.DES ?? a.ACC, ENAFLG: seedFlag(a.ENAFLG), DIE: [...(a.DIE ?? [])] });
  for (const c of seed.costCenters ?? [])
    store.insert('CACCE', { DIE: c.DIE, CCE: c.CCE, DES: c.DES ?? c.CCE, ENAFLG: seedFlag(c.ENAFLG) });
  for (const s of seed.suppliers ?? []) {
    store.insert('BPSUPPLIER', {
      BPSNUM: s.BPSNUM,
      BPSNAM: s.BPSNAM ?? s.BPSNUM,
      ENAFLG: seedFlag(s.ENAFLG),
      CUR: s.CUR ?? '',
      CRY: s.CRY ?? 'US',
      CRN: s.CRN ?? '',
    });
  }
  for (const p of seed.products ?? []) {
    store.insert('ITMMASTER', {
      ITMREF: p.ITMREF,
      ITMDES1: p.ITMDES1 ?? p.ITMREF,
      TCLCOD: p.TCLCOD ?? '',
      STU: p.STU ?? 'UN',
      PURBASPRI: p.PURBASPRI === undefined ? '0' : dec(p.PURBASPRI),
    });
  }
  for (const o of seed.purchaseOrders ?? []) {
    store.insert('PORDER', {
      POHNUM: o.POHNUM,
      POHFCY: o.POHFCY,
      BPSNUM: o.BPSNUM,
      ORDDAT: o.ORDDAT,
      CUR: o.CUR,
      PORDERQ: o.PORDERQ.map((l) => ({
        POPLIN: l.POPLIN,
        ITMREF: l.ITMREF,
        QTYUOM: dec(l.QTYUOM),
        NETPRI: dec(l.NETPRI),
      })),
    });
  }
  for (const r of seed.receipts ?? []) {
    store.insert('PRECEIPT', {
      PTHNUM: r.PTHNUM,
      PRHFCY: r.PRHFCY,
      BPSNUM: r.BPSNUM,
      RCPDAT: r.RCPDAT,
      PRECEIPTD: r.PRECEIPTD.map((l, i) => ({
        PTDLIN: l.PTDLIN ?? (i + 1) * 1000,
        POHNUM: l.POHNUM,
        POPLIN: l.POPLIN,
        ITMREF: l.ITMREF ?? '',
        QTYUOM: dec(l.QTYUOM),
      })),
    });
  }
  return store;
}

function monthlyPeriods(start: string, end: string): Array<{ PER: number; STRDAT: string; ENDDAT: string }> {
  const periods: Array<{ PER: number; STRDAT: string; ENDDAT: string }> = [];
  let cursor = new Date(`${start}T00:00:00Z`);
  const last = new Date(`${end}T00:00:00Z`);
  let per = 1;
  while (cursor <= last) {
    const monthEnd = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 0));
    const periodEnd = monthEnd < last ? monthEnd : last;
    periods.push({
      PER: per++,
      STRDAT: cursor.toISOString().slice(0, 10),
      ENDDAT: periodEnd.toISOString().slice(0, 10),
    });
    cursor = new Date(periodEnd.getTime() + 86_400_000);
  }
  return periods;
}
