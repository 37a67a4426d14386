import { createHash } from 'node:crypto';
import { CheckpointStore } from '@connector/messaging';

/** Stable JSON (sorted keys) so equal content always hashes equal. */
export function contentHash(value: unknown): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(stable)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(stable(value)))
    .digest('hex');
}

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
