import { CheckpointV1, JournalEntryLineDto, MessageEnvelope } from '@connector/contracts';

export const MAPPER_STREAM_PREFIX = 'mapper:';
/** How many source event ids each record remembers for dedupe (webhook re-deliveries + pull duplicates). */
export const SEEN_EVENT_IDS_KEPT = 25;

export type JobOutcome = 'requested' | 'rejected' | 'reversed' | 'ignored';

/** What the mapper remembers about one job: enough to dedupe, and to reverse exactly what it requested. */
export interface JobCheckpointState {
  kind: 'job';
  /** Incremented on every write: the compacted topic may echo an older write after a newer local one. */
  version: number;
  /** Last revision number used in a journal entry request (0 = none yet). */
  revision: number;
  /** Content hash of the entry currently in effect (requested and not reversed). */
  contentHash: string | null;
  postedRef: string | null;
  posted: {
    accountingDate: string;
    description: string;
    entryType?: string;
    journal?: string;
    lines: JournalEntryLineDto[];
  } | null;
  seenEventIds: string[];
  lastOutcome: JobOutcome;
}

export type BillOutcome = 'requested' | 'rejected' | 'voided' | 'ignored';

export interface BillCheckpointState {
  kind: 'bill';
  version: number;
  /** Source revision of the last supplier-invoice request (0 = none). */
  revision: number;
  contentHash: string | null;
  requestedRef: string | null;
  /** Highest source revision seen, requested or not: older revisions arriving late are ignored. */
  lastSeenRevision: number;
  voidNoted: boolean;
  lastOutcome: BillOutcome;
}

export type MapperCheckpointState = JobCheckpointState | BillCheckpointState;

export function jobStream(jobId: number | string): string {
  return `${MAPPER_STREAM_PREFIX}job:${jobId}`;
}
export function billStream(billId: number | string): string {
  return `${MAPPER_STREAM_PREFIX}bill:${billId}`;
}

export function emptyJobState(): JobCheckpointState {
  return {
    kind: 'job',
    version: 0,
    revision: 0,
    contentHash: null,
    postedRef: null,
    posted: null,
    seenEventIds: [],
    lastOutcome: 'ignored',
  };
}
export function emptyBillState(): BillCheckpointState {
  return {
    kind: 'bill',
    version: 0,
    revision: 0,
    contentHash: null,
    requestedRef: null,
    lastSeenRevision: 0,
    voidNoted: false,
    lastOutcome: 'ignored',
  };
}

export function rememberEventId(ids: string[], id: string): string[] {
  return [...ids.filter((x) => x !== id), id].slice(-SEEN_EVENT_IDS_KEPT);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Narrows a checkpoint's free-form state to the mapper's shapes; null when it is not one (or corrupt). */
export function parseMapperState(state: Record<string, unknown> | undefined): MapperCheckpointState | null {
  if (!state) return null;
  if (state['kind'] === 'job') {
    const ok =
      isInt(state['version']) &&
      isInt(state['revision']) &&
      isStrOrNull(state['contentHash']) &&
      isStrOrNull(state['postedRef']) &&
      Array.isArray(state['seenEventIds']) &&
      (state['posted'] === null ||
        (typeof state['posted'] === 'object' && Array.isArray((state['posted'] as Record<string, unknown>)['lines'])));
    return ok ? (state as unknown as JobCheckpointState) : null;
  }
  if (state['kind'] === 'bill') {
    const ok =
      isInt(state['version']) &&
      isInt(state['revision']) &&
      isStrOrNull(state['contentHash']) &&
      isStrOrNull(state['requestedRef']) &&
      isInt(state['lastSeenRevision']);
    return ok ? (state as unknown as BillCheckpointState) : null;
  }
  return null;
}

/**
 * The mapper's per-record state, rebuilt at start from the compacted checkpoint topic and updated locally on
 * every write (read-your-writes). A state only replaces one with a lower or equal version.
 */
export class MapperCheckpointStore {
  private readonly states = new Map<string, MapperCheckpointState>();

  /** Applies a checkpoint message; returns 'ignored' for other apps' streams, 'invalid' for corrupt mapper states. */
  apply(envelope: MessageEnvelope<CheckpointV1>): 'applied' | 'stale' | 'ignored' | 'invalid' {
    const cp = envelope.payload;
    if (!cp.stream.startsWith(MAPPER_STREAM_PREFIX)) return 'ignored';
    const parsed = parseMapperState(cp.state);
    if (!parsed) return 'invalid';
    return this.put(envelope.tenant, cp.stream, parsed) ? 'applied' : 'stale';
  }

  put(tenant: string, stream: string, state: MapperCheckpointState): boolean {
    const key = `${tenant}|${stream}`;
    const cur = this.states.get(key);
    if (cur && cur.version > state.version) return false;
    this.states.set(key, state);
    return true;
  }

  job(tenant: string, jobId: number): JobCheckpointState {
    const s = this.states.get(`${tenant}|${jobStream(jobId)}`);
    return s && s.kind === 'job' ? s : emptyJobState();
  }

  bill(tenant: string, billId: number): BillCheckpointState {
    const s = this.states.get(`${tenant}|${billStream(billId)}`);
    return s && s.kind === 'bill' ? s : emptyBillState();
  }

  size(): number {
    return this.states.size;
  }
}
