/* Benchmark (not a test): verified webhooks/s into Kafka and latency percentiles, batched producer vs a naive
 * baseline (one Kafka send per request), in the same run on this machine. Every 2xx means Kafka acknowledged
 * (acks=all) the event before the response.
 *
 *   npm run bench:webhooks            (needs the local broker: bash scripts/kafka.sh start)
 *   BENCH_REQUESTS=20000 BENCH_CONCURRENCY=128 npm run bench:webhooks
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { createApp } from '@connector/messaging';
import { TEST_CREDENTIALS, testTenant, uniquePrefix, writeTestTenantsFile } from '@connector/testing';
import { AddressInfo } from 'node:net';
import { AppModule } from '../../apps/webhook-gateway/src/app/app.module';
import { GATEWAY_HTTP } from '../../apps/webhook-gateway/src/app/gateway-http';
import { WebhookGatewayEnv } from '../../apps/webhook-gateway/src/app/webhook-gateway.env';
import { signWebhookBody } from '../../apps/webhook-gateway/src/webhooks/webhook-signature.verifier';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 10000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);

function body(i: number, run: string): string {
  return JSON.stringify({
    id: 100000 + i,
    jobNumber: String(100000 + i),
    jobStatus: 'Completed',
    completedOn: '2026-11-20T15:00:00Z',
    modifiedOn: '2026-11-20T15:01:00Z',
    businessUnitId: 10,
    invoice: {
      id: 900 + i,
      number: `INV-${i}`,
      total: '250.00',
      items: [{ id: 1, type: 'Material', skuId: 5, quantity: '2', cost: '12.25', totalCost: '24.50' }],
    },
    eventId: `${run}-${i}`,
    webhookId: 1,
    __eventInfo: { eventId: `${run}-${i}`, webhookId: 1, webhookType: 'JobCompleted' },
    __tenantInfo: { id: TEST_CREDENTIALS.stTenantId, name: 'Bench' },
  });
}

async function runMode(mode: 'batched' | 'naive'): Promise<void> {
  const prefix = uniquePrefix(`bench-${mode}`);
  const tenants = writeTestTenantsFile([testTenant({ id: 'bench' })]);
  const env = validateEnv(WebhookGatewayEnv, {
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: prefix,
    TENANTS_FILE: tenants.file,
    CONNECTOR_ENCRYPTION_KEY: tenants.key,
    ST_PULL_ENABLED: 'false',
    KAFKA_PRODUCER_BATCHING: mode === 'batched' ? 'true' : 'false',
    // The capacity of the hot path is measured, not the 503 a webhook gets when Kafka takes longer than the
    // acknowledgement bound (2 s by default): the naive baseline on a busy machine would otherwise answer 503s.
    WEBHOOK_ACK_TIMEOUT_MS: '9000',
    LOG_LEVEL: 'warn',
  });
  const app = await createApp(AppModule.forRoot(env), { app: 'webhook-gateway', logLevel: 'error', ...GATEWAY_HTTP });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const run = `${mode}-${Date.now()}`;
  const payloads = Array.from({ length: REQUESTS }, (_, i) => {
    const b = body(i, run);
    return { b, sig: signWebhookBody(b, TEST_CREDENTIALS.webhookSecret, 'hex') };
  });
  // The load comes from another process, as it would in production, so it does not share the gateway's event loop.
  const file = join(tenants.dir, 'payloads.json');
  writeFileSync(file, JSON.stringify(payloads));
  // Asynchronous: the gateway under test runs in this process and must keep serving.
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    [join(__dirname, 'webhook-load.process.js'), String(port), file, String(CONCURRENCY)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const { latencies, seconds } = JSON.parse(out) as { latencies: number[]; seconds: number };
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  console.log(
    `${mode.padEnd(8)} ${latencies.length} verified webhooks acknowledged by Kafka in ${seconds.toFixed(2)} s = ${(latencies.length / seconds).toFixed(0)}/s; latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms (concurrency ${CONCURRENCY}, load from a separate process)`,
  );
  await app.close();
}

(async () => {
  console.log(
    `webhook-gateway benchmark: ${REQUESTS} requests per mode, HMAC verified, acks=all, node ${process.version}, ${require('node:os').cpus().length} cores`,
  );
  await runMode('batched');
  await runMode('naive');
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
