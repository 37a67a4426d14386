import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { validateEnv } from '@connector/config';
import { Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { buildJobCompletedEvent, signWebhookBody, WebhookSender } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testTenant,
  testAppEnv,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';

jest.setTimeout(120000);

const OLD_SECRET = 'test-webhook-hmac-key-not-a-real-secret-old1';
const stTenant = { id: TEST_CREDENTIALS.stTenantId, name: 'Acme' };
const job = {
  id: 4242,
  jobNumber: '4242',
  customerId: 1,
  locationId: 2,
  jobStatus: 'Completed',
  completedOn: '2026-11-20T15:00:00Z',
  businessUnitId: 7,
  jobTypeId: 3,
  priority: 'Normal',
  campaignId: 1,
  invoiceId: 900,
  createdOn: '2026-11-19T10:00:00Z',
  modifiedOn: '2026-11-20T15:01:00Z',
  customFields: [],
  externalData: [],
};
function jobCompleted(eventId: string) {
  return buildJobCompletedEvent({
    tenant: stTenant,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    job: job as any,
    invoice: {
      id: 900,
      referenceNumber: 'INV-900',
      total: '250.00',
      items: [{ id: 1, type: 'Material', skuId: 5, quantity: '2', cost: '12.25', totalCost: '24.50' } as never],
    },
    eventId,
  });
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('webhook-gateway on a real Kafka broker', () => {
  const prefix = uniquePrefix('gw');
  const events: BusContext[] = [];
  let gateway: AppUnderTest;
  let reader: MessagingHarness;
  let hook: string;

  beforeAll(async () => {
    const tenants = writeTestTenantsFile([
      testTenant({ id: 'acme', webhookSecrets: [TEST_CREDENTIALS.webhookSecret, OLD_SECRET], maxBodyBytes: 16 * 1024 }),
      testTenant({ id: 'beta', webhookEncoding: 'base64' }),
    ]);
    const env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      PORT: '0',
    });
    reader = await startMessagingHarness(
      prefix,
      [{ group: 'reader', topics: [Topics.StJob], handler: async (m) => void events.push(m) }],
      'reader',
    );
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', { bodyParser: false });
    hook = `${gateway.url}/webhooks/servicetitan/acme`;
  });
  afterAll(async () => {
    await gateway?.close();
    await reader?.close();
  });

  const eventsFor = (eventId: string) => events.filter((e) => e.envelope.correlationId === eventId);

  it('a signed webhook becomes exactly one event on the topic, acknowledged before the 2xx', async () => {
    const raw = JSON.stringify(jobCompleted('evt-signed-1'));
    const res = await post(hook, raw, {
      'x-servicetitan-signature': signWebhookBody(raw, TEST_CREDENTIALS.webhookSecret, 'hex'),
    });
    expect(res).toEqual({ status: 202, body: { accepted: true, eventId: 'evt-signed-1', duplicate: false } });
    const got = await eventually(
      () => eventsFor('evt-signed-1'),
      (l) => l.length >= 1,
      'the event on servicetitan.job.v1',
    );
    expect(got[0].key).toBe('acme:job:4242');
    expect(got[0].envelope).toMatchObject({
      type: 'servicetitan.job.event',
      tenant: 'acme',
      source: 'webhook',
      payload: { event: 'completed', jobId: 4242 },
    });
  });

  it.each([
    [
      'tampered body',
      (raw: string) => ({
        body: raw.replace('24.50', '99.50'),
        sig: signWebhookBody(raw, TEST_CREDENTIALS.webhookSecret, 'hex'),
      }),
      401,
      'signature-mismatch',
    ],
    [
      'wrong secret',
      (raw: string) => ({ body: raw, sig: signWebhookBody(raw, 'test-some-other-secret-not-real-000000', 'hex') }),
      401,
      'signature-mismatch',
    ],
    ['missing header', (raw: string) => ({ body: raw, sig: undefined }), 401, 'missing-signature'],
    [
      'malformed JSON',
      () => ({ body: '{"eventId": ', sig: signWebhookBody('{"eventId": ', TEST_CREDENTIALS.webhookSecret, 'hex') }),
      400,
      'malformed-json',
    ],
    [
      'unknown shape',
      () => ({ body: '{"hello":1}', sig: signWebhookBody('{"hello":1}', TEST_CREDENTIALS.webhookSecret, 'hex') }),
      400,
      'unknown-shape',
    ],
  ])('%s gets its status and produces nothing', async (_name, make, status, reason) => {
    const eventId = `evt-bad-${reason}-${status}`;
    const { body, sig } = make(JSON.stringify(jobCompleted(eventId)));
    const res = await post(hook, body, sig ? { 'x-servicetitan-signature': sig } : {});
    expect(res.status).toBe(status);
    expect(res.body['reason']).toBe(reason);
    // Prove nothing was produced: a later good event arrives and the bad one never did.
    const probe = JSON.stringify(jobCompleted(`${eventId}-probe`));
    await post(hook, probe, {
      'x-servicetitan-signature': signWebhookBody(probe, TEST_CREDENTIALS.webhookSecret, 'hex'),
    });
    await eventually(
      () => eventsFor(`${eventId}-probe`),
      (l) => l.length === 1,
      'probe event',
    );
    expect(eventsFor(eventId)).toHaveLength(0);
  });

  it('unknown tenant → 404, oversize body → 413, both produce nothing', async () => {
    const raw = JSON.stringify(jobCompleted('evt-404'));
    const sig = signWebhookBody(raw, TEST_CREDENTIALS.webhookSecret, 'hex');
    expect(
      (await post(`${gateway.url}/webhooks/servicetitan/nobody`, raw, { 'x-servicetitan-signature': sig })).status,
    ).toBe(404);
    const big = JSON.stringify({ ...jobCompleted('evt-413'), padding: 'x'.repeat(20 * 1024) });
    const res = await post(hook, big, {
      'x-servicetitan-signature': signWebhookBody(big, TEST_CREDENTIALS.webhookSecret, 'hex'),
    });
    expect(res.status).toBe(413);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /connector_webhooks_rejected_total\{tenant="unknown",reason="unknown-tenant",app="webhook-gateway"\} 1/,
    );
    expect(metrics).toMatch(
      /connector_webhooks_rejected_total\{tenant="acme",reason="body-too-large",app="webhook-gateway"\} 1/,
    );
    expect(eventsFor('evt-404')).toHaveLength(0);
    expect(eventsFor('evt-413')).toHaveLength(0);
  });

  it('old and new secrets both verify during a rotation overlap; base64 encoding per tenant', async () => {
    for (const [id, secret] of [
      ['evt-rot-new', TEST_CREDENTIALS.webhookSecret],
      ['evt-rot-old', OLD_SECRET],
    ]) {
      const raw = JSON.stringify(jobCompleted(id));
      expect((await post(hook, raw, { 'x-servicetitan-signature': signWebhookBody(raw, secret, 'hex') })).status).toBe(
        202,
      );
    }
    const raw = JSON.stringify(jobCompleted('evt-b64'));
    const res = await post(`${gateway.url}/webhooks/servicetitan/beta`, raw, {
      'x-servicetitan-signature': signWebhookBody(raw, TEST_CREDENTIALS.webhookSecret, 'base64'),
    });
    expect(res.status).toBe(202);
    await eventually(
      () => ['evt-rot-new', 'evt-rot-old', 'evt-b64'].map((id) => eventsFor(id).length),
      (n) => n.every((c) => c === 1),
      'three events',
    );
  });

  it('the same event delivered three times by the simulator retries yields one event', async () => {
    // A proxy that forwards to the gateway but loses the first two responses (answers 502), as a flaky
    // load balancer would: ServiceTitan re-delivers, the gateway must not produce again.
    let forwarded = 0;
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const target = new URL(hook);
        const fwd = httpRequest(
          { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: req.headers },
          (gw) => {
            gw.resume();
            gw.on('end', () => {
              forwarded++;
              res.statusCode = forwarded <= 2 ? 502 : (gw.statusCode ?? 500);
              res.end();
            });
          },
        );
        fwd.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    // The gateway answers 202 until issue 14 moves it to 200 (the sender now counts only 200 as delivered).
    const sender = new WebhookSender({ timeScale: 0.002, deliveredStatuses: [200, 202] });
    try {
      const delivery = sender.send({
        url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
        secret: TEST_CREDENTIALS.webhookSecret,
        body: jobCompleted('evt-retried'),
      });
      const done = await delivery.done;
      expect(done.state).toBe('delivered');
      expect(done.attempts.map((a) => a.status)).toEqual([502, 502, 202]);
      await eventually(
        () => eventsFor('evt-retried'),
        (l) => l.length >= 1,
        'the retried event',
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(eventsFor('evt-retried')).toHaveLength(1);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/connector_webhook_duplicates_total\{tenant="acme",app="webhook-gateway"\} [2-9]/);
    } finally {
      sender.close();
      proxy.close();
    }
  });
});
