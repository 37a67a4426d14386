import { Injectable } from '@nestjs/common';
import { Database, SqlExecutor } from '../database/database';
import { storeX3ReadBack } from '../reconciliation/x3-read-back.store';
import { Derivation, RecordStatus } from './status-derivation';

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

interface LockedRecord {
  id: string;
  status_at: Date;
  source_at: Date | null;
  revision: number | null;
}

/**
 * Writes the audit trail. One transaction per consumed message: the history row (idempotent on
 * topic/partition/offset — a redelivered or reset-and-re-read message changes nothing), the record's status
 * and facts, and document facts for reconciliation.
 */
@Injectable()
export class AuditStore {
  constructor(private readonly db: Database) {}

  /** Returns false when this topic position was already stored. */
  async store(m: StoredMessage, d: Derivation): Promise<boolean> {
    const at = new Date(Number(m.timestamp) || Date.now()).toISOString();
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO audit_messages (tenant, topic, partition, "offset", message_id, message_type, message_key, headers, payload, raw_value,
           valid, invalid_reason, external_ref, derived_status, status_reason, correlation_id, causation_id, replay_id, message_ts, occurred_at, produced_at)
         VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         ON CONFLICT (topic, partition, "offset") DO NOTHING RETURNING id::text AS id`,
        [
          d.tenant,
          m.topic,
          m.partition,
          m.offset,
          d.messageId,
          d.messageType,
          m.key,
          JSON.stringify(m.headers),
          d.json ? JSON.stringify(d.json) : null,
          m.value ?? null,
          d.valid,
          d.invalidReason,
          d.externalRef ?? d.document?.externalRef ?? null,
          d.status,
          d.statusReason,
          d.correlationId,
          d.causationId,
          m.headers['x-replay-id'] ?? null,
          at,
          d.occurredAt,
          d.producedAt,
        ],
      );
      const messageRowId = inserted.rows[0]?.id;
      if (!messageRowId) return false;
      let recordId: string | null = null;
      if (d.record && d.status) recordId = await this.upsertRecord(tx, d, d.status, at);
      if (d.document && d.tenant) {
        const docRecord = await this.upsertDocument(tx, d, recordId, at);
        recordId = recordId ?? docRecord;
      }
      if (d.x3ReadBack && d.tenant) await storeX3ReadBack(tx, d.tenant, d.x3ReadBack, at);
      if (!recordId && d.externalRef && d.tenant)
        recordId = await this.recordOfExternalRef(tx, d.tenant, d.externalRef);
      if (recordId) {
        await tx.query('UPDATE audit_messages SET record_id = $1 WHERE id = $2', [recordId, messageRowId]);
        if (d.externalRef && d.tenant) {
          // Document status / ledger messages read before their request: attach them now.
          await tx.query(
            'UPDATE audit_messages SET record_id = $1 WHERE tenant = $2 AND external_ref = $3 AND record_id IS NULL',
            [recordId, d.tenant, d.externalRef],
          );
          await tx.query(
            'UPDATE audit_documents SET record_id = $1 WHERE tenant = $2 AND external_ref = $3 AND record_id IS NULL',
            [recordId, d.tenant, d.externalRef],
          );
        }
        await this.refreshRecord(tx, recordId, at);
      }
      return true;
    });
  }

  private async upsertRecord(tx: SqlExecutor, d: Derivation, status: RecordStatus, at: string): Promise<string> {
    const r = d.record!;
    await tx.query(
      `INSERT INTO audit_records (tenant, kind, source_id, revision, status, status_reason, reasons, status_at, first_seen_at, last_seen_at, message_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $8, $8, 0) ON CONFLICT (tenant, kind, source_id) DO NOTHING`,
      [
        r.tenant,
        r.kind,
        r.sourceId,
        r.revision,
        status,
        d.statusReason,
        d.reasons ? JSON.stringify(d.reasons) : null,
        at,
      ],
    );
    const locked = await tx.query<LockedRecord>(
      'SELECT id::text AS id, status_at, source_at, revision FROM audit_records WHERE tenant = $1 AND kind = $2 AND source_id = $3 FOR UPDATE',
      [r.tenant, r.kind, r.sourceId],
    );
    const rec = locked.rows[0];
    const newer = new Date(at).getTime() >= new Date(rec.status_at).getTime();
    await tx.query(
      `UPDATE audit_records SET
         first_seen_at = LEAST(first_seen_at, $2::timestamptz),
         last_seen_at = GREATEST(last_seen_at, $2::timestamptz),
         revision = CASE WHEN $3::int IS NULL THEN revision ELSE GREATEST(COALESCE(revision, 0), $3::int) END,
         updated_at = now()
       WHERE id = $1`,
      [rec.id, at, r.revision],
    );
    // Topics are read in no particular order across each other: the latest message (Kafka timestamp) decides.
    if (newer) {
      await tx.query(
        `UPDATE audit_records SET status = $2, status_reason = $3, reasons = $4::jsonb, status_at = $5,
           last_error = CASE WHEN $2 IN ('failed', 'rejected', 'dead-lettered') THEN $3 ELSE last_error END
         WHERE id = $1`,
        [rec.id, status, d.statusReason, d.reasons ? JSON.stringify(d.reasons) : null, at],
      );
    }
    if (d.source && (!rec.source_at || new Date(at).getTime() >= new Date(rec.source_at).getTime())) {
      await tx.query(
        'UPDATE audit_records SET summary = $2, business_date = $3::date, source_amount = $4::numeric, source_at = $5 WHERE id = $1',
        [rec.id, d.source.summary, d.source.businessDate, d.source.amount, at],
      );
    }
    return rec.id;
  }

  private async upsertDocument(
    tx: SqlExecutor,
    d: Derivation,
    recordId: string | null,
    at: string,
  ): Promise<string | null> {
    const doc = d.document!;
    const tenant = d.tenant!;
    await tx.query(
      `INSERT INTO audit_documents (tenant, external_ref, record_id, document_kind, revision) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, external_ref) DO UPDATE SET record_id = COALESCE(audit_documents.record_id, EXCLUDED.record_id),
         document_kind = COALESCE(audit_documents.document_kind, EXCLUDED.document_kind), revision = COALESCE(audit_documents.revision, EXCLUDED.revision)`,
      [tenant, doc.externalRef, recordId, doc.documentKind, doc.revision],
    );
    if (doc.request) {
      const q = doc.request;
      await tx.query(
        `UPDATE audit_documents SET accounting_date = $3::date, currency = $4, requested_amount = $5::numeric, reversal_of = $6, supersedes = $7,
           status = CASE WHEN status_at IS NULL OR status_at <= $8 THEN 'requested' ELSE status END,
           status_at = CASE WHEN status_at IS NULL OR status_at <= $8 THEN $8::timestamptz ELSE status_at END, updated_at = now()
         WHERE tenant = $1 AND external_ref = $2`,
        [tenant, doc.externalRef, q.accountingDate, q.currency, q.amount, q.reversalOf, q.supersedes, at],
      );
      await tx.query('DELETE FROM audit_document_lines WHERE tenant = $1 AND external_ref = $2', [
        tenant,
        doc.externalRef,
      ]);
      for (const l of q.lines) {
        await tx.query(
          `INSERT INTO audit_document_lines (tenant, external_ref, line_no, account, side, amount, cost_center, cost_kind) VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8)`,
          [tenant, doc.externalRef, l.lineNo, l.account, l.side, l.amount, l.costCenter, l.costKind],
        );
      }
    }
    if (doc.result) {
      const r = doc.result;
      await tx.query(
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
    if (doc.x3Status) {
      const s = doc.x3Status;
      await tx.query(
        `UPDATE audit_documents SET x3_status = $3, x3_status_at = $4, x3_document_number = COALESCE(x3_document_number, $5), updated_at = now()
         WHERE tenant = $1 AND external_ref = $2 AND (x3_status_at IS NULL OR x3_status_at <= $4::timestamptz)`,
        [tenant, doc.externalRef, s.status, s.updatedAt, s.documentNumber],
      );
    }
    const row = await tx.query<{ record_id: string | null }>(
      'SELECT record_id::text AS record_id FROM audit_documents WHERE tenant = $1 AND external_ref = $2',
      [tenant, doc.externalRef],
    );
    return row.rows[0]?.record_id ?? null;
  }

  private async recordOfExternalRef(tx: SqlExecutor, tenant: string, externalRef: string): Promise<string | null> {
    const r = await tx.query<{ id: string }>(
      'SELECT record_id::text AS id FROM audit_documents WHERE tenant = $1 AND external_ref = $2 AND record_id IS NOT NULL',
      [tenant, externalRef],
    );
    return r.rows[0]?.id ?? null;
  }

  /** Counts the record's history, and shows its latest document (the newest revision's request or result). */
  private async refreshRecord(tx: SqlExecutor, recordId: string, at: string): Promise<void> {
    await tx.query(
      `UPDATE audit_records SET message_count = (SELECT count(*)::int FROM audit_messages WHERE record_id = $1::bigint),
         last_seen_at = GREATEST(last_seen_at, $2::timestamptz), updated_at = now() WHERE id = $1::bigint`,
      [recordId, at],
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
