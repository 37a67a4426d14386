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
