/* Replay of a rejected record since issue 14, end to end on the real broker and a real PostgreSQL: the gateway reads
 * the demo job from the ServiceTitan simulator onto servicetitan.records.v1, the mapper rejects it (its business unit
 * has no cost center in the mapping rules), the audit trail shows it `rejected`. The rule is fixed in the rules file
 * and the mapper restarted (its state comes back from Kafka; a running mapper would reload the file within
 * MAPPER_RULES_RELOAD_MS, which mapping-rules-v2.e2e covers), the record is replayed from the audit trail: the replay
 * re-publishes the job's latest record on servicetitan.records.v1 (to its job's partition), the mapper decides the job
 * again, the poster posts it — exactly one journal entry in Sage X3 — and the audit trail shows it `posted`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { jobKey, Topics } from '@connector/contracts';
import { partitionForKey } from '@connector/messaging';
import { SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import { ServiceTitanSimulator, startServiceTitanSimulator } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  startAppUnderTest,
  testAppEnv,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import {
  auditTestCall,
  AUDIT_TEST_TOKENS,
  AUDIT_TEST_DRIVERS,
  RunningAuditApp,
  startAuditTestApp,
  TestDatabase,
} from '@connector/app-audit-service';
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

jest.setTimeout(300000);

const ROOT = join(__dirname, '../../..');
type Rec = Record<string, unknown>;

describe('replaying a rejected record from the audit trail re-publishes it on servicetitan.records.v1 (real PostgreSQL)', () => {
  const prefix = uniquePrefix('e2e-audit-replay');
  const rules = JSON.parse(readFileSync(join(ROOT, 'config/demo/mapping-rules.json'), 'utf8')) as {
    costCenters: { businessUnits: Record<string, string> };
  };
  let st: ServiceTitanSimulator;
  let x3: SageX3Simulator;
  let database: TestDatabase;
  let audit: RunningAuditApp;
  let mapper: AppUnderTest;
  const apps: AppUnderTest[] = [];
  let gateway: AppUnderTest;
  let rulesFile: string;
  let base: Record<string, string>;

  const startMapper = () => startAppUnderTest(MapperModule.forRoot(validateEnv(MapperEnv, base)), 'mapper');
  const api = async (path: string, body?: unknown): Promise<Rec> => {
    const res = await auditTestCall(audit.baseUrl, path, { token: AUDIT_TEST_TOKENS.admin, body });
    expect(res.status).toBeLessThan(300);
    return res.body as Rec;
  };
  const record = async () =>
    ((await api('/api/records?tenant=demo&kind=job&q=401'))['items'] as Rec[]).find((r) => r['sourceId'] === '401');
  const journalEntries = () =>
    (x3.createdDocuments({ className: 'GACCENTRY' }) as unknown as Rec[]).map((d) =>
      String(((d['record'] as Rec | undefined) ?? d)['REF'] ?? ''),
    );

  beforeAll(async () => {
    const seeds = demoSeeds({ openJanuary2025: true });
    st = await startServiceTitanSimulator({ seed: seeds.st });
    x3 = await startSageX3Simulator({ seed: seeds.x3 });
    const tenantJson = JSON.parse(
      readFileSync(join(ROOT, 'config/demo/tenant.template.json'), 'utf8')
        .split('${ST_SIM_URL}')
        .join(st.url)
        .split('${X3_SIM_URL}')
        .join(x3.url),
    ) as Rec;
    const tenants = writeTestTenantsFile([tenantJson]);
    // The demo job's business unit (10) has no cost center yet: the mapper rejects it (BUSINESS_UNIT_UNMAPPED).
    rulesFile = join(tenants.dir, 'mapping-rules.json');
    const broken = structuredClone(rules);
    delete broken.costCenters.businessUnits['10'];
    writeFileSync(rulesFile, JSON.stringify(broken));
    base = { ...testAppEnv(prefix), TENANTS_FILE: tenants.file, CONNECTOR_ENCRYPTION_KEY: tenants.key };

    database = await AUDIT_TEST_DRIVERS.find((d) => d.name === 'postgres')!.open();
    audit = await startAuditTestApp(prefix, database.db);
    const poller = await startAppUnderTest(
      PollerModule.forRoot(validateEnv(X3PollerEnv, { ...base, X3_POLL_ENABLED: 'false' })),
      'x3-poller',
    );
    apps.push(poller);
    await poller.app.get(X3PollService).runOnce('demo'); // X3 master data before the mapper maps
    mapper = await startMapper();
    apps.push(
      await startAppUnderTest(
        PosterModule.forRoot(
          validateEnv(X3PosterEnv, { ...base, X3_POST_RETRY_ATTEMPTS: '2', X3_POST_RETRY_INITIAL_BACKOFF_MS: '100' }),
        ),
        'x3-poster',
      ),
    );
    gateway = await startAppUnderTest(
      GatewayModule.forRoot(
        validateEnv(WebhookGatewayEnv, {
          ...base,
          ST_PULL_ENABLED: 'false',
          ST_OWNER_HANDOVER_GRACE_MS: '0',
          ST_TICK_MS: '200',
        }),
      ),
      'webhook-gateway',
      GATEWAY_HTTP,
    );
    apps.push(gateway);
  });

  afterAll(async () => {
    await mapper?.close();
    for (const a of apps.reverse()) await a.close();
    await audit?.close();
    await database?.dispose();
    await st?.close();
    await x3?.close();
  });

  it('rejected, rule fixed, replayed: the mapper posts the job once and the audit trail shows it posted', async () => {
    await gateway.app.get(ServiceTitanFeedsService).runOnce('demo', ['invoices', 'gross-pay-items', 'jobs']);
    const rejected = await eventually(
      record,
      // the trail reads the rejection's topic and the records' topic independently: wait for both
      (r) => r?.['status'] === 'rejected' && r['summary'] !== null,
      'job 401 rejected by the mapper',
      90000,
    );
    expect(rejected?.['statusReason']).toBe('BUSINESS_UNIT_UNMAPPED');
    expect(rejected?.['summary']).toMatch(/^Job \S+ \(Completed\)$/);
    const failures = await api('/api/failures/summary?tenant=demo&kind=job');
    expect(failures).toEqual([{ status: 'rejected', reason: 'BUSINESS_UNIT_UNMAPPED', count: 1 }]);
    expect(journalEntries()).toEqual([]);

    // The operator maps business unit 10; the mapper is restarted on the fixed file.
    writeFileSync(rulesFile, JSON.stringify(rules));
    await mapper.close();
    mapper = await startMapper();

    const replay = await api(`/api/records/${String(rejected?.['id'])}/replay`, { reason: 'business unit 10 mapped' });
    expect(replay).toMatchObject({ outcome: 'published', topic: Topics.StRecords });
    const posted = await eventually(
      record,
      (r) => r?.['status'] === 'posted',
      'job 401 posted after the replay',
      90000,
    );
    expect(posted).toMatchObject({ externalRef: 'demo:JOB:401:R1', lastError: 'BUSINESS_UNIT_UNMAPPED' });
    expect(journalEntries()).toEqual(['demo:JOB:401:R1']);

    // The timeline: the replay action, and the replayed record on the job's partition of servicetitan.records.v1.
    const timeline = (await api(`/api/records/${String(rejected?.['id'])}`))['timeline'] as Rec[];
    expect(timeline.filter((e) => e['type'] === 'action')).toEqual([
      expect.objectContaining({ action: 'replay', outcome: 'published', topic: Topics.StRecords }),
    ]);
    const replayed = timeline.filter(
      (e) => e['type'] === 'message' && e['topic'] === Topics.StRecords && e['replayId'],
    );
    expect(replayed).toHaveLength(1);
    expect(replayed[0]['partition']).toBe(partitionForKey(jobKey('demo', 401), 3));
    expect(await api('/api/failures/summary?tenant=demo&kind=job')).toEqual([]);
  });
});
