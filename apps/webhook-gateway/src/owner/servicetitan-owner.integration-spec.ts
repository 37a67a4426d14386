import { validateEnv } from '@connector/config';
import { Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import {
  generateTenant,
  ServiceTitanSimulator,
  signWebhookBody,
  startServiceTitanSimulator,
} from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { GATEWAY_HTTP } from '../app/gateway-http';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { ServiceTitanOwnership } from './servicetitan-ownership';

jest.setTimeout(300000);

const JOBS = 300;

/**
 * One API budget per (app key, ServiceTitan tenant) across replicas: three gateways, webhooks spread over all three,
 * 300 completed jobs read through small export pages (many calls back to back): only the tenant's owner calls
 * ServiceTitan, so the simulator's busiest second stays within 60 and nothing is refused with 429 — also after the
 * owner leaves and another replica takes over.
 */
describe('three gateway replicas, one ServiceTitan owner per tenant (simulator + real Kafka)', () => {
  const prefix = uniquePrefix('owner');
  const jobKeys = new Set<string>();
  let sim: ServiceTitanSimulator;
  let reader: MessagingHarness;
  let env: WebhookGatewayEnv;
  const gateways: AppUnderTest[] = [];

  beforeAll(async () => {
    const now = new Date();
    const generated = generateTenant({
      now: now.toISOString(),
      historyFrom: new Date(now.getTime() - 2 * 86_400_000).toISOString().slice(0, 10),
      tenantId: TEST_CREDENTIALS.stTenantId,
      clientId: TEST_CREDENTIALS.stClientId,
      clientSecret: TEST_CREDENTIALS.stClientSecret,
      technicians: 20,
      jobsPerWeekday: 1,
    });
    // Small pages: hundreds of calls back to back, enough to hit the 60/s budget.
    sim = await startServiceTitanSimulator({
      exportPageSize: 5,
      seed: { appKey: TEST_CREDENTIALS.stAppKey, tenants: [generated.seed] },
    });
    const tenants = writeTestTenantsFile([
      testTenant({
        id: 'acme',
        stUrl: sim.url,
        servicetitan: {
          syncFrom: now.toISOString().slice(0, 10),
          pull: { enabled: true, intervalSeconds: 3600, pageSize: 50 },
        },
      }),
    ]);
    env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      ST_PULL_ENABLED: 'false',
      ST_OWNER_HANDOVER_GRACE_MS: '2000',
      ST_TICK_MS: '200',
      ST_TRIGGER_MAX_DELAY_MS: '1000',
    });
    reader = await startMessagingHarness(
      prefix,
      [
        {
          group: 'reader',
          topics: [Topics.StRecords],
          handler: async (m: BusContext) => {
            if (m.envelope.type === 'servicetitan.job.record') jobKeys.add(m.key as string);
          },
        },
      ],
      'reader',
    );
    for (let i = 0; i < 3; i++)
      gateways.push(await startAppUnderTest(AppModule.forRoot(env), `webhook-gateway-${i}`, GATEWAY_HTTP));
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await reader?.close();
    await sim?.close();
  });

  const owners = () => gateways.filter((g) => g.app.get(ServiceTitanOwnership).isOwner('acme'));

  /** Jobs complete in ServiceTitan at once (a month end); their webhooks arrive spread over the replicas. */
  async function completeJobs(count: number): Promise<number[]> {
    const ids = Array.from({ length: count }, () => sim.addCompletedJob(TEST_CREDENTIALS.stTenantId).job.id);
    const send = async (id: number, i: number) => {
      const body = JSON.stringify({
        eventId: `evt-${id}`,
        eventType: 'JobCompleted',
        tenantId: TEST_CREDENTIALS.stTenantId,
        data: { id },
      });
      const res = await fetch(`${gateways[i % gateways.length].url}/webhooks/servicetitan/acme`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-servicetitan-signature': signWebhookBody(body, TEST_CREDENTIALS.webhookSecret, 'hex'),
        },
      });
      expect(res.status).toBe(200);
    };
    for (let i = 0; i < ids.length; i += 20) await Promise.all(ids.slice(i, i + 20).map((id, j) => send(id, i + j)));
    return ids;
  }

  it(`${JOBS} jobs with webhooks on three replicas: one owner reads, busiest second ≤ 60, no 429`, async () => {
    await eventually(owners, (o) => o.length === 1, 'exactly one owner of the tenant');
    const ids = await completeJobs(JOBS);
    await eventually(
      () => ids.filter((id) => jobKeys.has(`acme:job:${id}`)).length,
      (n) => n === JOBS,
      `all ${JOBS} jobs on the records topic`,
      180000,
    );
    const stats = sim.stats();
    const calls = Object.entries(stats.calls)
      .filter(([route]) => route !== 'token')
      .reduce((a, [, n]) => a + n, 0);
    process.stdout.write(
      `[owner] ${JOBS} jobs: ${calls} ServiceTitan calls (${(calls / JOBS).toFixed(2)} per job with 5-row pages), busiest second ${stats.busiestSecond}, 429s ${stats.responses429}\n`,
    );
    expect(calls).toBeGreaterThan(100); // the budget was really exercised
    expect(stats.busiestSecond).toBeLessThanOrEqual(60);
    expect(stats.responses429).toBe(0);
    expect(owners()).toHaveLength(1);
  });

  it('the owner leaves: another replica takes over after the hand-over grace, within the same budget', async () => {
    const [owner] = owners();
    gateways.splice(gateways.indexOf(owner), 1);
    await owner.close();
    await eventually(owners, (o) => o.length === 1, 'a new owner', 60000);
    const ids = await completeJobs(60);
    await eventually(
      () => ids.filter((id) => jobKeys.has(`acme:job:${id}`)).length,
      (n) => n === ids.length,
      'the jobs after the hand-over',
      120000,
    );
    const stats = sim.stats();
    expect(stats.busiestSecond).toBeLessThanOrEqual(60);
    expect(stats.responses429).toBe(0);
  });
});
