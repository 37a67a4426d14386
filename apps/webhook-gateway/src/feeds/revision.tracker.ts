import { CheckpointStore } from '@connector/messaging';

const RECORDS_TOPIC_MARK = 'records.v1';

/** What the gateway last published for one record. */
export interface PublishedRevision {
  revision: number;
  hash: string;
  /** The job the record was published under (job-keyed records), to retract it there if it moves. */
  jobId: number | null;
  /** Source modifiedOn of the published version: an older version read later is not published again. */
  modifiedOn: string | null;
  /** Published to `servicetitan.records.v1` (false: only to the retired per-entity topics, before issue 14). */
  onRecordsTopic: boolean;
}

/**
 * Last published revision, content hash, job and source modifiedOn per record (on the compacted checkpoint topic).
 * A record is published again only when its content changed, which makes the export feed's inclusive `from`
 * boundary, overlapping reads, write-back bumps of modifiedOn, and restarts harmless, and turns corrections and voids
 * into numbered revisions.
 */
export class RevisionTracker {
  constructor(private readonly store: CheckpointStore) {}

  last(tenant: string, entity: string, id: number | string): PublishedRevision | null {
    const cp = this.store.get(tenant, `rev:${entity}:${id}`);
    if (!cp) return null;
    const s = cp.state ?? {};
    return {
      revision: Number(cp.position),
      hash: typeof s['hash'] === 'string' ? s['hash'] : '',
      jobId: typeof s['job'] === 'number' ? s['job'] : null,
      modifiedOn: typeof s['m'] === 'string' ? s['m'] : null,
      onRecordsTopic: s['t'] === RECORDS_TOPIC_MARK,
    };
  }

  /**
   * The revision to publish `hash` under: the next number when the content changed, the same one when it was only
   * published to the retired topics, or null when it is already on the records topic.
   */
  next(tenant: string, entity: string, id: number | string, hash: string): number | null {
    const last = this.last(tenant, entity, id);
    if (!last) return 1;
    if (last.hash !== hash) return last.revision + 1;
    return last.onRecordsTopic ? null : last.revision;
  }

  async commit(
    tenant: string,
    entity: string,
    id: number | string,
    revision: number,
    hash: string,
    extra: { jobId?: number | null; modifiedOn?: string | null } = {},
  ): Promise<void> {
    const state: Record<string, unknown> = { hash, t: RECORDS_TOPIC_MARK };
    if (extra.jobId !== undefined && extra.jobId !== null) state['job'] = extra.jobId;
    if (extra.modifiedOn) state['m'] = extra.modifiedOn;
    await this.store.set(tenant, `rev:${entity}:${id}`, String(revision), state);
  }
}
