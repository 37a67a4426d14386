/* Benchmark (not a test): ServiceTitan API calls per completed job through the real gateway (three replicas, one
 * owner per tenant) and mapper, against the ServiceTitan simulator (60 requests/s per app key and tenant).
 *   1. volume: BENCH_JOBS completed jobs over 20 technicians complete at once (a month end); their V2 webhooks go to
 *      the three replicas; the run ends when the mapper requested a journal entry for every job;
 *   2. trickle: BENCH_TRICKLE jobs one at a time, each waiting for its journal entry.
 * Prints ServiceTitan calls per completed job (token requests excluded), the simulator's busiest second and its 429s.
 *
 *   npm run bench:servicetitan            (needs the local broker: bash scripts/kafka.sh start)
 *   BENCH_JOBS=500 BENCH_TRICKLE=3 npm run bench:servicetitan
 */
import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  JournalEntryRequestedV1,
  recordKey,
  Topics,
  X3_COST_CENTER_STATE,
  X3_GL_ACCOUNT_STATE,
} from '@connector/contracts';
import { createApp } from '@connector/messaging';
import { generateTenant, signWebhookBody, startServiceTitanSimulator } from '@connector/servicetitan-simulator';
import {
  startMessagingHarness,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { INestApplication } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { AppModule as GatewayModule } from '../../apps/webhook-gateway/src/app/app.module';
import { GATEWAY_HTTP } from '../../apps/webhook-gateway/src/app/gateway-http';
import { WebhookGatewayEnv } from '../../apps/webhook-gateway/src/app/webhook-gateway.env';
import { AppModule as MapperModule } from '../../apps/mapper/src/app/app.module';
import { MapperEnv } from '../../apps/mapper/src/app/mapper.env';

const JOBS = Number(process.env['BENCH_JOBS'] ?? 2000);
const TRICKLE = Number(process.env['BENCH_TRICKLE'] ?? 5);
const REPLICAS = 3;
const TRIGGER_MAX_DELAY_MS = Number(process.env['BENCH_TRIGGER_MAX_DELAY_MS'] ?? 10_000);
const ST = TEST_CREDENTIALS.stTenantId;

(async () => {
  const started = Date.now();
  const prefix = uniquePrefix('bench-st');
  const now = new Date();
  const generated = generateTenant({
    now: now.toISOString(),
    historyFrom: new Date(now.getTime() - 3 * 86_400_000).toISOString().slice(0, 10),
    tenantId: ST,
    clientId: TEST_CREDENTIALS.stClientId,
    clientSecret: TEST_CREDENTIALS.stClientSecret,
    technicians: 20,
    jobsPerWeekday: 2,
  });
  const sim = await startServiceTitanSimulator({
    seed: { appKey: TEST_CREDENTIALS.stAppKey, tenants: [generated.seed] },
  });
  const dir = mkdtempSync(join(tmpdir(), 'bench-st-'));
  writeFileSync(
    join(dir, 'rules.json'),
    JSON.stringify({
      version: 1,
      costCenters: { businessUnits: { '10': 'CC-A', '11': 'CC-A', '12': 'CC-B', '13': 'CC-B' } },
      accounts: { material: { debit: '601000', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
      labor: { source: 'gross-pay-items' },
    }),
  );
  const tenants = writeTestTenantsFile([
    testTenant({
      id: 'bench',
      stUrl: sim.url,
      servicetitan: {
        syncFrom: now.toISOString().slice(0, 10),
        pull: { enabled: true, intervalSeconds: 300, pageSize: 500 },
      },
      extra: { mappingRulesFile: join(dir, 'rules.json') },
    }),
  ]);
  const base = {
    ...testAppEnv(prefix),
    TENANTS_FILE: tenants.file,
    CONNECTOR_ENCRYPTION_KEY: tenants.key,
    LOG_LEVEL: 'warn',
  };
  const entries = new Set<string>();
  let lastEntryAt = 0;
  const io = await startMessagingHarness(
    prefix,
    [
      {
        group: 'bench-reader',
        topics: [Topics.JournalEntryRequested],
        handler: (m) => {
          entries.add((m.envelope.payload as JournalEntryRequestedV1).source.id);
          lastEntryAt = Date.now();
        },
      },
    ],
    'bench-io',
  );
  // X3 master data for the mapper (what the x3-poller would have published).
  const at = '2026-01-01T00:00:00Z';
  for (const [code, dims] of [
    ['601000', ['CCE']],
    ['641000', ['CCE']],
    ['310000', []],
    ['421000', []],
  ] as const)
    await io.publisher.publish(
      Topics.X3GlAccount,
      createEnvelope({
        type: X3_GL_ACCOUNT_STATE,
        tenant: 'bench',
        source: 'poller',
        payload: { code, active: true, deleted: false, updatedAt: at, allowedDimensionTypes: [...dims] },
      }),
      { key: recordKey('bench', 'gl-account', code) },
    );
  for (const code of ['CC-A', 'CC-B'])
    await io.publisher.publish(
      Topics.X3CostCenter,
      createEnvelope({
        type: X3_COST_CENTER_STATE,
        tenant: 'bench',
        source: 'poller',
        payload: { code, dimensionType: 'CCE', active: true, deleted: false, updatedAt: at },
      }),
      { key: recordKey('bench', 'cost-center', code) },
    );
  const apps: INestApplication[] = [];
  const gatewayUrls: string[] = [];
  const gatewayEnv = validateEnv(WebhookGatewayEnv, {
    ...base,
    ST_OWNER_HANDOVER_GRACE_MS: '3000',
    ST_TRIGGER_MAX_DELAY_MS: String(TRIGGER_MAX_DELAY_MS),
    ST_PULL_INITIAL_DELAY_MS: '3600000', // the scheduled reads stay out of the measurement: triggers only
  });
  for (let i = 0; i < REPLICAS; i++) {
    const app = await createApp(GatewayModule.forRoot(gatewayEnv), {
      app: `webhook-gateway-${i}`,
      logLevel: 'warn',
      ...GATEWAY_HTTP,
    });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    gatewayUrls.push(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
  }
  const mapper = await createApp(MapperModule.forRoot(validateEnv(MapperEnv, base)), {
    app: 'mapper',
    logLevel: 'warn',
  });
  apps.push(mapper);
  await new Promise((r) => setTimeout(r, 4000)); // ownership hand-over grace
  sim.resetCalls();

  const send = async (id: number, i: number) => {
    const body = JSON.stringify({
      eventId: `evt-${id}`,
      eventType: 'JobCompleted',
      tenantId: ST,
      createdOn: new Date().toISOString(),
      data: { id },
    });
    const res = await fetch(`${gatewayUrls[i % REPLICAS]}/webhooks/servicetitan/bench`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-servicetitan-signature': signWebhookBody(body, TEST_CREDENTIALS.webhookSecret, 'hex'),
      },
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };
  const waitFor = async (ids: number[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !entries.has(String(id)))) {
      if (Date.now() > deadline)
        throw new Error(`${ids.filter((id) => !entries.has(String(id))).length} jobs not mapped in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const apiCalls = () =>
    Object.entries(sim.stats().calls)
      .filter(([r]) => r !== 'token')
      .reduce((a, [, n]) => a + n, 0);

  console.log(
    `ServiceTitan benchmark: ${JOBS} completed jobs over 20 technicians, ${REPLICAS} gateway replicas + mapper, triggers batched by 30 or ${TRIGGER_MAX_DELAY_MS} ms, node ${process.version}, ${cpus().length} cores`,
  );
  const technicians = generated.seed.technicians?.map((t) => t.id as number) ?? [];
  const ids = Array.from(
    { length: JOBS },
    (_, i) => sim.addCompletedJob(ST, { technicianIds: [technicians[i % technicians.length]] }).job.id,
  );
  const t0 = Date.now();
  for (let i = 0; i < ids.length; i += 32) await Promise.all(ids.slice(i, i + 32).map((id, j) => send(id, i + j)));
  const sent = Date.now();
  await waitFor(ids, 900_000);
  const calls = apiCalls();
  const stats = sim.stats();
  console.log(
    `volume   ${JOBS} jobs: ${calls} ServiceTitan calls = ${(calls / JOBS).toFixed(3)} per completed job; busiest second ${stats.busiestSecond} requests; ${stats.responses429} × 429; webhooks sent in ${((sent - t0) / 1000).toFixed(1)} s, last journal entry ${((lastEntryAt - sent) / 1000).toFixed(1)} s after the last webhook`,
  );
  console.log(
    `         calls by route: ${JSON.stringify(Object.fromEntries(Object.entries(stats.calls).filter(([r]) => r !== 'token')))}`,
  );

  if (TRICKLE > 0) {
    sim.resetCalls();
    let latency = 0;
    for (let i = 0; i < TRICKLE; i++) {
      const { job } = sim.addCompletedJob(ST, { technicianIds: [technicians[i % technicians.length]] });
      const t = Date.now();
      await send(job.id, i);
      await waitFor([job.id], 300_000);
      latency += Date.now() - t;
    }
    const c = apiCalls();
    console.log(
      `trickle  ${TRICKLE} jobs one at a time: ${c} ServiceTitan calls = ${(c / TRICKLE).toFixed(2)} per completed job; webhook → journal entry ${(latency / TRICKLE / 1000).toFixed(1)} s on average`,
    );
  }
  console.log(`total run ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const a of apps.reverse()) await a.close();
  await io.close();
  await sim.close();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
