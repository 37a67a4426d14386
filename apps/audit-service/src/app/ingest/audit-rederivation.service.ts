import { ReadinessRegistry } from '@connector/observability';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Database, SqlParam, toBuffer, toIso } from '../database/database';
import { storableParams } from '../database/storable-text';
import { AuditStore, DERIVATION_VERSION, messageFacts } from './audit-store.service';
import { deriveMessage } from './status-derivation';

const BATCH = 500;

interface StoredRow {
  id: string;
  topic: string;
  message_key: string | null;
  headers: Record<string, string> | null;
  raw_value: unknown;
  original_text: string | null;
  message_ts: unknown;
}

/**
 * Brings history written by an older version up to date, in the background at start: every message whose
 * derivation_version is older than DERIVATION_VERSION is derived again from its stored bytes (payloads past retention
 * keep the status they had; a message that had no record and now has one is attached to it), then every record flagged `needs_rederive` (migration 003 flags them all) gets its status
 * recomputed from its history. The service reports not ready (check `audit-rederivation`) until this is done;
 * consuming goes on meanwhile (a record a new message touches is recomputed in full anyway).
 */
@Injectable()
export class AuditRederivation implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('audit-rederivation');
  private done = false;
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly store: AuditStore,
    readiness: ReadinessRegistry,
  ) {
    readiness.register({ name: 'audit-rederivation', check: () => this.done });
  }

  onApplicationBootstrap(): void {
    this.running = this.run().catch((e: Error) => {
      // Not fatal for ingestion; readiness stays red and the next start tries again.
      this.logger.error({ msg: 're-deriving the audit trail failed', err: e });
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  isDone(): boolean {
    return this.done;
  }

  /** Resolves once the history is up to date (tests). */
  async whenDone(): Promise<void> {
    await this.running;
  }

  private async run(): Promise<void> {
    const started = Date.now();
    const messages = await this.rederiveMessages();
    const records = await this.rederiveRecords();
    if (this.stopping) return;
    this.done = true;
    if (messages || records)
      this.logger.log({ msg: 'audit trail re-derived', messages, records, ms: Date.now() - started });
  }

  private async rederiveMessages(): Promise<number> {
    let after = '0';
    let count = 0;
    while (!this.stopping) {
      const rows = await this.db.query<StoredRow>(
        `SELECT id::text AS id, topic, message_key, headers, raw_value, original_text, message_ts FROM audit_messages
         WHERE derivation_version < $1 AND id > $2::bigint ORDER BY id LIMIT ${BATCH}`,
        [DERIVATION_VERSION, after],
      );
      if (!rows.rows.length) break;
      for (const row of rows.rows) {
        await this.rederiveMessage(row);
        after = row.id;
        count++;
      }
    }
    return count;
  }

  private async rederiveMessage(row: StoredRow): Promise<void> {
    const raw = toBuffer(row.raw_value);
    if (!raw) {
      // Past payload retention: nothing to derive from; the status it had stays.
      await this.db.query('UPDATE audit_messages SET derivation_version = $2 WHERE id = $1::bigint', [
        row.id,
        DERIVATION_VERSION,
      ]);
      return;
    }
    const original = row.original_text
      ? (JSON.parse(row.original_text) as { key: string | null; headers: Record<string, string> })
      : { key: row.message_key, headers: row.headers ?? {} };
    const d = deriveMessage({ topic: row.topic, key: original.key, headers: original.headers, value: raw });
    const facts: SqlParam[] = messageFacts(d);
    await this.db.transaction(async (tx) => {
      const updated = await tx.query<{ record_id: string | null }>(
        `UPDATE audit_messages SET record_revision = $2, content_hash = $3, source_version = $4::bigint, source_summary = $5,
           source_business_date = $6::date, source_amount = $7::numeric, reasons = $8::jsonb, derived_status = $9, status_reason = $10,
           derivation_version = $11
         WHERE id = $1::bigint RETURNING record_id::text AS record_id`,
        storableParams([row.id, ...facts, DERIVATION_VERSION]),
      );
      // A message of a type this trail could not place when it stored it gets its record now.
      const recordId =
        updated.rows[0]?.record_id ??
        (d.record || d.externalRef ? await this.store.relink(tx, row.id, d, toIso(row.message_ts) as string) : null);
      if (recordId) await tx.query('UPDATE audit_records SET needs_rederive = true WHERE id = $1::bigint', [recordId]);
    });
  }

  private async rederiveRecords(): Promise<number> {
    let count = 0;
    let after = '0';
    while (!this.stopping) {
      const rows = await this.db.query<{ id: string }>(
        `SELECT id::text AS id FROM audit_records WHERE needs_rederive AND id > $1::bigint ORDER BY id LIMIT ${BATCH}`,
        [after],
      );
      if (!rows.rows.length) break;
      for (const { id } of rows.rows) {
        await this.store.rederiveRecord(id);
        after = id;
        count++;
      }
    }
    return count;
  }
}
