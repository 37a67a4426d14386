import { CheckpointStore } from '@connector/messaging';

/**
 * Last published revision and content hash per pulled record (on the compacted checkpoint topic). A record is
 * re-published only when its content changed, which makes the export feed's inclusive `from` boundary, overlapping
 * polls and restarts harmless, and turns corrections and voids into numbered revisions.
 */
export class RevisionTracker {
  constructor(private readonly store: CheckpointStore) {}

  /** Returns the next revision number when the content changed, or null when it is already published. */
  next(tenant: string, entity: string, id: number | string, hash: string): number | null {
    const cp = this.store.get(tenant, `rev:${entity}:${id}`);
    if (!cp) return 1;
    if (cp.state?.['hash'] === hash) return null;
    return Number(cp.position) + 1;
  }

  async commit(tenant: string, entity: string, id: number | string, revision: number, hash: string): Promise<void> {
    await this.store.set(tenant, `rev:${entity}:${id}`, String(revision), { hash });
  }
}
