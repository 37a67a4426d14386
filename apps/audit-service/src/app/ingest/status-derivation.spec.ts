import {
  createEnvelope,
  Headers as H,
  JOURNAL_ENTRY_REQUESTED,
  MAPPING_REJECTED,
  POSTING_RESULT,
  ST_INVENTORY_BILL_REVISION,
  ST_JOB_EVENT,
  Topics,
  X3_GL_ACCOUNT_STATE,
  DOCUMENT_STATUS,
  CHECKPOINT,
} from '@connector/contracts';
import { deriveMessage } from './status-derivation';

const source = { kind: 'job' as const, id: '42', revision: 2 };
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const derive = (topic: string, env: unknown, headers: Record<string, string> = {}, key: string | null = null) =>
  deriveMessage({ topic, key, headers, value: bytes(env) });

describe('status derivation', () => {
  it('a ServiceTitan job event is a received record with summary, business date and exact source total', () => {
    const env = createEnvelope({
      type: ST_JOB_EVENT,
      tenant: 'acme',
      source: 'webhook',
      payload: {
        event: 'completed',
        jobId: 42,
        jobStatus: 'Completed',
        completedOn: '2026-11-20T10:00:00Z',
        modifiedOn: '2026-11-20T11:00:00Z',
        sourceEventId: 'e1',
        invoice: {
          id: 1,
          items: [
            { id: 1, type: 'Material', quantity: '1', cost: '0.1', totalCost: '0.1' },
            { id: 2, type: 'Material', quantity: '1', cost: '0.2', totalCost: '0.2' },
          ],
        },
      },
    });
    const d = derive(Topics.StJob, env);
    expect(d).toMatchObject({
      valid: true,
      tenant: 'acme',
      status: 'received',
      record: { tenant: 'acme', kind: 'job', sourceId: '42', revision: null },
      messageId: env.id,
    });
    // 0.1 + 0.2 in floating point is 0.30000000000000004: amounts stay exact decimals.
    expect(d.source).toEqual({ summary: 'Job 42 completed (Completed)', businessDate: '2026-11-20', amount: '0.3' });
  });

  it('an inventory bill revision is identified by bill id with its revision; a voided bill counts 0', () => {
    const env = createEnvelope({
      type: ST_INVENTORY_BILL_REVISION,
      tenant: 'acme',
      source: 'poll',
      payload: {
        billId: 9,
        revision: 3,
        contentHash: 'h',
        voided: true,
        billAmount: '12.50',
        taxAmount: '0',
        shippingAmount: '0',
        items: [],
      },
    });
    const d = derive(Topics.StInventoryBill, env);
    expect(d.record).toEqual({ tenant: 'acme', kind: 'inventory-bill', sourceId: '9', revision: 3 });
    expect(d.source?.amount).toBe('0');
  });

  it('a journal entry request is "requested", linked by its source and external reference, with debit total and lines', () => {
    const env = createEnvelope({
      type: JOURNAL_ENTRY_REQUESTED,
      tenant: 'acme',
      source: 'mapper',
      payload: {
        externalRef: 'acme:job:42:2',
        source,
        site: 'S',
        entryType: 'ODS',
        journal: 'G',
        accountingDate: '2026-11-20',
        currency: 'USD',
        description: 'd',
        lines: [
          { account: '6000', side: 'debit', amount: '10.10', costCenter: 'CC1', costKind: 'labor' },
          { account: '4000', side: 'credit', amount: '10.10', costKind: 'offset' },
        ],
      },
    });
    const d = derive(Topics.JournalEntryRequested, env);
    expect(d).toMatchObject({
      status: 'requested',
      externalRef: 'acme:job:42:2',
      record: { kind: 'job', sourceId: '42', revision: 2 },
    });
    expect(d.document?.request).toMatchObject({
      amount: '10.1',
      accountingDate: '2026-11-20',
      lines: [
        expect.objectContaining({ costCenter: 'CC1', side: 'debit', amount: '10.10' }),
        expect.objectContaining({ side: 'credit' }),
      ],
    });
  });

  it('a mapping rejection is "rejected" with its reason codes', () => {
    const env = createEnvelope({
      type: MAPPING_REJECTED,
      tenant: 'acme',
      source: 'mapper',
      payload: {
        source,
        sourceTopic: Topics.StJob,
        sourceMessageId: 'm',
        reasons: [
          { code: 'ACCOUNT_INACTIVE', message: 'x' },
          { code: 'COST_CENTER_UNKNOWN', message: 'y' },
        ],
      },
    });
    expect(derive(Topics.MappingRejected, env)).toMatchObject({
      status: 'rejected',
      statusReason: 'ACCOUNT_INACTIVE, COST_CENTER_UNKNOWN',
      reasons: [{ code: 'ACCOUNT_INACTIVE' }, { code: 'COST_CENTER_UNKNOWN' }],
    });
  });

  it.each([
    ['posted', 'JE1', null, null],
    ['duplicate-skipped', 'JE1', null, null],
    ['failed', null, { code: 'X3_TIMEOUT', message: 'no answer', transient: true }, 'X3_TIMEOUT: no answer'],
  ] as const)('a posting result "%s" sets that status (document number / error)', (status, doc, error, reason) => {
    const env = createEnvelope({
      type: POSTING_RESULT,
      tenant: 'acme',
      source: 'poster',
      payload: {
        externalRef: 'acme:job:42:2',
        documentKind: 'journal-entry',
        status,
        source,
        x3DocumentNumber: doc,
        amount: '10.10',
        attempt: 1,
        requestMessageId: 'r',
        error,
      },
    });
    const d = derive(Topics.PostingResult, env);
    expect(d).toMatchObject({ status, statusReason: reason, record: { sourceId: '42' } });
    expect(d.document?.result).toMatchObject({ status, x3DocumentNumber: doc });
  });

  it('a document status links by external reference only and sets no status', () => {
    const env = createEnvelope({
      type: DOCUMENT_STATUS,
      tenant: 'acme',
      source: 'poller',
      payload: {
        documentKind: 'supplier-invoice',
        documentNumber: 'PI1',
        externalRef: 'acme:bill:9:1',
        status: 'matched',
        updatedAt: '2026-11-21T00:00:00Z',
      },
    });
    expect(derive(Topics.DocumentStatus, env)).toMatchObject({
      record: null,
      status: null,
      externalRef: 'acme:bill:9:1',
      document: { x3Status: { status: 'matched' } },
    });
  });

  it('master data is a record per code; checkpoints belong to no record', () => {
    const gl = createEnvelope({
      type: X3_GL_ACCOUNT_STATE,
      tenant: 'acme',
      source: 'poller',
      payload: {
        code: '6000',
        active: true,
        deleted: false,
        updatedAt: '2026-11-21T00:00:00Z',
        allowedDimensionTypes: [],
      },
    });
    expect(derive(Topics.X3GlAccount, gl).record).toEqual({
      tenant: 'acme',
      kind: 'x3-gl-account',
      sourceId: '6000',
      revision: null,
    });
    const cp = createEnvelope({
      type: CHECKPOINT,
      tenant: 'acme',
      source: 'poll',
      payload: { stream: 'bills', position: 'x', updatedAt: '2026-11-21T00:00:00Z' },
    });
    expect(derive(Topics.Checkpoint, cp)).toMatchObject({ record: null, status: null, valid: true });
  });

  it('a dead letter of a valid message lands on its record as "dead-lettered" with the header reason, without document facts', () => {
    const env = createEnvelope({
      type: POSTING_RESULT,
      tenant: 'acme',
      source: 'poster',
      payload: {
        externalRef: 'r',
        documentKind: 'journal-entry',
        status: 'posted',
        source,
        attempt: 1,
        requestMessageId: 'r',
      },
    });
    const d = derive(`${Topics.PostingResult}.dlq`, env, {
      [H.DeadLetterReason]: 'failed after 5 attempts: boom',
      [H.DeadLetterSourceTopic]: Topics.PostingResult,
      [H.DeadLetterConsumerGroup]: 'mapper',
    });
    expect(d).toMatchObject({
      deadLetter: true,
      sourceTopic: Topics.PostingResult,
      status: 'dead-lettered',
      statusReason: 'failed after 5 attempts: boom (group mapper)',
      record: { kind: 'job', sourceId: '42' },
    });
    expect(d.document).toBeUndefined();
  });

  it('unparsable bytes still land on a record: from the key, else an "unknown" record of the topic position', () => {
    const fromKey = deriveMessage({
      topic: `${Topics.StVendor}.dlq`,
      key: 'acme:vendor:7',
      headers: { [H.DeadLetterReason]: 'invalid message: malformed JSON' },
      value: Buffer.from('{oops'),
    });
    expect(fromKey).toMatchObject({
      valid: false,
      json: null,
      tenant: 'acme',
      record: { kind: 'vendor', sourceId: '7' },
      status: 'dead-lettered',
      statusReason: 'invalid message: malformed JSON',
    });
    const noKey = deriveMessage({
      topic: `${Topics.StVendor}.dlq`,
      key: null,
      headers: { [H.DeadLetterSourcePartition]: '1', [H.DeadLetterSourceOffset]: '5' },
      value: Buffer.from('x'),
    });
    expect(noKey.record).toEqual({
      tenant: '_unknown',
      kind: 'unknown',
      sourceId: `${Topics.StVendor}@1:5`,
      revision: null,
    });
  });

  it('accepts prefixed (namespaced) topics like the consumer gives them logically', () => {
    const env = createEnvelope({
      type: ST_JOB_EVENT,
      tenant: 'acme',
      source: 'webhook',
      payload: {
        event: 'created',
        jobId: 1,
        jobStatus: 'Scheduled',
        modifiedOn: '2026-11-20T10:00:00Z',
        sourceEventId: 'e',
      },
    });
    expect(derive(Topics.StVendor, env)).toMatchObject({
      valid: false,
      invalidReason: expect.stringContaining('not allowed on topic'),
    });
  });

  describe('source revisions (what the status precedence compares)', () => {
    const job = (extra: Record<string, unknown> = {}, items = ['0.1']) =>
      createEnvelope({
        type: ST_JOB_EVENT,
        tenant: 'acme',
        source: 'webhook',
        payload: {
          event: 'completed',
          jobId: 42,
          jobStatus: 'Completed',
          completedOn: '2026-11-20T10:00:00Z',
          modifiedOn: '2026-11-20T11:00:00Z',
          sourceEventId: 'e1',
          invoice: {
            id: 1,
            items: items.map((c, i) => ({ id: i + 1, type: 'Material', quantity: '1', cost: c, totalCost: c })),
          },
          ...extra,
        },
      });
    const revisionOf = (env: unknown) => derive(Topics.StJob, env).revisionOf!;

    it('a pulled or re-delivered copy has the same content hash; its version is its modifiedOn', () => {
      const webhook = revisionOf(job());
      const pulled = revisionOf(
        job({
          event: 'updated',
          sourceEventId: 'export:42:x',
          raw: { id: 42, any: 'thing' },
          modifiedOn: '2026-11-21T00:00:00Z',
        }),
      );
      expect(pulled.contentHash).toBe(webhook.contentHash);
      expect(webhook.version).toBe(Date.parse('2026-11-20T11:00:00Z'));
      expect(pulled.version).toBe(Date.parse('2026-11-21T00:00:00Z'));
    });

    it('changed content hashes differently (items, status)', () => {
      const base = revisionOf(job()).contentHash;
      expect(revisionOf(job({}, ['0.1', '0.2'])).contentHash).not.toBe(base);
      expect(revisionOf(job({ jobStatus: 'Canceled', event: 'canceled' })).contentHash).not.toBe(base);
    });

    it('bills are versioned by revision; outcomes and dead letters have no source revision', () => {
      const bill = createEnvelope({
        type: ST_INVENTORY_BILL_REVISION,
        tenant: 'acme',
        source: 'poll',
        payload: {
          billId: 9,
          revision: 4,
          contentHash: 'h',
          voided: false,
          billAmount: '1',
          taxAmount: '0',
          shippingAmount: '0',
          items: [],
        },
      });
      expect(derive(Topics.StInventoryBill, bill).revisionOf?.version).toBe(4);
      const dlq = deriveMessage({
        topic: `${Topics.StJob}.dlq`,
        key: 'acme:job:42',
        headers: { [H.DeadLetterReason]: 'boom' },
        value: bytes(job()),
      });
      expect(dlq.status).toBe('dead-lettered');
      expect(dlq.revisionOf).toBeUndefined();
    });

    it('unreadable bytes on a key are content by their bytes; JSON deeper than any contract is kept as bytes only', () => {
      const a = deriveMessage({ topic: Topics.StJob, key: 'acme:job:7', headers: {}, value: Buffer.from('{oops') });
      const b = deriveMessage({ topic: Topics.StJob, key: 'acme:job:7', headers: {}, value: Buffer.from('{oops') });
      expect(a.revisionOf?.contentHash).toBe(b.revisionOf?.contentHash);
      expect(a.revisionOf?.contentHash).toMatch(/^[a-f0-9]{64}$/);
      const deep = Buffer.from(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`);
      const d = deriveMessage({ topic: Topics.StJob, key: 'acme:job:8', headers: {}, value: deep });
      expect(d.json).toBeNull();
      expect(d.valid).toBe(false);
      expect(d.invalidReason).toContain('nested deeper than');
    });
  });
});
