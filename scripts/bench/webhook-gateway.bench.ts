/* Benchmark (not a test): verified webhooks/s into Kafka and latency percentiles, batched producer vs a naive
 * baseline (one Kafka send per request), in the same run on this machine. Every 2xx means Kafka acknowledged
 * (acks=all) the event before the response.
 *
 *   npm run bench:webhooks            (needs the local broker: bash scripts/kafka.sh start)
 *   BENCH_REQUESTS=20000 BENCH_CONCURRENCY=128 npm run bench:webhooks
 */
import 'reflect-metadata';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { validateEnv } from '@connector/config';
import { createApp } from '@connector/observability';
import { MessagingService } from '@connector/messaging';
import { TEST_CREDENTIALS, testTenant, uniquePrefix, writeTestTenantsFile } from '@connector/testing';
import { AddressInfo } from 'node:net';
import { AppModule } from '../../apps/webhook-gateway/src/app/app.module';
import { WebhookGatewayEnv } from '../../apps/webhook-gateway/src/app/webhook-gateway.env';
import { signWebhookBody } from '../../apps/webhook-gateway/src/webhooks/webhook-signature.verifier';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 10000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);

function body(i: number, run: string): string {
  return JSON.stringify({
    id: 100000 + i, jobNumber: String(100000 + i), jobStatus: 'Completed', completedOn: '2026-11-20T15:00:00Z', modifiedOn: '2026-11-20T15:01:00Z', businessUnitId: 10,
    invoice: { id: 900 + i, number: `INV-${i}`, total: '250.00', items: [{ id: 1, type: 'Material', skuId: 5, quantity: '2', cost: '12.25', totalCost: '24.50' }] },
    eventId: `${run}-${i}`, webhookId: 1,
    __eventInfo: { eventId: `${run}-${i}`, webhookId: 1, webhookType: 'JobCompleted' },
    __tenantInfo: { id: TEST_CREDENTIALS.stTenantId, name: 'Bench' },
  });
}

async function runMode(mode: 'batched' | 'naive'): Promise<void> {
  const prefix = uniquePrefix(`bench-${mode}`);
  const tenants = writeTestTenantsFile([testTenant({ id: 'bench' })]);
  const env = validateEnv(WebhookGatewayEnv, {
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: prefix, TENANTS_FILE: tenants.file, CONNECTOR_ENCRYPTION_KEY: tenants.key,
    ST_PULL_ENABLED: 'false', KAFKA_PRODUCER_BATCHING: mode === 'batched' ? 'true' : 'false', LOG_LEVEL: 'warn',
  });
  const app = await createApp(AppModule.forRoot(env), { app: 'webhook-gateway', logLevel: 'error', bodyParser: false });
  await app.listen(0, '127.0.0.1');
  await app.get(MessagingService).waitUntilReady();
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const run = `${mode}-${Date.now()}`;
  const payloads = Array.from({ length: REQUESTS }, (_, i) => {
    const b = body(i, run);
    return { b, sig: signWebhookBody(b, TEST_CREDENTIALS.webhookSecret, 'hex') };
  });
  const send = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const { b, sig } = payloads[i];
      const t0 = performance.now();
      const req = request(
        { host: '127.0.0.1', port, path: '/webhooks/servicetitan/bench', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b), 'x-servicetitan-signature': sig } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 202 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(b);
    });
  // Warm-up (JIT, connections, metadata), not measured.
  for (let i = 0; i < Math.min(200, REQUESTS); i++) await send(i);
  const latencies: number[] = [];
  let next = 200;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) latencies.push(await send(next++));
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  console.log(
    `${mode.padEnd(8)} ${latencies.length} verified webhooks acknowledged by Kafka in ${seconds.toFixed(2)} s = ${(latencies.length / seconds).toFixed(0)}/s; latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms (concurrency ${CONCURRENCY})`,
  );
  agent.destroy();
  await app.close();
}

(async () => {
  console.log(`webhook-gateway benchmark: ${REQUESTS} requests per mode, HMAC verified, acks=all, node ${process.version}, ${require('node:os').cpus().length} cores`);
  await runMode('batched');
  await runMode('naive');
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
