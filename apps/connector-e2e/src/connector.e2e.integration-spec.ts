/* The connector end to end, in one process: both simulators, the five apps on one topic namespace of the real
 * broker, the audit trail on embedded PGlite, Sage X3 on the OAuth2 refresh_token grant (strict rotation). A completed
 * job (a webhook triggers the read of its feeds) and a received PO's bill (a feed read) become a journal entry and an
 * unmatched supplier invoice in Sage X3; a posting that X3 refuses is fixed and replayed from the audit trail;
 * replaying an already-posted record creates no second document. */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { sumDecimals } from '@connector/decimal';
import { SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import {
  buildJobCompletedEvent,
  ServiceTitanSimulator,
  startServiceTitanSimulator,
  WebhookSender,
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

jest.setTimeout(240000);

const ROOT = join(__dirname, '../../..');
const ADMIN_TOKEN = 'e2e-admin-token-not-a-real-secret';

type Rec = Record<string, unknown>;

describe('connector end to end (simulators, five apps, real Kafka)', () => {
  const prefix = uniquePrefix('e2e');
  let st: ServiceTitanSimulator;
  let x3: SageX3Simulator;
  const apps: AppUnderTest[] = [];
  let gateway: AppUnderTest;
  let poller: AppUnderTest;
  let audit: AuditUnderTest;
  const template = JSON.parse(readFileSync(join(ROOT, 'config/demo/tenant.template.json'), 'utf8')) as Rec & {
    servicetitan: Rec & { webhook: { secrets: string[] } };
  };

  beforeAll(async () => {
    const seeds = demoSeeds({ openJanuary2025: false });
    st = await startServiceTitanSimulator({ seed: seeds.st });
    x3 = await startSageX3Simulator({ seed: seeds.x3 });
    const tenantJson = JSON.parse(
      JSON.stringify(template).split('${ST_SIM_URL}').join(st.url).split('${X3_SIM_URL}').join(x3.url),
    ) as Rec & { sageX3: Rec & { auth: Rec } };
    // The tenant default: OAuth2 refresh_token, rotated on every use by X3 and shared by the poller and the poster
    // through connector.x3-credentials.v1 (the file's token, approved by an X3 user, only bootstraps it).
    // A Chicago business: accounting dates are local calendar days there (its January job below posts in January).
    tenantJson['timeZone'] = 'America/Chicago';
    tenantJson.sageX3.auth = {
      ...tenantJson.sageX3.auth,
      grant: 'refresh_token',
      refreshToken: x3.issueRefreshToken(String(tenantJson.sageX3.auth['clientId'])).refreshToken,
    };
    const tenants = writeTestTenantsFile([tenantJson]);
    copyFileSync(join(ROOT, 'config/demo/mapping-rules.json'), join(tenants.dir, 'mapping-rules.json'));
    const base = {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_CREDENTIALS_HANDOVER_GRACE_MS: '1000',
      X3_CREDENTIALS_CHECK_INTERVAL_MS: '500',
    };

    audit = await startAuditUnderTest(prefix, ADMIN_TOKEN);

    poller = await startAppUnderTest(
      PollerModule.forRoot(validateEnv(X3PollerEnv, { ...base, X3_POLL_ENABLED: 'false' })),
      'x3-poller',
    );
    apps.push(poller);
    await poller.app.get(X3PollService).runOnce('demo'); // master data on the compacted topics before the mapper maps
    apps.push(await startAppUnderTest(MapperModule.forRoot(validateEnv(MapperEnv, base)), 'mapper'));
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

  const documents = (className: string) => x3.createdDocuments({ className }) as unknown as Rec[];
  const refOf = (d: Rec) => String(((d['record'] as Rec | undefined) ?? d)['REF'] ?? '');
  const api = (path: string, body?: unknown) => audit.api(path, body);
  const record = async (kind: string, sourceId: string) =>
    ((await api(`/api/records?tenant=demo&kind=${kind}&q=${sourceId}`))['items'] as Rec[]).find(
      (r) => r['sourceId'] === sourceId,
    );

  it('a bill pulled from ServiceTitan becomes one unmatched supplier invoice against the PO', async () => {
    await gateway.app.get(ServiceTitanFeedsService).runOnce('demo', ['vendors', 'purchase-orders', 'inventory-bills']);
    await eventually(
      // PINVOICE carries no REF (public representation): the demo tenant has one bill, to SUP001.
      () => documents('PINVOICE').filter((d) => ((d['record'] as Rec | undefined) ?? d)['BPR'] === 'SUP001').length,
      (n) => n === 1,
      'the supplier invoice in X3',
      60000,
    );
    const inv = (documents('PINVOICE')[0]['record'] as Rec | undefined) ?? documents('PINVOICE')[0];
    expect(inv).toMatchObject({ BPR: 'SUP001', STA: 1 });
    const rec = await eventually(
      () => record('inventory-bill', '901'),
      (r) => r?.['status'] === 'posted',
      'the audit record posted',
    );
    expect(rec?.['x3DocumentNumber']).toBe(String(inv['NUM']));
  });

  it('a job X3 refuses (closed period) is failed with X3 reason, fixed, replayed from the audit trail, posted once', async () => {
    const seed = demoSeeds({ openJanuary2025: false }).st.tenants?.[0] as unknown as {
      id: number;
      name: string;
      jobs: Rec[];
      invoices: Rec[];
    };
    const job = seed.jobs.find((j) => j['jobStatus'] === 'Completed') as Rec;
    const invoice = seed.invoices.find((i) => i['id'] === job['invoiceId']) as Rec;
    const event = buildJobCompletedEvent({
      tenant: { id: seed.id, name: seed.name },
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      job: job as any,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      invoice: invoice as any,
    });
    const sender = new WebhookSender({ timeScale: 0.001 });
    const delivery = await sender.send({
      url: `${gateway.url}/webhooks/servicetitan/demo`,
      secret: template.servicetitan.webhook.secrets[0],
      body: event,
    }).done;
    sender.close();
    expect(delivery.state).toBe('delivered');

    const failed = await eventually(
      () => record('job', String(job['id'])),
      (r) => r?.['status'] === 'failed',
      'the posting to fail',
      60000,
    );
    expect(String(failed?.['lastError'] ?? failed?.['statusReason'])).toContain('closed');
    expect(documents('GACCENTRY')).toHaveLength(0);

    x3.setPeriodOpen('US01', '2025', 1, true); // the controller reopens January in X3
    const replay = await api(`/api/records/${String(failed?.['id'])}/replay`, { reason: 'period reopened in X3' });
    expect(replay['outcome']).toBe('published');
    await eventually(
      () => record('job', String(job['id'])),
      (r) => r?.['status'] === 'posted',
      'the replayed posting',
      60000,
    );
    expect(documents('GACCENTRY').map(refOf)).toEqual(['demo:JOB:401:R1']);
    const entry = (documents('GACCENTRY')[0]['record'] as Rec | undefined) ?? documents('GACCENTRY')[0];
    const lines = entry['GACCENTRYD'] as Rec[];
    const side = (sns: number) =>
      sumDecimals(lines.filter((l) => String(l['SNS']) === String(sns)).map((l) => String(l['AMTCUR'])));
    expect(side(1).gt(0)).toBe(true);
    expect(side(1).eq(side(-1))).toBe(true); // balanced, in decimal arithmetic
  });

  it('replaying an already-posted record ends as duplicate-skipped: no second document, every attempt in the timeline', async () => {
    const posted = await record('job', '401');
    const replay = await api(`/api/records/${String(posted?.['id'])}/replay`, { reason: 'operator double-check' });
    expect(replay['outcome']).toBe('published');
    const timeline = await eventually(
      async () => (await api(`/api/records/${String(posted?.['id'])}`))['timeline'] as Rec[],
      (t) => t.some((e) => e['status'] === 'duplicate-skipped'),
      'duplicate-skipped in the timeline',
      60000,
    );
    expect(timeline.filter((e) => e['type'] === 'action')).toHaveLength(2);
    expect(timeline.every((e) => e['type'] === 'action' || (e['topic'] !== null && e['offset'] !== null))).toBe(true);
    expect(documents('GACCENTRY')).toHaveLength(1);
    expect(documents('PINVOICE')).toHaveLength(1);
  });

  it('a job completed at 23:30 on 31 January in Chicago (February in UTC) posts in January', async () => {
    const stTenant = st.tenant(1000001);
    const completedOn = '2026-01-31T23:30:00-06:00';
    const job = stTenant.update('jobs', 402, {
      jobStatus: 'Completed',
      jobNumber: '402',
      completedOn: new Date(completedOn).toISOString(),
      invoiceId: 503,
      modifiedOn: new Date(completedOn).toISOString(),
    }) as unknown as Rec;
    const template401 = stTenant.get('invoices', 501) as unknown as Rec;
    const invoice = stTenant.insert('invoices', {
      ...template401,
      id: 503,
      referenceNumber: 'INV-503',
      job: { id: 402, number: '402', type: 'Repair' },
      invoiceDate: '2026-01-31T00:00:00.000Z',
      modifiedOn: new Date(completedOn).toISOString(),
    } as never) as unknown as Rec;
    const sender = new WebhookSender({ timeScale: 0.001, deliveredStatuses: [200, 202] });
    const delivery = await sender.send({
      url: `${gateway.url}/webhooks/servicetitan/demo`,
      secret: template.servicetitan.webhook.secrets[0],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      body: buildJobCompletedEvent({ tenant: { id: 1000001, name: 'Demo' }, job: job as any, invoice: invoice as any }),
    }).done;
    sender.close();
    expect(delivery.state).toBe('delivered');
    const [entry] = await eventually(
      () => documents('GACCENTRY').filter((d) => refOf(d) === 'demo:JOB:402:R1'),
      (l) => l.length === 1,
      'the January entry in X3',
      60000,
    );
    const stored = (entry['record'] as Rec | undefined) ?? entry;
    // X3 derived the fiscal year and period from the accounting date: January 2026, period 1.
    expect(stored).toMatchObject({ ACCDAT: '2026-01-31', FIY: '2026', PER: 1 });
  });

  it('ran on the rotating refresh-token grant: refreshed, never a spent token (0 invalid_grant), no auth failure', async () => {
    const stats = x3.stats();
    expect(stats.tokenRequests.refresh_token).toBeGreaterThanOrEqual(1);
    expect(stats.tokenRequests.client_credentials).toBe(0);
    expect(stats).toMatchObject({ invalidGrants: 0, revokedChains: 0 });
    expect(stats.tokenRequests.rejected).toBe(0);
  });
});
