import { ST_WEBHOOK_TRIGGER, validatePayload } from '@connector/contracts';
import fc from 'fast-check';
import { checkJsonContentType, checkJsonShape, decodeUtf8, readWebhookTrigger } from './webhook-body.parser';
import { EVENT_ID_PATTERN, WebhookFieldsExtractor, WebhookTrigger } from './webhook-fields.extractor';
import { WebhookRefusal } from './webhook-refusal';

const ST_TENANT = 1000001;
const extractor = new WebhookFieldsExtractor(
  {
    eventId: ['__eventInfo.eventId', 'eventId'],
    eventType: ['__eventInfo.webhookType', 'eventType'],
    entityId: ['id', 'data.id'],
    tenantId: ['__tenantInfo.id', 'tenantId'],
  },
  ST_TENANT,
);
const LIMITS = { maxDepth: 32, maxKeys: 50_000 };
const JSON_TYPE = 'application/json';

/** The normaliser's outcome: the trigger, or the refusal's status and reason (anything else is a defect). */
function outcome(raw: Buffer, contentType: string | undefined = JSON_TYPE, limits = LIMITS) {
  try {
    return { trigger: readWebhookTrigger(raw, contentType, extractor, limits) };
  } catch (e) {
    if (e instanceof WebhookRefusal) return { refusal: { status: e.status, reason: e.reason, message: e.message } };
    throw e;
  }
}
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** Depth and key count by recursion over the parsed value (the reference the one-pass scan must agree with). */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}
function keysOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  if (Array.isArray(v)) return v.reduce((n: number, c) => n + keysOf(c), 0);
  return Object.entries(v).reduce((n, [, c]) => n + 1 + keysOf(c), 0);
}

const eventIds = fc.stringMatching(/^[\x21-\x7e]{1,200}$/);
const eventTypes = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._:-]{0,20}$/);
const entityIds = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
/** Extra fields a real body carries, with hostile keys among them; never the paths the extractor reads. */
const junk = fc.dictionary(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), fc.string()),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);
const withoutReadPaths = (o: Record<string, unknown>) => {
  for (const k of ['__eventInfo', 'eventId', 'eventType', 'id', 'data', '__tenantInfo', 'tenantId']) delete o[k];
  return o;
};
/** A V1 body (`__eventInfo`, entity at the top) or a V2-style one, as JSON text built key by key. */
function bodyText(gen: 'v1' | 'v2', eventId: string | number, type: string, entity: number | string, extra: object) {
  const extraText = JSON.stringify(extra).slice(1, -1);
  const head =
    gen === 'v1'
      ? `"__eventInfo":{"eventId":${JSON.stringify(eventId)},"webhookType":${JSON.stringify(type)}},` +
        `"__tenantInfo":{"id":${ST_TENANT}},"id":${JSON.stringify(entity)}`
      : `"eventId":${JSON.stringify(eventId)},"eventType":${JSON.stringify(type)},"tenantId":${ST_TENANT},` +
        `"data":{"id":${JSON.stringify(entity)}}`;
  return `{${head}${extraText ? `,${extraText}` : ''}}`;
}

describe('webhook normaliser (signed bytes → trigger or a 4xx reason)', () => {
  describe('properties', () => {
    it('is total: any bytes under any Content-Type give a trigger or a refusal, never another error', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom(JSON_TYPE, 'text/plain', undefined, 'application/json; charset=latin1'),
          (bytes, type) => {
            const o = outcome(Buffer.from(bytes), type);
            expect(o.trigger ?? o.refusal).toBeDefined();
          },
        ),
        { numRuns: 2000 },
      );
    });

    it('is total on any JSON document, and what it accepts is a valid trigger command', () => {
      // Each field either well-formed or anything at all, so that both acceptance and every refusal are reached.
      const field = <T>(good: fc.Arbitrary<T>) =>
        fc.oneof({ weight: 6, arbitrary: good }, fc.jsonValue({ maxDepth: 2 }), fc.string());
      const ids = fc.oneof(entityIds, entityIds.map(String), fc.constantFrom(0, -1, 1.5, '007', '1e3', ' 1', 2 ** 53));
      const anyDocument = fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            eventId: field(fc.oneof(eventIds, ids)),
            eventType: field(eventTypes),
            tenantId: field(fc.constantFrom(ST_TENANT, String(ST_TENANT), 999)),
            data: field(fc.record({ id: field(ids) })),
          },
          { requiredKeys: [] },
        ),
        fc.record(
          {
            __eventInfo: field(fc.record({ eventId: field(fc.oneof(eventIds, ids)), webhookType: field(eventTypes) })),
            id: field(ids),
          },
          { requiredKeys: [] },
        ),
      );
      let accepted = 0;
      fc.assert(
        fc.property(anyDocument, (doc) => {
          const o = outcome(json(doc));
          if (o.refusal) {
            expect(o.refusal.status).toBe(400);
            expect(o.refusal.message.length).toBeGreaterThan(0);
            return;
          }
          accepted++;
          const t = o.trigger as WebhookTrigger;
          const command = { ...t, receivedAt: '2026-11-20T15:00:00.000Z' };
          expect(validatePayload(ST_WEBHOOK_TRIGGER, command)).toEqual([]);
        }),
        { numRuns: 3000 },
      );
      // The property says something about acceptance only if documents were accepted.
      expect(accepted).toBeGreaterThan(100);
    });

    it('reads back exactly the event id, type and entity id of any V1 or V2 body, whatever else it carries', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('v1' as const, 'v2' as const),
          fc.oneof(eventIds, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
          eventTypes,
          entityIds,
          fc.boolean(),
          junk,
          (gen, eventId, type, entity, entityAsText, extra) => {
            const text = bodyText(gen, eventId, type, entityAsText ? String(entity) : entity, withoutReadPaths(extra));
            expect(outcome(Buffer.from(text)).trigger).toEqual({
              eventId: String(eventId),
              eventType: type,
              entityId: String(entity),
              generation: gen,
            });
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('hostile keys (__proto__, constructor) neither change the result nor touch Object.prototype', () => {
      fc.assert(
        fc.property(eventIds, entityIds, junk, (eventId, entity, extra) => {
          const plain = outcome(Buffer.from(bodyText('v2', eventId, 'JobCompleted', entity, {})));
          const hostile = outcome(
            Buffer.from(bodyText('v2', eventId, 'JobCompleted', entity, withoutReadPaths(extra))),
          );
          expect(hostile).toEqual(plain);
          expect(Object.prototype).not.toHaveProperty('eventId');
          expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        }),
        { numRuns: 500 },
      );
    });

    it('refuses any body with an invalid UTF-8 sequence, wherever it is (nothing is replaced)', () => {
      const invalid = fc.constantFrom(
        [0xff],
        [0xc0, 0xaf], // overlong "/"
        [0xed, 0xa0, 0x80], // an encoded surrogate (CESU-8)
        [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
        [0xe2, 0x82], // truncated
        [0x80], // a lone continuation byte
      );
      fc.assert(
        fc.property(eventIds, entityIds, invalid, fc.nat(), (eventId, entity, bad, where) => {
          const text = Buffer.from(bodyText('v1', eventId, 'JobCompleted', entity, { note: 'x' }));
          const at = where % (text.length + 1);
          const raw = Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at)]);
          expect(outcome(raw).refusal).toMatchObject({ status: 400, reason: 'invalid-utf8' });
        }),
        { numRuns: 1000 },
      );
    });

    it('the one-pass shape check agrees with the parsed document on depth and key count', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 8 }), (doc) => {
          const text = JSON.stringify(doc);
          const depth = depthOf(doc);
          const keys = keysOf(doc);
          expect(() => checkJsonShape(text, { maxDepth: depth, maxKeys: keys })).not.toThrow();
          if (depth > 0)
            expect(() => checkJsonShape(text, { maxDepth: depth - 1, maxKeys: keys })).toThrow(
              `nested deeper than ${depth - 1} levels`,
            );
          if (keys > 0)
            expect(() => checkJsonShape(text, { maxDepth: depth, maxKeys: keys - 1 })).toThrow(
              `more than ${keys - 1} object keys`,
            );
        }),
        { numRuns: 2000 },
      );
    });

    it('any Content-Type that is not JSON in UTF-8 is a 415, whatever the body', () => {
      const notJson = fc.oneof(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/jsonp',
          'application/json-seq',
          'text/json',
          'application/json; charset=utf-16',
          'application/json; charset="iso-8859-1"',
          '',
        ),
        fc.stringMatching(/^[a-z]{1,10}\/[a-z]{1,10}$/).filter((t) => t !== 'application/json'),
      );
      fc.assert(
        fc.property(notJson, fc.uint8Array({ maxLength: 50 }), (type, bytes) => {
          expect(outcome(Buffer.from(bytes), type).refusal).toMatchObject({
            status: 415,
            reason: 'unsupported-media-type',
          });
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('examples', () => {
    const v2 = (over: Record<string, unknown> = {}) =>
      json({ eventId: 'evt-1', eventType: 'JobCompleted', tenantId: ST_TENANT, data: { id: 42 }, ...over });

    it.each([
      ['application/json', true],
      ['application/json; charset=utf-8', true],
      ['Application/JSON; Charset="UTF-8"', true],
      ['application/vnd.servicetitan.webhook+json', true],
      [['application/json'], true],
      [['application/json', 'application/json'], false],
      ['', false],
      ['application/ json', false],
      [undefined, false],
      ['application/json; charset=utf-16', false],
      ['text/plain', false],
    ] as Array<[string | string[] | undefined, boolean]>)('Content-Type %j accepted: %s', (type, ok) => {
      if (ok) expect(() => checkJsonContentType(type)).not.toThrow();
      else expect(() => checkJsonContentType(type)).toThrow(WebhookRefusal);
    });

    it('refuses deep nesting and too many keys before parsing, with the bound in the reason', () => {
      const deep = Buffer.from(`{"eventId":"e","eventType":"JobCompleted","x":${'['.repeat(100)}${']'.repeat(100)}}`);
      expect(outcome(deep).refusal).toMatchObject({
        reason: 'too-deep',
        message: 'body is nested deeper than 32 levels',
      });
      const wide = json(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])));
      expect(outcome(wide, JSON_TYPE, { maxDepth: 32, maxKeys: 100 }).refusal).toMatchObject({
        reason: 'too-many-keys',
      });
      // Colons and brackets inside strings are text, not structure.
      const tricky = v2({ note: '[[[[:::: \\" {{{{' });
      expect(outcome(tricky, JSON_TYPE, { maxDepth: 2, maxKeys: 6 }).trigger).toMatchObject({ eventId: 'evt-1' });
    });

    it('a million brackets cost one pass, not a stack', () => {
      const raw = Buffer.from('['.repeat(1_000_000));
      expect(outcome(raw).refusal).toMatchObject({ reason: 'too-deep' });
    });

    it('names the offset of the first invalid byte; a byte order mark is refused as JSON', () => {
      expect(() => decodeUtf8(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toThrow(
        'body is not valid UTF-8 (first invalid byte at offset 2)',
      );
      expect(decodeUtf8(Buffer.from('{"a":"é€😀"}'))).toBe('{"a":"é€😀"}');
      expect(outcome(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), v2()])).refusal).toMatchObject({
        reason: 'malformed-json',
      });
    });

    it('NUL and lone surrogates are refused where the connector keeps them (ids), harmless elsewhere', () => {
      expect(outcome(Buffer.from('{"eventId":"a\\u0000","eventType":"JobCompleted"}')).refusal).toMatchObject({
        reason: 'invalid-id',
      });
      expect(outcome(Buffer.from('{"eventId":"\\ud800","eventType":"JobCompleted"}')).refusal).toMatchObject({
        reason: 'invalid-id',
      });
      expect(outcome(v2({ note: '\u0000\ud800' })).trigger).toMatchObject({ eventId: 'evt-1', entityId: '42' });
    });

    it('event ids are visible ASCII (the contract says the same)', () => {
      expect(EVENT_ID_PATTERN.test('3f2c9a9e-1b2c-4d5e-8f90-123456789abc')).toBe(true);
      expect(EVENT_ID_PATTERN.test('é')).toBe(false);
      expect(
        validatePayload(ST_WEBHOOK_TRIGGER, {
          eventId: 'a b',
          eventType: 'X',
          generation: 'v2',
          receivedAt: '2026-11-20T15:00:00Z',
        }),
      ).toEqual(['payload.eventId must be 1–200 visible ASCII characters']);
    });
  });
});
