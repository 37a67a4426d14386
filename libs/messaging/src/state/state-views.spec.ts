import { Topics } from '@connector/contracts';
import { MetricsService, ReadinessRegistry } from '@connector/observability';
import { ConsumerGroupAdmin } from '../admin/consumer-group.admin';
import { KafkaConnection } from '../kafka/kafka-connection';
import { InMemoryMessageBus } from '../testing/in-memory-message-bus';
import { StateViews } from './state-views';

/** Without a broker: what StateViews decides before any record is read. */
function views() {
  const connection = {
    settings: { clientId: 'unit' },
    beforeDisconnect: () => undefined,
  } as unknown as KafkaConnection;
  const readiness = new ReadinessRegistry();
  const v = new StateViews(
    connection,
    new InMemoryMessageBus(),
    {} as ConsumerGroupAdmin,
    readiness,
    new MetricsService('unit', { defaultMetrics: false }),
  );
  return { v, readiness };
}

describe('StateViews (without a broker)', () => {
  it('a view is not ready before its topic is read, and says so to readiness', async () => {
    const { v, readiness } = views();
    const view = v.open({ topic: Topics.Checkpoint, name: 'checkpoints:test' });
    expect(view.isReady()).toBe(false);
    expect(await readiness.evaluate()).toEqual({ ready: false, checks: { 'view:checkpoints:test': false } });
  });

  it('a caller waiting for readiness gives up when its signal aborts (e.g. at shutdown)', async () => {
    const { v } = views();
    const view = v.open({ topic: Topics.Checkpoint, name: 'checkpoints:test' });
    const stop = new AbortController();
    const waiting = view.ready(stop.signal);
    stop.abort(new Error('the app is stopping'));
    await expect(waiting).rejects.toThrow('the app is stopping');
    await expect(view.ready(stop.signal)).rejects.toThrow('the app is stopping');
  });

  it('a caller waiting for a partition offset gives up when its signal aborts', async () => {
    const { v } = views();
    const view = v.open({ topic: Topics.Checkpoint, name: 'checkpoints:test' });
    const stop = new AbortController();
    const waiting = view.caughtUpTo(0, '41', stop.signal);
    stop.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });

  it('names are unique and views are opened before the app bootstraps', () => {
    const { v } = views();
    v.open({ topic: Topics.Checkpoint, name: 'a' });
    expect(() => v.open({ topic: Topics.PostedLedger, name: 'a' })).toThrow('opened twice');
  });
});
