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
  /**
   * Source messages: which part of the record's content the copy is (its Kafka key). A job on
   * `servicetitan.records.v1` is its own record plus its invoices and gross pay items, each under its own key; other
   * records have one part. Null: the record's only part.
   */
  part: string | null;
  /** Source messages: whether the copy describes the record (summary, business date, amount): not a mere part. */
  describes: boolean;
  /** A mapper decision: the document it keeps in effect (an unchanged posting), else null. */
  keeps: string | null;
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
  /** The source message whose facts describe the record now (latest accepted describing copy of the content). */
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
  held: 2,
  rejected: 2,
  posted: 2,
  failed: 2,
  'duplicate-skipped': 2,
  'dead-lettered': 3,
};
/** A mapper decision is written after the request it keeps, before the poster's answer could be. */
const stageOf = (h: HistoryEntry) => (h.status === null ? 1 : STAGE[h.status]);

/** Kafka time, then lifecycle stage, then the order the audit trail stored them. */
const byTime = (a: HistoryEntry, b: HistoryEntry) =>
  a.at - b.at ||
  stageOf(a) - stageOf(b) ||
  (BigInt(a.rowId) < BigInt(b.rowId) ? -1 : BigInt(a.rowId) > BigInt(b.rowId) ? 1 : 0);

/**
 * A record's status, derived from its whole history (never overwritten by whichever message came last). Precedence
 * (docs/audit-service.md, "Status precedence"):
 *
 * 1. **The latest source revision.** Source messages (ServiceTitan records, events and revisions, X3 master data)
 *    are read in time order, each part of the record's content on its own (a job on `servicetitan.records.v1` is its
 *    own record plus its invoices and gross pay items). A copy whose version (bill revision, else modifiedOn / update
 *    stamp) is older than one already seen of its part is stale and ignored. A copy whose business content equals
 *    its part's current content (a re-delivered webhook, the pull's copy, a replayed source record) changes nothing.
 *    Content that differs — or a part not seen before — starts a new revision: the record is `received` again until
 *    something is done with it.
 * 2. **Then its outcome.** Of the outcomes (requested, held, rejected, posted, failed, duplicate-skipped,
 *    dead-lettered) that belong to the current revision — written at or after its first message, or caused by one of
 *    its messages — the latest decides, except that an outcome for an older document revision never overrides a newer
 *    revision's, and a document (external reference) once `posted` or `duplicate-skipped` stays so: a later request,
 *    failure or dead letter of that same document (a replay, a redelivery) does not lower it (a later `posted` or
 *    `duplicate-skipped` of it — the answer to that replay — is still shown).
 *    A mapper decision of the current revision that keeps a document in effect (the change posts nothing new) makes
 *    that document's outcomes the revision's, however old they are.
 * 3. **Nothing yet**: `received`.
 */
export function deriveRecordStatus(history: HistoryEntry[]): RecordStatusView | null {
  const entries = history.filter((h) => h.status !== null || h.keeps !== null).sort(byTime);
  const sources = entries.filter((h) => h.status === 'received');
  const outcomes = entries.filter((h) => h.status !== 'received');

  const parts = new Map<string, { hash: string | null; version: number | null }>();
  let epoch: HistoryEntry | null = null;
  let latestSource: HistoryEntry | null = null;
  let describing: HistoryEntry | null = null;
  const epochMessageIds = new Set<string>();
  for (const s of sources) {
    const key = s.part ?? '';
    const part = parts.get(key);
    if (part && s.version !== null && part.version !== null && s.version < part.version) continue; // stale copy
    latestSource = s;
    if (s.describes) describing = s;
    // Unknown content (payload past retention) never starts a revision on its own.
    const changed = part
      ? s.contentHash !== null && part.hash !== null && s.contentHash !== part.hash
      : s.contentHash !== null || !epoch;
    if (!epoch || changed) {
      epoch = s;
      epochMessageIds.clear();
    }
    parts.set(key, {
      hash: s.contentHash ?? part?.hash ?? null,
      version: s.version !== null ? Math.max(part?.version ?? s.version, s.version) : (part?.version ?? null),
    });
    if (s.messageId) epochMessageIds.add(s.messageId);
  }

  const inEpoch = (o: HistoryEntry) =>
    !epoch || o.at >= epoch.at || (o.causationId !== null && epochMessageIds.has(o.causationId));
  // Documents the mapper kept in effect for this revision: their outcomes answer it.
  const kept = new Set(outcomes.filter((o) => o.keeps !== null && inEpoch(o)).map((o) => o.keeps as string));

  let decided: HistoryEntry | null = null;
  let maxRevision: number | null = null;
  const settled = new Set<string>();
  let lastError: string | null = null;
  for (const o of outcomes) {
    if (o.status === null) continue; // a decision: it answers through the document it keeps
    if (FAILURES.includes(o.status)) lastError = o.statusReason ?? o.status;
    if (!inEpoch(o) && !(o.externalRef !== null && kept.has(o.externalRef))) continue;
    if (o.messageId) epochMessageIds.add(o.messageId);
    if (o.revision !== null && maxRevision !== null && o.revision < maxRevision) continue;
    if (o.externalRef && settled.has(o.externalRef) && !SETTLED.includes(o.status)) continue;
    decided = o;
    if (o.revision !== null) maxRevision = Math.max(maxRevision ?? o.revision, o.revision);
    if (o.externalRef && SETTLED.includes(o.status)) settled.add(o.externalRef);
  }

  const deciding = decided ?? epoch;
  if (!deciding) return null;
  return {
    status: decided ? decided.status! : 'received',
    statusReason: decided ? decided.statusReason : null,
    reasons: decided ? decided.reasons : null,
    statusAt: deciding.at,
    statusRowId: deciding.rowId,
    sourceRowId: (describing ?? latestSource)?.rowId ?? null,
    lastError,
  };
}
