import {
  createEnvelope,
  Headers as H,
  recordKey,
  ServiceTitanVendorRevisionV1,
  ST_VENDOR_REVISION,
  Topics,
} from '@connector/contracts';
import { BusContext, KafkaBusTransport, PermanentMessageError, provideConsumerGroup } from '@connector/messaging';
import { MetricNames, ReadinessRegistry } from '@connector/observability';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Observable, of, throwError } from 'rxjs';
import { eventually, MessagingHarness, startMessagingHarness, uniquePrefix } from '../index';

jest.setTimeout(120000);

function vendorEnvelope(i: number, tenant = 'acme') {
  return createEnvelope({
    type: ST_VENDOR_REVISION,
    tenant,
    source: 'poll',
    payload: { vendorId: i, name: `Vendor ${i}`, active: true, modifiedOn: '2026-11-20T10:00:00Z' },
  });
}

/** What the @EventPattern handlers below saw, per vendor id: [attempt, isLastAttempt]. */
const calls = new Map<number, Array<[number, boolean]>>();

/** Real Nest handlers: a thrown error, an erroring Observable, a permanent error, an Observable that recovers. */
@Controller()
class FailingVendorsConsumer {
  @EventPattern(Topics.StVendor, { group: 'vendors-nest' })
  onVendor(@Payload() vendor: ServiceTitanVendorRevisionV1, @Ctx() ctx: BusContext<ServiceTitanVendorRevisionV1>) {
    const id = vendor.vendorId;
    calls.set(id, [...(calls.get(id) ?? []), [ctx.attempt, ctx.isLastAttempt]]);
    if (ctx.envelope.payload !== vendor) throw new Error('payload and envelope disagree');
    if (id === 1) throw new Error('thrown boom');
    if (id === 2) return throwError(() => new Error('observable boom'));
    if (id === 3) throw new PermanentMessageError('vendor unknown');
    if (id === 4) return ctx.attempt < 3 ? throwError(() => new Error('not yet')) : of('done');
    return new Observable<void>((s) => s.complete());
  }
}

describe('messaging on a real Kafka broker', () => {
  const open: MessagingHarness[] = [];
  afterEach(async () => {
    while (open.length) await open.pop()?.close();
  });
  async function harness(
    prefix: string,
    consumers: Parameters<typeof startMessagingHarness>[1] = [],
    id = 'h',
    extra: Parameters<typeof startMessagingHarness>[3] = {},
  ) {
    const h = await startMessagingHarness(prefix, consumers, id, extra);
    open.push(h);
    return h;
  }

  it('delivers every message once to a consumer group and commits offset + 1', async () => {
    const prefix = uniquePrefix('msg');
    const seen: string[] = [];
    const consumer = await harness(
      prefix,
      [{ group: 'vendors', topics: [Topics.StVendor], handler: async (m) => void seen.push(m.envelope.id) }],
      'consumer',
    );
    const producer = await harness(prefix, [], 'producer');
    const sent = Array.from({ length: 30 }, (_, i) => vendorEnvelope(i + 1));
    await Promise.all(
      sent.map((e, i) => producer.publisher.publish(Topics.StVendor, e, { key: recordKey('acme', 'vendor', i) })),
    );
    await eventually(
      () => seen.length,
      (n) => n >= 30,
      '30 messages consumed',
    );
    expect([...seen].sort()).toEqual(sent.map((e) => e.id).sort());
    const admin = consumer.admin;
    const committed = await eventually(
      () => admin.committedOffsets('vendors', Topics.StVendor),
      (ps) => ps.reduce((a, p) => a + Math.max(0, Number(p.offset)), 0) === 30,
      'committed offsets to sum to 30',
    );
    expect(committed).toHaveLength(3);
    const lag = await eventually(
      async () =>
        (await consumer.metrics.render()).match(
          /connector_consumer_lag\{topic="servicetitan\.vendor\.v1",group="vendors",app="consumer"\} (\d+)/,
        )?.[1],
      (v) => v === '0',
      'consumer lag gauge at 0 after catching up',
    );
    expect(lag).toBe('0');
    const metrics = await consumer.metrics.render();
    expect(metrics).toMatch(
      new RegExp(
        `connector_messages_consumed_total\\{topic="${Topics.StVendor.replace(/\./g, '\\.')}",group="vendors",app="consumer"\\} 30`,
      ),
    );
  });

  it('dead-letters an invalid message with the reason and the original bytes, and keeps consuming', async () => {
    const prefix = uniquePrefix('dlq');
    const good: string[] = [];
    const dead: BusContext[] = [];
    await harness(prefix, [
      { group: 'vendors', topics: [Topics.StVendor], handler: async (m) => void good.push(m.envelope.id) },
      {
        group: 'dlq-reader',
        topics: [`${Topics.StVendor}.dlq`],
        mode: 'raw',
        handler: async (m) => void dead.push(m),
      },
    ]);
    const producer = await harness(prefix, [], 'producer');
    const invalid = JSON.stringify({ ...vendorEnvelope(1), payload: { vendorId: 'not-a-number' } });
    await producer.publisher.publishRaw(Topics.StVendor, [
      { key: 'acme:vendor:1', value: invalid },
      { key: 'acme:vendor:2', value: '{oops' },
    ]);
    const valid = vendorEnvelope(3);
    await producer.publisher.publish(Topics.StVendor, valid, { key: 'acme:vendor:3' });
    await eventually(
      () => dead.length + good.length,
      (n) => n >= 3,
      'two dead letters and one good message',
    );
    expect(good).toEqual([valid.id]);
    const reasons = dead.map((d) => d.headers[H.DeadLetterReason]).sort();
    expect(reasons[0]).toContain('invalid message: invalid payload: payload.vendorId must be a positive integer id');
    expect(reasons[1]).toContain('invalid message: malformed JSON');
    const bytes = dead.map((d) => d.raw?.toString('utf8'));
    expect(bytes).toContain(invalid);
    expect(bytes).toContain('{oops');
    expect(dead[0].headers[H.DeadLetterSourceTopic]).toBe(Topics.StVendor);
    expect(dead[0].key).toMatch(/^acme:vendor:[12]$/);
  });

  it('a message that made decoding throw (deep nesting, a "constructor" key) is dead-lettered or handled, never a stall', async () => {
    const prefix = uniquePrefix('poison');
    const good: BusContext[] = [];
    const dead: BusContext[] = [];
    await harness(prefix, [
      { group: 'vendors', topics: [Topics.StVendor], handler: async (m) => void good.push(m) },
      { group: 'dlq-reader', topics: [`${Topics.StVendor}.dlq`], mode: 'raw', handler: async (m) => void dead.push(m) },
    ]);
    const producer = await harness(prefix, [], 'producer');
    const base = JSON.stringify(vendorEnvelope(1));
    const deep = base.replace('"active":true', `"active":true,"raw":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    const ctor = base.replace('"active":true', '"active":true,"raw":{"constructor":{"prototype":{}}}');
    const after = vendorEnvelope(2);
    await producer.publisher.publishRaw(Topics.StVendor, [
      { key: 'acme:vendor:1', value: deep },
      { key: 'acme:vendor:1', value: ctor },
    ]);
    await producer.publisher.publish(Topics.StVendor, after, { key: 'acme:vendor:1' });
    await eventually(
      () => dead.length + good.length,
      (n) => n >= 3,
      'the poison messages dead-lettered or handled, and the next one handled',
    );
    expect(dead.map((d) => d.headers[H.DeadLetterReason])).toEqual([
      'invalid message: JSON nested deeper than 64 levels',
    ]);
    expect(good.map((g) => (g.envelope.payload as ServiceTitanVendorRevisionV1).vendorId)).toEqual([1, 2]);
    expect(JSON.stringify(good[0].envelope.payload)).not.toContain('constructor');
  });

  it('a consumer retrying one message longer than the threshold is not ready and says so in a metric, until it moves on', async () => {
    const prefix = uniquePrefix('stuck');
    let healthy = false;
    const handled: number[] = [];
    const h = await harness(
      prefix,
      [
        {
          group: 'stuck-vendors',
          topics: [Topics.StVendor],
          retry: { attempts: 1000, initialBackoffMs: 100, maxBackoffMs: 200 },
          handler: async (m) => {
            if (!healthy) throw new Error('database unavailable');
            handled.push((m.envelope.payload as ServiceTitanVendorRevisionV1).vendorId);
          },
        },
      ],
      'stuck',
      { settings: { stuckAfterMs: 1500 } },
    );
    const readiness = h.app.get(ReadinessRegistry);
    expect((await readiness.evaluate()).ready).toBe(true);
    await h.publisher.publish(Topics.StVendor, vendorEnvelope(5), { key: 'acme:vendor:5' });
    const stuck = await eventually(
      () => readiness.evaluate(),
      (r) => !r.ready,
      'readiness to fail while one message is retried past the threshold',
    );
    expect(stuck.checks).toMatchObject({ 'kafka-consumers': true, 'kafka-consumers-progress': false });
    expect(h.app.get(KafkaBusTransport).stuck()).toEqual([
      expect.objectContaining({ group: 'stuck-vendors', topic: Topics.StVendor, offset: '0' }),
    ]);
    const metrics = await h.metrics.render();
    expect(metrics).toContain(`${MetricNames.ConsumerStuck}{group="stuck-vendors",app="stuck"} 1`);
    expect(metrics).toMatch(
      new RegExp(
        `${MetricNames.ConsumerStuckSeconds}\\{group="stuck-vendors",topic="${Topics.StVendor}",app="stuck"\\} [1-9]`,
      ),
    );
    healthy = true;
    await eventually(
      () => readiness.evaluate(),
      (r) => r.ready,
      'ready again once the message went through',
    );
    expect(handled).toEqual([5]);
    expect(await h.metrics.render()).toContain(`${MetricNames.ConsumerStuck}{group="stuck-vendors",app="stuck"} 0`);
  });

  it('a message of a dead-letter topic that its reader cannot handle is left there and skipped (no .dlq.dlq, no stall)', async () => {
    const prefix = uniquePrefix('dlqdlq');
    const seen: string[] = [];
    const h = await harness(prefix, [
      {
        group: 'dlq-reader',
        topics: [`${Topics.StVendor}.dlq`],
        mode: 'raw',
        retry: { attempts: 2, initialBackoffMs: 50, maxBackoffMs: 50 },
        handler: async (m) => {
          if (m.key === 'acme:vendor:bad') throw new Error('cannot store this one');
          seen.push(m.key ?? '');
        },
      },
    ]);
    await h.publisher.publishRaw(`${Topics.StVendor}.dlq`, [
      { key: 'acme:vendor:bad', value: 'x' },
      { key: 'acme:vendor:next', value: 'y' },
    ]);
    await eventually(
      () => seen,
      (s) => s.includes('acme:vendor:next'),
      'the next dead letter handled',
    );
    expect(await h.metrics.render()).toMatch(
      new RegExp(
        `connector_messages_dead_lettered_total\\{topic="${Topics.StVendor}.dlq",group="dlq-reader",app="h"\\} 1`,
      ),
    );
    // nothing was published anywhere (no `.dlq.dlq` topic)
    expect(await h.metrics.render()).not.toContain('.dlq.dlq');
  });

  it('retries a transient failure with backoff, dead-letters a permanent one, and a handler that keeps failing', async () => {
    const prefix = uniquePrefix('retry');
    const attempts = new Map<number, number>();
    const done: number[] = [];
    const dead: BusContext[] = [];
    await harness(prefix, [
      {
        group: 'vendors',
        topics: [Topics.StVendor],
        retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 50 },
        handler: async (m: BusContext) => {
          const id = (m.envelope.payload as { vendorId: number }).vendorId;
          const n = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, n);
          if (id === 1 && n < 3) throw new Error('X3 pool busy');
          if (id === 2) throw new PermanentMessageError('supplier unknown');
          if (id === 3) throw new Error('always down');
          done.push(id);
        },
      },
      {
        group: 'dlq-reader',
        topics: [`${Topics.StVendor}.dlq`],
        mode: 'raw',
        handler: async (m) => void dead.push(m),
      },
    ]);
    const producer = await harness(prefix, [], 'producer');
    for (const i of [1, 2, 3])
      await producer.publisher.publish(Topics.StVendor, vendorEnvelope(i), { key: `acme:vendor:${i}` });
    await eventually(
      () => dead.length,
      (n) => n >= 2,
      'two dead letters',
    );
    await eventually(
      () => done,
      (d) => d.includes(1),
      'message 1 handled after retries',
    );
    expect(attempts.get(1)).toBe(3);
    expect(attempts.get(2)).toBe(1);
    expect(attempts.get(3)).toBe(3);
    const byReason = dead.map((d) => d.headers[H.DeadLetterReason]).sort();
    expect(byReason).toEqual(['failed after 3 attempts: always down', 'permanent: supplier unknown']);
  });

  it('@EventPattern handlers: a thrown error and a failing Observable go through the retries to the DLQ', async () => {
    const prefix = uniquePrefix('nest');
    const dead: BusContext[] = [];
    const h = await startMessagingHarness(
      prefix,
      [{ group: 'dlq-reader', topics: [`${Topics.StVendor}.dlq`], mode: 'raw', handler: (m) => void dead.push(m) }],
      'nest',
      {
        controllers: [FailingVendorsConsumer],
        providers: [
          provideConsumerGroup('vendors-nest', () => ({
            retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 50 },
          })),
        ],
      },
    );
    open.push(h);
    for (const i of [1, 2, 3, 4, 5])
      await h.publisher.publish(Topics.StVendor, vendorEnvelope(i), { key: recordKey('acme', 'vendor', i) });
    await eventually(
      () => dead.length,
      (n) => n >= 3,
      'three dead letters',
    );
    await eventually(
      () => calls.get(5)?.length ?? 0,
      (n) => n === 1,
      'vendor 5 handled',
    );
    const reasons = dead.map((d) => d.headers[H.DeadLetterReason]).sort();
    expect(reasons).toEqual([
      'failed after 3 attempts: observable boom',
      'failed after 3 attempts: thrown boom',
      'permanent: vendor unknown',
    ]);
    expect(dead.every((d) => d.headers[H.DeadLetterConsumerGroup] === 'vendors-nest')).toBe(true);
    expect(calls.get(1)).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(calls.get(2)).toHaveLength(3);
    expect(calls.get(3)).toEqual([[1, false]]);
    const committed = await eventually(
      () => h.admin.committedOffsets('vendors-nest', Topics.StVendor),
      (ps) => ps.reduce((a, p) => a + Math.max(0, Number(p.offset)), 0) === 5,
      'all five committed',
    );
    expect(committed).toHaveLength(3);
    // The recovering Observable succeeded on its third attempt (committed above): no dead letter for it.
    expect(calls.get(4)).toHaveLength(3);
    expect(dead.map((d) => JSON.parse(d.raw?.toString('utf8') ?? '{}').payload.vendorId).sort()).toEqual([1, 2, 3]);
  });

  it('afterJoin runs after every join, before the first message of the new assignment; its failure fails the attempt', async () => {
    const prefix = uniquePrefix('join');
    const events: string[] = [];
    let hooks = 0;
    const a = await harness(
      prefix,
      [
        {
          group: 'vendors',
          topics: [Topics.StVendor],
          retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 20 },
          afterJoin: async () => {
            hooks++;
            events.push(`join${hooks}`);
            if (hooks === 1) throw new Error('state not loaded yet');
          },
          handler: (m) => void events.push(`msg:${(m.envelope.payload as { vendorId: number }).vendorId}@${m.attempt}`),
        },
      ],
      'a',
    );
    await a.publisher.publish(Topics.StVendor, vendorEnvelope(1), { key: recordKey('acme', 'vendor', 1) });
    await eventually(
      () => events,
      (e) => e.includes('msg:1@2'),
      'message 1 handled on its second attempt',
    );
    // The first hook failed (attempt 1 of message 1), the second succeeded; later messages need no hook.
    await a.publisher.publish(Topics.StVendor, vendorEnvelope(2), { key: recordKey('acme', 'vendor', 2) });
    await eventually(
      () => events,
      (e) => e.includes('msg:2@1'),
      'message 2',
    );
    expect(events).toEqual(['join1', 'join2', 'msg:1@2', 'msg:2@1']);
    // Another member joins: the group rebalances and a's hook runs again before a handles anything more.
    await harness(prefix, [{ group: 'vendors', topics: [Topics.StVendor], handler: () => undefined }], 'b');
    for (let i = 3; i < 12; i++)
      await a.publisher.publish(Topics.StVendor, vendorEnvelope(i), { key: recordKey('acme', 'vendor', i) });
    await eventually(
      () => events.filter((e) => e.startsWith('msg:')).length,
      (n) => n > 2,
      'a handles messages of its new assignment',
    );
    const afterRebalance = events.slice(4);
    expect(afterRebalance[0]).toBe('join3');
    expect(afterRebalance.filter((e) => e.startsWith('join'))).toEqual(['join3']);
  });

  it('a consumer stopped mid-stream and restarted loses nothing and reprocesses at most the uncommitted messages', async () => {
    const prefix = uniquePrefix('restart');
    const producer = await harness(prefix, [], 'producer');
    const sent = Array.from({ length: 40 }, (_, i) => vendorEnvelope(i + 1));
    const processed: string[] = [];
    const slow = async (m: BusContext) => {
      await new Promise((r) => setTimeout(r, 15));
      processed.push(m.envelope.id);
    };
    const first = await startMessagingHarness(
      prefix,
      [{ group: 'vendors', topics: [Topics.StVendor], handler: slow }],
      'c1',
    );
    await Promise.all(sent.map((e, i) => producer.publisher.publish(Topics.StVendor, e, { key: `acme:vendor:${i}` })));
    await eventually(
      () => processed.length,
      (n) => n >= 10,
      'some messages processed',
    );
    await first.close(); // graceful: the in-flight handler finishes and commits
    const afterFirst = processed.length;
    expect(afterFirst).toBeLessThan(40);
    await harness(prefix, [{ group: 'vendors', topics: [Topics.StVendor], handler: slow }], 'c2');
    await eventually(
      () => new Set(processed).size,
      (n) => n === 40,
      'all 40 distinct messages processed',
    );
    const duplicates = processed.length - new Set(processed).size;
    // Graceful stop commits after each handled message, so nothing is reprocessed.
    expect(duplicates).toBe(0);
    // A restart resumes from the committed offset: new messages only.
    const more = vendorEnvelope(100);
    await producer.publisher.publish(Topics.StVendor, more, { key: 'acme:vendor:100' });
    await eventually(() => processed.includes(more.id), Boolean, 'new message after restart');
    expect(processed.filter((id) => id === more.id)).toHaveLength(1);
  });

  it('resets a stopped group to a timestamp for topic replay, and refuses while the group is active', async () => {
    const prefix = uniquePrefix('reset');
    const producer = await harness(prefix, [], 'producer');
    const seen: string[] = [];
    const reg = {
      group: 'vendors',
      topics: [Topics.StVendor],
      handler: async (m: BusContext) => void seen.push(m.envelope.id),
    };
    const c = await startMessagingHarness(prefix, [reg], 'c1');
    for (let i = 0; i < 6; i++)
      await producer.publisher.publish(Topics.StVendor, vendorEnvelope(i + 1), { key: `acme:vendor:${i}` });
    await eventually(
      () => seen.length,
      (n) => n === 6,
      'first 6',
    );
    const admin = producer.admin;
    await expect(admin.resetToTimestamp('vendors', [Topics.StVendor], new Date(0), { dryRun: false })).rejects.toThrow(
      'is active',
    );
    await c.close();
    const dry = await admin.resetToTimestamp('vendors', [Topics.StVendor], new Date(0), { dryRun: true });
    expect(dry.applied).toBe(false);
    expect(dry.topics[0].partitions.reduce((a, p) => a + Number(p.from), 0)).toBe(6);
    const applied = await admin.resetToTimestamp('vendors', [Topics.StVendor], new Date(0), { dryRun: false });
    expect(applied.applied).toBe(true);
    await harness(prefix, [reg], 'c2');
    await eventually(
      () => seen.length,
      (n) => n === 12,
      'all 6 re-read after reset',
    );
  });
});
