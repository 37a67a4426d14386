import { CHECKPOINT, CheckpointV1, createEnvelope, MessageEnvelope, Topics } from '@connector/contracts';
import { Logger } from '@nestjs/common';
import { InMemoryMessageBus } from '../testing/in-memory-message-bus';
import { CompactedTopicView, ViewChange, ViewSource } from './compacted-topic.view';

function checkpoint(position: string, tenant = 'acme'): MessageEnvelope<CheckpointV1> {
  return createEnvelope<CheckpointV1>({
    type: CHECKPOINT,
    tenant,
    source: 'poll',
    payload: { stream: 'test:s', position, updatedAt: '2026-01-01T00:00:00Z' },
  });
}

function setup() {
  const invalid: Array<{ view: string; key: string; reason: string }> = [];
  const source: ViewSource = {
    ready: async () => undefined,
    isReady: () => true,
    sync: async () => undefined,
    caughtUpTo: async () => undefined,
    invalid: (view, d) => void invalid.push({ view, key: d.key, reason: d.reason }),
  };
  const bus = new InMemoryMessageBus();
  const view = new CompactedTopicView<string>(
    'positions',
    Topics.Checkpoint,
    source,
    bus,
    (env) => env.tenant === 'acme',
    (env) => {
      const position = (env.payload as CheckpointV1).position;
      if (position === 'unreadable') throw new Error('position unreadable');
      return position;
    },
  );
  const changes: Array<ViewChange<string>> = [];
  view.onChange((c) => changes.push(c));
  return { view, bus, changes, invalid };
}

describe('CompactedTopicView', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('keeps the latest value per key by offset: an older record read after a newer one is ignored', () => {
    const { view, changes } = setup();
    view.applyRecord('k', checkpoint('v2'), 7n);
    view.applyRecord('k', checkpoint('v1'), 5n);
    view.applyRecord('k', checkpoint('v2-again'), 7n);
    expect(view.get('k')).toBe('v2');
    view.applyRecord('k', checkpoint('v3'), 9n);
    expect(changes.map((c) => [c.value, c.previous, c.source])).toEqual([
      ['v2', undefined, 'topic'],
      ['v3', 'v2', 'topic'],
    ]);
  });

  it('applies its own write on the acknowledgement, and ignores the same record coming back', async () => {
    const { view, bus, changes } = setup();
    view.applyRecord('other', checkpoint('x'), 0n);
    const receipt = await view.put('k', checkpoint('mine'));
    expect(receipt).toEqual({ topic: Topics.Checkpoint, partition: 0, offset: '0' });
    expect(bus.on(Topics.Checkpoint)[0]).toMatchObject({ key: 'k' });
    expect(view.get('k')).toBe('mine');
    view.applyRecord('k', checkpoint('mine'), 0n);
    expect(changes.filter((c) => c.key === 'k').map((c) => c.source)).toEqual(['local']);
  });

  it('a tombstone deletes the key; a later older value does not bring it back', async () => {
    const { view } = setup();
    view.applyRecord('k', checkpoint('v1'), 1n);
    view.applyRecord('k', null, 2n);
    expect(view.has('k')).toBe(false);
    view.applyRecord('k', checkpoint('v1'), 1n);
    expect(view.has('k')).toBe(false);
    await view.put('j', checkpoint('v'));
    await view.delete('j');
    expect(view.has('j')).toBe(false);
    expect(view.size).toBe(0);
  });

  it('records outside the filter are not kept; an undecodable one is reported and the key keeps its value', () => {
    const { view, invalid } = setup();
    view.applyRecord('beta', checkpoint('b', 'beta'), 1n);
    expect(view.has('beta')).toBe(false);
    view.applyRecord('k', checkpoint('good'), 1n);
    view.applyRecord('k', checkpoint('unreadable'), 2n);
    expect(view.get('k')).toBe('good');
    expect(invalid).toEqual([{ view: 'positions', key: 'k', reason: 'position unreadable' }]);
    expect([...view.entries()]).toEqual([['k', 'good']]);
  });

  it('a failing listener does not stop the others', () => {
    const { view, changes } = setup();
    view.onChange(() => {
      throw new Error('listener bug');
    });
    view.applyRecord('k', checkpoint('v'), 1n);
    expect(changes).toHaveLength(1);
    expect(view.get('k')).toBe('v');
  });
});
