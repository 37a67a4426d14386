/* An audit trail written before statuses were derived from history (migrations up to 002, the old "latest message
 * wins" statuses) is re-derived when the new version starts: the pull's copy had reset a posted and a failed job to
 * `received`; after the upgrade they show posted and failed again, and the failure summary finds the failure. Messages
 * of the streams (issue 14) the old trail could not place — job and invoice records it kept without a record, a hold
 * it showed as a rejection — get their job, which shows `held`. */
import { Headers as H, MessageEnvelope, Topics } from '@connector/contracts';
import { InMemoryMessageBus } from '@connector/messaging';
import { eventually, uniquePrefix } from '@connector/testing';
import { loadMigrations, migrate } from '../database/migrator';
import { AuditFixtures } from '../testing/audit-fixtures';
import {
  call,
  RunningAuditApp,
  startAuditApp,
  TEST_DRIVERS,
  TEST_TOKENS,
  TestDatabase,
} from '../testing/audit-test.harness';
import { AuditRederivation } from './audit-rederivation.service';

jest.setTimeout(120000);

describe.each(TEST_DRIVERS)('re-deriving a trail written by the previous version ($name)', (driver) => {
  let database: TestDatabase;
  let audit: RunningAuditApp | undefined;

  beforeAll(async () => {
    database = await driver.open();
    await migrate(
      database.db,
      loadMigrations().filter((m) => m.version < 3),
    );
  });

  afterAll(async () => {
    await audit?.close();
    await database?.dispose();
  });

  /** Rows as the previous AuditStore wrote them: history rows and a record whose status is the last message's. */
  async function oldTrail(jobId: number, outcome: 'posted' | 'failed', purgeFirst = false): Promise<void> {
    const bus = new InMemoryMessageBus();
    const fx = new AuditFixtures(bus);
    const job = await fx.job('acme', jobId, ['12.00']);
    const je = await fx.journalEntry(job, jobId, [
      { side: 'debit', amount: '12.00', costCenter: 'C1', costKind: 'material' },
      { side: 'credit', amount: '12.00', costKind: 'offset' },
    ]);
    await fx.result(je, 'job', jobId, outcome, { doc: 'JE-1', amount: '12.00' });
    await fx.job('acme', jobId, ['12.00'], { source: 'poll', event: 'updated', sourceEventId: `export:${jobId}` });
    const derived = ['received', 'requested', outcome, 'received'];
    const rec = await database.db.query<{ id: string }>(
      `INSERT INTO audit_records (tenant, kind, source_id, revision, status, status_at, first_seen_at, last_seen_at, message_count, summary)
       VALUES ('acme', 'job', $1, 1, 'received', $2, $3, $2, 4, 'old summary') RETURNING id::text AS id`,
      [
        String(jobId),
        new Date(Date.UTC(2026, 10, 20, 0, 4)).toISOString(),
        new Date(Date.UTC(2026, 10, 20)).toISOString(),
      ],
    );
    for (const [i, sent] of fx.sent.entries()) {
      const env = sent.envelope as MessageEnvelope<{ externalRef?: string }>;
      const raw = Buffer.from(JSON.stringify(env));
      const purged = purgeFirst && i === 0;
      await database.db.query(
        `INSERT INTO audit_messages (record_id, tenant, topic, partition, "offset", message_id, message_type, message_key, headers, payload,
           raw_value, payload_purged_at, valid, external_ref, derived_status, status_reason, correlation_id, causation_id, message_ts)
         VALUES ($1::bigint, 'acme', $2, 0, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, true, $11, $12, $13, $14, $15, $16)`,
        [
          rec.rows[0].id,
          sent.topic,
          jobId * 10 + i,
          env.id,
          env.type,
          sent.key,
          JSON.stringify({ [H.MessageId]: env.id, [H.Tenant]: 'acme' }),
          purged ? null : JSON.stringify(env),
          purged ? null : raw,
          purged ? new Date().toISOString() : null,
          env.payload.externalRef ?? null,
          derived[i],
          derived[i] === 'failed' ? 'X3_500: X3 answered 500' : null,
          env.correlationId,
          env.causationId,
          new Date(Date.UTC(2026, 10, 20, 0, i + 1)).toISOString(),
        ],
      );
    }
  }

  /** A job on servicetitan.records.v1 held before its go-live date, as the previous AuditStore stored it. */
  async function oldStreamsTrail(jobId: number): Promise<void> {
    const fx = new AuditFixtures(new InMemoryMessageBus());
    await fx.invoiceRecord('acme', jobId, ['30.00']);
    const job = await fx.jobRecord('acme', jobId);
    await fx.jobRejected(job, jobId, 'BEFORE_GO_LIVE', true);
    // the rejection had a record (status "rejected"); the records had none
    const rec = await database.db.query<{ id: string }>(
      `INSERT INTO audit_records (tenant, kind, source_id, revision, status, status_reason, status_at, first_seen_at, last_seen_at, message_count)
       VALUES ('acme', 'job', $1, 1, 'rejected', 'BEFORE_GO_LIVE', $2, $2, $2, 1) RETURNING id::text AS id`,
      [String(jobId), new Date(Date.UTC(2026, 10, 20, 0, 3)).toISOString()],
    );
    for (const [i, sent] of fx.sent.entries()) {
      const env = sent.envelope;
      const isRejection = sent.topic === Topics.MappingRejected;
      await database.db.query(
        `INSERT INTO audit_messages (record_id, tenant, topic, partition, "offset", message_id, message_type, message_key, headers, payload,
           raw_value, valid, derived_status, status_reason, correlation_id, causation_id, message_ts)
         VALUES ($1::bigint, 'acme', $2, 0, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, true, $10, $11, $12, $13, $14)`,
        [
          isRejection ? rec.rows[0].id : null,
          sent.topic,
          jobId * 10 + i,
          env.id,
          env.type,
          sent.key,
          JSON.stringify({ [H.MessageId]: env.id, [H.Tenant]: 'acme' }),
          JSON.stringify(env),
          Buffer.from(JSON.stringify(env)),
          isRejection ? 'rejected' : null,
          isRejection ? 'BEFORE_GO_LIVE' : null,
          env.correlationId,
          env.causationId,
          new Date(Date.UTC(2026, 10, 20, 0, i + 1)).toISOString(),
        ],
      );
    }
  }

  it('after the upgrade the posted job is posted, the failed job failed and found by the failure summary', async () => {
    await oldTrail(7001, 'posted');
    await oldTrail(7002, 'failed', true);
    await oldStreamsTrail(7100);
    const before = await database.db.query<{ source_id: string; status: string }>(
      "SELECT source_id, status FROM audit_records WHERE kind = 'job' ORDER BY source_id",
    );
    expect(before.rows.map((r) => r.status)).toEqual(['received', 'received', 'rejected']); // what the old derivation left

    audit = await startAuditApp(uniquePrefix(`rederive-${driver.name}`), database.db);
    await audit.app.get(AuditRederivation).whenDone();
    expect(audit.app.get(AuditRederivation).isDone()).toBe(true);
    const after = await database.db.query<{ source_id: string; status: string; summary: string }>(
      "SELECT source_id, status, summary FROM audit_records WHERE kind = 'job' ORDER BY source_id",
    );
    expect(after.rows).toEqual([
      { source_id: '7001', status: 'posted', summary: 'Job J-7001 updated (Completed) · HVAC' },
      { source_id: '7002', status: 'failed', summary: 'Job J-7002 updated (Completed) · HVAC' },
      { source_id: '7100', status: 'held', summary: 'Job J-7100 (Completed)' },
    ]);
    const held = await database.db.query<{ n: number; unplaced: number }>(
      `SELECT (SELECT message_count FROM audit_records WHERE kind = 'job' AND source_id = '7100') AS n,
         (SELECT count(*)::int FROM audit_messages WHERE topic = $1 AND record_id IS NULL) AS unplaced`,
      [Topics.StRecords],
    );
    expect(held.rows[0]).toEqual({ n: 3, unplaced: 0 });
    const versions = await database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_messages WHERE derivation_version = 0',
    );
    expect(versions.rows[0].n).toBe(0);
    const summary = (await call(audit.baseUrl, '/api/failures/summary?tenant=acme', { token: TEST_TOKENS.admin })).body;
    expect(summary).toEqual([{ status: 'failed', reason: 'X3_500: X3 answered 500', count: 1 }]);
    await eventually(
      async () => (await call(audit!.baseUrl, '/health/ready')).status,
      (s) => s === 200,
      'ready once re-derived',
    );
    // the purged first copy kept its status; its content is unknown and does not start a revision
    const purged = await database.db.query<{ derived_status: string; content_hash: string | null }>(
      `SELECT derived_status, content_hash FROM audit_messages WHERE topic = $1 AND "offset" = 70020`,
      [Topics.StJob],
    );
    expect(purged.rows[0]).toEqual({ derived_status: 'received', content_hash: null });
  });
});
