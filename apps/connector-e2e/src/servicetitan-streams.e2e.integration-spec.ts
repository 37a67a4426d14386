/* ServiceTitan as streams, end to end (issue 14): both simulators, the gateway (feeds, triggers, owner), the mapper,
 * the x3-poller and the x3-poster on one topic namespace of the real broker.
 * - a tenant with five years of history and syncFrom = the 1st of this month posts only this month's jobs and bills;
 * - `npm run backfill -- … --dry-run` of last month prints counts and totals and posts nothing; the run without it
 *   posts them once, and never again what the live flow posted;
 * - a gross pay item added after its job was posted yields exactly one correction; X3's net equals the new total;
 * - a V1 and a V2 webhook for the same job, plus its pull, produce one posting;
 * - write-back off: ServiceTitan sees no write at all; on: the invoice and the bill are marked exported with the X3
 *   document numbers. */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateEnv } from '@connector/config';
import { sumDecimals, toDecimal } from '@connector/decimal';
import { SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import {
  buildDemoTenantSeed,
  DEMO_APP_KEY,
  generateTenant,
  ServiceTitanSimulator,
  startServiceTitanSimulator,
} from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  startAppUnderTest,
  testAppEnv,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule as MapperModule, MapperEnv } from '@connector/app-mapper';
import {
  AppModule as GatewayModule,
  GATEWAY_HTTP,
  ServiceTitanFeedsService,
  WebhookGatewayEnv,
} from '@connector/app-webhook-gateway';
import { AppModule as PollerModule, X3PollerEnv, X3PollService } from '@connector/app-x3-poller';
import { AppModule as PosterModule, X3PosterEnv } from '@connector/app-x3-poster';
import { demoSeeds } from './support/demo-seeds';

jest.setTimeout(600000);

type Rec = Record<string, unknown>;
const ROOT = join(__dirname, '../../..');
const GEN_ST_TENANT = 2000001;
const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('ServiceTitan as streams: go-live, backfill, late costs, triggers, write-back (end to end)', () => {
  const prefix = uniquePrefix('streams');
  // A fixed "today" (the generated history ends there), so the month's size does not depend on the day the suite runs.
  const now = Date.parse('2026-11-27T18:00:00.000Z');
  const today = new Date(now);
  const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
  const lastMonthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1);
  const syncFrom = day(monthStart);
  const generated = generateTenant({
    seed: 14,
    now: today.toISOString(),
    tenantId: GEN_ST_TENANT,
    clientId: 'cid.generated-streams-not-real',
    clientSecret: 'cs.generated-streams-not-a-real-secret',
    jobsPerWeekday: 2,
    purchaseOrdersPerWeek: 3,
    technicians: 6,
    bonusShare: 0.3,
  });
  const gen = generated.seed as unknown as {
    jobs: Rec[];
    invoices: Rec[];
    grossPayItems: Rec[];
    inventoryBills: Rec[];
    purchaseOrders: Rec[];
    vendors: Rec[];
    materials: Rec[];
  };
  const completedBetween = (from: number, to: number) =>
    gen.jobs.filter(
      (j) =>
        j['jobStatus'] === 'Completed' &&
        Date.parse(String(j['completedOn'])) >= from &&
        Date.parse(String(j['completedOn'])) < to,
    );
  const billsBetween = (from: number, to: number) =>
    gen.inventoryBills.filter(
      (b) => Date.parse(String(b['billDate'])) >= from && Date.parse(String(b['billDate'])) < to,
    );

  let st: ServiceTitanSimulator;
  let x3: SageX3Simulator;
  const apps: AppUnderTest[] = [];
  let gateway: AppUnderTest;
  let template: Rec & { servicetitan: Rec & { webhook: { secrets: string[] } } };

  beforeAll(async () => {
    // Sage X3: the demo folder plus the generated contractor's suppliers, products and purchase orders.
    const seeds = demoSeeds({ openJanuary2025: true });
    const folder = (seeds.x3 as unknown as { folders: Array<Record<string, Rec[]>> }).folders[0];
    for (const v of gen.vendors)
      folder['suppliers'].push({ BPSNUM: `SUP${String(v['id'])}`, BPSNAM: v['name'], CUR: 'USD' });
    for (const m of gen.materials)
      folder['products'].push({ ITMREF: m['code'], ITMDES1: m['description'], TCLCOD: 'PARTS', STU: 'UN' });
    for (const po of gen.purchaseOrders)
      folder['purchaseOrders'].push({
        POHNUM: po['number'],
        POHFCY: 'US011',
        BPSNUM: `SUP${String(po['vendorId'])}`,
        ORDDAT: String(po['date']).slice(0, 10),
        CUR: 'USD',
        PORDERQ: (po['items'] as Rec[]).map((it, i) => ({
          POPLIN: (i + 1) * 1000,
          ITMREF: it['skuCode'],
          QTYUOM: String(it['quantity']),
          NETPRI: String(it['cost']),
        })),
      });
    st = await startServiceTitanSimulator({
      webhookTimeScale: 0.001,
      seed: { appKey: DEMO_APP_KEY, tenants: [buildDemoTenantSeed(), generated.seed] },
    });
    x3 = await startSageX3Simulator({ seed: seeds.x3 });
    template = JSON.parse(
      JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'config/demo/tenant.template.json'), 'utf8')))
        .split('${ST_SIM_URL}')
        .join(st.url)
        .split('${X3_SIM_URL}')
        .join(x3.url),
    );
    const genTenant = {
      ...template,
      id: 'gen',
      name: 'Generated contractor',
      servicetitan: {
        ...template.servicetitan,
        tenantId: GEN_ST_TENANT,
        clientId: 'cid.generated-streams-not-real',
        clientSecret: 'cs.generated-streams-not-a-real-secret',
        syncFrom,
      },
      mappingRulesFile: 'gen-rules.json',
    };
    const demoTenant = { ...template, servicetitan: { ...template.servicetitan, writeBack: { enabled: true } } };
    const tenants = writeTestTenantsFile([genTenant, demoTenant]);
    copyFileSync(join(ROOT, 'config/demo/mapping-rules.json'), join(tenants.dir, 'mapping-rules.json'));
    writeFileSync(
      join(tenants.dir, 'gen-rules.json'),
      JSON.stringify({
        version: 1,
        costCenters: {
          dimensionType: 'CC',
          businessUnits: { '10': 'HVAC', '11': 'HVAC', '12': 'PLUMB', '13': 'PLUMB' },
        },
        accounts: { material: { debit: '601000', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
        labor: { source: 'gross-pay-items' },
        suppliers: {
          byVendorId: Object.fromEntries(gen.vendors.map((v) => [String(v['id']), `SUP${String(v['id'])}`])),
          matchByName: false,
        },
        purchaseOrders: { numberTemplate: '{number}' },
        journal: { entryType: 'ODT', journal: 'ODT' },
        bills: { supplierInvoiceNumberField: 'referenceNumber' },
      }),
    );
    const base = { ...testAppEnv(prefix), TENANTS_FILE: tenants.file, CONNECTOR_ENCRYPTION_KEY: tenants.key };
    const poller = await startAppUnderTest(
      PollerModule.forRoot(validateEnv(X3PollerEnv, { ...base, X3_POLL_ENABLED: 'false' })),
      'x3-poller',
    );
    apps.push(poller);
    // Master data on the compacted topics (per tenant) before the mapper maps.
    for (const t of ['gen', 'demo']) await poller.app.get(X3PollService).runOnce(t);
    apps.push(await startAppUnderTest(MapperModule.forRoot(validateEnv(MapperEnv, base)), 'mapper'));
    apps.push(await startAppUnderTest(PosterModule.forRoot(validateEnv(X3PosterEnv, base)), 'x3-poster'));
    gateway = await startAppUnderTest(
      GatewayModule.forRoot(
        validateEnv(WebhookGatewayEnv, {
          ...base,
          ST_PULL_ENABLED: 'false',
          ST_OWNER_HANDOVER_GRACE_MS: '0',
          ST_TICK_MS: '200',
          ST_TRIGGER_MAX_DELAY_MS: '500',
          ST_WRITE_BACK_DEBOUNCE_MS: '200',
        }),
      ),
      'webhook-gateway',
      GATEWAY_HTTP,
    );
    apps.push(gateway);
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await st?.close();
    await x3?.close();
  });

  const rec = (d: Rec) => (d['record'] as Rec | undefined) ?? d;
  const entries = (tenant = 'gen') =>
    x3
      .createdDocuments({ className: 'GACCENTRY' })
      .map((d) => rec(d as unknown as Rec))
      .filter((r) => String(r['REF']).startsWith(`${tenant}:`));
  const invoices = () => x3.createdDocuments({ className: 'PINVOICE' }).map((d) => rec(d as unknown as Rec));
  const refs = (tenant = 'gen') =>
    entries(tenant)
      .map((r) => String(r['REF']))
      .sort();
  const jobRefs = (jobs: Rec[]) => jobs.map((j) => `gen:JOB:${String(j['id'])}:R1`).sort();
  const billNumbers = (bills: Rec[]) => bills.map((b) => String(b['referenceNumber'])).sort();
  const genInvoiceNumbers = () =>
    invoices()
      .map((i) => String(i['BPRVCR']))
      .filter((n) => n.startsWith('VB-'))
      .sort();
  const feeds = () => gateway.app.get(ServiceTitanFeedsService);
  async function backfill(args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'apps/webhook-gateway/src/cli/backfill.cli.ts'), 'gen', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', ...testAppEnv(prefix) },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return stdout;
  }

  it('five years of history, go-live on the 1st of this month: only this month is posted', async () => {
    const thisMonth = completedBetween(monthStart, now + DAY);
    const bills = billsBetween(monthStart, now + DAY);
    expect(thisMonth.length).toBeGreaterThan(5);
    expect(generated.summary.completedJobs).toBeGreaterThan(1000); // the history that must not be posted
    await feeds().runOnce('gen');
    await eventually(
      () => refs(),
      (r) => r.length >= thisMonth.length,
      "this month's journal entries",
      240000,
    );
    await eventually(
      () => genInvoiceNumbers(),
      (r) => r.length >= bills.length,
      "this month's supplier invoices",
      120000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(refs()).toEqual(jobRefs(thisMonth));
    expect(genInvoiceNumbers()).toEqual(billNumbers(bills));
  });

  it('backfill --dry-run of last month prints counts and totals and posts nothing', async () => {
    const lastMonth = completedBetween(lastMonthStart, monthStart);
    const before = refs().length;
    const out = await backfill(['--from', day(lastMonthStart), '--to', day(monthStart - DAY), '--dry-run']);
    expect(out).toContain('(DRY RUN: nothing posted)');
    expect(out).toContain(`Journal entries: ${lastMonth.length} would be posted, 0 already posted`);
    expect(out).toContain(`Supplier invoices: ${billsBetween(lastMonthStart, monthStart).length} would be posted`);
    expect(out).toMatch(/HVAC\s+641000\s+\d+\.\d{2}\s+0\.00/);
    expect(out).toMatch(/Total\s+(\d+\.\d{2})\s+\1/); // balanced
    await new Promise((r) => setTimeout(r, 3000));
    expect(refs().length).toBe(before);
  });

  it('the backfill without --dry-run posts last month once, and nothing the live flow already posted', async () => {
    const lastMonth = completedBetween(lastMonthStart, monthStart);
    const thisMonth = completedBetween(monthStart, now + DAY);
    const summary = JSON.parse(await backfill(['--from', day(lastMonthStart), '--to', day(now), '--json'])) as {
      jobs: { toPost: number; alreadyPosted: number };
      bills: { toPost: number; alreadyPosted: number };
    };
    expect(summary.jobs).toMatchObject({ toPost: lastMonth.length, alreadyPosted: thisMonth.length });
    expect(summary.bills).toMatchObject({
      toPost: billsBetween(lastMonthStart, monthStart).length,
      alreadyPosted: billsBetween(monthStart, now + DAY).length,
    });
    const all = jobRefs([...lastMonth, ...thisMonth]);
    await eventually(
      () => refs(),
      (r) => r.length >= all.length,
      'last month posted',
      240000,
    );
    await eventually(
      () => genInvoiceNumbers(),
      (r) => r.length >= billsBetween(lastMonthStart, now + DAY).length,
      "last month's bills posted",
      120000,
    );
    const again = JSON.parse(await backfill(['--from', day(lastMonthStart), '--to', day(now), '--json'])) as {
      jobs: { toPost: number };
      bills: { toPost: number };
    };
    expect(again.jobs.toPost + again.bills.toPost).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect(refs()).toEqual(all);
    expect(genInvoiceNumbers()).toEqual(billNumbers(billsBetween(lastMonthStart, now + DAY)));
  });

  it('a gross pay item added after its job was posted yields exactly one correction; X3 net = the new total', async () => {
    const job = completedBetween(monthStart, now + DAY)[0];
    const jobId = Number(job['id']);
    const t = st.tenant(GEN_ST_TENANT);
    const added = t.addGrossPayItem({
      jobId,
      employeeId: 200,
      employeeType: 'Technician',
      payrollId: 1,
      date: String(job['completedOn']),
      amount: 37.45,
      grossPayItemType: 'TimesheetTime',
    });
    expect(added.id).toBeGreaterThan(0);
    await feeds().runOnce('gen', ['gross-pay-items']);
    const mine = () => refs().filter((r) => r.startsWith(`gen:JOB:${jobId}:`));
    await eventually(mine, (r) => r.length >= 3, 'the correction', 120000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(mine()).toEqual([`gen:JOB:${jobId}:R1`, `gen:JOB:${jobId}:R1:REV`, `gen:JOB:${jobId}:R2`]);
    // Source: material items' costs and TimesheetTime labor, now including the new item.
    const invoice = (t.get('invoices', Number(job['invoiceId'])) as unknown as { items: Rec[] }).items;
    const material = sumDecimals(invoice.filter((i) => i['type'] === 'Material').map((i) => String(i['totalCost'])));
    const labor = sumDecimals(
      t
        .all('grossPayItems')
        .filter((g) => g.jobId === jobId && g.grossPayItemType === 'TimesheetTime')
        .map((g) => String(g.amount)),
    );
    const x3Net = sumDecimals(
      entries()
        .filter((e) => String(e['REF']).startsWith(`gen:JOB:${jobId}:`))
        .flatMap((e) => e['GACCENTRYD'] as Rec[])
        .filter((l) => ['601000', '641000'].includes(String(l['ACC'])))
        .map((l) => toDecimal(String(l['AMTCUR'])).times(Number(l['SNS']))),
    );
    expect(x3Net.toFixed(2)).toBe(material.plus(labor).toFixed(2));
  });

  it('a V1 and a V2 webhook for the same job, plus its pull, produce one posting (each answered 200)', async () => {
    const { job } = st.addCompletedJob(GEN_ST_TENANT, { technicianIds: [200] });
    const send = (generation: 'v1' | 'v2') =>
      st.sendWebhookEvent({
        url: `${gateway.url}/webhooks/servicetitan/gen`,
        generation,
        tenantId: GEN_ST_TENANT,
        eventType: 'JobCompleted',
        entity: { kind: 'jobs', id: job.id },
        secret: template.servicetitan.webhook.secrets[0],
      }).done;
    const [v1, v2] = await Promise.all([send('v1'), send('v2')]);
    expect([v1.state, v2.state]).toEqual(['delivered', 'delivered']);
    expect([...v1.attempts, ...v2.attempts].map((a) => a.status)).toEqual([200, 200]);
    const mine = () => refs().filter((r) => r.startsWith(`gen:JOB:${job.id}:`));
    await eventually(mine, (r) => r.length >= 1, 'the posting triggered by the webhooks', 120000);
    await feeds().runOnce('gen');
    await new Promise((r) => setTimeout(r, 2000));
    expect(mine()).toEqual([`gen:JOB:${job.id}:R1`]);
    // Write-back is off for this tenant (and the other one has not run yet): ServiceTitan saw no write at all.
    expect(st.writes()).toEqual([]);
  });

  it('write-back on: the invoice and the bill are marked exported with the X3 document numbers', async () => {
    await feeds().runOnce('demo');
    const entry = await eventually(
      () => entries('demo'),
      (l) => l.length >= 1,
      'the demo job in X3',
      120000,
    );
    const demo = st.tenant(1000001);
    await eventually(
      () => demo.exportMark('invoices', 501),
      (m) => m !== undefined,
      'the invoice marked',
      120000,
    );
    expect(demo.exportMark('invoices', 501)).toMatchObject({ externalId: String(entry[0]['NUM']) });
    expect(demo.exportMark('invoices', 501)?.externalMessage).toContain(String(entry[0]['NUM']));
    const pinvoice = await eventually(
      () => invoices().filter((i) => i['BPR'] === 'SUP001'),
      (l) => l.length >= 1,
      'the demo bill in X3',
      120000,
    );
    expect(pinvoice).toHaveLength(1);
    await eventually(
      () => demo.exportMark('inventoryBills', 901),
      (m) => m !== undefined,
      'the bill marked',
      120000,
    );
    // Only the write-back tenant was written to; the marks changed modifiedOn but posted nothing new.
    expect(new Set(st.writes().map((w) => w.tenantId))).toEqual(new Set([1000001]));
    expect(
      st
        .writes()
        .map((w) => w.route)
        .sort(),
    ).toEqual(['inventoryBills.markAsExported', 'invoices.markAsExported']);
    await feeds().runOnce('demo');
    await new Promise((r) => setTimeout(r, 2000));
    expect(entries('demo')).toHaveLength(1);
    expect(invoices().filter((i) => i['BPR'] === 'SUP001')).toHaveLength(1);
  });
});
