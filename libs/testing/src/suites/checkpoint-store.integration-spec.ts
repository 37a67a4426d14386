import { CheckpointStore } from '@connector/messaging';
import { startMessagingHarness, uniquePrefix } from '../index';

jest.setTimeout(90000);

describe('checkpoint store on a compacted topic', () => {
  it('a new instance rebuilds the latest value per key, only for its owner and tenants', async () => {
    const prefix = uniquePrefix('ckpt');
    const a = await startMessagingHarness(prefix, [], 'a');
    try {
      const store = new CheckpointStore(a.messaging, 'gateway');
      await store.set('acme', 'pull:bills', 'token-1');
      await store.set('acme', 'pull:bills', 'token-2', { seen: ['1'] });
      await store.set('beta', 'pull:bills', 'token-b');
      await new CheckpointStore(a.messaging, 'poller').set('acme', 'x3:accounts', '2026-01-01T00:00:00Z');
      const fresh = new CheckpointStore(a.messaging, 'gateway');
      expect(await fresh.load(['acme'])).toBe(1);
      expect(fresh.get('acme', 'pull:bills')).toMatchObject({ position: 'token-2', state: { seen: ['1'] } });
      expect(fresh.get('beta', 'pull:bills')).toBeUndefined();
      expect(fresh.get('acme', 'x3:accounts')).toBeUndefined();
    } finally {
      await a.close();
    }
  });
});
