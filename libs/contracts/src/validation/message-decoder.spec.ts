import { createEnvelope } from '../envelope/envelope.factory';
import {
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
} from '../messages/journal-entry-requested/journal-entry-requested.message';
import { MESSAGE_TYPES } from '../messages/message-registry';
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
