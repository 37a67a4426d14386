import { createEnvelope } from '../envelope/envelope.factory';
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
import { decodeMessage } from './message-decoder';

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
