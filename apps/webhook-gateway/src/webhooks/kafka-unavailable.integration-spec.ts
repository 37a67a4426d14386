/* When Kafka cannot acknowledge (issue 10, item 5): the gateway answers 503 with Retry-After within
 * WEBHOOK_ACK_TIMEOUT_MS (well before ServiceTitan's ~10 s delivery timeout) instead of holding the webhook, reports
 * not-ready, and recovers by itself when the broker is back — against a real broker of the suite's own that is paused
 * (SIGSTOP: connections open, nothing answered) and then stopped and started again. */
import { validateEnv } from '@connector/config';
import { Topics } from '@connector/contracts';
import { ConsumerGroupAdmin } from '@connector/messaging';
import { buildWebhookEventV2, signWebhookBody } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  PrivateKafka,
  startAppUnderTest,
  startPrivateKafka,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { GATEWAY_HTTP } from '../app/gateway-http';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';

jest.setTimeout(300_000);

const ACK_TIMEOUT_MS = 2000;
const RETRY_AFTER = 17;
/** ServiceTitan gives up on a delivery after about this long: the answer must come before. */
const SENDER_TIMEOUT_MS = 10_000;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
  elapsedMs: number;
}

describe('webhook-gateway when Kafka does not acknowledge (a private real broker, paused and restarted)', () => {
  const prefix = uniquePrefix('gw-down');
  let kafka: PrivateKafka;
  let admin: ConsumerGroupAdmin;
  let gateway: AppUnderTest;

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    const tenants = writeTestTenantsFile([testTenant({ id: 'acme' })]);
    const env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      KAFKA_BROKERS: kafka.brokers.join(','),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      ST_PULL_ENABLED: 'false',
      WEBHOOK_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
      WEBHOOK_RETRY_AFTER_SECONDS: String(RETRY_AFTER),
      WEBHOOK_KAFKA_PROBE_MS: '500',
    });
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', GATEWAY_HTTP);
    admin = ConsumerGroupAdmin.connect({ brokers: kafka.brokers, topicPrefix: prefix });
    await eventually(ready, (r) => r.status === 200, 'gateway ready', 60_000);
  });

  afterAll(async () => {
    kafka?.resume();
    await admin?.close().catch(() => undefined);
    await gateway?.close().catch(() => undefined);
    await kafka?.close();
  });

  async function send(eventId: string): Promise<Answer> {
    const raw = JSON.stringify(
      buildWebhookEventV2({
        eventType: 'JobCompleted',
        tenantId: TEST_CREDENTIALS.stTenantId,
        entity: { id: 4242 },
        eventId,
      }),
    );
    const started = Date.now();
    const res = await fetch(`${gateway.url}/webhooks/servicetitan/acme`, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-servicetitan-signature': signWebhookBody(raw, TEST_CREDENTIALS.webhookSecret, 'hex'),
      },
      signal: AbortSignal.timeout(SENDER_TIMEOUT_MS),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown>,
      elapsedMs: Date.now() - started,
    };
  }
  async function ready(): Promise<{ status: number; checks: Record<string, boolean> }> {
    const res = await fetch(`${gateway.url}/health/ready`);
    const body = (await res.json()) as { checks?: Record<string, boolean> };
    return { status: res.status, checks: body.checks ?? {} };
  }
  /** Trigger records on the command topic, counted by the broker (high watermarks). */
  const storedTriggers = async () =>
    (await admin.topicOffsets(Topics.StCommand)).reduce((n, p) => n + Number(p.high - p.low), 0);

  /** The 503 every webhook gets while Kafka cannot acknowledge, answered within the bound. */
  function expectUnavailable(a: Answer): void {
    expect(a).toMatchObject({
      status: 503,
      retryAfter: String(RETRY_AFTER),
      body: { reason: 'kafka-unavailable', error: 'event not stored; retry later' },
    });
    // It did wait for the acknowledgement (the bound), and answered well before the sender gives up.
    expect(a.elapsedMs).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);
    expect(a.elapsedMs).toBeLessThan(SENDER_TIMEOUT_MS / 2);
  }

  it('a webhook is accepted while the broker answers', async () => {
    expect(await send('evt-before')).toMatchObject({ status: 200, body: { duplicate: false } });
    expect(await storedTriggers()).toBe(1);
  });

  it('paused broker: 503 with Retry-After within the bound, not ready; resumed: ready again, the late trigger counts', async () => {
    kafka.pause();
    try {
      const first = await send('evt-paused');
      expectUnavailable(first);
      const health = await ready();
      expect(health.status).toBe(503);
      expect(health.checks['webhook-kafka-ack']).toBe(false);
      // Every delivery meanwhile gets the same quick answer (none waits for the one before).
      const [a, b] = await Promise.all([send('evt-paused-2'), send('evt-paused')]);
      expectUnavailable(a);
      expectUnavailable(b);
    } finally {
      kafka.resume();
    }
    await eventually(ready, (r) => r.status === 200, 'ready once the broker answers again', 60_000);
    // The publishes that timed out were acknowledged when the broker resumed: the trigger is stored once, so
    // ServiceTitan's re-delivery is a duplicate, not a second trigger.
    await eventually(storedTriggers, (n) => n === 3, 'the two late triggers stored', 60_000);
    expect(await send('evt-paused')).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await send('evt-after-pause')).toMatchObject({ status: 200, body: { duplicate: false } });
    expect(await storedTriggers()).toBe(4);
  });

  it('stopped broker: 503 within the bound, not ready; restarted: ready again and webhooks are accepted', async () => {
    await kafka.stop();
    const down = await send('evt-stopped');
    expectUnavailable(down);
    expect((await ready()).checks['webhook-kafka-ack']).toBe(false);
    expectUnavailable(await send('evt-stopped-2'));
    await kafka.start();
    await eventually(ready, (r) => r.status === 200, 'ready after the broker restarted', 120_000);
    const again = await eventually(
      () => send('evt-stopped'),
      (a) => a.status === 200,
      'the re-delivery accepted',
      60_000,
    );
    expect(again.body).toMatchObject({ accepted: true, eventId: 'evt-stopped' });
    const stored = await storedTriggers();
    expect(stored).toBeGreaterThanOrEqual(5);
    // Every event reached Kafka at most once more than it was sent to a broker that could take it.
    expect(stored).toBeLessThanOrEqual(6);
  });
});
