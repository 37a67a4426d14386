import { CheckpointV1 } from '@connector/contracts';
import { CheckpointStore } from '@connector/messaging';
import { contentHash } from '@connector/util';
import { RevisionTracker } from './revision.tracker';

/** A checkpoint store in memory (the real one is a state view on Kafka, tested in libs/testing). */
function memoryStore() {
  const values = new Map<string, CheckpointV1>();
  return {
    get: (tenant: string, stream: string) => values.get(`${tenant}:${stream}`),
    set: async (tenant: string, stream: string, position: string, state?: Record<string, unknown>) =>
      void values.set(`${tenant}:${stream}`, { stream, position, updatedAt: new Date().toISOString(), state }),
  } as unknown as CheckpointStore;
}

describe('RevisionTracker', () => {
  const row = {
    vendorId: 7,
    name: 'Acme Supply',
    active: true,
    address: { zip: '75001', street: '1 Main St', unit: undefined },
    tags: ['b', 'a', null],
    amount: '12.50',
    nested: [{ z: 1, a: [2, { y: 'x', b: false }] }],
  };

  it('keeps the hashes stored before the shared content hash: no record is re-published after an upgrade', () => {
    // Computed with the gateway's own sorted-keys hash this replaced (stored in checkpoints as state.hash).
    expect(contentHash(row)).toBe('f310e716f67aa484355a4dc15e892f70ca23a8f32e64bc9e8dfd612f600f8fd3');
  });

  it('numbers revisions of changed content and skips unchanged content', async () => {
    const tracker = new RevisionTracker(memoryStore());
    const h1 = contentHash(row);
    expect(tracker.next('acme', 'vendor', 7, h1)).toBe(1);
    await tracker.commit('acme', 'vendor', 7, 1, h1);
    expect(
      tracker.next('acme', 'vendor', 7, contentHash({ ...row, address: { street: '1 Main St', zip: '75001' } })),
    ).toBeNull();
    expect(tracker.next('acme', 'vendor', 7, contentHash({ ...row, amount: '12.5' }))).toBe(2);
  });
});

describe('RevisionTracker across the move to servicetitan.records.v1', () => {
  it('republishes unchanged content once under the same revision, remembers the job and the source modifiedOn', async () => {
    const store = memoryStore();
    // What a gateway before issue 14 stored: the hash only.
    await store.set('acme', 'rev:bill:9', '2', { hash: 'h2' });
    const tracker = new RevisionTracker(store);
    expect(tracker.last('acme', 'bill', 9)).toMatchObject({ revision: 2, onRecordsTopic: false });
    expect(tracker.next('acme', 'bill', 9, 'h2')).toBe(2);
    expect(tracker.next('acme', 'bill', 9, 'h3')).toBe(3);
    await tracker.commit('acme', 'bill', 9, 2, 'h2', { modifiedOn: '2026-11-02T10:00:00.000Z' });
    expect(tracker.next('acme', 'bill', 9, 'h2')).toBeNull();
    await tracker.commit('acme', 'invoice', 900, 1, 'h', { jobId: 4242, modifiedOn: '2026-11-02T10:00:00.000Z' });
    expect(tracker.last('acme', 'invoice', 900)).toEqual({
      revision: 1,
      hash: 'h',
      jobId: 4242,
      modifiedOn: '2026-11-02T10:00:00.000Z',
      onRecordsTopic: true,
    });
  });
});
