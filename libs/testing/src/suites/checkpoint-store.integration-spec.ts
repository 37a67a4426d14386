import { CheckpointStore, StateViews } from '@connector/messaging';
import { startMessagingHarness, uniquePrefix } from '../index';

jest.setTimeout(90000);

/** A harness app with checkpoint stores (views are opened while the app is constructed). */
function withStores(prefix: string, id: string, stores: Record<string, { owner: string; tenants?: string[] }>) {
  return startMessagingHarness(prefix, [], id, {
    providers: Object.entries(stores).map(([token, options]) => ({
      provide: token,
      useFactory: (views: StateViews) => new CheckpointStore(views, options),
      inject: [StateViews],
    })),
  });
}

describe('checkpoint store on a compacted topic', () => {
  it('a new instance rebuilds the latest value per key, only for its owner and tenants', async () => {
    const prefix = uniquePrefix('ckpt');
    const a = await withStores(prefix, 'a', { gateway: { owner: 'gateway' }, poller: { owner: 'poller' } });
    try {
      const store = a.app.get<CheckpointStore>('gateway');
      await store.ready();
      await store.set('acme', 'pull:bills', 'token-1');
      await store.set('acme', 'pull:bills', 'token-2', { seen: ['1'] });
      // Read-your-own-write: visible at once, without waiting for the topic.
      expect(store.get('acme', 'pull:bills')).toMatchObject({ position: 'token-2', state: { seen: ['1'] } });
      await store.set('beta', 'pull:bills', 'token-b');
      await a.app.get<CheckpointStore>('poller').set('acme', 'x3:accounts', '2026-01-01T00:00:00Z');
    } finally {
      await a.close();
    }
    const b = await withStores(prefix, 'b', { gateway: { owner: 'gateway', tenants: ['acme'] } });
    try {
      const fresh = b.app.get<CheckpointStore>('gateway');
      await fresh.ready();
      expect(fresh.size).toBe(1);
      expect(fresh.get('acme', 'pull:bills')).toMatchObject({ position: 'token-2', state: { seen: ['1'] } });
      expect(fresh.get('beta', 'pull:bills')).toBeUndefined();
      expect(fresh.get('acme', 'x3:accounts')).toBeUndefined();
    } finally {
      await b.close();
    }
  });
});
