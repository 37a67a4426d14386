import {
  BACKFILL_STATUS,
  createCausedEnvelope,
  createEnvelope,
  MESSAGE_TYPES,
  OPERATOR_NOTICE,
  X3_CREDENTIALS,
  recordKey,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  ST_MARK_EXPORTED,
  ST_RECORD_REMOVED,
  ST_RECORDS_MARKER,
  ST_WEBHOOK_TRIGGER,
  ST_WRITE_BACK_STATE,
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
import { AUDITED_TOPICS } from './audit-ingest.consumer';
import { deriveMessage, MESSAGE_ROLES } from './status-derivation';

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

  describe('the streams of issue 14 (servicetitan.records.v1, holds, mapper decisions, write-back, backfill)', () => {
    const jobRecord = (extra: Record<string, unknown> = {}) =>
      createEnvelope({
        type: ST_JOB_RECORD,
        tenant: 'acme',
        source: 'poll',
        payload: {
          jobId: 42,
          jobNumber: 'J-42',
          jobStatus: 'Completed',
          active: true,
          completedOn: '2026-11-20T10:00:00Z',
          businessUnitId: 10,
          invoiceId: 7,
          modifiedOn: '2026-11-20T11:00:00Z',
          contentHash: 'c1',
          ...extra,
        },
      });

    it('every message type of an audited topic has its place in the audit trail; the X3 credentials have none', () => {
      const audited = new Set(AUDITED_TOPICS);
      const read = MESSAGE_TYPES.filter((m) => m.topics.some((t) => audited.has(t))).map((m) => m.type);
      expect(read.filter((t) => MESSAGE_ROLES[t] === undefined)).toEqual([]);
      const unread = MESSAGE_TYPES.filter((m) => !m.topics.some((t) => audited.has(t))).map((m) => m.type);
      expect(unread).toEqual([X3_CREDENTIALS]);
      expect(MESSAGE_ROLES[X3_CREDENTIALS]).toBeUndefined();
      expect(AUDITED_TOPICS).not.toContain(Topics.X3Credentials);
      expect(AUDITED_TOPICS).not.toContain(`${Topics.X3Credentials}.dlq`);
    });

    it('an operator notice is a record per tenant and code: received, its severity and message as the summary', () => {
      const notice = createEnvelope({
        type: OPERATOR_NOTICE,
        tenant: 'acme',
        source: 'poster',
        payload: {
          code: 'x3-refresh-token-expiring',
          severity: 'warning',
          message: 'The Sage X3 refresh token of acme expires in 5 days',
          details: { daysLeft: 5 },
        },
      });
      const d = derive(Topics.OperatorNotice, notice, {}, 'acme:x3-refresh-token-expiring');
      expect(d).toMatchObject({
        valid: true,
        status: 'received',
        record: { tenant: 'acme', kind: 'operator-notice', sourceId: 'x3-refresh-token-expiring' },
        source: { summary: 'warning: The Sage X3 refresh token of acme expires in 5 days', amount: null },
      });
    });

    it('a job record is the job’s source: received, summary and business date; modifiedOn orders copies', () => {
      const d = derive(Topics.StRecords, jobRecord(), {}, recordKey('acme', 'job', 42));
      expect(d).toMatchObject({
        valid: true,
        status: 'received',
        record: { tenant: 'acme', kind: 'job', sourceId: '42', revision: null },
        source: { summary: 'Job J-42 (Completed)', businessDate: '2026-11-20', amount: null },
        revisionOf: { version: Date.parse('2026-11-20T11:00:00Z') },
      });
      const later = derive(Topics.StRecords, jobRecord({ modifiedOn: '2026-11-22T00:00:00Z' }));
      expect(later.revisionOf?.contentHash).toBe(d.revisionOf?.contentHash);
      expect(derive(Topics.StRecords, jobRecord({ contentHash: 'c2' })).revisionOf?.contentHash).not.toBe(
        d.revisionOf?.contentHash,
      );
      expect(derive(Topics.StRecords, jobRecord({ active: false, jobStatus: 'Canceled' })).source?.summary).toBe(
        'Job J-42 (Canceled, deleted)',
      );
    });

    it.each([
      [
        ST_INVOICE_RECORD,
        { invoiceId: 7, jobId: 42, active: true, items: [], modifiedOn: '2026-11-20T09:00:00Z', contentHash: 'i' },
      ],
      [
        ST_GROSS_PAY_ITEM_RECORD,
        {
          grossPayItemId: 9,
          jobId: 42,
          active: true,
          grossPayItemType: 'TimesheetTime',
          amount: '120.00',
          date: '2026-11-20T00:00:00Z',
          modifiedOn: '2026-11-20T09:00:00Z',
          contentHash: 'g',
        },
      ],
      [
        ST_RECORD_REMOVED,
        { entity: 'invoice', id: 7, jobId: 42, movedToJobId: 43, modifiedOn: '2026-11-20T09:00:00Z' },
      ],
    ])('%s is a part of its job’s content: received on the job, no summary of its own', (type, payload) => {
      const env = createEnvelope({ type, tenant: 'acme', source: 'poll', payload });
      const d = derive(Topics.StRecords, env);
      expect(d).toMatchObject({
        valid: true,
        status: 'received',
        record: { kind: 'job', sourceId: '42' },
        revisionOf: { version: Date.parse('2026-11-20T09:00:00Z') },
      });
      expect(d.source).toBeUndefined();
      expect(d.revisionOf?.contentHash).toMatch(/^[a-f0-9]{64}$/);
    });

    it('a mapper hold is "held" (not a failure), a rejection stays "rejected"', () => {
      const rejection = (hold?: boolean) =>
        createEnvelope({
          type: MAPPING_REJECTED,
          tenant: 'acme',
          source: 'mapper',
          payload: {
            source: { kind: 'job', id: '42', revision: 1 },
            sourceTopic: Topics.StRecords,
            sourceMessageId: 'm',
            reasons: [{ code: hold ? 'BEFORE_GO_LIVE' : 'BUSINESS_UNIT_UNMAPPED', message: 'x' }],
            ...(hold === undefined ? {} : { hold }),
          },
        });
      expect(derive(Topics.MappingRejected, rejection(true))).toMatchObject({
        status: 'held',
        statusReason: 'BEFORE_GO_LIVE',
        record: { kind: 'job', sourceId: '42' },
      });
      expect(derive(Topics.MappingRejected, rejection(false)).status).toBe('rejected');
      expect(derive(Topics.MappingRejected, rejection()).status).toBe('rejected');
    });

    it('a mapper checkpoint is its decision on the job or bill: the document it keeps in effect when "requested"', () => {
      const cause = jobRecord();
      const checkpoint = (stream: string, state: Record<string, unknown>) =>
        createCausedEnvelope(cause, {
          type: CHECKPOINT,
          source: 'mapper',
          payload: { stream, position: 'p', updatedAt: '2026-11-21T00:00:00Z', state },
        });
      const kept = derive(
        Topics.Checkpoint,
        checkpoint('mapper:job:42', { kind: 'job', lastOutcome: 'requested', postedRef: 'acme:JOB:42:R1' }),
      );
      expect(kept).toMatchObject({
        record: { kind: 'job', sourceId: '42' },
        status: null,
        externalRef: 'acme:JOB:42:R1',
        decision: { outcome: 'requested', keeps: 'acme:JOB:42:R1' },
        causationId: cause.id,
      });
      const settling = derive(
        Topics.Checkpoint,
        checkpoint('mapper:job:42', { kind: 'job', lastOutcome: 'settling', postedRef: 'acme:JOB:42:R1' }),
      );
      expect(settling).toMatchObject({ externalRef: null, decision: { outcome: 'settling', keeps: null } });
      const bill = derive(
        Topics.Checkpoint,
        checkpoint('mapper:bill:9', { kind: 'bill', lastOutcome: 'requested', requestedRef: 'acme:BILL:9:R2' }),
      );
      expect(bill).toMatchObject({
        record: { kind: 'inventory-bill', sourceId: '9' },
        decision: { keeps: 'acme:BILL:9:R2' },
      });
      // other owners' checkpoints (feeds, watermarks) belong to no record
      const feed = derive(Topics.Checkpoint, checkpoint('gateway:feed:jobs', {}));
      expect(feed).toMatchObject({ record: null, externalRef: null });
      expect(feed.decision).toBeUndefined();
      // a dead-lettered checkpoint is not its job's failure
      const dlq = derive(
        `${Topics.Checkpoint}.dlq`,
        checkpoint('mapper:job:42', { kind: 'job', lastOutcome: 'requested', postedRef: 'r' }),
        { [H.DeadLetterReason]: 'boom', [H.DeadLetterSourcePartition]: '2', [H.DeadLetterSourceOffset]: '3' },
      );
      expect(dlq).toMatchObject({ status: 'dead-lettered', record: { kind: 'unknown' } });
    });

    it('write-backs link to the posted document’s record by external reference and set no status', () => {
      const mark = createEnvelope({
        type: ST_MARK_EXPORTED,
        tenant: 'acme',
        source: 'mapper',
        payload: { entity: 'invoice', id: 7, x3DocumentNumber: 'JE1', externalRef: 'acme:JOB:42:R1' },
      });
      expect(derive(Topics.StCommand, mark)).toMatchObject({
        record: null,
        status: null,
        externalRef: 'acme:JOB:42:R1',
      });
      const state = createEnvelope({
        type: ST_WRITE_BACK_STATE,
        tenant: 'acme',
        source: 'webhook',
        payload: {
          entity: 'invoice',
          id: 7,
          x3DocumentNumber: 'JE1',
          externalRef: 'acme:JOB:42:R1',
          status: 'failed',
          attempts: 5,
          lastError: 'ServiceTitan answered 500',
          updatedAt: '2026-11-21T00:00:00Z',
        },
      });
      expect(derive(Topics.StWriteBack, state)).toMatchObject({
        record: null,
        status: null,
        externalRef: 'acme:JOB:42:R1',
      });
    });

    it('an unreadable invoice record dead-lettered by the mapper lands on its job (key <tenant>:job:<id>:invoice:<id>)', () => {
      const d = deriveMessage({
        topic: `${Topics.StRecords}.dlq`,
        key: 'acme:job:42:invoice:7',
        headers: { [H.DeadLetterReason]: 'invalid message: malformed JSON' },
        value: Buffer.from('{oops'),
      });
      expect(d).toMatchObject({ status: 'dead-lettered', record: { tenant: 'acme', kind: 'job', sourceId: '42' } });
    });

    it('markers, webhook triggers and backfills are stored and belong to no record', () => {
      const envs = [
        [
          Topics.StRecords,
          createEnvelope({
            type: ST_RECORDS_MARKER,
            tenant: 'acme',
            source: 'poll',
            payload: { kind: 'watermark', partition: 0, at: '2026-11-21T00:00:00Z' },
          }),
        ],
        [
          Topics.StCommand,
          createEnvelope({
            type: ST_WEBHOOK_TRIGGER,
            tenant: 'acme',
            source: 'webhook',
            payload: {
              eventId: 'e1',
              eventType: 'JobCompleted',
              entityId: '42',
              generation: 'v1',
              receivedAt: '2026-11-21T00:00:00Z',
            },
          }),
        ],
        [
          Topics.Backfill,
          createEnvelope({
            type: BACKFILL_STATUS,
            tenant: 'acme',
            source: 'poll',
            payload: {
              requestId: 'b1',
              from: '2026-10-01',
              to: '2026-10-31',
              dryRun: false,
              phase: 'failed',
              error: 'x',
              updatedAt: '2026-11-21T00:00:00Z',
            },
          }),
        ],
      ] as const;
      for (const [topic, env] of envs)
        expect(derive(topic, env)).toMatchObject({ valid: true, record: null, status: null, externalRef: null });
    });
  });
});
