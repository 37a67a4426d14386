import { MetricNames, MetricsService, ReadinessRegistry } from '@connector/observability';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { provisionTopics } from './admin/topic-provisioner';
import { ConsumerRegistration } from './consumer/consumer-registration';
import { MessageConsumer } from './consumer/message-consumer';
import { createKafka } from './kafka/kafka-connection';
import { KAFKA_SETTINGS, KafkaSettings, TopicNamespace } from './kafka/kafka-settings';
import { MessageProducer } from './producer/message-producer';

/**
 * Owns the app's Kafka lifecycle: provisions topics, connects the producer, starts the consumers that
 * services registered during onModuleInit, reports readiness, and shuts down in order (consumers finish
 * and commit, then the producer flushes and disconnects).
 */
@Injectable()
export class MessagingService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('messaging');
  readonly kafka: Kafka;
  readonly ns: TopicNamespace;
  readonly producer: MessageProducer;
  private readonly registrations: ConsumerRegistration[] = [];
  private readonly consumers: MessageConsumer[] = [];
  private started = false;
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(KAFKA_SETTINGS) readonly settings: KafkaSettings,
    private readonly metrics: MetricsService,
    readiness: ReadinessRegistry,
  ) {
    this.kafka = createKafka(settings);
    this.ns = new TopicNamespace(settings.topicPrefix);
    this.producer = new MessageProducer(this.kafka, this.ns, metrics, { batching: settings.producerBatching ?? true });
    readiness.register({ name: 'kafka-producer', check: () => this.producer.isConnected() });
    readiness.register({
      name: 'kafka-consumers',
      check: () => this.started && this.consumers.every((c) => c.isJoined()),
    });
  }

  /** Register during onModuleInit; consumers start once the app bootstraps. */
  registerConsumer<P>(registration: ConsumerRegistration<P>): void {
    if (this.started)
      throw new Error('registerConsumer must be called before the application bootstraps (onModuleInit)');
    this.registrations.push(registration as ConsumerRegistration);
  }

  consumerGroups(): string[] {
    return this.registrations.map((r) => r.groupId);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.provisionTopics) {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const created = await provisionTopics(admin, this.ns, {
          partitions: this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
        });
        if (created.length) this.logger.log({ msg: 'provisioned topics', count: created.length });
      } finally {
        await admin.disconnect();
      }
    }
    await this.producer.connect();
    for (const r of this.registrations) {
      const c = new MessageConsumer(this.kafka, r, this.ns, this.producer, this.metrics);
      this.consumers.push(c);
      await c.start();
    }
    this.started = true;
    this.logger.log({ msg: 'messaging started', consumers: this.registrations.map((r) => r.groupId) });
    if (this.registrations.length && (this.settings.lagIntervalMs ?? 15000) > 0) this.scheduleLag();
  }

  /** connector_consumer_lag{topic,group}: end offset minus committed offset, summed over partitions. */
  private scheduleLag(): void {
    const gauge = this.metrics.gauge(
      MetricNames.ConsumerLag,
      'Messages not yet processed by a consumer group, per topic',
      ['topic', 'group'],
    );
    const tick = async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        for (const r of this.registrations) {
          for (const topic of r.topics) {
            const physical = this.ns.topic(topic);
            const ends = await admin.fetchTopicOffsets(physical);
            const committed = await admin.fetchOffsets({ groupId: this.ns.group(r.groupId), topics: [physical] });
            const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
            let lag = 0n;
            for (const p of ends) {
              const c = done.get(p.partition) ?? -1n;
              lag += BigInt(p.high) - (c < 0n ? BigInt(p.low) : c);
            }
            gauge.set({ topic, group: r.groupId }, Number(lag));
          }
        }
      } catch (e) {
        this.logger.debug({ msg: 'consumer lag not measured this time', err: e as Error });
      } finally {
        await admin.disconnect().catch(() => undefined);
        if (this.started) this.lagTimer = setTimeout(() => void tick(), this.settings.lagIntervalMs ?? 15000);
      }
    };
    this.lagTimer = setTimeout(() => void tick(), 1000);
  }

  /** Resolves when every consumer has joined its group (used by tests and readiness waits). */
  async waitUntilReady(timeoutMs = 30000): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.waitUntilJoined(timeoutMs)));
  }

  async onModuleDestroy(): Promise<void> {
    this.started = false;
    if (this.lagTimer) clearTimeout(this.lagTimer);
    const deadline = this.settings.shutdownTimeoutMs;
    const stopAll = Promise.all(this.consumers.map((c) => c.stop()));
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadline).unref());
    if ((await Promise.race([stopAll, timeout])) === 'timeout')
      this.logger.warn({
        msg: 'consumers did not stop in time; uncommitted messages will be redelivered',
        timeoutMs: deadline,
      });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.producer.isConnected()) await this.producer.disconnect();
  }
}
