import { RecordStatus } from './status-derivation';

/** One message of a record's history, as the status derivation needs it (columns of audit_messages). */
export interface HistoryEntry {
  /** audit_messages.id (ties of equal timestamps are broken by it). */
  rowId: string;
  /** Kafka timestamp (ms). */
  at: number;
  /** What the message says on its own (derived_status); null for messages that carry no status. */
  status: RecordStatus | null;
  statusReason: string | null;
  reasons: Array<{ code: string; message: string; field?: string | null }> | null;
  /** Document revision of an outcome (source.revision). */
  revision: number | null;
  /** Source messages: content hash and ordering version. */
  contentHash: string | null;
  version: number | null;
  externalRef: string | null;
  messageId: string | null;
  causationId: string | null;
}

export interface RecordStatusView {
  status: RecordStatus;
  statusReason: string | null;
  reasons: HistoryEntry['reasons'];
  /** Timestamp of the message that decided the status. */
  statusAt: number;
  /** The message that decided the status. */
  statusRowId: string;
  /** The source message whose facts describe the record now (latest accepted copy of the current revision). */
  sourceRowId: string | null;
  /** Reason of the latest failure anywhere in the history (kept for the console after a recovery). */
  lastError: string | null;
}

const SETTLED: RecordStatus[] = ['posted', 'duplicate-skipped'];
const FAILURES: RecordStatus[] = ['rejected', 'failed', 'dead-lettered'];

/** Lifecycle order, for messages stamped in the same millisecond: a result never precedes its request. */
const STAGE: Record<RecordStatus, number> = {
  received: 0,
  requested: 1,
  rejected: 2,
  posted: 2,
  failed: 2,
  'duplicate-skipped': 2,
  'dead-lettered': 3,
};

/** Kafka time, then lifecycle stage, then the order the audit trail stored them. */
const byTime = (a: HistoryEntry, b: HistoryEntry) =>
  a.at - b.at ||
  STAGE[a.status!] - STAGE[b.status!] ||
  (BigInt(a.rowId) < BigInt(b.rowId) ? -1 : BigInt(a.rowId) > BigInt(b.rowId) ? 1 : 0);

/**
 * A record's status, derived from its whole history (never overwritten by whichever message came last). Precedence
 * (docs/audit-service.md, "Status precedence"):
 *
 * 1. **The latest source revision.** Source messages (ServiceTitan events and revisions, X3 master data) are read in
 *    time order. A copy whose version (bill revision, else modifiedOn / update stamp) is older than one already seen
 *    is stale and ignored. A copy whose business content equals the current content (a re-delivered webhook, the
 *    pull's copy, a replayed source event) changes nothing. Content that differs starts a new revision: the record is
 *    `received` again until something is done with it.
 * 2. **Then its outcome.** Of the outcomes (requested, rejected, posted, failed, duplicate-skipped, dead-lettered)
 *    that belong to the current revision — written at or after its first message, or caused by one of its
 *    messages — the latest decides, except that an outcome for an older document revision never overrides a newer
 *    revision's, and a document (external reference) once `posted` or `duplicate-skipped` stays so: a later request,
 *    failure or dead letter of that same document (a replay, a redelivery) does not lower it (a later `posted` or
 *    `duplicate-skipped` of it — the answer to that replay — is still shown).
 * 3. **Nothing yet**: `received`.
 */
export function deriveRecordStatus(history: HistoryEntry[]): RecordStatusView | null {
  const entries = history.filter((h) => h.status !== null).sort(byTime);
  const sources = entries.filter((h) => h.status === 'received');
  const outcomes = entries.filter((h) => h.status !== 'received');

  let maxVersion: number | null = null;
  let currentHash: string | null = null;
  let epoch: HistoryEntry | null = null;
  let latestSource: HistoryEntry | null = null;
  const epochMessageIds = new Set<string>();
  for (const s of sources) {
    if (s.version !== null && maxVersion !== null && s.version < maxVersion) continue; // stale copy
    if (s.version !== null) maxVersion = Math.max(maxVersion ?? s.version, s.version);
    latestSource = s;
    // Unknown content (payload past retention) never starts a revision on its own.
    if (!epoch || (s.contentHash !== null && currentHash !== null && s.contentHash !== currentHash)) {
      epoch = s;
      epochMessageIds.clear();
    }
    if (s.contentHash !== null) currentHash = s.contentHash;
    if (s.messageId) epochMessageIds.add(s.messageId);
  }

  let decided: HistoryEntry | null = null;
  let maxRevision: number | null = null;
  const settled = new Set<string>();
  let lastError: string | null = null;
  for (const o of outcomes) {
    if (FAILURES.includes(o.status!)) lastError = o.statusReason ?? o.status;
    const inEpoch = !epoch || o.at >= epoch.at || (o.causationId !== null && epochMessageIds.has(o.causationId));
    if (!inEpoch) continue;
    if (o.messageId) epochMessageIds.add(o.messageId);
    if (o.revision !== null && maxRevision !== null && o.revision < maxRevision) continue;
    if (o.externalRef && settled.has(o.externalRef) && !SETTLED.includes(o.status!)) continue;
    decided = o;
    if (o.revision !== null) maxRevision = Math.max(maxRevision ?? o.revision, o.revision);
    if (o.externalRef && SETTLED.includes(o.status!)) settled.add(o.externalRef);
  }

  const deciding = decided ?? epoch;
  if (!deciding) return null;
  return {
    status: decided ? decided.status! : 'received',
    statusReason: decided ? decided.statusReason : null,
    reasons: decided ? decided.reasons : null,
    statusAt: deciding.at,
    statusRowId: deciding.rowId,
    sourceRowId: latestSource?.rowId ?? null,
    lastError,
  };
}
