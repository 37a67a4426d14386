import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICETITAN_WEBHOOK_RETRY_SCHEDULE_SECONDS, WebhookSender, signWebhookBody } from './webhook.sender';
import {
  DEFAULT_WEBHOOK_V2_SHAPE,
  buildJobCompletedEvent,
  buildWebhookEvent,
  buildWebhookEventV2,
} from './webhook-event.builder';
import { startServiceTitanSimulator } from './servicetitan-simulator.server';
import { buildJob, buildInvoice } from './record.builders';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';

const SECRET = 'whsec-test-secret-not-real-0000000000';

interface Received {
  raw: Buffer;
  headers: IncomingMessage['headers'];
}

/** Receiver whose answers are scripted per request: a status code or 'drop' (connection destroyed). */
async function startReceiver(script: Array<number | 'drop'>) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks), headers: req.headers });
      const action = script[received.length - 1] ?? 200;
      if (action === 'drop') req.socket.destroy();
      else res.writeHead(action).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/servicetitan`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, received, close };
}

function verify(raw: Buffer, header: string | undefined, encoding: 'hex' | 'base64'): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', SECRET).update(raw).digest();
  const given = Buffer.from(header, encoding);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('WebhookSender', () => {
  it('signs the exact raw body bytes with HMAC-SHA256 (hex, default header)', async () => {
    const receiver = await startReceiver([200]);
    const sender = new WebhookSender();
    try {
      // Odd spacing and non-ASCII: re-serialising the JSON would change the bytes and break the signature.
      const body = '{"eventId":"e-1",  "name":"Chloé",\n"total":"10.50"}';
      const delivery = await sender.send({
        url: receiver.url,
        secret: SECRET,
        body,
      }).done;
      expect(delivery.state).toBe('delivered');
      const [hit] = receiver.received;
      expect(hit?.raw.toString('utf8')).toBe(body);
      expect(verify(hit?.raw ?? Buffer.alloc(0), hit?.headers['x-servicetitan-signature'] as string, 'hex')).toBe(true);
      expect(delivery.signature).toBe(signWebhookBody(body, SECRET, 'hex'));
      // a different secret does not verify
      expect(signWebhookBody(body, 'another-secret-not-real-00000000000', 'hex')).not.toBe(delivery.signature);
    } finally {
      sender.close();
      await receiver.close();
    }
  });

  it('supports a custom header name and base64 encoding', async () => {
    const receiver = await startReceiver([200]);
    const sender = new WebhookSender();
    try {
      const event = buildWebhookEvent({
        webhookType: 'InvoiceUpdated',
        tenant: { id: 7, name: 'T' },
        entity: { id: 1, total: '5.00' },
      });
      await sender.send({
        url: receiver.url,
        secret: SECRET,
        headerName: 'X-ST-Signature',
        encoding: 'base64',
        body: event,
      }).done;
      const [hit] = receiver.received;
      expect(hit?.headers['x-servicetitan-signature']).toBeUndefined();
      expect(verify(hit?.raw ?? Buffer.alloc(0), hit?.headers['x-st-signature'] as string, 'base64')).toBe(true);
      expect(JSON.parse(hit?.raw.toString('utf8') ?? '{}')).toEqual(event);
    } finally {
      sender.close();
      await receiver.close();
    }
  });

  it('re-delivers failures on the 10/30/60/300 s schedule (scaled) and records every attempt', async () => {
    expect(SERVICETITAN_WEBHOOK_RETRY_SCHEDULE_SECONDS).toEqual([10, 30, 60, 300]);
    const receiver = await startReceiver([500, 'drop', 429, 200]);
    const sender = new WebhookSender({ timeScale: 0.001 });
    try {
      const delivery = await sender.send({
        url: receiver.url,
        secret: SECRET,
        body: { eventId: 'e-2' },
      }).done;
      expect(delivery.state).toBe('delivered');
      expect(delivery.attempts.map((a) => a.delayBeforeMs)).toEqual([0, 10, 30, 60]);
      expect(delivery.attempts.map((a) => a.status ?? 'error')).toEqual([500, 'error', 429, 200]);
      expect(delivery.attempts[1]?.error).toEqual(expect.any(String));
      for (let i = 1; i < delivery.attempts.length; i++) {
        const gap = (delivery.attempts[i]?.at ?? 0) - (delivery.attempts[i - 1]?.at ?? 0);
        expect(gap).toBeGreaterThanOrEqual((delivery.attempts[i]?.delayBeforeMs ?? 0) - 2); // timers may fire ~1 ms early
      }
      // every attempt carried the same bytes and signature
      const signatures = new Set(receiver.received.map((r) => r.headers['x-servicetitan-signature']));
      expect(signatures.size).toBe(1);
      expect(new Set(receiver.received.map((r) => r.raw.toString('hex'))).size).toBe(1);
    } finally {
      sender.close();
      await receiver.close();
    }
  });

  it('only HTTP 200 counts as delivered: a 202 or a 204 is a failed delivery and is sent again', async () => {
    const receiver = await startReceiver([202, 204, 200]);
    const sender = new WebhookSender({ timeScale: 0.001 });
    try {
      const delivery = await sender.send({ url: receiver.url, secret: SECRET, body: { eventId: 'e-202' } }).done;
      expect(delivery.state).toBe('delivered');
      expect(delivery.attempts.map((a) => [a.status, a.ok])).toEqual([
        [202, false],
        [204, false],
        [200, true],
      ]);
    } finally {
      sender.close();
      await receiver.close();
    }
  });

  it('deliveredStatuses widens what counts as delivered (for receivers that answer 202)', async () => {
    const receiver = await startReceiver([202]);
    const sender = new WebhookSender({ deliveredStatuses: [200, 202] });
    try {
      const delivery = await sender.send({ url: receiver.url, body: { eventId: 'e-accepted' } }).done;
      expect(delivery.state).toBe('delivered');
      expect(delivery.attempts).toHaveLength(1);
    } finally {
      sender.close();
      await receiver.close();
    }
  });

  it('gives up after the last scheduled attempt', async () => {
    const receiver = await startReceiver([500, 500, 500, 500, 500, 200]);
    const sender = new WebhookSender({ timeScale: 0.0001 });
    try {
      const delivery = await sender.send({
        url: receiver.url,
        body: { eventId: 'e-3' },
      }).done;
      expect(delivery.state).toBe('failed');
      expect(delivery.attempts).toHaveLength(5);
      expect(delivery.attempts.map((a) => a.delayBeforeMs)).toEqual([0, 1, 3, 6, 30]);
      expect(receiver.received).toHaveLength(5);
      expect(receiver.received[0]?.headers['x-servicetitan-signature']).toBeUndefined(); // no secret, no signature
    } finally {
      sender.close();
      await receiver.close();
    }
  });

  it('close() cancels pending re-deliveries', async () => {
    const receiver = await startReceiver([500, 200]);
    const sender = new WebhookSender({ timeScale: 1 }); // the 10 s retry must not happen
    const delivery = sender.send({
      url: receiver.url,
      body: { eventId: 'e-4' },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    sender.close();
    await expect(delivery.done).resolves.toMatchObject({ state: 'cancelled' });
    expect(receiver.received).toHaveLength(1);
    await receiver.close();
  });
});

describe('webhook events', () => {
  it('builds the legacy JobCompleted envelope with the invoice block', () => {
    const now = '2025-01-03T16:00:00.000Z';
    const job = buildJob({ id: 401, jobStatus: 'InProgress' }, now);
    const invoice = buildInvoice(
      {
        id: 501,
        referenceNumber: 'INV-501',
        total: '1234.50',
        items: [{ id: 1, total: '1234.50' }],
      },
      now,
    );
    const { active: _active, ...listJob } = job;
    void _active;
    const event = buildJobCompletedEvent({
      tenant: { id: 1000001, name: 'Demo' },
      job: listJob,
      invoice,
      eventId: 'evt-1',
      webhookId: 42,
    });
    expect(event).toMatchObject({
      id: 401,
      jobStatus: 'Completed',
      invoiceId: 501,
      eventId: 'evt-1',
      webhookId: 42,
      __eventInfo: {
        eventId: 'evt-1',
        webhookId: 42,
        webhookType: 'JobCompleted',
      },
      __tenantInfo: { id: 1000001, name: 'Demo' },
      invoice: { id: 501, number: 'INV-501', total: '1234.50' },
    });
    expect(event.invoice.items).toHaveLength(1);
    expect(
      typeof buildWebhookEvent({
        webhookType: 'X',
        tenant: { id: 1, name: 'a' },
        entity: {},
      }).eventId,
    ).toBe('string');
  });

  it('the simulator sends webhooks from code and from the admin route', async () => {
    const receiver = await startReceiver([503, 200, 200]);
    const sim = await startServiceTitanSimulator({ webhookTimeScale: 0.001 });
    try {
      const first = await sim.webhooks.send({
        url: receiver.url,
        secret: SECRET,
        body: { eventId: 'a' },
      }).done;
      expect(first.attempts.map((a) => a.status)).toEqual([503, 200]);
      const res = await fetch(`${sim.url}/__admin/webhooks/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          url: receiver.url,
          secret: SECRET,
          encoding: 'base64',
          body: { eventId: 'b' },
          wait: true,
        }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        state: 'delivered',
        attempts: [{ status: 200, ok: true }],
      });
      const last = receiver.received[2];
      expect(verify(last?.raw ?? Buffer.alloc(0), last?.headers['x-servicetitan-signature'] as string, 'base64')).toBe(
        true,
      );
    } finally {
      await sim.close();
      await receiver.close();
    }
  });

  it('builds the V2-style body (an assumption): identity fields plus the entity under data, names configurable', () => {
    const event = buildWebhookEventV2({
      eventType: 'JobCompleted',
      tenantId: 1000001,
      entity: { id: 401, jobStatus: 'Completed' },
      eventId: 'evt-v2',
      createdOn: '2026-11-29T10:00:00.000Z',
    });
    expect(event).toEqual({
      eventId: 'evt-v2',
      eventType: 'JobCompleted',
      tenantId: 1000001,
      createdOn: '2026-11-29T10:00:00.000Z',
      data: { id: 401, jobStatus: 'Completed' },
    });
    expect(DEFAULT_WEBHOOK_V2_SHAPE.data).toBe('full');
    const custom = buildWebhookEventV2({
      eventType: 'job.completed',
      tenantId: 7,
      entity: { id: 9, total: 5 },
      eventId: 'e',
      createdOn: 'c',
      shape: { eventIdField: 'id', eventTypeField: 'type', tenantIdField: 'tenant', dataField: 'resource', data: 'id' },
    });
    expect(custom).toEqual({ id: 'e', type: 'job.completed', tenant: 7, createdOn: 'c', resource: { id: 9 } });
  });

  it('the simulator sends V1 and V2 deliveries built from stored records, signed, re-delivered until a 200', async () => {
    const receiver = await startReceiver([500, 200, 202, 202, 202, 202, 202, 200]);
    const seed = buildDemoTenantSeed();
    const sim = await startServiceTitanSimulator({
      seed: { appKey: DEMO_APP_KEY, tenants: [seed] },
      webhookTimeScale: 0.0001,
    });
    try {
      const v1 = await sim.sendWebhookEvent({
        url: receiver.url,
        generation: 'v1',
        tenantId: seed.id,
        eventType: 'JobCompleted',
        entity: { kind: 'jobs', id: 401 },
        eventId: 'evt-v1',
        secret: SECRET,
      }).done;
      expect(v1.attempts.map((a) => a.status)).toEqual([500, 200]);
      expect(v1.state).toBe('delivered');
      const v1Body = JSON.parse(receiver.received[1]?.raw.toString('utf8') ?? '{}') as Record<string, unknown>;
      expect(v1Body).toMatchObject({
        id: 401,
        eventId: 'evt-v1',
        __eventInfo: { eventId: 'evt-v1', webhookType: 'JobCompleted' },
        __tenantInfo: { id: seed.id },
        invoice: { id: 501, number: 'INV-501', total: '1234.50' },
      });
      expect(v1Body).not.toHaveProperty('active'); // the job as the jobs API lists it

      // V2: signed in another header and encoding; a receiver that keeps answering 202 never gets it delivered.
      const v2 = await sim.sendWebhookEvent({
        url: receiver.url,
        generation: 'v2',
        tenantId: seed.id,
        eventType: 'JobCompleted',
        entity: { kind: 'jobs', id: 401 },
        eventId: 'evt-v2',
        secret: SECRET,
        headerName: 'X-ServiceTitan-Signature-V2',
        encoding: 'base64',
      }).done;
      expect(v2.state).toBe('failed');
      expect(v2.attempts.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
      const hit = receiver.received[2];
      const v2Body = JSON.parse(hit?.raw.toString('utf8') ?? '{}') as Record<string, unknown>;
      expect(v2Body).toMatchObject({
        eventId: 'evt-v2',
        eventType: 'JobCompleted',
        tenantId: seed.id,
        data: { id: 401 },
      });
      expect(verify(hit?.raw ?? Buffer.alloc(0), hit?.headers['x-servicetitan-signature-v2'] as string, 'base64')).toBe(
        true,
      );

      // And from the admin route, waiting for the outcome.
      const res = await fetch(`${sim.url}/__admin/webhooks/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          url: receiver.url,
          generation: 'v2',
          tenantId: seed.id,
          eventType: 'InventoryBillUpdated',
          entity: { kind: 'inventoryBills', id: 901 },
          v2Shape: { data: 'id' },
          wait: true,
        }),
      });
      expect(await res.json()).toMatchObject({ state: 'delivered', attempts: [{ status: 200, ok: true }] });
      expect(JSON.parse(receiver.received[7]?.raw.toString('utf8') ?? '{}')).toMatchObject({ data: { id: 901 } });
    } finally {
      await sim.close();
      await receiver.close();
    }
  });
});
