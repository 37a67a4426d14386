import { buildJobCompletedEvent, buildWebhookEventV2 } from '@connector/servicetitan-simulator';
import { WebhookFieldsExtractor } from './webhook-fields.extractor';

const DEFAULTS = {
  eventId: ['__eventInfo.eventId', 'eventId'],
  eventType: ['__eventInfo.webhookType', 'eventType'],
  entityId: ['id', 'data.id'],
  tenantId: ['__tenantInfo.id', 'tenantId'],
};
const job = { id: 42, jobStatus: 'Completed', completedOn: '2026-11-20T15:00:00Z', modifiedOn: '2026-11-20T15:01:00Z' };
const extractor = new WebhookFieldsExtractor(DEFAULTS, 1000001);

describe('webhook field extraction (a webhook is a trigger)', () => {
  it('reads V1 bodies (__eventInfo) and V2-style envelopes with the default paths', () => {
    const legacy = buildJobCompletedEvent({
      tenant: { id: 1000001, name: 'Demo' },
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      job: job as any,
      invoice: { id: 900, referenceNumber: 'INV', total: '1', items: [] },
      eventId: 'evt-1',
    });
    expect(extractor.extract(JSON.parse(JSON.stringify(legacy)))).toEqual({
      eventId: 'evt-1',
      eventType: 'JobCompleted',
      entityId: '42',
      generation: 'v1',
    });
    const v2 = buildWebhookEventV2({ eventType: 'JobCompleted', tenantId: 1000001, entity: job, eventId: 'evt-2' });
    expect(extractor.extract(v2)).toEqual({
      eventId: 'evt-2',
      eventType: 'JobCompleted',
      entityId: '42',
      generation: 'v2',
    });
    const idOnly = buildWebhookEventV2({
      eventType: 'InvoiceUpdated',
      tenantId: 1000001,
      entity: { id: 900 },
      eventId: 'evt-3',
      shape: { data: 'id' },
    });
    expect(extractor.extract(idOnly)).toMatchObject({ eventType: 'InvoiceUpdated', entityId: '900' });
  });

  it('takes other field names when the tenant configures them', () => {
    const custom = new WebhookFieldsExtractor(
      { eventId: ['event.uuid'], eventType: ['event.name'], entityId: ['payload.jobId'], tenantId: ['tenant'] },
      1000001,
    );
    expect(
      custom.extract({ event: { uuid: 'u-1', name: 'JobCompleted' }, payload: { jobId: 7 }, tenant: '1000001' }),
    ).toEqual({ eventId: 'u-1', eventType: 'JobCompleted', entityId: '7', generation: 'v2' });
  });

  it.each([
    [[1, 2], 'body must be a JSON object'],
    [{ hello: 'world' }, 'no event id'],
    [{ eventId: 'e' }, 'no event type'],
    [{ eventId: 'e', eventType: 7 }, 'event type must be a name of letters, digits and ".:_-" (at most 100), got 7'],
    [{ eventId: 'e', eventType: 'Job Completed!' }, 'event type must be a name'],
    [{ eventId: { nested: true }, eventType: 'JobCompleted' }, 'event id must be 1–200 visible ASCII characters'],
    [{ eventId: 'x'.repeat(201), eventType: 'JobCompleted' }, 'event id must be 1–200 visible ASCII characters'],
    [{ eventId: 'a\u0000b', eventType: 'JobCompleted' }, 'event id must be 1–200 visible ASCII characters'],
    [{ eventId: 'a\ud800', eventType: 'JobCompleted' }, 'event id must be 1–200 visible ASCII characters'],
    [{ eventId: ' e ', eventType: 'JobCompleted' }, 'event id must be 1–200 visible ASCII characters'],
    [
      { eventId: 0, eventType: 'JobCompleted' },
      'event id must be 1–200 visible ASCII characters or a positive integer',
    ],
    [{ eventId: 'e', eventType: 'JobCompleted', data: { id: 1.5 } }, 'entity id must be a positive integer id'],
    [{ eventId: 'e', eventType: 'JobCompleted', data: { id: '1e3' } }, 'entity id must be a positive integer id'],
    [{ eventId: 'e', eventType: 'JobCompleted', data: { id: -7 } }, 'entity id must be a positive integer id'],
    [{ eventId: 'e', eventType: 'JobCompleted', data: { id: '9007199254740993' } }, 'is beyond 2^53 − 1'],
    [{ eventId: 'e', eventType: 'JobCompleted', tenantId: 999 }, 'is not this tenant'],
    [{ eventId: 'e', eventType: 'JobCompleted', tenantId: '1000001.0' }, 'ServiceTitan tenant id must be a positive'],
  ])('refuses %j with a reason', (body, reason) => {
    expect(() => extractor.extract(body)).toThrow(reason);
  });

  it('takes ids as positive safe integers in digits, as numbers or strings', () => {
    expect(extractor.extract({ eventId: 17, eventType: 'JobCompleted', data: { id: '9007199254740991' } })).toEqual({
      eventId: '17',
      eventType: 'JobCompleted',
      entityId: '9007199254740991',
      generation: 'v2',
    });
    expect(extractor.extract({ eventId: 'e', eventType: 'JobCompleted', tenantId: '1000001' }).entityId).toBeNull();
  });

  it('reads own properties only: __proto__ and constructor keys are just keys', () => {
    const body = JSON.parse('{"__proto__":{"eventId":"polluted"},"constructor":{"x":1},"eventType":"JobCompleted"}');
    expect(() => extractor.extract(body)).toThrow('no event id');
    expect(({} as Record<string, unknown>)['eventId']).toBeUndefined();
    const viaProto = new WebhookFieldsExtractor({ ...DEFAULTS, eventId: ['__proto__.eventId'] }, 1000001);
    expect(viaProto.extract(body).eventId).toBe('polluted');
  });
});
