import { MetricNames, MetricsService, ReadinessRegistry } from '@connector/observability';
import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { ConsumerGroupAdmin } from '../admin/consumer-group.admin';
import { KafkaConnection } from '../kafka/kafka-connection';
import { DEFAULT_STUCK_AFTER_MS } from '../kafka/kafka-settings';
import { BusContext } from './bus-context';
import { ConsumerGroupSettings, consumerGroupToken } from './consumer-group.settings';
import { BusHandler, GroupConsumer, MembershipEvent } from './group-consumer';

/** Extras of a bus handler: `@EventPattern(Topics.StJob, { group: MAPPER_GROUP })`. */
export interface BusPatternExtras {
  /** Logical consumer group; handlers of one group in one app share one consumer. Static and stable. */
  group: string;
}

/** Membership events of one group member, for tenant ownership. */
export interface GroupMembership {
  onMembership(listener: (e: MembershipEvent) => void): () => void;
}

/**
 * The connector's Nest microservice transport over Kafka. Business consumers are `@EventPattern(topic, { group })`
 * methods on controllers (with `@Payload()` and `@Ctx() ctx: BusContext`); the transport runs one GroupConsumer per
 * group with the delivery rules (commit after success, retries with backoff, DLQ) and routes each message by topic.
 * Group settings come from DI (provideConsumerGroup). Connected by createApp():
 * `app.connectMicroservice({ strategy }, { inheritAppConfig: true })` + `startAllMicroservices()`.
 */
@Injectable()
export class KafkaBusTransport extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('bus');
  private readonly routes = new Map<string, Map<string, BusHandler>>();
  private readonly memberships = new Map<
    string,
    { topics: Set<string>; listeners: Set<(e: MembershipEvent) => void> }
  >();
  private consumers: GroupConsumer[] = [];
  private started = false;
  private stopping: Promise<void> | null = null;
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsService,
    private readonly admin: ConsumerGroupAdmin,
    readiness: ReadinessRegistry,
  ) {
    super();
    readiness.register({
      name: 'kafka-consumers',
      check: () => this.started && this.consumers.every((c) => c.isJoined()),
    });
    // A consumer that keeps retrying (or hangs on) one message makes no progress: not ready, and the metric says so.
    readiness.register({ name: 'kafka-consumers-progress', check: () => this.stuck().length === 0 });
    this.exportStuckMetrics();
    connection.beforeDisconnect(() => this.close());
  }

  /** Messages handled (retried) for longer than the stuck threshold (KAFKA_CONSUMER_STUCK_AFTER_MS), per group. */
  stuck(now = Date.now()): Array<{ group: string; topic: string; partition: number; offset: string; seconds: number }> {
    const after = this.connection.settings.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
    return this.consumers.flatMap((c) =>
      c.stuckLongerThan(after, now).map((m) => ({
        group: c.groupId,
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        seconds: (now - m.since) / 1000,
      })),
    );
  }

  /**
   * connector_consumer_stuck{group} (1 while a message has been in handling longer than the threshold) and
   * connector_consumer_stuck_seconds{group,topic} (how long the oldest message in handling has been, 0 when none),
   * computed at every scrape so a hanging handler shows up too.
   */
  private exportStuckMetrics(): void {
    const seenTopics = new Set<string>();
    this.metrics.gauge(
      MetricNames.ConsumerStuck,
      'Consumer groups of this process handling one message longer than KAFKA_CONSUMER_STUCK_AFTER_MS (1) or not (0)',
      ['group'],
      (gauge) => {
        const stuck = new Set(this.stuck().map((s) => s.group));
        for (const c of this.consumers) gauge.set({ group: c.groupId }, stuck.has(c.groupId) ? 1 : 0);
      },
    );
    this.metrics.gauge(
      MetricNames.ConsumerStuckSeconds,
      'Seconds the oldest message in handling (retries included) has been in handling, per group and topic',
      ['group', 'topic'],
      (gauge) => {
        const now = Date.now();
        const oldest = new Map<string, number>();
        for (const c of this.consumers)
          for (const m of c.inHandling()) {
            const key = `${c.groupId}\u0000${m.topic}`;
            oldest.set(key, Math.max(oldest.get(key) ?? 0, (now - m.since) / 1000));
          }
        for (const key of seenTopics) if (!oldest.has(key)) oldest.set(key, 0);
        for (const [key, seconds] of oldest) {
          seenTopics.add(key);
          const [group, topic] = key.split('\u0000');
          gauge.set({ group, topic }, seconds);
        }
      },
    );
  }

  /** Called by Nest for every @EventPattern (and by test harnesses with plain functions). */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const topic = this.normalizePattern(pattern as string);
    const group = extras['group'];
    if (!isEventHandler)
      throw new Error(
        `@MessagePattern("${topic}") is not supported on the Kafka bus: use @EventPattern(topic, { group })`,
      );
    if (typeof group !== 'string' || !group)
      throw new Error(`@EventPattern("${topic}") needs a consumer group: @EventPattern(topic, { group: '…' })`);
    if (this.started) throw new Error('handlers must be registered before the transport starts');
    const byTopic = this.routes.get(group) ?? new Map<string, BusHandler>();
    if (byTopic.has(topic)) throw new Error(`consumer group ${group} has two handlers for topic ${topic}`);
    byTopic.set(topic, (payload: unknown, ctx: BusContext) => callback(payload, ctx));
    this.routes.set(group, byTopic);
  }

  /**
   * Membership events of this process in `group` (tenant ownership). A group with handlers reports its consumer's
   * events; otherwise a member that reads nothing joins the group over `topic`.
   */
  membership(group: string, topic: string): GroupMembership {
    if (this.started) throw new Error('group memberships must be requested before the transport starts');
    const m = this.memberships.get(group) ?? { topics: new Set<string>(), listeners: new Set() };
    m.topics.add(topic);
    this.memberships.set(group, m);
    return {
      onMembership: (listener) => {
        m.listeners.add(listener);
        return () => m.listeners.delete(listener);
      },
    };
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (e) {
      callback(e);
    }
  }

  /** Stops taking messages, lets in-flight handlers finish and commit, leaves the groups (bounded by the timeout). */
  close(): Promise<void> {
    if (!this.stopping) this.stopping = this.stop();
    return this.stopping;
  }

  /** Resolves when every group of this process has joined. */
  async waitUntilJoined(timeoutMs = 30000): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.waitUntilJoined(timeoutMs)));
  }

  /** The logical groups this process consumes with handlers. */
  groups(): string[] {
    return [...this.routes.keys()];
  }

  on(): never {
    throw new Error('KafkaBusTransport has no event listeners; use readiness and metrics');
  }

  unwrap<T>(): T {
    throw new Error('KafkaBusTransport does not expose its Kafka client');
  }

  private settingsOf(group: string): ConsumerGroupSettings {
    try {
      return this.moduleRef.get<ConsumerGroupSettings>(consumerGroupToken(group), { strict: false });
    } catch {
      return {};
    }
  }

  private async start(): Promise<void> {
    await this.connection.whenStarted();
    const { kafka, ns, producer } = this.connection;
    for (const [group, handlers] of this.routes) {
      const settings = this.settingsOf(group);
      const topics = [...handlers.keys()];
      const consumer = new GroupConsumer(
        kafka,
        settings.groupId ?? group,
        topics,
        handlers,
        settings,
        ns,
        producer,
        this.metrics,
      );
      const membership = this.memberships.get(group);
      if (membership) {
        const missing = [...membership.topics].filter((t) => !handlers.has(t));
        if (missing.length)
          throw new Error(`tenant ownership of group ${group} needs its handlers to read ${missing.join(', ')}`);
        consumer.onMembership((e) => membership.listeners.forEach((l) => l(e)));
      }
      this.consumers.push(consumer);
    }
    for (const [group, membership] of this.memberships) {
      if (this.routes.has(group)) continue;
      const consumer = new GroupConsumer(
        kafka,
        group,
        [...membership.topics],
        new Map(),
        {},
        ns,
        producer,
        this.metrics,
      );
      consumer.onMembership((e) => membership.listeners.forEach((l) => l(e)));
      this.consumers.push(consumer);
    }
    for (const c of this.consumers) await c.start();
    this.started = true;
    this.log.log({ msg: 'bus started', groups: this.consumers.map((c) => c.groupId) });
    const every = this.connection.settings.lagIntervalMs ?? 15000;
    if (this.routes.size && every > 0) this.measureLagEvery(every);
  }

  private async stop(): Promise<void> {
    this.started = false;
    if (this.lagTimer) clearInterval(this.lagTimer);
    const deadline = this.connection.settings.shutdownTimeoutMs;
    const stopAll = Promise.all(this.consumers.map((c) => c.stop()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), deadline)));
    const outcome = await Promise.race([stopAll, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.log.warn({
        msg: 'consumers did not stop in time; uncommitted messages will be redelivered',
        timeoutMs: deadline,
      });
  }

  /** connector_consumer_lag{topic,group}: end offset minus committed offset, summed over partitions. */
  private measureLagEvery(everyMs: number): void {
    const gauge = this.metrics.gauge(
      MetricNames.ConsumerLag,
      'Messages not yet processed by a consumer group, per topic',
      ['topic', 'group'],
    );
    let running = false;
    const measure = async () => {
      if (running || !this.started) return;
      running = true;
      try {
        for (const [group, handlers] of this.routes) {
          const groupId = this.settingsOf(group).groupId ?? group;
          for (const topic of handlers.keys())
            gauge.set({ topic, group: groupId }, await this.admin.lag(groupId, topic));
        }
      } catch (e) {
        this.log.debug({ msg: 'consumer lag not measured this time', err: e as Error });
      } finally {
        running = false;
      }
    };
    setTimeout(() => void measure(), 1000).unref();
    this.lagTimer = setInterval(() => void measure(), everyMs);
    this.lagTimer.unref();
  }
}
