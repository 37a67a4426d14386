import { CHECKPOINT, CheckpointV1, createEnvelope, Topics } from '@connector/contracts';
import { CompactedTopicView, partitionForKey, StateViews, ViewChange } from '@connector/messaging';
import { ReadinessRegistry } from '@connector/observability';
import { eventually, MessagingHarness, startMessagingHarness, uniquePrefix } from '../index';

jest.setTimeout(180000);

const VIEW = 'TEST_VIEW';
type View = CompactedTopicView<string>;

function checkpoint(position: string, tenant = 'acme') {
  return createEnvelope<CheckpointV1>({
    type: CHECKPOINT,
    tenant,
    source: 'poll',
    payload: { stream: 'test:view', position, updatedAt: new Date().toISOString() },
  });
}

/** An app with one view of the checkpoint topic whose values are the checkpoints' positions. */
function reader(prefix: string, id: string): Promise<MessagingHarness> {
  return startMessagingHarness(prefix, [], id, {
    providers: [
      {
        provide: VIEW,
        inject: [StateViews],
        useFactory: (views: StateViews) =>
          views.open({
            topic: Topics.Checkpoint,
            name: 'positions',
            decode: (env) => (env.payload as CheckpointV1).position,
          }),
      },
    ],
  });
}

const viewOf = (h: MessagingHarness) => h.app.get<View>(VIEW);

describe('compacted-topic views on a real Kafka broker', () => {
  const prefix = uniquePrefix('views');
  let writer: MessagingHarness;
  let first: MessagingHarness | null = null;
  const put = (key: string, position: string) =>
    writer.publisher.publish(Topics.Checkpoint, checkpoint(position), { key });

  beforeAll(async () => {
    writer = await startMessagingHarness(prefix, [], 'writer');
  });
  afterAll(async () => {
    await first?.close();
    await writer?.close();
  });

  it('catches up to the end offsets of the start: latest value per key, tombstones delete, invalid records are skipped', async () => {
    await Promise.all(Array.from({ length: 300 }, (_, i) => put(`k-${i}`, `v1-${i}`)));
    await Promise.all(Array.from({ length: 300 }, (_, i) => put(`k-${i}`, `v2-${i}`)));
    await writer.publisher.publishRaw(
      Topics.Checkpoint,
      Array.from({ length: 10 }, (_, i) => ({ key: `k-${i}`, value: null })),
    );
    await put('k-bad', 'good');
    await writer.publisher.publishRaw(Topics.Checkpoint, [{ key: 'k-bad', value: '{"not":"an envelope"}' }]);

    first = await reader(prefix, 'first');
    const view = viewOf(first);
    await view.ready();
    expect(view.isReady()).toBe(true);
    expect(view.size).toBe(300 - 10 + 1);
    expect(view.get('k-0')).toBeUndefined();
    expect(view.get('k-10')).toBe('v2-10');
    expect(view.get('k-299')).toBe('v2-299');
    expect(view.get('k-bad')).toBe('good');
    expect(await first.metrics.render()).toMatch(
      /connector_state_view_invalid_total\{view="positions",app="first"\} 1/,
    );
    expect((await first.app.get(ReadinessRegistry).evaluate()).checks).toMatchObject({ 'view:positions': true });
  });

  it("keeps consuming: another writer's records arrive and are announced", async () => {
    const view = viewOf(first!);
    const changes: Array<ViewChange<string>> = [];
    const off = view.onChange((c) => changes.push(c));
    await put('k-live', 'from-another-writer');
    await eventually(
      () => view.get('k-live'),
      (v) => v === 'from-another-writer',
      'the live record in the view',
    );
    off();
    expect(changes).toEqual([{ key: 'k-live', value: 'from-another-writer', previous: undefined, source: 'topic' }]);
    await writer.publisher.publishRaw(Topics.Checkpoint, [{ key: 'k-live', value: null }]);
    await eventually(
      () => view.has('k-live'),
      (has) => !has,
      'the tombstone applied',
    );
  });

  it('places records by partition key or explicit partition, and caughtUpTo waits for a given record', async () => {
    const view = viewOf(first!);
    const job = 'acme:job:4242';
    const receipts = await Promise.all(
      ['invoice:1', 'gross-pay-item:7', 'gross-pay-item:8'].map((r) =>
        writer.publisher.publish(Topics.Checkpoint, checkpoint(r), { key: `${job}:${r}`, partitionKey: job }),
      ),
    );
    // Their own keys would spread them; the partition key puts them with the job (kafkajs' rule on the job key).
    expect(new Set(receipts.map((r) => r.partition))).toEqual(new Set([partitionForKey(job, 3)]));
    const spread = new Set(
      ['invoice:1', 'gross-pay-item:7', 'gross-pay-item:8'].map((r) => partitionForKey(`${job}:${r}`, 3)),
    );
    expect(spread.size).toBeGreaterThan(1);
    const [raw] = await writer.publisher.publishRaw(Topics.Checkpoint, [
      { key: 'k-explicit', value: JSON.stringify(checkpoint('explicit')), partition: 2 },
    ]);
    expect(raw.partition).toBe(2);
    const last = receipts[receipts.length - 1];
    await view.caughtUpTo(last.partition, last.offset);
    expect(view.get(`${job}:gross-pay-item:8`)).toBe('gross-pay-item:8');
    await view.caughtUpTo(2, raw.offset);
    expect(view.get('k-explicit')).toBe('explicit');
    // An offset already passed resolves at once.
    await view.caughtUpTo(receipts[0].partition, receipts[0].offset);
  });

  it('reads its own write at once, and ignores an older record of that key that it reads later', async () => {
    const key = 'k-race';
    // Another writer's value of the key is on the topic, behind a backlog on the same partition. A new instance
    // writes its own (newer) value before its view has read that far: the older record arrives after our write.
    const partition = partitionForKey(key, 3);
    const fillers: string[] = [];
    for (let i = 0; fillers.length < 2000; i++) if (partitionForKey(`f-${i}`, 3) === partition) fillers.push(`f-${i}`);
    await Promise.all(fillers.map((f) => put(f, 'filler')));
    const older = await put(key, 'older');
    const racer = await reader(prefix, 'racer');
    try {
      const view = viewOf(racer);
      const changes: Array<ViewChange<string>> = [];
      view.onChange((c) => changes.push(c));
      const mine = await view.put(key, checkpoint('mine'));
      expect(view.get(key)).toBe('mine');
      expect(mine.partition).toBe(partition);
      expect(BigInt(mine.offset)).toBeGreaterThan(BigInt(older.offset));
      // The interleaving really happened: the backlog (and the older value behind it) had not been read yet.
      expect(view.isReady()).toBe(false);
      expect(changes.filter((c) => c.key.startsWith('f-'))).toHaveLength(0);
      await view.ready();
      await view.sync();
      expect(changes.filter((c) => c.key.startsWith('f-')).length).toBe(fillers.length);
      expect(view.get(key)).toBe('mine');
      expect(changes.filter((c) => c.key === key)).toEqual([
        { key, value: 'mine', previous: undefined, source: 'local' },
      ]);
    } finally {
      await racer.close();
    }
  });

  it('a restarted instance rebuilds the same state from the topic', async () => {
    const before = new Map(viewOf(first!).entries());
    await first!.close();
    first = null;
    const again = await reader(prefix, 'again');
    try {
      const view = viewOf(again);
      await view.ready();
      expect(new Map(view.entries())).toEqual(before);
      expect(view.get('k-race')).toBe('mine');
    } finally {
      await again.close();
    }
  });
});
