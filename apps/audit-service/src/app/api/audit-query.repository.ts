import { Injectable } from '@nestjs/common';
import { Database, SqlParam, toBuffer, toIso } from '../database/database';

export interface RecordFilter {
  /** null = every tenant (admin only). */
  tenant: string | null;
  kind?: string;
  statuses?: string[];
  /** Inclusive range on the record's last activity (ISO timestamps or dates). */
  from?: string;
  to?: string;
  q?: string;
}

export interface RecordView {
  id: string;
  tenant: string;
  kind: string;
  sourceId: string;
  revision: number | null;
  status: string;
  statusReason: string | null;
  reasons: Array<{ code: string; message: string; field?: string | null }> | null;
  summary: string | null;
  businessDate: string | null;
  sourceAmount: string | null;
  externalRef: string | null;
  documentKind: string | null;
  x3DocumentNumber: string | null;
  x3DocumentStatus: string | null;
  requestedAmount: string | null;
  postedAmount: string | null;
  currency: string | null;
  lastError: string | null;
  messageCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  statusAt: string;
}

export interface TimelineEntry {
  type: 'message' | 'action';
  at: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  messageId: string | null;
  messageType: string | null;
  key: string | null;
  status: string | null;
  statusReason: string | null;
  valid: boolean | null;
  invalidReason: string | null;
  correlationId: string | null;
  causationId: string | null;
  replayId: string | null;
  headers: Record<string, string> | null;
  payload: unknown;
  payloadPurged: boolean;
  /** true: payload/headers/key held text PostgreSQL cannot store; shown sanitised (U+FFFD), originals below. */
  sanitised: boolean;
  /** The exact bytes, base64, for a sanitised message (replays always use the exact bytes). */
  rawBase64: string | null;
  /** The exact key and headers of a sanitised message. */
  original: { key: string | null; headers: Record<string, string> } | null;
  action: string | null;
  actor: string | null;
  reason: string | null;
  outcome: string | null;
  error: string | null;
}

const RECORD_COLUMNS = `id::text AS id, tenant, kind, source_id, revision, status, status_reason, reasons, summary, to_char(business_date, 'YYYY-MM-DD') AS business_date,
  source_amount::text AS source_amount, external_ref, document_kind, x3_document_number, x3_document_status, requested_amount::text AS requested_amount,
  posted_amount::text AS posted_amount, currency, last_error, message_count, first_seen_at, last_seen_at, status_at`;

type Row = Record<string, unknown>;

function s(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function toRecordView(r: Row): RecordView {
  return {
    id: String(r['id']),
    tenant: String(r['tenant']),
    kind: String(r['kind']),
    sourceId: String(r['source_id']),
    revision: r['revision'] === null ? null : Number(r['revision']),
    status: String(r['status']),
    statusReason: s(r['status_reason']),
    reasons: (r['reasons'] as RecordView['reasons']) ?? null,
    summary: s(r['summary']),
    businessDate: s(r['business_date']),
    sourceAmount: s(r['source_amount']),
    externalRef: s(r['external_ref']),
    documentKind: s(r['document_kind']),
    x3DocumentNumber: s(r['x3_document_number']),
    x3DocumentStatus: s(r['x3_document_status']),
    requestedAmount: s(r['requested_amount']),
    postedAmount: s(r['posted_amount']),
    currency: s(r['currency']),
    lastError: s(r['last_error']),
    messageCount: Number(r['message_count']),
    firstSeenAt: toIso(r['first_seen_at']) as string,
    lastSeenAt: toIso(r['last_seen_at']) as string,
    statusAt: toIso(r['status_at']) as string,
  };
}

/** Builds a WHERE clause from a filter; parameters are always bound, never interpolated. */
export function recordWhere(f: RecordFilter, params: SqlParam[]): string {
  const where: string[] = [];
  const add = (sql: string, v: SqlParam) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.tenant) add('tenant = ?', f.tenant);
  if (f.kind) add('kind = ?', f.kind);
  if (f.statuses?.length) {
    const marks = f.statuses.map((st) => {
      params.push(st);
      return `$${params.length}`;
    });
    where.push(`status IN (${marks.join(', ')})`);
  }
  if (f.from) add('last_seen_at >= ?::timestamptz', f.from);
  if (f.to) add('last_seen_at <= ?::timestamptz', f.to);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(like);
    const p = `$${params.length}`;
    where.push(
      `(source_id ILIKE ${p} OR summary ILIKE ${p} OR external_ref ILIKE ${p} OR x3_document_number ILIKE ${p} OR status_reason ILIKE ${p} OR kind ILIKE ${p})`,
    );
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

@Injectable()
export class AuditQueryRepository {
  constructor(private readonly db: Database) {}

  async listRecords(
    f: RecordFilter,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; items: RecordView[] }> {
    const params: SqlParam[] = [];
    const where = recordWhere(f, params);
    const total = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_records ${where}`, params);
    const rows = await this.db.query<Row>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records ${where} ORDER BY last_seen_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
      params,
    );
    return { total: total.rows[0].n, items: rows.rows.map(toRecordView) };
  }

  /** Record ids matching a filter (bulk replay), oldest first, bounded. */
  async recordIds(f: RecordFilter, limit: number): Promise<string[]> {
    const params: SqlParam[] = [];
    const where = recordWhere(f, params);
    const rows = await this.db.query<{ id: string }>(
      `SELECT id::text AS id FROM audit_records ${where} ORDER BY last_seen_at ASC, id ASC LIMIT ${limit}`,
      params,
    );
    return rows.rows.map((r) => r.id);
  }

  async countRecords(f: RecordFilter): Promise<number> {
    const params: SqlParam[] = [];
    const where = recordWhere(f, params);
    const r = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_records ${where}`, params);
    return r.rows[0].n;
  }

  /** null when missing or (for a tenant scope) another tenant's: both are "not found" to the caller. */
  async getRecord(id: string, tenant: string | null): Promise<RecordView | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const params: SqlParam[] = [id];
    let sql = `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE id = $1::bigint`;
    if (tenant) {
      params.push(tenant);
      sql += ' AND tenant = $2';
    }
    const r = await this.db.query<Row>(sql, params);
    return r.rows[0] ? toRecordView(r.rows[0]) : null;
  }

  async timeline(recordId: string): Promise<TimelineEntry[]> {
    const msgs = await this.db.query<Row>(
      `SELECT topic, partition, "offset"::text AS "offset", message_id, message_type, message_key, derived_status, status_reason, valid, invalid_reason,
         correlation_id, causation_id, replay_id, headers, payload, payload_purged_at, message_ts, sanitised, original_text,
         CASE WHEN sanitised THEN raw_value END AS sanitised_raw
       FROM audit_messages WHERE record_id = $1::bigint ORDER BY message_ts ASC, id ASC`,
      [recordId],
    );
    const actions = await this.db.query<Row>(
      `SELECT action, actor, reason, replay_id, topic, original_message_id, outcome, error, created_at FROM audit_actions WHERE record_id = $1::bigint ORDER BY created_at ASC, id ASC`,
      [recordId],
    );
    const entries: TimelineEntry[] = [
      ...msgs.rows.map(
        (m): TimelineEntry => ({
          type: 'message',
          at: toIso(m['message_ts']) as string,
          topic: s(m['topic']),
          partition: Number(m['partition']),
          offset: s(m['offset']),
          messageId: s(m['message_id']),
          messageType: s(m['message_type']),
          key: s(m['message_key']),
          status: s(m['derived_status']),
          statusReason: s(m['status_reason']),
          valid: Boolean(m['valid']),
          invalidReason: s(m['invalid_reason']),
          correlationId: s(m['correlation_id']),
          causationId: s(m['causation_id']),
          replayId: s(m['replay_id']),
          headers: (m['headers'] as Record<string, string>) ?? null,
          payload: m['payload'] ?? null,
          payloadPurged: m['payload_purged_at'] !== null,
          sanitised: Boolean(m['sanitised']),
          rawBase64: toBuffer(m['sanitised_raw'])?.toString('base64') ?? null,
          original: m['original_text'] ? (JSON.parse(String(m['original_text'])) as TimelineEntry['original']) : null,
          action: null,
          actor: null,
          reason: null,
          outcome: null,
          error: null,
        }),
      ),
      ...actions.rows.map(
        (a): TimelineEntry => ({
          type: 'action',
          at: toIso(a['created_at']) as string,
          topic: s(a['topic']),
          partition: null,
          offset: null,
          messageId: s(a['original_message_id']),
          messageType: null,
          key: null,
          status: null,
          statusReason: null,
          valid: null,
          invalidReason: null,
          correlationId: null,
          causationId: null,
          replayId: s(a['replay_id']),
          headers: null,
          payload: null,
          payloadPurged: false,
          sanitised: false,
          rawBase64: null,
          original: null,
          action: s(a['action']),
          actor: s(a['actor']),
          reason: s(a['reason']),
          outcome: s(a['outcome']),
          error: s(a['error']),
        }),
      ),
    ];
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Current failures grouped by status and reason (codes for rejections, error text otherwise). */
  async failureSummary(f: RecordFilter): Promise<Array<{ status: string; reason: string; count: number }>> {
    const params: SqlParam[] = [];
    const where = recordWhere(
      { ...f, statuses: f.statuses?.length ? f.statuses : ['rejected', 'failed', 'dead-lettered'] },
      params,
    );
    const r = await this.db.query<{ status: string; reason: string; n: number }>(
      `SELECT status, COALESCE(status_reason, '(none)') AS reason, count(*)::int AS n FROM audit_records ${where} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      params,
    );
    return r.rows.map((x) => ({ status: x.status, reason: x.reason, count: x.n }));
  }
}
