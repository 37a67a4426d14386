import { createHash } from 'node:crypto';
import {
  collectExport,
  normalizeGrossPayItem,
  normalizeInvoice,
  type ServiceTitanClient,
} from '@connector/servicetitan';
import { sumDecimals, toDecimal } from '@connector/decimal';
import { startServiceTitanSimulator, type ServiceTitanSimulator } from './servicetitan-simulator.server';
import { ManualClock } from './simulator.clock';
import { DEMO_APP_KEY } from './demo-seed.fixture';
import { clientForSimulator } from './simulator-client.fixture';
import { SeededRandom, generateTenant, type TenantGeneratorOptions } from './tenant.generator';

const NOW = '2026-11-29T12:00:00.000Z';
const options: TenantGeneratorOptions = { seed: 42, now: NOW, technicians: 20 };
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('generateTenant', () => {
  const generated = generateTenant(options);
  const { seed, summary } = generated;

  it('is deterministic: the same options give the same tenant, another seed another one', () => {
    expect(digest(generateTenant(options))).toBe(digest(generated));
    expect(digest(generateTenant({ ...options, seed: 43 }))).not.toBe(digest(generated));
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('spans five years of history plus this month, and nothing after now', () => {
    const completed = (seed.jobs ?? []).filter((j) => j.jobStatus === 'Completed');
    const first = Date.parse(summary.firstCompletedOn ?? '');
    expect(first).toBeGreaterThanOrEqual(Date.parse('2021-11-01T00:00:00Z'));
    expect(first).toBeLessThan(Date.parse('2021-11-08T00:00:00Z'));
    expect(completed.filter((j) => (j.completedOn ?? '') >= '2026-11-01').length).toBeGreaterThan(40);
    const stamps = ENTITY_STAMPS(seed);
    expect(Math.max(...stamps)).toBeLessThanOrEqual(Date.parse(NOW));
    expect((seed.jobs ?? []).some((j) => j.jobStatus === 'InProgress' || j.jobStatus === 'Scheduled')).toBe(true);
  });

  it('has the volumes asked for and consistent counts', () => {
    expect(summary).toMatchObject({ technicians: 20, vendors: 12, materials: 80 });
    expect(seed.technicians).toHaveLength(20);
    expect(seed.businessUnits).toHaveLength(4);
    expect(seed.jobTypes).toHaveLength(6);
    // ~4 jobs per weekday over five years
    expect(summary.completedJobs).toBeGreaterThan(4_500);
    expect(summary.jobs).toBe(summary.completedJobs + summary.canceledJobs + summary.openJobs);
    expect(summary.invoices).toBe(summary.completedJobs);
    expect(summary.canceledJobs).toBeGreaterThan(0);
    expect(summary.timesheetItems).toBeGreaterThanOrEqual(summary.completedJobs);
    expect(summary.bonusItems).toBeGreaterThan(0);
    expect(summary.grossPayItems).toBe(summary.timesheetItems + summary.bonusItems);
    expect(summary.inventoryBills).toBeGreaterThan(0);
    expect(summary.inventoryBills).toBeLessThanOrEqual(summary.purchaseOrders);
    expect(new Set((seed.grossPayItems ?? []).map((g) => g.id)).size).toBe(summary.grossPayItems);
  });

  it('every completed job has an invoice (material items with cost) and labor; amounts add up in exact decimals', () => {
    const invoices = new Map((seed.invoices ?? []).map((inv) => [inv.id, inv]));
    const payByJob = new Map<number, typeof seed.grossPayItems>();
    for (const item of seed.grossPayItems ?? [])
      payByJob.set(item.jobId ?? 0, [...(payByJob.get(item.jobId ?? 0) ?? []), item]);
    const rates = new Map((seed.technicians ?? []).map((t) => [t.id, toDecimal(String(t.hourlyRate))]));
    let withMaterials = 0;
    for (const job of (seed.jobs ?? []).filter((j) => j.jobStatus === 'Completed')) {
      const invoice = invoices.get(job.invoiceId ?? 0);
      expect(invoice?.job?.id).toBe(job.id);
      const items = invoice?.items ?? [];
      const materials = items.filter((i) => i.type === 'Material');
      if (materials.length > 0) withMaterials++;
      for (const item of materials) {
        expect(
          toDecimal(item.totalCost ?? '').eq(toDecimal(item.cost ?? '').times(toDecimal(item.quantity ?? ''))),
        ).toBe(true);
      }
      const subTotal = sumDecimals(items.map((i) => i.total ?? '0'));
      expect(subTotal.plus(toDecimal(invoice?.salesTax ?? '0')).toFixed(2)).toBe(invoice?.total);
      const labor = (payByJob.get(job.id) ?? []).filter((g) => g.grossPayItemType === 'TimesheetTime');
      expect(labor.length).toBeGreaterThan(0);
      for (const item of labor) {
        const factor = item.paidTimeType === 'Overtime' ? '1.5' : '1';
        const expected = (rates.get(item.employeeId ?? 0) as ReturnType<typeof toDecimal>)
          .times(factor)
          .times(toDecimal(item.paidDurationHours ?? 0));
        expect(toDecimal(item.amount ?? 0).toFixed(2)).toBe(expected.toFixed(2));
      }
    }
    expect(withMaterials).toBeGreaterThan(summary.completedJobs / 2);
  });
});

/** createdOn/modifiedOn of every generated record, as epoch ms. */
function ENTITY_STAMPS(seed: ReturnType<typeof generateTenant>['seed']): number[] {
  const rows = [
    ...(seed.jobs ?? []),
    ...(seed.invoices ?? []),
    ...(seed.grossPayItems ?? []),
    ...(seed.purchaseOrders ?? []),
    ...(seed.inventoryBills ?? []),
  ] as { createdOn?: string | null; modifiedOn?: string | null }[];
  return rows.flatMap((r) => [Date.parse(r.createdOn ?? ''), Date.parse(r.modifiedOn ?? '')]);
}

describe('a generated tenant in the simulator: feeds from a go-live date, mutations come back', () => {
  const clock = new ManualClock(NOW);
  let sim: ServiceTitanSimulator;
  let client: ServiceTitanClient;
  let tenantId: number;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      clock,
      seed: { appKey: DEMO_APP_KEY },
      rateLimitPerSecond: 100_000,
      exportPageSize: 500,
    });
    // Over the admin API, as a benchmark would do against the simulator app.
    const res = await fetch(`${sim.url}/__admin/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...options, tenantId: 3_000_001 }),
    });
    expect(res.status).toBe(200);
    tenantId = 3_000_001;
    client = clientForSimulator(sim, tenantId);
  });
  afterAll(() => sim.close());

  it('a feed from a date returns only what changed since; without from it starts at the first record ever', async () => {
    const month = await collectExport(client.exportJobs({ from: '2026-11-01' }));
    expect(month.rows.length).toBeGreaterThan(40);
    expect(month.rows.every((j) => Date.parse(j.modifiedOn) >= Date.parse('2026-11-01T00:00:00Z'))).toBe(true);
    const all = sim.tenant(tenantId).count('jobs');
    const firstPage = await client.exportJobsPage();
    expect(firstPage.hasMore).toBe(true);
    expect(Date.parse(firstPage.data[0]?.modifiedOn ?? '')).toBeLessThan(Date.parse('2021-11-08T00:00:00Z'));
    expect(all).toBeGreaterThan(month.rows.length * 20);
    // Gross pay of this month only, and each of this month's completed jobs has its labor in it.
    const pay = await collectExport(client.exportGrossPayItems({ from: '2026-11-01' }));
    const jobsWithLabor = new Set(pay.rows.filter((g) => g.grossPayItemType === 'TimesheetTime').map((g) => g.jobId));
    const completed = month.rows.filter((j) => j.jobStatus === 'Completed');
    expect(completed.every((j) => jobsWithLabor.has(j.id))).toBe(true);
    const invoices = await collectExport(client.exportInvoices({ from: '2026-11-01' }));
    expect(new Set(invoices.rows.map((i) => i.job?.id))).toEqual(new Set(completed.map((j) => j.id)));
  });

  it('mutation helpers bump modifiedOn, so the next poll of each feed returns exactly the changed records', async () => {
    const tenant = sim.tenant(tenantId);
    const tokens = {
      jobs: (await collectExport(client.exportJobs({ from: '2026-11-01' }))).result.continueFrom,
      pay: (await collectExport(client.exportGrossPayItems({ from: '2026-11-01' }))).result.continueFrom,
      bills: (await collectExport(client.exportInventoryBills({ from: '2026-11-01' }))).result.continueFrom,
    };
    const mutationsFrom = clock.advance(3_600_000);
    const job = tenant
      .all('jobs')
      .filter((j) => j.jobStatus === 'Completed')
      .at(-1);
    const open = tenant.all('jobs').find((j) => j.jobStatus === 'Scheduled' || j.jobStatus === 'InProgress');
    const bills = tenant.all('inventoryBills').slice(-2);
    if (!job || !open || bills.length < 2) throw new Error('generated tenant lacks records');
    const late = tenant.addGrossPayItem({
      employeeId: 200,
      employeeType: 'Technician',
      payrollId: 1,
      date: job.completedOn ?? NOW,
      amount: 42.5,
      grossPayItemType: 'TimesheetTime',
      paidDurationHours: 1,
      paidTimeType: 'Regular',
      jobId: job.id,
    });
    const earlierPay = tenant.all('grossPayItems').find((g) => g.jobId === job.id && g.id !== late.id);
    tenant.updateGrossPayItem(earlierPay?.id ?? 0, { amount: 10 });
    tenant.updateJob(job.id, { summary: 'Customer called back' });
    tenant.cancelJob(open.id);
    const corrected = tenant.correctInventoryBill(bills[0]?.id ?? 0, {
      items: (bills[0]?.items ?? []).map((item) => ({ ...item, quantity: '2', cost: '10.125' })),
    });
    tenant.voidInventoryBill(bills[1]?.id ?? 0);

    // A poll from the token repeats the boundary row when it did not change: keep the rows changed just now.
    const rows = async <T extends { modifiedOn?: string | null }>(feed: AsyncGenerator<{ data: T[] }, unknown>) =>
      ((await collectExport(feed as never)).rows as T[]).filter((r) => Date.parse(r.modifiedOn ?? '') >= mutationsFrom);
    const jobs = await rows(client.exportJobs({ from: tokens.jobs }));
    expect(jobs.map((j) => [j.id, j.jobStatus])).toEqual([
      [job.id, 'Completed'],
      [open.id, 'Canceled'],
    ]);
    const pay = (await rows(client.exportGrossPayItems({ from: tokens.pay }))).map(normalizeGrossPayItem);
    expect(pay.map((g) => [g.id, g.amount])).toEqual([
      [late.id, '42.5'],
      [earlierPay?.id, '10'],
    ]);
    const changedBills = await rows(client.exportInventoryBills({ from: tokens.bills }));
    expect(changedBills.map((b) => [b.id, b.active])).toEqual([
      [bills[0]?.id, true],
      [bills[1]?.id, false],
    ]);
    const lines = (corrected.items ?? []).length;
    expect(corrected.billAmount).toBe(toDecimal('20.25').times(lines).toFixed(2));
  });

  it('addCompletedJob: one job completes now, with its invoice and labor, and every feed shows it on the next poll', async () => {
    const checkpoint = new Date(clock.advance(60_000)).toISOString();
    const added = sim.addCompletedJob(tenantId, { technicianIds: [205], bonusShare: 1 });
    expect(added.job).toMatchObject({ jobStatus: 'Completed', invoiceId: added.invoice.id });
    expect(added.grossPayItems.map((g) => g.grossPayItemType)).toEqual(['TimesheetTime', 'InvoiceRelatedBonus']);
    expect(added.grossPayItems.every((g) => g.employeeId === 205 && g.jobId === added.job.id)).toBe(true);
    const [invoice] = await client.getInvoicesByIds([added.invoice.id]);
    expect(normalizeInvoice(invoice as NonNullable<typeof invoice>).job?.id).toBe(added.job.id);
    expect((await collectExport(client.exportJobs({ from: checkpoint }))).rows.map((j) => j.id)).toEqual([
      added.job.id,
    ]);
    expect((await collectExport(client.exportInvoices({ from: checkpoint }))).rows.map((i) => i.id)).toEqual([
      added.invoice.id,
    ]);
    expect((await collectExport(client.exportGrossPayItems({ from: checkpoint }))).rows).toHaveLength(2);
  });
});
