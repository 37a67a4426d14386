import { Decimal, sumDecimals } from '@connector/decimal';
import type {
  ExportGrossPayItem,
  ExportJob,
  Invoice,
  InvoiceItem,
  Material,
  Technician,
} from '@connector/servicetitan';
import type { SeedInvoice, SeedOf, StoredGrossPayItem } from './record.builders';
import type { SimulatorTenant, SimulatorTenantSeed } from './simulator.store';

/**
 * Volume seeds: a realistic contractor generated from a seed number, deterministic (same options → same tenant,
 * byte for byte). Business units, job types, technicians with pay rates, vendors and a pricebook; jobs over the
 * whole history (weekdays busier than weekends) where every completed job has an invoice with material items (cost
 * strings, as the accounting API sends them) and gross pay items (TimesheetTime per technician hour, some
 * InvoiceRelatedBonus); purchase orders, and an inventory bill for each received one. Every record's createdOn/
 * modifiedOn is its business time, so export feeds from a date return only what happened since.
 */
export interface TenantGeneratorOptions {
  /** Seed of the pseudo-random generator. Default 1. */
  seed?: number;
  tenantId?: number;
  name?: string;
  clientId?: string;
  clientSecret?: string;
  appKeys?: string[];
  /** The tenant's "now": nothing is created after it; later jobs of today are still open. ISO date-time. */
  now: string;
  /** First day of history (ISO date). Default: five years before the first day of `now`'s month. */
  historyFrom?: string;
  /** Default 20. */
  technicians?: number;
  /** Default 4 (at most 8). */
  businessUnits?: number;
  /** Default 6 (at most 8). */
  jobTypes?: number;
  /** Default 12. */
  vendors?: number;
  /** Pricebook materials. Default 80. */
  materials?: number;
  /** Average jobs per weekday over the whole tenant (weekends get a fifth). Default 4. */
  jobsPerWeekday?: number;
  /** Average purchase orders per week. Default 5. */
  purchaseOrdersPerWeek?: number;
  /** Share of jobs that get an InvoiceRelatedBonus gross pay item. Default 0.15. */
  bonusShare?: number;
  /** Share of past jobs canceled instead of completed. Default 0.04. */
  cancelShare?: number;
}

export interface GeneratedTenantSummary {
  jobs: number;
  completedJobs: number;
  canceledJobs: number;
  openJobs: number;
  invoices: number;
  grossPayItems: number;
  timesheetItems: number;
  bonusItems: number;
  purchaseOrders: number;
  inventoryBills: number;
  technicians: number;
  vendors: number;
  materials: number;
  /** Completion time of the first and last completed job. */
  firstCompletedOn: string | null;
  lastCompletedOn: string | null;
}

export interface GeneratedTenant {
  seed: SimulatorTenantSeed;
  summary: GeneratedTenantSummary;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUSINESS_UNITS = [
  'HVAC Service',
  'HVAC Install',
  'Plumbing Service',
  'Plumbing Install',
  'Electrical',
  'Drains',
  'Water Heaters',
  'Commercial',
];
const JOB_TYPES = [
  'Service Call',
  'Maintenance',
  'Repair',
  'Install',
  'Inspection',
  'Warranty',
  'Estimate',
  'Emergency',
];
const FIRST = ['Ana', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kai', 'Lena', 'Max', 'Nia'];
const LAST = ['Reyes', 'Okafor', 'Lind', 'Patel', 'Moreau', 'Nakamura', 'Kowalski', 'Haddad', 'Silva', 'Berg'];
const VENDOR_WORDS = ['Acme', 'Summit', 'Keystone', 'Northern', 'Metro', 'Allied', 'Pioneer', 'Liberty', 'Apex'];
const MATERIAL_WORDS = ['Copper pipe', 'Capacitor', 'Filter', 'Thermostat', 'Valve', 'Breaker', 'Fitting', 'Motor'];

/** mulberry32: small, fast, good enough for test data, and identical on every platform. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A money amount in [min, max] with two decimals, as a Decimal. */
  money(min: number, max: number): Decimal {
    return new Decimal(this.int(Math.round(min * 100), Math.round(max * 100))).dividedBy(100);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const dayStart = (ms: number) => ms - (((ms % DAY) + DAY) % DAY);
const money = (d: Decimal) => d.toFixed(2);
/** Payroll/pricebook/inventory amounts are JSON numbers; a two-decimal value is exact as a number literal. */
const moneyNumber = (d: Decimal) => Number(d.toFixed(2));

/** What one completed job needs from the tenant around it. */
interface JobContext {
  technicians: readonly Technician[];
  businessUnits: readonly { id: number; name: string }[];
  jobTypes: readonly { id: number; name: string }[];
  materials: readonly Material[];
}

interface IdCounters {
  job: number;
  invoice: number;
  invoiceItem: number;
  grossPayItem: number;
}

interface CompletedJobRecords {
  job: SeedOf<ExportJob>;
  invoice: SeedInvoice;
  grossPayItems: SeedOf<ExportGrossPayItem>[];
}

/**
 * One completed job with its invoice (material items at pricebook cost, one labor line) and its gross pay items
 * (TimesheetTime per technician, Overtime now and then, sometimes an InvoiceRelatedBonus).
 */
function completedJob(
  rng: SeededRandom,
  ctx: JobContext,
  ids: IdCounters,
  at: { createdOn: number; completedOn: number },
  options: { bonusShare: number; technicianIds?: number[]; businessUnitId?: number; jobTypeId?: number },
): CompletedJobRecords {
  const jobId = ids.job++;
  const invoiceId = ids.invoice++;
  const bu = ctx.businessUnits.find((b) => b.id === options.businessUnitId) ?? rng.pick(ctx.businessUnits);
  const type = ctx.jobTypes.find((t) => t.id === options.jobTypeId) ?? rng.pick(ctx.jobTypes);
  const crew = options.technicianIds
    ? ctx.technicians.filter((t) => options.technicianIds?.includes(t.id))
    : rng.chance(0.25)
      ? [rng.pick(ctx.technicians), rng.pick(ctx.technicians)].filter((t, i, all) => all.indexOf(t) === i)
      : [rng.pick(ctx.technicians)];
  const hours = new Decimal(rng.int(1, 12)).dividedBy(2); // 0.5 h steps
  const completedOn = iso(at.completedOn);
  const stamp = iso(at.completedOn + 5 * 60_000);
  const jobNumber = String(jobId);

  const items: SeedOf<InvoiceItem>[] = [];
  const lineCount = ctx.materials.length > 0 ? rng.int(0, 4) : 0;
  for (let i = 0; i < lineCount; i++) {
    const material = rng.pick(ctx.materials);
    const quantity = new Decimal(rng.int(1, 5));
    const cost = new Decimal(String(material.cost));
    const price = new Decimal(String(material.price));
    items.push({
      id: ids.invoiceItem++,
      description: material.description,
      quantity: quantity.toFixed(),
      cost: money(cost),
      totalCost: money(cost.times(quantity)),
      price: money(price),
      total: money(price.times(quantity)),
      type: 'Material',
      skuId: material.id,
      skuName: material.code,
      inventory: true,
      createdOn: stamp,
      modifiedOn: stamp,
      order: i + 1,
      businessUnit: { id: bu.id, name: bu.name },
      technicianId: crew[0]?.id ?? null,
      serviceDate: completedOn,
    });
  }
  const laborPrice = new Decimal(95).times(hours);
  items.push({
    id: ids.invoiceItem++,
    description: `${type.name} labor`,
    quantity: hours.toFixed(),
    cost: '0',
    totalCost: '0',
    price: '95.00',
    total: money(laborPrice),
    type: 'Service',
    skuId: 1,
    skuName: 'LABOR',
    createdOn: stamp,
    modifiedOn: stamp,
    order: items.length + 1,
    businessUnit: { id: bu.id, name: bu.name },
    technicianId: crew[0]?.id ?? null,
    serviceDate: completedOn,
    soldHours: hours.toNumber(),
  });
  const subTotal = sumDecimals(items.map((i) => i.total ?? '0'));
  const salesTax = subTotal.times('0.0625').toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const total = subTotal.plus(salesTax);

  const invoice: SeedInvoice = {
    id: invoiceId,
    syncStatus: 'Pending',
    referenceNumber: `INV-${invoiceId}`,
    invoiceDate: completedOn,
    subTotal: money(subTotal),
    salesTax: money(salesTax),
    total: money(total),
    balance: money(total),
    businessUnit: { id: bu.id, name: bu.name },
    job: { id: jobId, number: jobNumber, type: type.name },
    createdOn: stamp,
    modifiedOn: stamp,
    items,
  };

  const payStamp = iso(at.completedOn + 10 * 60_000);
  const payDate = iso(dayStart(at.completedOn));
  const grossPayItems: SeedOf<ExportGrossPayItem>[] = [];
  for (const tech of crew) {
    const overtime = rng.chance(0.1);
    const rate = new Decimal(String(tech.hourlyRate)).times(overtime ? '1.5' : '1');
    grossPayItems.push({
      id: ids.grossPayItem++,
      employeeId: tech.id,
      employeeType: 'Technician',
      businessUnitName: bu.name,
      payrollId: payrollIdFor(tech.id, at.completedOn),
      date: payDate,
      activity: 'Working',
      amount: moneyNumber(rate.times(hours)),
      grossPayItemType: 'TimesheetTime',
      startedOn: iso(at.completedOn - hours.times(HOUR).toNumber()),
      endedOn: completedOn,
      paidDurationHours: hours.toNumber(),
      paidTimeType: overtime ? 'Overtime' : 'Regular',
      jobId,
      jobNumber,
      jobTypeName: type.name,
      invoiceId,
      invoiceNumber: `INV-${invoiceId}`,
      laborTypeCode: 'LAB',
      createdOn: payStamp,
      modifiedOn: payStamp,
      active: true,
    });
  }
  if (rng.chance(options.bonusShare) && crew[0]) {
    grossPayItems.push({
      id: ids.grossPayItem++,
      employeeId: crew[0].id,
      employeeType: 'Technician',
      businessUnitName: bu.name,
      payrollId: payrollIdFor(crew[0].id, at.completedOn),
      date: payDate,
      amount: moneyNumber(rng.money(5, 60)),
      grossPayItemType: 'InvoiceRelatedBonus',
      paidDurationHours: null,
      paidTimeType: null,
      jobId,
      jobNumber,
      jobTypeName: type.name,
      invoiceId,
      invoiceNumber: `INV-${invoiceId}`,
      invoiceItemId: items[0]?.id ?? null,
      createdOn: payStamp,
      modifiedOn: payStamp,
      active: true,
    });
  }

  const job: SeedOf<ExportJob> = {
    id: jobId,
    jobNumber,
    customerId: 10_000 + rng.int(1, 5000),
    locationId: 20_000 + rng.int(1, 6000),
    jobStatus: 'Completed',
    completedOn,
    businessUnitId: bu.id,
    jobTypeId: type.id,
    priority: 'Normal',
    campaignId: 1,
    createdOn: iso(at.createdOn),
    modifiedOn: stamp,
    invoiceId,
    total: moneyNumber(total),
    active: true,
  };
  return { job, invoice, grossPayItems };
}

/** Biweekly pay periods per technician. */
function payrollIdFor(technicianId: number, at: number): number {
  return technicianId * 100_000 + Math.floor(at / (14 * DAY));
}

export function generateTenant(options: TenantGeneratorOptions): GeneratedTenant {
  const now = Date.parse(options.now);
  if (Number.isNaN(now)) throw new RangeError('generateTenant: now must be an ISO date-time');
  const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
  const historyFrom = options.historyFrom
    ? Date.parse(options.historyFrom)
    : Date.UTC(new Date(monthStart).getUTCFullYear() - 5, new Date(monthStart).getUTCMonth(), 1);
  if (Number.isNaN(historyFrom) || historyFrom >= now)
    throw new RangeError('generateTenant: historyFrom must be a date before now');
  const rng = new SeededRandom(options.seed ?? 1);
  const tenantId = options.tenantId ?? 2_000_001;
  const bonusShare = options.bonusShare ?? 0.15;
  const cancelShare = options.cancelShare ?? 0.04;
  const t0 = iso(historyFrom - DAY);

  const businessUnits = BUSINESS_UNITS.slice(0, Math.min(8, options.businessUnits ?? 4)).map((name, i) => ({
    id: 10 + i,
    name,
  }));
  const jobTypes = JOB_TYPES.slice(0, Math.min(8, options.jobTypes ?? 6)).map((name, i) => ({ id: 50 + i, name }));
  const technicians: Technician[] = Array.from({ length: options.technicians ?? 20 }, (_, i) => {
    const id = 200 + i;
    return {
      id,
      userId: 9000 + i,
      name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length + i) % LAST.length]}`,
      businessUnitId: (businessUnits[i % businessUnits.length] as { id: number }).id,
      createdOn: t0,
      modifiedOn: t0,
      dailyGoal: 0,
      isManagedTech: false,
      active: true,
      burdenRate: moneyNumber(rng.money(4, 12)),
      commissionRate: 0,
      hourlyRate: moneyNumber(rng.money(24, 58)),
      soldByRate: 0,
      status: 'Idle',
    } as Technician;
  });
  const vendors = Array.from({ length: options.vendors ?? 12 }, (_, i) => ({
    id: 300 + i,
    name: `${VENDOR_WORDS[i % VENDOR_WORDS.length]} Supply ${i + 1}`,
    createdOn: t0,
    modifiedOn: t0,
  }));
  const materials: Material[] = Array.from({ length: options.materials ?? 80 }, (_, i) => {
    const id = 1000 + i;
    const cost = rng.money(2, 400);
    const vendor = vendors[i % vendors.length] as { id: number; name: string };
    return {
      id,
      code: `MAT-${String(i + 1).padStart(4, '0')}`,
      description: `${MATERIAL_WORDS[i % MATERIAL_WORDS.length]} ${i + 1}`,
      cost: moneyNumber(cost),
      price: moneyNumber(cost.times('1.6')),
      active: true,
      isInventory: true,
      primaryVendor: {
        id: id * 100,
        vendorName: vendor.name,
        vendorId: vendor.id,
        memo: null,
        vendorPart: `VP-${id}`,
        cost: moneyNumber(cost),
        active: true,
        primarySubAccount: null,
        otherSubAccounts: null,
      },
      createdOn: t0,
      modifiedOn: t0,
    } as Material;
  });

  const ids: IdCounters = { job: 100_001, invoice: 500_001, invoiceItem: 5_000_001, grossPayItem: 900_001 };
  const ctx: JobContext = { technicians, businessUnits, jobTypes, materials };
  const jobs: SeedOf<ExportJob>[] = [];
  const invoices: SeedInvoice[] = [];
  const grossPayItems: SeedOf<ExportGrossPayItem>[] = [];
  const summary: GeneratedTenantSummary = {
    jobs: 0,
    completedJobs: 0,
    canceledJobs: 0,
    openJobs: 0,
    invoices: 0,
    grossPayItems: 0,
    timesheetItems: 0,
    bonusItems: 0,
    purchaseOrders: 0,
    inventoryBills: 0,
    technicians: technicians.length,
    vendors: vendors.length,
    materials: materials.length,
    firstCompletedOn: null,
    lastCompletedOn: null,
  };
  const perWeekday = options.jobsPerWeekday ?? 4;
  for (let day = dayStart(historyFrom); day <= now; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    const mean = weekday === 0 || weekday === 6 ? perWeekday / 5 : perWeekday;
    // Between 0 and 2 × mean, averaging the mean.
    const count = Math.floor(rng.next() * (2 * mean + 1));
    for (let n = 0; n < count; n++) {
      const createdOn = day + 7 * HOUR + rng.int(0, 10 * 60) * 60_000;
      const completedOn = createdOn + rng.int(1, 8) * HOUR;
      if (createdOn > now) continue;
      // A job not (yet) completed: open when its work runs past now, otherwise now and then canceled.
      const unfinished = (jobStatus: ExportJob['jobStatus'], modifiedOn: number) =>
        jobs.push({
          id: ids.job++,
          jobStatus,
          businessUnitId: rng.pick(businessUnits).id,
          jobTypeId: rng.pick(jobTypes).id,
          createdOn: iso(createdOn),
          modifiedOn: iso(modifiedOn),
          active: true,
        });
      if (completedOn > now) {
        unfinished(completedOn - 2 * HOUR > now ? 'Scheduled' : 'InProgress', createdOn);
        summary.openJobs++;
        continue;
      }
      if (rng.chance(cancelShare)) {
        unfinished('Canceled', completedOn);
        summary.canceledJobs++;
        continue;
      }
      const records = completedJob(rng, ctx, ids, { createdOn, completedOn }, { bonusShare });
      jobs.push(records.job);
      invoices.push(records.invoice);
      grossPayItems.push(...records.grossPayItems);
      summary.completedJobs++;
      summary.firstCompletedOn ??= records.job.completedOn ?? null;
      summary.lastCompletedOn = records.job.completedOn ?? null;
    }
  }

  // Purchase orders (numbers: the inventory API) and, once received, their inventory bills (strings: accounting).
  const purchaseOrders: NonNullable<SimulatorTenantSeed['purchaseOrders']> = [];
  const inventoryBills: NonNullable<SimulatorTenantSeed['inventoryBills']> = [];
  const completed = jobs.filter((j) => j.jobStatus === 'Completed');
  let poId = 700_001;
  let poItemId = 7_000_001;
  let billId = 800_001;
  let billItemId = 8_000_001;
  const poPerWeek = options.purchaseOrdersPerWeek ?? 5;
  for (let week = dayStart(historyFrom); week <= now; week += 7 * DAY) {
    const count = Math.floor(rng.next() * (2 * poPerWeek + 1));
    for (let n = 0; n < count; n++) {
      const date = week + rng.int(0, 6) * DAY + rng.int(8, 16) * HOUR;
      if (date > now) continue;
      const vendor = rng.pick(vendors);
      const lines = Array.from({ length: rng.int(1, 4) }, () => {
        const material = rng.pick(materials);
        return { material, quantity: new Decimal(rng.int(1, 20)), cost: new Decimal(String(material.cost)) };
      });
      const total = sumDecimals(lines.map((l) => l.cost.times(l.quantity)));
      const receivedOn = date + rng.int(1, 6) * DAY;
      const received = receivedOn <= now;
      const job = rng.chance(0.3) && completed.length > 0 ? rng.pick(completed) : undefined;
      const bu = businessUnits.find((b) => b.id === job?.businessUnitId) ?? rng.pick(businessUnits);
      const id = poId++;
      purchaseOrders.push({
        id,
        number: `PO-${id}`,
        jobId: job?.id ?? null,
        status: received ? 'Received' : 'Sent',
        vendorId: vendor.id,
        businessUnitId: bu.id,
        date: iso(date),
        sentOn: iso(date),
        receivedOn: received ? iso(receivedOn) : null,
        createdOn: iso(date),
        modifiedOn: iso(received ? receivedOn : date),
        total: moneyNumber(total),
        tax: 0,
        shipping: 0,
        items: lines.map((l) => ({
          id: poItemId++,
          skuId: l.material.id,
          description: l.material.description,
          skuName: l.material.description,
          skuCode: l.material.code,
          skuType: 'Material',
          vendorPartNumber: `VP-${l.material.id}`,
          quantity: l.quantity.toNumber(),
          quantityReceived: received ? l.quantity.toNumber() : 0,
          cost: moneyNumber(l.cost),
          total: moneyNumber(l.cost.times(l.quantity)),
          status: received ? 'Received' : 'Pending',
          createdOn: iso(date),
          modifiedOn: iso(received ? receivedOn : date),
        })),
      });
      const billDate = receivedOn + rng.int(0, 5) * DAY;
      if (!received || billDate > now) continue;
      const bid = billId++;
      inventoryBills.push({
        id: bid,
        purchaseOrderId: id,
        syncStatus: 'Pending',
        referenceNumber: `VB-${vendor.id}-${bid}`,
        vendorNumber: `V${vendor.id}`,
        billDate: iso(billDate),
        billAmount: money(total),
        taxAmount: '0.00',
        shippingAmount: '0.00',
        createdOn: iso(billDate),
        modifiedOn: iso(billDate),
        termName: 'Net 30',
        dueDate: iso(billDate + 30 * DAY),
        businessUnit: { id: bu.id, name: bu.name },
        vendor: { id: vendor.id, name: vendor.name },
        jobId: job?.id ?? null,
        jobNumber: job ? String(job.id) : null,
        items: lines.map((l, i) => ({
          id: billItemId++,
          order: i + 1,
          name: l.material.description,
          description: l.material.description,
          quantity: l.quantity.toFixed(),
          cost: money(l.cost),
          skuId: l.material.id,
          skuType: 'Material',
          skuCode: l.material.code,
        })),
      });
    }
  }

  summary.jobs = jobs.length;
  summary.invoices = invoices.length;
  summary.grossPayItems = grossPayItems.length;
  summary.timesheetItems = grossPayItems.filter((g) => g.grossPayItemType === 'TimesheetTime').length;
  summary.bonusItems = grossPayItems.filter((g) => g.grossPayItemType === 'InvoiceRelatedBonus').length;
  summary.purchaseOrders = purchaseOrders.length;
  summary.inventoryBills = inventoryBills.length;

  return {
    summary,
    seed: {
      id: tenantId,
      name: options.name ?? `Generated Contractor ${tenantId}`,
      clientId: options.clientId ?? `cid.generated-${tenantId}-not-real`,
      clientSecret: options.clientSecret ?? `cs.generated-${tenantId}-not-a-real-secret`,
      appKeys: options.appKeys,
      businessUnits: businessUnits.map((b) => ({ ...b, createdOn: t0, modifiedOn: t0 })),
      jobTypes: jobTypes.map((t) => ({
        ...t,
        businessUnitIds: businessUnits.map((b) => b.id),
        createdOn: t0,
        modifiedOn: t0,
      })),
      technicians,
      vendors,
      materials,
      jobs,
      invoices,
      grossPayItems,
      purchaseOrders,
      inventoryBills,
    },
  };
}

export interface AddCompletedJobOptions {
  /** Seed of this job's random choices. Default: the tenant's next job id. */
  seed?: number;
  /** Default: now (a fresh simulator stamp). */
  completedOn?: string;
  technicianIds?: number[];
  businessUnitId?: number;
  jobTypeId?: number;
  /** Chance of an InvoiceRelatedBonus item. Default 0. */
  bonusShare?: number;
}

export interface AddedJob {
  job: ExportJob;
  invoice: Invoice;
  grossPayItems: StoredGrossPayItem[];
}

/**
 * A job that completes now (or at `completedOn`) in a running simulator, with its invoice and gross pay items, like
 * the generator's: for tests where jobs trickle in one by one. Uses the tenant's technicians, business units, job
 * types and materials (seed them first, e.g. with generateTenant). Every record gets a fresh modifiedOn stamp, so
 * the feeds show it on their next poll.
 */
export function addCompletedJob(tenant: SimulatorTenant, options: AddCompletedJobOptions = {}): AddedJob {
  const ctx: JobContext = {
    technicians: tenant.all('technicians').filter((t) => t.active),
    businessUnits: tenant.all('businessUnits').filter((b) => b.active),
    jobTypes: tenant.all('jobTypes').filter((t) => t.active),
    materials: tenant.all('materials').filter((m) => m.active),
  };
  if (ctx.technicians.length === 0 || ctx.businessUnits.length === 0 || ctx.jobTypes.length === 0)
    throw new Error(`tenant ${tenant.id} needs technicians, business units and job types to add a job`);
  const completedOn = Date.parse(options.completedOn ?? tenant.stamp());
  const ids: IdCounters = {
    job: tenant.nextId('jobs'),
    invoice: tenant.nextId('invoices'),
    invoiceItem: Math.max(1, ...tenant.all('invoices').flatMap((inv) => (inv.items ?? []).map((i) => i.id + 1))),
    grossPayItem: tenant.nextId('grossPayItems'),
  };
  const rng = new SeededRandom(options.seed ?? ids.job);
  const records = completedJob(
    rng,
    ctx,
    ids,
    { createdOn: completedOn - 3 * HOUR, completedOn },
    {
      bonusShare: options.bonusShare ?? 0,
      technicianIds: options.technicianIds,
      businessUnitId: options.businessUnitId,
      jobTypeId: options.jobTypeId,
    },
  );
  const job = tenant.insert('jobs', { ...records.job, modifiedOn: tenant.stamp() });
  const invoiceStamp = tenant.stamp();
  const invoice = tenant.insert('invoices', {
    ...records.invoice,
    createdOn: invoiceStamp,
    modifiedOn: invoiceStamp,
    items: (records.invoice.items ?? []).map((item) => ({
      ...item,
      createdOn: invoiceStamp,
      modifiedOn: invoiceStamp,
    })),
  });
  const grossPayItems = records.grossPayItems.map((item) => {
    const at = tenant.stamp();
    return tenant.insert('grossPayItems', { ...item, createdOn: at, modifiedOn: at });
  });
  return { job, invoice, grossPayItems };
}
