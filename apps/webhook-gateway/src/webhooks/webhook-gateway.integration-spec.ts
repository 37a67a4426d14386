import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { validateEnv } from '@connector/config';
import { Topics, WebhookTriggerCommandV1 } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import {
  buildJobCompletedEvent,
  buildWebhookEventV2,
  signWebhookBody,
  WebhookSender,
} from '@connector/servicetitan-simulator';
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
import { GATEWAY_HTTP } from '../app/gateway-http';
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
function v1(eventId: string) {
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
const v2 = (eventId: string) =>
  buildWebhookEventV2({ eventType: 'JobCompleted', tenantId: TEST_CREDENTIALS.stTenantId, entity: job, eventId });
const sign = (raw: string, secret: string = TEST_CREDENTIALS.webhookSecret) => signWebhookBody(raw, secret, 'hex');

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('webhook-gateway on a real Kafka broker: webhooks become triggers', () => {
  const prefix = uniquePrefix('gw');
  const commands: Array<BusContext<WebhookTriggerCommandV1>> = [];
  let env: WebhookGatewayEnv;
  let gateway: AppUnderTest;
  let reader: MessagingHarness;
  let hook: string;

  const start = async () => {
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', GATEWAY_HTTP);
    hook = `${gateway.url}/webhooks/servicetitan/acme`;
  };

  beforeAll(async () => {
    const tenants = writeTestTenantsFile([
      testTenant({ id: 'acme', webhookSecrets: [TEST_CREDENTIALS.webhookSecret, OLD_SECRET], maxBodyBytes: 16 * 1024 }),
      testTenant({ id: 'beta', webhookEncoding: 'base64' }),
      testTenant({
        id: 'gamma',
        servicetitan: {
          webhook: {
            secrets: [TEST_CREDENTIALS.webhookSecret],
            signatureHeader: 'X-ST-Signature',
            fields: { eventId: ['meta.id'], eventType: ['meta.kind'], entityId: ['record.jobId'] },
          },
        },
      }),
    ]);
    env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      PORT: '0',
    });
    reader = await startMessagingHarness(
      prefix,
      [
        {
          group: 'reader',
          topics: [Topics.StCommand],
          handler: async (m) => void commands.push(m as BusContext<WebhookTriggerCommandV1>),
        },
      ],
      'reader',
    );
    await start();
  });
  afterAll(async () => {
    await gateway?.close();
    await reader?.close();
  });

  const triggersFor = (eventId: string) => commands.filter((c) => c.envelope.payload.eventId === eventId);

  it('a signed V1 webhook becomes one trigger on the command topic, acknowledged before the 200', async () => {
    const raw = JSON.stringify(v1('evt-v1'));
    const res = await post(hook, raw, { 'x-servicetitan-signature': sign(raw) });
    expect(res).toEqual({ status: 200, body: { accepted: true, eventId: 'evt-v1', duplicate: false } });
    const [cmd] = await eventually(
      () => triggersFor('evt-v1'),
      (l) => l.length >= 1,
      'the trigger',
    );
    expect(cmd.key).toBe('acme');
    expect(cmd.envelope).toMatchObject({
      type: 'servicetitan.command.webhook-trigger',
      tenant: 'acme',
      source: 'webhook',
      correlationId: 'evt-v1',
    });
    // The trigger carries no data from the body: the owner reads it from the API.
    expect(cmd.envelope.payload).toEqual({
      eventId: 'evt-v1',
      eventType: 'JobCompleted',
      entityId: '4242',
      generation: 'v1',
      receivedAt: expect.any(String),
    });
  });

  it('a V2-style webhook for the same job is read at its own field paths', async () => {
    const raw = JSON.stringify(v2('evt-v2'));
    expect((await post(hook, raw, { 'x-servicetitan-signature': sign(raw) })).status).toBe(200);
    const [cmd] = await eventually(
      () => triggersFor('evt-v2'),
      (l) => l.length >= 1,
      'the V2 trigger',
    );
    expect(cmd.envelope.payload).toMatchObject({ eventType: 'JobCompleted', entityId: '4242', generation: 'v2' });
  });

  it('field paths and the signature header are per tenant', async () => {
    const raw = JSON.stringify({ meta: { id: 'evt-custom', kind: 'JobCompleted' }, record: { jobId: 77 } });
    expect(
      (await post(`${gateway.url}/webhooks/servicetitan/gamma`, raw, { 'x-st-signature': sign(raw) })).status,
    ).toBe(200);
    const [cmd] = await eventually(
      () => triggersFor('evt-custom'),
      (l) => l.length >= 1,
      'the custom trigger',
    );
    expect(cmd.envelope.payload).toMatchObject({ entityId: '77', generation: 'v2' });
    expect(cmd.key).toBe('gamma');
  });

  it.each([
    [
      'tampered body',
      (raw: string) => ({ body: raw.replace('24.50', '99.50'), sig: sign(raw) }),
      401,
      'signature-mismatch',
    ],
    [
      'wrong secret',
      (raw: string) => ({ body: raw, sig: sign(raw, 'test-some-other-secret-not-real-000000') }),
      401,
      'signature-mismatch',
    ],
    ['missing header', (raw: string) => ({ body: raw, sig: undefined }), 401, 'missing-signature'],
    ['malformed JSON', () => ({ body: '{"eventId": ', sig: sign('{"eventId": ') }), 400, 'malformed-json'],
    ['unknown shape', () => ({ body: '{"hello":1}', sig: sign('{"hello":1}') }), 400, 'unknown-shape'],
    [
      "another tenant's event",
      (raw: string) => {
        const other = raw.replace(`"id":${TEST_CREDENTIALS.stTenantId}`, '"id":999');
        return { body: other, sig: sign(other) };
      },
      400,
      'tenant-mismatch',
    ],
  ])('%s gets its status and produces nothing', async (_name, make, status, reason) => {
    const eventId = `evt-bad-${reason}-${status}-${_name.length}`;
    const { body, sig } = make(JSON.stringify(v1(eventId)));
    const res = await post(hook, body, sig ? { 'x-servicetitan-signature': sig } : {});
    expect(res.status).toBe(status);
    expect(res.body['reason']).toBe(reason);
    // Prove nothing was produced: a later good event arrives and the bad one never did.
    const probe = JSON.stringify(v1(`${eventId}-probe`));
    await post(hook, probe, { 'x-servicetitan-signature': sign(probe) });
    await eventually(
      () => triggersFor(`${eventId}-probe`),
      (l) => l.length === 1,
      'probe trigger',
    );
    expect(triggersFor(eventId)).toHaveLength(0);
  });

  it('unknown tenant → 404, oversize body → 413, both produce nothing', async () => {
    const raw = JSON.stringify(v1('evt-404'));
    expect(
      (await post(`${gateway.url}/webhooks/servicetitan/nobody`, raw, { 'x-servicetitan-signature': sign(raw) }))
        .status,
    ).toBe(404);
    const big = JSON.stringify({ ...v1('evt-413'), padding: 'x'.repeat(20 * 1024) });
    const res = await post(hook, big, { 'x-servicetitan-signature': sign(big) });
    expect(res).toMatchObject({ status: 413, body: { reason: 'body-too-large' } });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /connector_webhooks_rejected_total\{tenant="unknown",reason="unknown-tenant",app="webhook-gateway"\} 1/,
    );
    expect(metrics).toMatch(
      /connector_webhooks_rejected_total\{tenant="acme",reason="body-too-large",app="webhook-gateway"\} 1/,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(triggersFor('evt-404')).toHaveLength(0);
    expect(triggersFor('evt-413')).toHaveLength(0);
  });

  it('old and new secrets both verify during a rotation overlap; base64 encoding per tenant', async () => {
    for (const [id, secret] of [
      ['evt-rot-new', TEST_CREDENTIALS.webhookSecret],
      ['evt-rot-old', OLD_SECRET],
    ]) {
      const raw = JSON.stringify(v1(id));
      expect((await post(hook, raw, { 'x-servicetitan-signature': sign(raw, secret) })).status).toBe(200);
    }
    const raw = JSON.stringify(v1('evt-b64'));
    const res = await post(`${gateway.url}/webhooks/servicetitan/beta`, raw, {
      'x-servicetitan-signature': signWebhookBody(raw, TEST_CREDENTIALS.webhookSecret, 'base64'),
    });
    expect(res.status).toBe(200);
    await eventually(
      () => ['evt-rot-new', 'evt-rot-old', 'evt-b64'].map((id) => triggersFor(id).length),
      (n) => n.every((c) => c === 1),
      'three triggers',
    );
  });

  it('the same event delivered three times by the sender (lost answers) yields one trigger', async () => {
    // A proxy that forwards to the gateway but loses the first two answers (502), as a flaky load balancer would.
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
    const sender = new WebhookSender({ timeScale: 0.002 });
    try {
      const delivery = sender.send({
        url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
        secret: TEST_CREDENTIALS.webhookSecret,
        body: v1('evt-retried'),
      });
      const done = await delivery.done;
      expect(done.state).toBe('delivered');
      expect(done.attempts.map((a) => a.status)).toEqual([502, 502, 200]);
      await eventually(
        () => triggersFor('evt-retried'),
        (l) => l.length >= 1,
        'the retried trigger',
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(triggersFor('evt-retried')).toHaveLength(1);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/connector_webhook_duplicates_total\{tenant="acme",app="webhook-gateway"\} [2-9]/);
    } finally {
      sender.close();
      proxy.close();
    }
  });

  it('dedupe survives a gateway restart (rebuilt from the command topic)', async () => {
    const raw = JSON.stringify(v2('evt-restart'));
    expect((await post(hook, raw, { 'x-servicetitan-signature': sign(raw) })).body).toMatchObject({ duplicate: false });
    await eventually(
      () => triggersFor('evt-restart'),
      (l) => l.length === 1,
      'the first trigger',
    );
    await gateway.close();
    await start();
    await eventually(
      async () => (await fetch(`${gateway.url}/health/ready`)).status,
      (s) => s === 200,
      'ready again',
    );
    const again = await post(hook, raw, { 'x-servicetitan-signature': sign(raw) });
    expect(again).toEqual({ status: 200, body: { accepted: true, eventId: 'evt-restart', duplicate: true } });
    await new Promise((r) => setTimeout(r, 1000));
    expect(triggersFor('evt-restart')).toHaveLength(1);
  });
});
