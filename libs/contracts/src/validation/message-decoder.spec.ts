import fc from 'fast-check';
import { createEnvelope } from '../envelope/envelope.factory';
import { ST_INVENTORY_BILL_REVISION } from '../messages/servicetitan-inventory-bill-revision/servicetitan-inventory-bill-revision.message';
import { ST_JOB_EVENT } from '../messages/servicetitan-job-event/servicetitan-job-event.message';
import {
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
} from '../messages/journal-entry-requested/journal-entry-requested.message';
import { jobKey, jobRecordKey } from '../envelope/message-key';
import { MESSAGE_TYPES } from '../messages/message-registry';
import { ST_BACKFILL_COMMAND } from '../messages/servicetitan-backfill-command/servicetitan-backfill-command.message';
import { ST_GROSS_PAY_ITEM_RECORD } from '../messages/servicetitan-gross-pay-item-record/servicetitan-gross-pay-item-record.message';
import { ST_INVOICE_RECORD } from '../messages/servicetitan-invoice-record/servicetitan-invoice-record.message';
import { ST_JOB_RECORD } from '../messages/servicetitan-job-record/servicetitan-job-record.message';
import { ST_WEBHOOK_TRIGGER } from '../messages/servicetitan-webhook-trigger/servicetitan-webhook-trigger.message';
import { Topics } from '../topics/topic-names';
import { topicCatalogue } from '../topics/topic-catalogue';
import { isEntityId, toEntityId } from './entity-id.decorator';
import {
  decodeMessage,
  envelopeFastPath,
  envelopeViolations,
  MAX_JSON_DEPTH,
  validatePayload,
} from './message-decoder';

const entry: JournalEntryRequestedV1 = {
  externalRef: 'acme:job:42:r1',
  source: { kind: 'job', id: '42', revision: 1 },
  site: 'FR011',
  entryType: 'ODSTX',
  journal: 'ODS',
  accountingDate: '2026-11-20',
  currency: 'USD',
  description: 'Job 42 costs',
  lines: [
    {
      account: '601000',
      side: 'debit',
      amount: '120.50',
      costCenter: 'CC-HVAC',
      dimensionType: 'CCE',
      costKind: 'material',
    },
    { account: '408000', side: 'credit', amount: '120.50', costKind: 'offset' },
  ],
};

describe('message decoder', () => {
  it('round-trips a valid envelope', () => {
    const env = createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant: 'acme', source: 'mapper', payload: entry });
    const res = decodeMessage(Topics.JournalEntryRequested, Buffer.from(JSON.stringify(env)));
    expect(res).toEqual({ ok: true, envelope: env });
    expect(env.correlationId).toBe(env.id);
  });

  it('accepts a namespaced topic (test prefixes) but not a foreign topic', () => {
    const env = createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant: 'acme', source: 'mapper', payload: entry });
    expect(decodeMessage(`t1.${Topics.JournalEntryRequested}`, JSON.stringify(env)).ok).toBe(true);
    const foreign = decodeMessage(Topics.StJob, JSON.stringify(env));
    expect(foreign).toEqual({
      ok: false,
      reason: `message type "${JOURNAL_ENTRY_REQUESTED}" is not allowed on topic "${Topics.StJob}"`,
    });
  });

  it('rejects money as a JSON number, naming the field', () => {
    const bad = { ...entry, lines: [{ ...entry.lines[0], amount: 120.5 }, entry.lines[1]] };
    const env = createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant: 'acme', source: 'mapper', payload: bad });
    const res = decodeMessage(Topics.JournalEntryRequested, JSON.stringify(env));
    expect(res.ok).toBe(false);
    expect(!res.ok && res.reason).toContain('payload.lines.0.amount must be a decimal string');
  });

  it.each([
    [null, 'empty message value'],
    ['{not json', 'malformed JSON'],
    ['[1]', 'message is not a JSON object'],
    ['{"id":"x"}', 'invalid envelope: id must be a UUID'],
  ])('rejects %s with a reason', (value, reason) => {
    const res = decodeMessage(Topics.StJob, value as string | null);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.reason).toContain(reason);
  });

  it('rejects unknown types and newer schema versions', () => {
    const env = createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant: 'acme', source: 'mapper', payload: entry });
    expect(decodeMessage(Topics.JournalEntryRequested, JSON.stringify({ ...env, type: 'nope' }))).toEqual({
      ok: false,
      reason: 'unknown message type "nope"',
    });
    const v2 = decodeMessage(Topics.JournalEntryRequested, JSON.stringify({ ...env, schemaVersion: 2 }));
    expect(!v2.ok && v2.reason).toContain('newer than supported');
  });

  it('catalogue: every registered type has a declared topic and every topic a DLQ', () => {
    const names = new Set(topicCatalogue().map((t) => t.name));
    for (const m of MESSAGE_TYPES) for (const t of m.topics) expect(names.has(t)).toBe(true);
    for (const t of Object.values(Topics)) expect(names.has(`${t}.dlq`)).toBe(true);
    expect(
      topicCatalogue()
        .filter((t) => t.compacted)
        .map((t) => t.name),
    ).toContain(Topics.Checkpoint);
  });

  describe('hostile input (total: a reason, never an exception)', () => {
    const job = {
      event: 'completed',
      jobId: 42,
      jobStatus: 'Completed',
      modifiedOn: '2026-11-20T10:00:00Z',
      sourceEventId: 'evt-1',
      invoice: { id: 7, items: [{ id: 1, type: 'Material', quantity: '1', cost: '2.50', totalCost: '2.50' }] },
    };
    const jobJson = (payloadJson: string) => {
      const env = createEnvelope({ type: ST_JOB_EVENT, tenant: 'acme', source: 'webhook', payload: job });
      return JSON.stringify(env).replace(JSON.stringify(job), payloadJson);
    };
    const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const withRaw = (raw: string) => jobJson(JSON.stringify(job).replace(/}$/, `,"raw":${raw}}`));

    it.each([
      ['deep nesting inside raw', withRaw(nested(5000))],
      ['deep nesting in an unknown field', jobJson(JSON.stringify(job).replace(/}$/, `,"x":${nested(100000)}}`))],
      ['deep arrays', withRaw(`{"a":${'['.repeat(3000)}${']'.repeat(3000)}}`)],
    ])('%s is refused with a reason (RangeError in class-transformer before)', (_what, bytes) => {
      const res = decodeMessage(Topics.StJob, bytes);
      expect(res).toEqual({ ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
    });

    it('accepts nesting up to the bound', () => {
      const res = decodeMessage(Topics.StJob, withRaw(nested(MAX_JSON_DEPTH - 3)));
      expect(res.ok).toBe(true);
    });

    it('a "constructor" key anywhere is harmless: decoded, and gone from what handlers get', () => {
      for (const raw of ['{"constructor":{"prototype":1}}', '{"constructor":"x"}', '{"a":[{"constructor":{}}]}']) {
        const res = decodeMessage<{ raw: Record<string, unknown> }>(Topics.StJob, withRaw(raw));
        expect(res.ok).toBe(true);
        if (!res.ok) continue;
        expect(JSON.stringify(res.envelope.payload.raw)).not.toContain('constructor');
        expect(Object.getPrototypeOf(res.envelope.payload.raw)).toBe(Object.prototype);
      }
    });

    it('"__proto__" cannot smuggle a required field past validation or change a prototype', () => {
      const { jobId: _drop, ...withoutId } = job;
      const smuggled = JSON.stringify(withoutId).replace(/}$/, ',"__proto__":{"jobId":5}}');
      const res = decodeMessage(Topics.StJob, jobJson(smuggled));
      expect(res.ok).toBe(false);
      expect(!res.ok && res.reason).toContain('payload.jobId must be a positive integer id');
      const harmless = decodeMessage<Record<string, unknown>>(
        Topics.StJob,
        withRaw('{"__proto__":{"polluted":true},"ok":1}'),
      );
      expect(harmless.ok).toBe(true);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      if (harmless.ok) expect(harmless.envelope.payload['raw']).toEqual({ ok: 1 });
      const envelopeLevel = decodeMessage(
        Topics.StJob,
        jobJson(JSON.stringify(job)).replace('{', '{"__proto__":{"x":1},'),
      );
      expect(envelopeLevel.ok).toBe(true);
    });

    it('never throws, whatever the bytes (property)', () => {
      const valid = jobJson(JSON.stringify(job));
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.json(),
            fc.jsonValue().map((v) => jobJson(JSON.stringify({ ...job, raw: v }))),
            fc.object().map((o) => JSON.stringify(o)),
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
            fc.integer({ min: 0, max: valid.length }).map((i) => valid.slice(0, i)),
            fc
              .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.string({ maxLength: 3 }))
              .map(([i, s]) => valid.slice(0, i) + s + valid.slice(i + 1)),
          ),
          (bytes) => {
            const res = decodeMessage(Topics.StJob, bytes);
            expect(typeof res.ok).toBe('boolean');
            if (!res.ok) expect(res.reason.length).toBeGreaterThan(0);
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('ids and amounts are strict', () => {
    const bill = {
      billId: 501,
      revision: 1,
      contentHash: 'h',
      voided: false,
      billAmount: '75.50',
      taxAmount: '0',
      shippingAmount: '-1.25',
      items: [{ id: 1, order: 0, quantity: '1', cost: '75.50', skuId: 9 }],
    };
    it.each([
      [{ billId: 9007199254740992 }, 'payload.billId is beyond 2^53 − 1'],
      [{ billId: 0 }, 'payload.billId must be a positive integer id'],
      [{ billId: -4 }, 'payload.billId must be a positive integer id'],
      [{ billId: '501' }, 'payload.billId must be a positive integer id'],
      [{ vendorId: 1.5 }, 'payload.vendorId must be a positive integer id'],
      [{ revision: 2 ** 31 }, 'payload.revision must not be greater than 2147483647'],
      [
        { billAmount: '1e3' },
        'payload.billAmount must be a decimal string like "1234.50": not a decimal amount: "1e3"',
      ],
      [{ billAmount: ' 12 ' }, 'not a decimal amount: " 12 "'],
      [{ billAmount: '100000000000000000000000000' }, 'amount out of range'],
      [{ billAmount: '' }, 'not a decimal amount: "" (empty)'],
      [{ billAmount: '+1' }, 'not a decimal amount: "+1"'],
      [{ billAmount: 1e26 }, 'payload.billAmount must be a decimal string like "1234.50"'],
    ])('refuses %j with the reason', (change, reason) => {
      const problems = validatePayload(ST_INVENTORY_BILL_REVISION, { ...bill, ...change });
      expect(problems.join('; ')).toContain(reason);
    });

    it('accepts what real ServiceTitan data becomes (negative returns included)', () => {
      expect(validatePayload(ST_INVENTORY_BILL_REVISION, bill)).toEqual([]);
    });

    it('toEntityId never rounds: exact or refused (property)', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 2n ** 64n }), fc.boolean(), (n, asString) => {
          const input = asString ? n.toString() : Number(n);
          if (n <= BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(toEntityId(input)).toBe(Number(n));
            expect(BigInt(toEntityId(input))).toBe(n);
          } else if (asString) {
            expect(() => toEntityId(input, 'jobId')).toThrow(/jobId "\d+" is beyond 2\^53 − 1/);
          } else {
            expect(() => toEntityId(input, 'jobId')).toThrow('is beyond 2^53 − 1');
          }
        }),
      );
      expect(() => toEntityId('9007199254740993', 'jobId')).toThrow(
        'jobId "9007199254740993" is beyond 2^53 − 1: it cannot be held exactly',
      );
      for (const bad of ['0', '-1', '1.0', '1e3', ' 12', '0x10', '', '007', null, undefined, {}, 1.5, 0, -3])
        expect(() => toEntityId(bad)).toThrow(RangeError);
      expect(isEntityId(Number.MAX_SAFE_INTEGER)).toBe(true);
      expect(isEntityId(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
    });
  });

  describe('envelope fast path', () => {
    const valid = createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant: 'acme', source: 'mapper', payload: entry });
    const fieldValues = fc.constantFrom<unknown>(
      undefined,
      null,
      '',
      ' ',
      0,
      -1,
      1.5,
      2,
      true,
      {},
      [],
      'acme',
      'ACME',
      'mapper',
      'nope',
      '2026-11-20T10:00:00Z',
      '2026-11-20T10:00:00.123Z',
      '2026-02-30T10:00:00Z',
      '2026-11-20T10:00:00+01:00',
      '2026-11-20',
      '00000000-0000-0000-0000-000000000000',
      'ced65927-8cfa-4932-9eda-24d6ae912f3f',
      'CED65927-8CFA-4932-9EDA-24D6AE912F3F',
      'ced65927-8cfa-4932-9eda-24d6ae912f3',
    );
    const fields = [
      'id',
      'type',
      'schemaVersion',
      'tenant',
      'occurredAt',
      'producedAt',
      'source',
      'correlationId',
      'causationId',
      'payload',
    ];

    it('accepts what createEnvelope makes', () => {
      expect(envelopeFastPath(JSON.parse(JSON.stringify(valid)))).toBe(true);
    });

    it('never accepts an envelope the DTO would refuse (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom(...fields), fieldValues), { maxLength: 4 }), (changes) => {
          const m = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
          for (const [field, value] of changes) m[field] = value;
          if (envelopeFastPath(m)) expect(envelopeViolations(m)).toEqual([]);
        }),
        { numRuns: 2000 },
      );
    });

    it('what the fast path does not recognise still gets the full validation and its reasons', () => {
      const res = decodeMessage(
        Topics.JournalEntryRequested,
        JSON.stringify({ ...valid, occurredAt: 'soon', tenant: 'A' }),
      );
      expect(res).toEqual({
        ok: false,
        reason: 'invalid envelope: tenant must be a lowercase slug; occurredAt must be a valid ISO 8601 date string',
      });
    });
  });
});

describe('ServiceTitan records and commands (issue 14)', () => {
  const wrap = (type: string, payload: object) =>
    JSON.stringify(createEnvelope({ type, tenant: 'acme', source: 'poll', payload }));

  it('several record types share the records topic; commands stay on the command topic', () => {
    const job = {
      jobId: 4242,
      jobStatus: 'Completed',
      active: true,
      completedOn: '2026-11-20T15:00:00.000Z',
      invoiceId: 900,
      modifiedOn: '2026-11-20T15:05:00.000Z',
      contentHash: 'h',
    };
    expect(decodeMessage(Topics.StRecords, wrap(ST_JOB_RECORD, job)).ok).toBe(true);
    const invoice = {
      invoiceId: 900,
      jobId: 4242,
      active: true,
      items: [{ id: 1, type: 'Material', quantity: '2', cost: '12.25', totalCost: null }],
      modifiedOn: '2026-11-20T15:05:00.000Z',
      contentHash: 'h',
    };
    expect(decodeMessage(Topics.StRecords, wrap(ST_INVOICE_RECORD, invoice)).ok).toBe(true);
    const trigger = {
      eventId: 'e1',
      eventType: 'JobCompleted',
      entityId: '4242',
      generation: 'v2',
      receivedAt: job.modifiedOn,
    };
    expect(decodeMessage(Topics.StCommand, wrap(ST_WEBHOOK_TRIGGER, trigger)).ok).toBe(true);
    expect(decodeMessage(Topics.StRecords, wrap(ST_WEBHOOK_TRIGGER, trigger))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is not allowed on topic'),
    });
  });

  it('amounts stay decimal strings and dates must exist', () => {
    const gpi = {
      grossPayItemId: 1,
      jobId: 4242,
      active: true,
      grossPayItemType: 'TimesheetTime',
      amount: 81.25,
      date: '2026-11-20T00:00:00Z',
      modifiedOn: '2026-11-20T15:05:00.000Z',
      contentHash: 'h',
    };
    const bad = decodeMessage(Topics.StRecords, wrap(ST_GROSS_PAY_ITEM_RECORD, gpi));
    expect(!bad.ok && bad.reason).toContain('payload.amount must be a decimal string');
    const backfill = { requestId: 'r1', from: '2026-02-30', to: '2026-03-01', dryRun: true };
    const res = decodeMessage(Topics.StCommand, wrap(ST_BACKFILL_COMMAND, backfill));
    expect(!res.ok && res.reason).toContain('payload.from must be a date like "2026-11-01"');
  });

  it('job record keys carry the job, and the job key is their partition key', () => {
    expect(jobKey('acme', 4242)).toBe('acme:job:4242');
    expect(jobRecordKey('acme', 4242, 'invoice', 900)).toBe('acme:job:4242:invoice:900');
  });
});
