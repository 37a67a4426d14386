import { CHECKPOINT } from '@connector/contracts';
import { Injectable } from '@nestjs/common';
import { Database, SqlExecutor, SqlParam, toIso } from '../database/database';
import {
  isStorableText,
  storableDate,
  storableJson,
  storableParams as params,
  storableSql,
  storableTimestamp,
} from '../database/storable-text';
import { deriveRecordStatus, HistoryEntry } from './record-status';
import { storeX3ReadBack } from '../reconciliation/x3-read-back.store';
import { Derivation, RecordStatus } from './status-derivation';

/**
 * Bumped when what deriveMessage computes per message changes: older rows are re-derived at start.
 * 2: the streams of issue 14 (job records and their parts, mapper decisions, holds, write-backs).
 */
export const DERIVATION_VERSION = 2;

export interface StoredMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: Buffer | null;
  /** Kafka timestamp (ms since epoch, as the broker gives it). */
  timestamp: string;
}

function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(storableJson(value).value);
}

/** Per-message facts the status derivation reads back from history (columns of audit_messages). */
export function messageFacts(d: Derivation): SqlParam[] {
  return [
    d.record?.revision ?? null,
    d.revisionOf?.contentHash ?? null,
    d.revisionOf?.version ?? null,
    d.source?.summary ?? null,
    storableDate(d.source?.businessDate),
    d.source?.amount ?? null,
    jsonParam(d.reasons),
    d.status,
    d.statusReason,
  ];
}

interface HistoryRow {
  id: string;
  message_ts: unknown;
  derived_status: string | null;
  status_reason: string | null;
  reasons: HistoryEntry['reasons'];
  record_revision: number | null;
  content_hash: string | null;
  source_version: string | null;
  external_ref: string | null;
  message_id: string | null;
  causation_id: string | null;
  message_key: string | null;
  message_type: string | null;
  describes: boolean;
}

/**
 * Writes the audit trail. One transaction per consumed message: the history row (idempotent on
 * topic/partition/offset — a redelivered or reset-and-re-read message changes nothing), document facts for
 * reconciliation, and the record, whose status is then derived again from its whole history (record-status.ts).
 * Nothing a message carries can make the insert fail: text PostgreSQL cannot hold is stored sanitised beside the
 * original (storable-text.ts), timestamps and dates it cannot hold are left out.
 */
@Injectable()
export class AuditStore {
  constructor(private readonly db: Database) {}

  /** Returns false when this topic position was already stored. */
  async store(m: StoredMessage, d: Derivation): Promise<boolean> {
    const at = new Date(Number(m.timestamp) || Date.now()).toISOString();
    const payload = d.json ? storableJson(d.json) : null;
    const headers = storableJson(m.headers);
    const keyChanged = m.key !== null && !isStorableText(m.key);
    const sanitised = Boolean(payload?.changed) || headers.changed || keyChanged;
    return this.db.transaction(async (tx) => {
      const q = <T>(sql: string, values: SqlParam[]) => tx.query<T>(sql, params(values));
      const inserted = await q<{ id: string }>(
        `INSERT INTO audit_messages (tenant, topic, partition, "offset", message_id, message_type, message_key, headers, payload, raw_value,
           valid, invalid_reason, external_ref, correlation_id, causation_id, replay_id, message_ts, occurred_at, produced_at,
           sanitised, original_text, derivation_version,
           record_revision, content_hash, source_version, source_summary, source_business_date, source_amount, reasons, derived_status, status_reason)
         VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
           $23, $24, $25::bigint, $26, $27::date, $28::numeric, $29::jsonb, $30, $31)
         ON CONFLICT (topic, partition, "offset") DO NOTHING RETURNING id::text AS id`,
        [
          d.tenant,
          m.topic,
          m.partition,
          m.offset,
          d.messageId,
          d.messageType,
          m.key,
          JSON.stringify(headers.value),
          payload ? JSON.stringify(payload.value) : null,
          m.value ?? null,
          d.valid,
          d.invalidReason,
          d.externalRef ?? d.document?.externalRef ?? null,
          d.correlationId,
          d.causationId,
          m.headers['x-replay-id'] ?? null,
          at,
          storableTimestamp(d.occurredAt),
          storableTimestamp(d.producedAt),
          sanitised,
          headers.changed || keyChanged ? JSON.stringify({ key: m.key, headers: m.headers }) : null,
          DERIVATION_VERSION,
          ...messageFacts(d),
        ],
      );
      const messageRowId = inserted.rows[0]?.id;
      if (!messageRowId) return false;
      let recordId: string | null = null;
      if (d.record) recordId = await this.upsertRecord(tx, d, d.status ?? 'received', at);
      if (d.document && d.tenant) {
        const docRecord = await this.upsertDocument(tx, d, recordId, at);
        recordId = recordId ?? docRecord;
      }
      if (d.x3ReadBack && d.tenant) await storeX3ReadBack(storableSql(tx), d.tenant, d.x3ReadBack, at);
      if (!recordId && d.externalRef && d.tenant)
        recordId = await this.recordOfExternalRef(tx, d.tenant, d.externalRef);
      if (recordId) {
        await q('UPDATE audit_messages SET record_id = $1 WHERE id = $2', [recordId, messageRowId]);
        if (d.externalRef && d.tenant) {
          // Document status / ledger messages read before their request: attach them now.
          await q(
            'UPDATE audit_messages SET record_id = $1 WHERE tenant = $2 AND external_ref = $3 AND record_id IS NULL',
            [recordId, d.tenant, d.externalRef],
          );
          await q(
            'UPDATE audit_documents SET record_id = $1 WHERE tenant = $2 AND external_ref = $3 AND record_id IS NULL',
            [recordId, d.tenant, d.externalRef],
          );
        }
        await this.refreshRecord(tx, recordId);
      }
      return true;
    });
  }

  /** Re-derives one record from its history (after a derivation change or the 003 migration). */
  async rederiveRecord(recordId: string): Promise<void> {
    await this.db.transaction(async (tx) => this.refreshRecord(tx, recordId));
  }

  /**
   * Attaches a stored message that had no record to the one a newer derivation gives it (a message type this trail
   * did not know when it stored it, e.g. job records after issue 14); returns that record (its status is recomputed
   * by the caller), or null.
   */
  async relink(tx: SqlExecutor, messageRowId: string, d: Derivation, at: string): Promise<string | null> {
    const q = <T>(sql: string, values: SqlParam[]) => tx.query<T>(sql, params(values));
    const externalRef = d.externalRef ?? d.document?.externalRef ?? null;
    let recordId = d.record ? await this.upsertRecord(tx, d, d.status ?? 'received', at) : null;
    if (!recordId && externalRef && d.tenant) recordId = await this.recordOfExternalRef(tx, d.tenant, externalRef);
    await q(
      'UPDATE audit_messages SET record_id = COALESCE(record_id, $2::bigint), external_ref = COALESCE(external_ref, $3) WHERE id = $1::bigint',
      [messageRowId, recordId, externalRef],
    );
    return recordId;
  }

  private async upsertRecord(tx: SqlExecutor, d: Derivation, status: RecordStatus, at: string): Promise<string> {
    const r = d.record!;
    await tx.query(
      `INSERT INTO audit_records (tenant, kind, source_id, revision, status, status_at, first_seen_at, last_seen_at, message_count)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $6, 0) ON CONFLICT (tenant, kind, source_id) DO NOTHING`,
      params([r.tenant, r.kind, r.sourceId, r.revision, status, at]),
    );
    const locked = await tx.query<{ id: string }>(
      'SELECT id::text AS id FROM audit_records WHERE tenant = $1 AND kind = $2 AND source_id = $3 FOR UPDATE',
      params([r.tenant, r.kind, r.sourceId]),
    );
    const id = locked.rows[0].id;
    await tx.query(
      `UPDATE audit_records SET
         first_seen_at = LEAST(first_seen_at, $2::timestamptz),
         revision = CASE WHEN $3::int IS NULL THEN revision ELSE GREATEST(COALESCE(revision, 0), $3::int) END,
         updated_at = now()
       WHERE id = $1`,
      [id, at, r.revision],
    );
    return id;
  }

  private async upsertDocument(
    tx: SqlExecutor,
    d: Derivation,
    recordId: string | null,
    at: string,
  ): Promise<string | null> {
    const q = <T>(sql: string, values: SqlParam[]) => tx.query<T>(sql, params(values));
    const doc = d.document!;
    const tenant = d.tenant!;
    await q(
      `INSERT INTO audit_documents (tenant, external_ref, record_id, document_kind, revision) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, external_ref) DO UPDATE SET record_id = COALESCE(audit_documents.record_id, EXCLUDED.record_id),
         document_kind = COALESCE(audit_documents.document_kind, EXCLUDED.document_kind), revision = COALESCE(audit_documents.revision, EXCLUDED.revision)`,
      [tenant, doc.externalRef, recordId, doc.documentKind, doc.revision],
    );
    if (doc.request) {
      const r = doc.request;
      await q(
        `UPDATE audit_documents SET accounting_date = $3::date, currency = $4, requested_amount = $5::numeric, reversal_of = $6, supersedes = $7,
           status = CASE WHEN status_at IS NULL OR status_at <= $8 THEN 'requested' ELSE status END,
           status_at = CASE WHEN status_at IS NULL OR status_at <= $8 THEN $8::timestamptz ELSE status_at END, updated_at = now()
         WHERE tenant = $1 AND external_ref = $2`,
        [tenant, doc.externalRef, storableDate(r.accountingDate), r.currency, r.amount, r.reversalOf, r.supersedes, at],
      );
      await q('DELETE FROM audit_document_lines WHERE tenant = $1 AND external_ref = $2', [tenant, doc.externalRef]);
      for (const l of r.lines) {
        await q(
          `INSERT INTO audit_document_lines (tenant, external_ref, line_no, account, side, amount, cost_center, cost_kind) VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8)`,
          [tenant, doc.externalRef, l.lineNo, l.account, l.side, l.amount, l.costCenter, l.costKind],
        );
      }
    }
    if (doc.result) {
      const r = doc.result;
      await q(
        `UPDATE audit_documents SET
           status = CASE WHEN status_at IS NULL OR status_at <= $3 THEN $4 ELSE status END,
           status_at = CASE WHEN status_at IS NULL OR status_at <= $3 THEN $3::timestamptz ELSE status_at END,
           x3_document_number = COALESCE($5, x3_document_number),
           posted_amount = CASE WHEN $4 IN ('posted', 'duplicate-skipped') THEN COALESCE($6::numeric, posted_amount, requested_amount) ELSE posted_amount END,
           currency = COALESCE(currency, $7), error = $8, updated_at = now()
         WHERE tenant = $1 AND external_ref = $2`,
        [tenant, doc.externalRef, at, r.status, r.x3DocumentNumber, r.amount, r.currency, r.error],
      );
    }
    const statusAt = storableTimestamp(doc.x3Status?.updatedAt);
    if (doc.x3Status && statusAt) {
      const s = doc.x3Status;
      await q(
        `UPDATE audit_documents SET x3_status = $3, x3_status_at = $4, x3_document_number = COALESCE(x3_document_number, $5), updated_at = now()
         WHERE tenant = $1 AND external_ref = $2 AND (x3_status_at IS NULL OR x3_status_at <= $4::timestamptz)`,
        [tenant, doc.externalRef, s.status, statusAt, s.documentNumber],
      );
    }
    const row = await q<{ record_id: string | null }>(
      'SELECT record_id::text AS record_id FROM audit_documents WHERE tenant = $1 AND external_ref = $2',
      [tenant, doc.externalRef],
    );
    return row.rows[0]?.record_id ?? null;
  }

  private async recordOfExternalRef(tx: SqlExecutor, tenant: string, externalRef: string): Promise<string | null> {
    const r = await tx.query<{ id: string }>(
      'SELECT record_id::text AS id FROM audit_documents WHERE tenant = $1 AND external_ref = $2 AND record_id IS NOT NULL',
      params([tenant, externalRef]),
    );
    return r.rows[0]?.id ?? null;
  }

  /**
   * Everything a record shows, derived again from its history under the record's row lock (concurrent writers of
   * one record serialise here; the last to commit sees every message): status (record-status.ts), source facts of
   * its current source revision, message count and last activity, and its latest document.
   */
  private async refreshRecord(tx: SqlExecutor, recordId: string): Promise<void> {
    await tx.query('SELECT id FROM audit_records WHERE id = $1::bigint FOR UPDATE', [recordId]);
    const history = await tx.query<HistoryRow>(
      `SELECT id::text AS id, message_ts, derived_status, status_reason, reasons, record_revision, content_hash,
         source_version::text AS source_version, external_ref, message_id, causation_id, message_key, message_type,
         source_summary IS NOT NULL AS describes
       FROM audit_messages WHERE record_id = $1::bigint`,
      [recordId],
    );
    const view = deriveRecordStatus(
      history.rows.map(
        (h): HistoryEntry => ({
          rowId: h.id,
          at: Date.parse(toIso(h.message_ts) as string),
          status: h.derived_status as RecordStatus | null,
          statusReason: h.status_reason,
          reasons: h.reasons ?? null,
          revision: h.record_revision,
          contentHash: h.content_hash,
          version: h.source_version === null ? null : Number(h.source_version),
          part: h.message_key,
          describes: h.describes === true,
          // A mapper decision (checkpoint) carries the document it keeps in effect as its external reference.
          keeps: h.message_type === CHECKPOINT && h.derived_status === null ? h.external_ref : null,
          externalRef: h.external_ref,
          messageId: h.message_id,
          causationId: h.causation_id,
        }),
      ),
    );
    if (view) {
      await tx.query(
        `UPDATE audit_records SET status = $2, status_reason = $3, reasons = $4::jsonb, status_at = $5::timestamptz,
           last_error = COALESCE($6, last_error), needs_rederive = false, updated_at = now()
         WHERE id = $1::bigint`,
        params([
          recordId,
          view.status,
          view.statusReason,
          jsonParam(view.reasons),
          new Date(view.statusAt).toISOString(),
          view.lastError,
        ]),
      );
      // Facts of the current source revision; a record known only from dead letters shows what they carried.
      await tx.query(
        `UPDATE audit_records r SET summary = COALESCE(m.source_summary, r.summary), business_date = m.source_business_date,
           source_amount = m.source_amount, source_at = m.message_ts
         FROM (SELECT * FROM audit_messages WHERE record_id = $1::bigint
                 AND (id = $2::bigint OR ($2::bigint IS NULL AND source_summary IS NOT NULL))
               ORDER BY message_ts DESC, id DESC LIMIT 1) m
         WHERE r.id = $1::bigint`,
        [recordId, view.sourceRowId],
      );
    }
    await tx.query(
      `UPDATE audit_records SET message_count = (SELECT count(*)::int FROM audit_messages WHERE record_id = $1::bigint),
         last_seen_at = GREATEST(last_seen_at, COALESCE((SELECT max(message_ts) FROM audit_messages WHERE record_id = $1::bigint), last_seen_at)),
         updated_at = now() WHERE id = $1::bigint`,
      [recordId],
    );
    await tx.query(
      `UPDATE audit_records r SET external_ref = d.external_ref, document_kind = d.document_kind, x3_document_number = d.x3_document_number,
         x3_document_status = d.x3_status, requested_amount = d.requested_amount, posted_amount = d.posted_amount, currency = COALESCE(d.currency, r.currency)
       FROM (SELECT * FROM audit_documents WHERE record_id = $1 ORDER BY status_at DESC NULLS LAST, updated_at DESC LIMIT 1) d
       WHERE r.id = $1`,
      [recordId],
    );
  }
}
