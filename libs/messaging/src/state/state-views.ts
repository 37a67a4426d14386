import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { decodeMessage, MessageEnvelope } from '@connector/contracts';
import { MetricNames, MetricsService, ReadinessRegistry } from '@connector/observability';
import { sleep } from '@connector/util';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { ConsumerGroupAdmin, PartitionOffsets } from '../admin/consumer-group.admin';
import { restartAfterUnrecoverableCrash } from '../kafka/consumer-restart';
import { KafkaConnection } from '../kafka/kafka-connection';
import { MessagePublisher } from '../producer/message-publisher';
import { CompactedTopicView, ViewSource } from './compacted-topic.view';

export interface StateViewOptions {
  /** Logical compacted topic. */
  topic: string;
  /** Names the view in readiness checks (`view:<name>`), logs and metrics. */
  name: string;
  /** Which records belong to this view (e.g. one owner's checkpoints, this deployment's tenants). Default: all. */
  filter?: (envelope: MessageEnvelope<unknown>, key: string) => boolean;
}

interface Barrier {
  targets: Map<string, PartitionOffsets[]>;
  resolve: () => void;
}

/** Someone waiting until a partition has been read past an offset (caughtUpTo). */
interface OffsetWaiter {
  tp: string;
  next: bigint;
  resolve: () => void;
}

/** Consumer-group ids allow letters, digits, '.', '_' and '-'; host names may carry more. */
function instanceName(): string {
  const host =
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .slice(0, 40) || 'host';
  return `${host}-${randomBytes(4).toString('hex')}`;
}

/**
 * Opens compacted-topic views (the connector's derived state: checkpoints, ledgers, master data) and feeds them.
 *
 * Every view of the process shares ONE consumer, in a consumer group unique to this process (`<app>.state.<host>-<id>`)
 * that reads from offset 0: every instance needs all of the state, and the state is in memory, so each start reads
 * the topics from the beginning (a shared group would split the partitions; a stable one would resume from old
 * offsets). It commits nothing, and the group is deleted on graceful shutdown (one left by a crash expires).
 * Records are read with eachBatch. A view is ready once its topic has been read up to the end offsets it had when
 * the app started; the views keep consuming afterwards, so other writers' records arrive too.
 *
 * Open views while the app is constructed (constructors, provider factories): the consumer starts at bootstrap.
 */
@Injectable()
export class StateViews implements OnApplicationBootstrap, ViewSource {
  private readonly logger = new Logger('state-views');
  private readonly views = new Map<string, CompactedTopicView<unknown>[]>();
  private readonly names = new Set<string>();
  private readonly groupId: string;
  private consumer: Consumer | null = null;
  /** Next offset to read, per topic|partition. */
  private readonly positions = new Map<string, bigint>();
  private startTargets: Map<string, PartitionOffsets[]> | null = null;
  private readonly readyTopics = new Set<string>();
  private readonly readyWaiters = new Map<string, Array<() => void>>();
  private barriers: Barrier[] = [];
  private offsetWaiters: OffsetWaiter[] = [];
  private readonly stopController = new AbortController();
  private running: Promise<void> | null = null;
  private readonly invalidRecords;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly publisher: MessagePublisher,
    private readonly admin: ConsumerGroupAdmin,
    private readonly readiness: ReadinessRegistry,
    metrics: MetricsService,
  ) {
    this.groupId = `${connection.settings.clientId}.state.${instanceName()}`;
    this.invalidRecords = metrics.counter(
      MetricNames.StateViewInvalid,
      'Records of a state topic that failed validation (ignored; the key keeps its previous value)',
      ['view'],
    );
    connection.beforeDisconnect(() => this.stop());
  }

  /** A view of `topic` whose values are what `decode` makes of each envelope (e.g. the payload, a projection). */
  open<T>(
    options: StateViewOptions & { decode: (envelope: MessageEnvelope<unknown>, key: string) => T },
  ): CompactedTopicView<T>;
  /** A view of `topic` whose values are the validated envelopes. */
  open<P = unknown>(options: StateViewOptions): CompactedTopicView<MessageEnvelope<P>>;
  open<T>(
    options: StateViewOptions & { decode?: (envelope: MessageEnvelope<unknown>, key: string) => T },
  ): CompactedTopicView<T> {
    if (this.running) throw new Error(`state view ${options.name}: open views before the application bootstraps`);
    if (this.names.has(options.name)) throw new Error(`state view ${options.name} is opened twice`);
    this.names.add(options.name);
    const view = new CompactedTopicView<T>(
      options.name,
      options.topic,
      this,
      this.publisher,
      options.filter ?? (() => true),
      options.decode ?? ((envelope) => envelope as T),
    );
    const list = this.views.get(options.topic) ?? [];
    list.push(view as CompactedTopicView<unknown>);
    this.views.set(options.topic, list);
    this.readiness.register({ name: `view:${options.name}`, check: () => view.isReady() });
    return view;
  }

  onApplicationBootstrap(): void {
    // Not awaited: the app comes up (health, HTTP) while the views catch up; readiness and users wait for ready().
    if (this.views.size) this.running = this.run();
  }

  ready(topic: string, signal?: AbortSignal): Promise<void> {
    if (this.readyTopics.has(topic)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const list = this.readyWaiters.get(topic) ?? [];
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.readyWaiters.set(
          topic,
          (this.readyWaiters.get(topic) ?? []).filter((w) => w !== waiter),
        );
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      list.push(waiter);
      this.readyWaiters.set(topic, list);
    });
  }

  isReady(topic: string): boolean {
    return this.readyTopics.has(topic);
  }

  async sync(topic: string): Promise<void> {
    await this.ready(topic);
    const targets = new Map([[topic, await this.admin.topicOffsets(topic)]]);
    if (this.reached(targets)) return;
    await new Promise<void>((resolve) => this.barriers.push({ targets, resolve }));
  }

  /**
   * Resolves once `topic`'s `partition` has been read past `offset` (the record at `offset` and everything before it
   * on that partition are applied), with no broker round trip: a work consumer reading the same topic calls it with
   * its message's position before it reads the state.
   */
  caughtUpTo(topic: string, partition: number, offset: string, signal?: AbortSignal): Promise<void> {
    const tp = `${topic}|${partition}`;
    const next = BigInt(offset) + 1n;
    if ((this.positions.get(tp) ?? -1n) >= next) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: OffsetWaiter = {
        tp,
        next,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.offsetWaiters = this.offsetWaiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.offsetWaiters.push(waiter);
    });
  }

  invalid(view: string, detail: { key: string; partition: number; offset: string; reason: string }): void {
    this.invalidRecords.inc({ view });
    this.logger.error({ msg: 'invalid state record ignored; the key keeps its previous value', view, ...detail });
  }

  private async run(): Promise<void> {
    const topics = [...this.views.keys()];
    const started = Date.now();
    // Topics may not be provisioned yet, or the broker is briefly away: keep trying, readiness stays red.
    for (let attempt = 1; !this.stopController.signal.aborted; attempt++) {
      try {
        await this.connection.whenStarted();
        const targets = new Map<string, PartitionOffsets[]>();
        for (const topic of topics) targets.set(topic, await this.admin.topicOffsets(topic));
        this.startTargets = targets;
        await this.startConsumer(topics);
        break;
      } catch (e) {
        this.logger.warn({ msg: 'state views cannot start reading yet; retrying', attempt, err: e as Error });
        await this.consumer?.disconnect().catch(() => undefined);
        this.consumer = null;
        await sleep(Math.min(5000, 200 * attempt), this.stopController.signal).catch(() => undefined);
      }
    }
    this.progress();
    this.logger.log({ msg: 'state views reading', group: this.groupId, topics, startMs: Date.now() - started });
  }

  private async startConsumer(topics: string[]): Promise<void> {
    const { kafka, ns } = this.connection;
    const consumer = kafka.consumer({
      groupId: ns.group(this.groupId),
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      // Catch-up reads big batches; live updates still arrive as soon as they are written.
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
    });
    this.consumer = consumer;
    const start = async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: topics.map((t) => ns.topic(t)), fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    };
    restartAfterUnrecoverableCrash(consumer, start, {
      signal: this.stopController.signal,
      logger: this.logger,
      what: `state views consumer ${this.groupId}`,
    });
    await start();
  }

  private async onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const topic = this.connection.ns.logical(batch.topic);
    const views = this.views.get(topic) ?? [];
    for (const message of batch.messages) this.dispatch(views, topic, batch.partition, message);
    const tp = `${topic}|${batch.partition}`;
    const next = BigInt(batch.lastOffset()) + 1n;
    if ((this.positions.get(tp) ?? -1n) < next) this.positions.set(tp, next);
    this.progress();
    await heartbeat();
  }

  private dispatch(views: CompactedTopicView<unknown>[], topic: string, partition: number, m: KafkaMessage): void {
    const key = m.key?.toString('utf8');
    if (!key) return; // state topics are keyed; an unkeyed record names nothing
    const offset = BigInt(m.offset);
    if (m.value === null) {
      for (const v of views) v.applyRecord(key, null, offset);
      return;
    }
    const decoded = decodeMessage(topic, m.value);
    if (!decoded.ok) {
      for (const v of views) this.invalid(v.name, { key, partition, offset: m.offset, reason: decoded.reason });
      return;
    }
    for (const v of views) v.applyRecord(key, decoded.envelope, offset);
  }

  private reached(targets: Map<string, PartitionOffsets[]>): boolean {
    for (const [topic, partitions] of targets)
      for (const p of partitions)
        if (p.high > p.low && (this.positions.get(`${topic}|${p.partition}`) ?? -1n) < p.high) return false;
    return true;
  }

  /** After each batch: views that caught up become ready, sync() barriers that are reached resolve. */
  private progress(): void {
    if (this.startTargets)
      for (const [topic, partitions] of this.startTargets) {
        if (this.readyTopics.has(topic) || !this.reached(new Map([[topic, partitions]]))) continue;
        this.readyTopics.add(topic);
        const sizes = (this.views.get(topic) ?? []).map((v) => `${v.name}=${v.size}`);
        this.logger.log({ msg: 'state view caught up', topic, entries: sizes.join(' ') });
        for (const resolve of this.readyWaiters.get(topic) ?? []) resolve();
        this.readyWaiters.delete(topic);
      }
    if (this.barriers.length) {
      const reached = this.barriers.filter((b) => this.reached(b.targets));
      this.barriers = this.barriers.filter((b) => !reached.includes(b));
      for (const b of reached) b.resolve();
    }
    if (this.offsetWaiters.length) {
      const reached = this.offsetWaiters.filter((w) => (this.positions.get(w.tp) ?? -1n) >= w.next);
      this.offsetWaiters = this.offsetWaiters.filter((w) => !reached.includes(w));
      for (const w of reached) w.resolve();
    }
  }

  private async stop(): Promise<void> {
    this.stopController.abort();
    await this.running?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = null;
    if (!consumer) return;
    await consumer.disconnect();
    try {
      await this.admin.deleteGroup(this.groupId);
    } catch (e) {
      this.logger.warn({
        msg: 'could not delete the per-instance state consumer group (it will expire)',
        group: this.groupId,
        err: (e as Error).message,
      });
    }
  }
}
