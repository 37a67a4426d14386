import { randomUUID } from 'node:crypto';
import { Headers as H, Topics } from '@connector/contracts';
import { MessagePublisher } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AuditServiceEnv } from '../audit-service.env';
import { Database, toBuffer } from '../database/database';
import { AuditQueryRepository, RecordFilter } from '../api/audit-query.repository';
import { FAILURE_STATUSES } from '../ingest/status-derivation';

export interface ReplayOutcome {
  recordId: string;
  replayId: string;
  outcome: 'published' | 'not-replayable' | 'failed';
  topic: string | null;
  originalMessageId: string | null;
  error: string | null;
}

interface StoredOriginal {
  topic: string;
  /** The partition it was consumed from: a replay goes back to it (see findOriginal). */
  partition: number | null;
  key: string | null;
  headers: Record<string, string>;
  raw: Buffer;
  messageId: string | null;
}

const REQUEST_TOPICS = [Topics.JournalEntryRequested, Topics.SupplierInvoiceRequested];
/** Where source records come from: the mapper's input since issue 14, and the retired event topics before it. */
const SOURCE_TOPICS = [
  Topics.StRecords,
  Topics.StJob,
  Topics.StAppointment,
  Topics.StInventoryBill,
  Topics.StPurchaseOrder,
  Topics.StVendor,
];
/** Headers that describe an earlier delivery, not the message: never copied onto a replay. */
const DROPPED_HEADERS = [
  H.ReplayId,
  H.ReplayOfMessageId,
  H.ReplayActor,
  H.ReplayReason,
  H.DeadLetterReason,
  H.DeadLetterSourceTopic,
  H.DeadLetterSourcePartition,
  H.DeadLetterSourceOffset,
  H.DeadLetterConsumerGroup,
  H.DeadLetterAttempts,
  // A replay is an operator's request to decide the record now, not part of a backfill's load (held quietly).
  H.BackfillRequest,
] as string[];

/**
 * Replay = re-publish the original bytes of a record's message to its original topic and partition, same key and
 * headers, plus replay headers. Which message: the latest posting request of the record; for a record that was
 * rejected or failed before any request existed, its latest ServiceTitan source message (on
 * `servicetitan.records.v1` since issue 14: the mapper decides the job again from its records); failing that, the
 * original bytes of its latest dead letter (to the dead letter's source topic and partition). Downstream idempotency (deterministic external
 * references, the poster's ledger) makes a replay safe; every attempt is written to the record's timeline.
 */
@Injectable()
export class ReplayService {
  private readonly logger = new Logger('replay');
  private readonly replays: Counter<'mode' | 'outcome'>;

  constructor(
    private readonly db: Database,
    private readonly publisher: MessagePublisher,
    private readonly queries: AuditQueryRepository,
    private readonly env: AuditServiceEnv,
    metrics: MetricsService,
  ) {
    this.replays = metrics.counter(MetricNames.Replays, 'Replay attempts by mode (single|bulk) and outcome', [
      'mode',
      'outcome',
    ]);
  }

  async findOriginal(recordId: string, status?: string): Promise<StoredOriginal | null> {
    const pick = async (where: string, topics: string[]): Promise<StoredOriginal | null> => {
      const params = [recordId, ...topics];
      const marks = topics.map((_, i) => `$${i + 2}`).join(', ');
      const r = await this.db.query<Record<string, unknown>>(
        `SELECT topic, partition, message_key, headers, raw_value, message_id, original_text FROM audit_messages
         WHERE record_id = $1::bigint AND raw_value IS NOT NULL AND ${where}(${marks}) ORDER BY message_ts DESC, id DESC LIMIT 1`,
        params,
      );
      const row = r.rows[0];
      if (!row) return null;
      // A sanitised message goes back exactly as it was consumed: its original key and headers, its exact bytes.
      const original = row['original_text']
        ? (JSON.parse(String(row['original_text'])) as { key: string | null; headers: Record<string, string> })
        : null;
      const headers = original?.headers ?? (row['headers'] as Record<string, string>) ?? {};
      const raw = toBuffer(row['raw_value']);
      if (!raw) return null;
      const storedTopic = String(row['topic']);
      const deadLetter = storedTopic.endsWith('.dlq');
      // A dead letter goes back to the topic (and partition) it was dead-lettered from.
      const topic = deadLetter ? (headers[H.DeadLetterSourceTopic] ?? storedTopic.slice(0, -4)) : storedTopic;
      const partition = Number(deadLetter ? headers[H.DeadLetterSourcePartition] : row['partition']);
      return {
        topic,
        partition: Number.isInteger(partition) && partition >= 0 ? partition : null,
        key: original ? original.key : ((row['message_key'] as string | null) ?? null),
        headers,
        raw,
        messageId: (row['message_id'] as string | null) ?? headers[H.MessageId] ?? null,
      };
    };
    // A mapping rejection means no request exists for the current revision: the source event is what to retry.
    const [first, second] = status === 'rejected' ? [SOURCE_TOPICS, REQUEST_TOPICS] : [REQUEST_TOPICS, SOURCE_TOPICS];
    return (
      (await pick('topic IN ', first)) ??
      (await pick('topic IN ', second)) ??
      (await pick(
        'topic IN ',
        [...REQUEST_TOPICS, ...SOURCE_TOPICS].map((t) => `${t}.dlq`),
      ))
    );
  }

  async replayRecord(
    recordId: string,
    actor: string,
    reason: string,
    mode: 'single' | 'bulk' = 'single',
  ): Promise<ReplayOutcome> {
    const replayId = randomUUID();
    const rec = await this.db.query<{ tenant: string; status: string }>(
      'SELECT tenant, status FROM audit_records WHERE id = $1::bigint',
      [recordId],
    );
    const tenant = rec.rows[0]?.tenant;
    if (!tenant) throw new Error(`record ${recordId} not found`);
    const original = await this.findOriginal(recordId, rec.rows[0].status);
    let outcome: ReplayOutcome;
    if (!original) {
      outcome = {
        recordId,
        replayId,
        outcome: 'not-replayable',
        topic: null,
        originalMessageId: null,
        error: 'no stored request or source message (none consumed, or payloads past retention)',
      };
    } else {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(original.headers)) if (!DROPPED_HEADERS.includes(k)) headers[k] = v;
      headers[H.ReplayId] = replayId;
      if (original.messageId) headers[H.ReplayOfMessageId] = original.messageId;
      headers[H.ReplayActor] = actor;
      headers[H.ReplayReason] = reason.slice(0, 500);
      try {
        // To the partition it came from: records of one job share the job's partition (servicetitan.records.v1 places
        // an invoice by its job, not by its own key), and the mapper decides a job on that partition only.
        await this.publisher.publishRaw(original.topic, [
          {
            key: original.key,
            value: original.raw,
            headers,
            ...(original.partition === null ? {} : { partition: original.partition }),
          },
        ]);
        outcome = {
          recordId,
          replayId,
          outcome: 'published',
          topic: original.topic,
          originalMessageId: original.messageId,
          error: null,
        };
      } catch (e) {
        outcome = {
          recordId,
          replayId,
          outcome: 'failed',
          topic: original.topic,
          originalMessageId: original.messageId,
          error: (e as Error).message,
        };
      }
    }
    await this.db.query(
      `INSERT INTO audit_actions (record_id, tenant, action, actor, reason, replay_id, topic, original_message_id, outcome, error) VALUES ($1::bigint, $2, 'replay', $3, $4, $5, $6, $7, $8, $9)`,
      [
        recordId,
        tenant,
        actor,
        reason,
        replayId,
        outcome.topic,
        outcome.originalMessageId,
        outcome.outcome,
        outcome.error,
      ],
    );
    this.replays.inc({ mode, outcome: outcome.outcome });
    this.logger.log({
      msg: 'replay',
      recordId,
      tenant,
      actor,
      replayId,
      outcome: outcome.outcome,
      topic: outcome.topic,
    });
    return outcome;
  }

  /** Failures only: a bulk replay never re-publishes records that are fine. */
  failureFilter(f: RecordFilter): RecordFilter {
    const statuses = f.statuses?.length
      ? f.statuses.filter((s) => (FAILURE_STATUSES as string[]).includes(s))
      : FAILURE_STATUSES;
    return { ...f, statuses: statuses.length ? statuses : ['__none__'] };
  }

  async replayFailures(
    f: RecordFilter,
    actor: string,
    reason: string,
    dryRun: boolean,
  ): Promise<{ dryRun: boolean; matched: number; limit: number; results: ReplayOutcome[] }> {
    const filter = this.failureFilter(f);
    const limit = this.env.AUDIT_REPLAY_MAX_BATCH;
    const matched = await this.queries.countRecords(filter);
    if (dryRun) return { dryRun, matched, limit, results: [] };
    const ids = await this.queries.recordIds(filter, limit);
    const results: ReplayOutcome[] = [];
    for (const id of ids) results.push(await this.replayRecord(id, actor, reason, 'bulk'));
    return { dryRun, matched, limit, results };
  }
}
