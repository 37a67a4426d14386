/* Mapping rules version 2 end to end (issue 13, "Done when"): both simulators, the gateway's feeds, the mapper, the
 * x3-poster, the x3-poller and the audit-service (PGlite) on one topic namespace of the real broker. A contractor with
 * strict job types: an installation job's labor and a service job's labor land on their own X3 accounts; a warranty
 * job (no rule for its type) is rejected with JOB_TYPE_UNMAPPED into the audit trail; the controller adds the rule to
 * the file (picked up without a restart) and replays the job from the audit trail (the replay API); it posts exactly
 * once, and a second replay creates no second document. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import {
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
import { AuditUnderTest, startAuditUnderTest } from './support/audit-under-test';
import { demoSeeds } from './support/demo-seeds';

jest.setTimeout(300000);

type Rec = Record<string, unknown>;
const ROOT = join(__dirname, '../../..');
const ADMIN_TOKEN = 'e2e-rules-admin-token-not-a-real-secret';
const ST_TENANT = 2000013;
const DAY = 86_400_000;
/** The generated contractor's job types and business units (generateTenant). */
const SERVICE_CALL = 50;
const INSTALL = 53;
const WARRANTY = 55;
const HVAC_SERVICE = 10;

const RULES = {
  version: 2,
  description: 'e2e: installation labor apart from service labor; strict job types',
  costCenters: { dimensionType: 'CC', businessUnits: { '10': 'HVAC', '11': 'HVAC', '12': 'PLUMB', '13': 'PLUMB' } },
  invoiceItemTypes: { material: ['Material'] },
  labor: { source: 'gross-pay-items' },
  accounts: {
    default: { material: { debit: '601000', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
    rules: [
      { name: 'installation labor', jobTypes: [INSTALL], accounts: { labor: { debit: '642000' } } },
      { name: 'service labor', jobTypes: [SERVICE_CALL, 52], accounts: { labor: { debit: '641000' } } },
      { name: 'maintenance and inspections', jobTypes: [51, 54] },
    ] as Rec[],
  },
  jobTypes: { strict: true },
  journal: { entryType: 'ODT', journal: 'ODT' },
};

describe('mapping rules v2 end to end: accounts by job type, JOB_TYPE_UNMAPPED, rule added, replayed, posted once', () => {
  const prefix = uniquePrefix('rules-e2e');
  let st: ServiceTitanSimulator;
  let x3: SageX3Simulator;
  const apps: AppUnderTest[] = [];
  let mapper: AppUnderTest;
  let gateway: AppUnderTest;
  let audit: AuditUnderTest;
  let rulesFile: string;

  beforeAll(async () => {
    const now = Date.now();
    // The contractor's people, business units, job types and pricebook; no history (jobs are added by the tests).
    const generated = generateTenant({
      seed: 13,
      now: new Date(now).toISOString(),
      historyFrom: new Date(now - 7 * DAY).toISOString().slice(0, 10),
      tenantId: ST_TENANT,
      clientId: 'cid.rules-e2e-not-real',
      clientSecret: 'cs.rules-e2e-not-a-real-secret',
      jobsPerWeekday: 0,
      purchaseOrdersPerWeek: 0,
      technicians: 4,
    });
    const seeds = demoSeeds({ openJanuary2025: false });
    const folder = (seeds.x3 as unknown as { folders: Array<Record<string, Rec[]>> }).folders[0];
    folder['accounts'].push(
      { ACC: '642000', DES: 'Installation labor', DIE: ['CC'] },
      { ACC: '643000', DES: 'Warranty labor', DIE: ['CC'] },
    );
    st = await startServiceTitanSimulator({ seed: { appKey: DEMO_APP_KEY, tenants: [generated.seed] } });
    x3 = await startSageX3Simulator({ seed: seeds.x3 });
    const template = JSON.parse(
      readFileSync(join(ROOT, 'config/demo/tenant.template.json'), 'utf8')
        .split('${ST_SIM_URL}')
        .join(st.url)
        .split('${X3_SIM_URL}')
        .join(x3.url),
    ) as Rec & { servicetitan: Rec };
    const tenants = writeTestTenantsFile([
      {
        ...template,
        id: 'gen',
        name: 'Generated contractor',
        servicetitan: {
          ...template.servicetitan,
          tenantId: ST_TENANT,
          clientId: 'cid.rules-e2e-not-real',
          clientSecret: 'cs.rules-e2e-not-a-real-secret',
          syncFrom: new Date(now - DAY).toISOString().slice(0, 10),
        },
        mappingRulesFile: 'rules.json',
      },
    ]);
    rulesFile = join(tenants.dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify(RULES));
    const base = { ...testAppEnv(prefix), TENANTS_FILE: tenants.file, CONNECTOR_ENCRYPTION_KEY: tenants.key };

    audit = await startAuditUnderTest(prefix, ADMIN_TOKEN);

    const poller = await startAppUnderTest(
      PollerModule.forRoot(validateEnv(X3PollerEnv, { ...base, X3_POLL_ENABLED: 'false' })),
      'x3-poller',
    );
    apps.push(poller);
    await poller.app.get(X3PollService).runOnce('gen'); // master data on the compacted topics before the mapper maps
    mapper = await startAppUnderTest(
      MapperModule.forRoot(validateEnv(MapperEnv, { ...base, MAPPER_RULES_RELOAD_MS: '200' })),
      'mapper',
    );
    apps.push(mapper);
    apps.push(await startAppUnderTest(PosterModule.forRoot(validateEnv(X3PosterEnv, base)), 'x3-poster'));
    gateway = await startAppUnderTest(
      GatewayModule.forRoot(
        validateEnv(WebhookGatewayEnv, {
          ...base,
          ST_PULL_ENABLED: 'false',
          ST_OWNER_HANDOVER_GRACE_MS: '0',
          ST_TICK_MS: '200',
          ST_TRIGGER_MAX_DELAY_MS: '500',
        }),
      ),
      'webhook-gateway',
      GATEWAY_HTTP,
    );
    apps.push(gateway);
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await audit?.app.close();
    await st?.close();
    await x3?.close();
  });

  const rec = (d: Rec) => (d['record'] as Rec | undefined) ?? d;
  const entriesOf = (jobId: number) =>
    x3
      .createdDocuments({ className: 'GACCENTRY' })
      .map((d) => rec(d as unknown as Rec))
      .filter((r) => String(r['REF']).startsWith(`gen:JOB:${jobId}:`));
  const laborAccounts = (jobId: number) =>
    entriesOf(jobId)
      .flatMap((e) => e['GACCENTRYD'] as Rec[])
      .filter((l) => Number(l['SNS']) === 1 && String(l['ACC']).startsWith('64'))
      .map((l) => String(l['ACC']));
  const api = (path: string, body?: unknown) => audit.api(path, body);
  const jobRecord = async (jobId: number) =>
    ((await api(`/api/records?tenant=gen&kind=job&q=${jobId}`))['items'] as Rec[]).find(
      (r) => r['sourceId'] === String(jobId),
    );
  const feeds = () => gateway.app.get(ServiceTitanFeedsService).runOnce('gen');
  const addJob = (jobTypeId: number) =>
    st.addCompletedJob(ST_TENANT, { jobTypeId, businessUnitId: HVAC_SERVICE, technicianIds: [200] }).job.id;

  let installJob: number;
  let serviceJob: number;
  let warrantyJob: number;

  it('installation labor and service labor land on their own X3 accounts; a warranty job is rejected (JOB_TYPE_UNMAPPED)', async () => {
    installJob = addJob(INSTALL);
    serviceJob = addJob(SERVICE_CALL);
    warrantyJob = addJob(WARRANTY);
    await feeds();
    await eventually(
      () => [entriesOf(installJob).length, entriesOf(serviceJob).length],
      ([a, b]) => a === 1 && b === 1,
      'both jobs in X3',
      120000,
    );
    expect(laborAccounts(installJob)).toEqual(['642000']);
    expect(laborAccounts(serviceJob)).toEqual(['641000']);

    const rejected = await eventually(
      () => jobRecord(warrantyJob),
      (r) => r?.['status'] === 'rejected',
      'the warranty job rejected in the audit trail',
      60000,
    );
    expect(rejected?.['statusReason']).toBe('JOB_TYPE_UNMAPPED');
    const detail = await api(`/api/records/${String(rejected?.['id'])}`);
    expect(JSON.stringify(detail)).toContain('job type 55 has no rule in the mapping rules (jobTypes.strict)');
    expect(entriesOf(warrantyJob)).toEqual([]);
  });

  it('the rule added to the file (no restart) and the job replayed from the audit trail: posted once', async () => {
    writeFileSync(
      rulesFile,
      JSON.stringify({
        ...RULES,
        accounts: {
          ...RULES.accounts,
          rules: [
            ...RULES.accounts.rules,
            { name: 'warranty labor', jobTypes: [WARRANTY], accounts: { labor: { debit: '643000' } } },
          ],
        },
      }),
    );
    await eventually(
      async () => (await fetch(`${mapper.url}/metrics`)).text(),
      (m) => /connector_mapping_rules_reloads_total\{tenant="gen",outcome="loaded"[^}]*\} 1/.test(m),
      'the mapper reloaded the rules',
    );
    const record = await jobRecord(warrantyJob);
    const replay = await api(`/api/records/${String(record?.['id'])}/replay`, { reason: 'warranty rule added' });
    // The replay re-publishes the job's source record (servicetitan.records.v1) for the mapper.
    expect(replay).toMatchObject({ outcome: 'published', topic: 'servicetitan.records.v1' });
    await eventually(
      () => entriesOf(warrantyJob).length,
      (n) => n === 1,
      'the replayed job in X3',
      120000,
    );
    expect(laborAccounts(warrantyJob)).toEqual(['643000']);
    expect(String(entriesOf(warrantyJob)[0]['REF'])).toBe(`gen:JOB:${warrantyJob}:R1`);
    await eventually(
      () => jobRecord(warrantyJob),
      (r) => r?.['status'] === 'posted',
      'the audit record posted',
      60000,
    );

    // Replayed again, and read again by the feeds: still one document.
    await api(`/api/records/${String(record?.['id'])}/replay`, { reason: 'double-check' });
    await feeds();
    await new Promise((r) => setTimeout(r, 3000));
    expect(entriesOf(warrantyJob)).toHaveLength(1);
    expect(entriesOf(installJob)).toHaveLength(1);
    expect(entriesOf(serviceJob)).toHaveLength(1);
  });
});
