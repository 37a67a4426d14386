import { MetricsService, ReadinessRegistry } from '@connector/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, LogEntry, logLevel } from 'kafkajs';
import { provisionTopics } from '../admin/topic-provisioner';
import { MessageProducer } from '../producer/message-producer';
import { KAFKA_SETTINGS, KafkaSettings, TopicNamespace } from './kafka-settings';

const levelName: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** The one place a kafkajs client is created; its logs go through the app's JSON logger. */
export function createKafka(settings: Pick<KafkaSettings, 'brokers' | 'clientId'>): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        // Start-up notices, not problems: the partitioner change, and the idempotent producer's retry
        // warning (retries are bounded on purpose so a publish fails visibly instead of hanging forever).
        if (
          typeof message === 'string' &&
          (message.includes('switched default partitioner') ||
            message.includes('Limiting retries for the idempotent producer'))
        )
          return;
        // Leader elections right after topic creation are retried by kafkajs itself: not an error for the operator.
        const transientLeader = /not the leader|leader not available/i.test(
          `${typeof extra['error'] === 'string' ? extra['error'] : ''} ${typeof message === 'string' ? message : ''}`,
        );
        logger[transientLeader ? 'debug' : (levelName[level] ?? 'log')]({ msg: message, ...extra });
      },
  });
}

/**
 * The app's Kafka client (internal to libs/messaging; apps see MessagePublisher, the transport, state views, tenant
 * ownership and ConsumerGroupAdmin). At bootstrap it provisions the topics and connects the producer; at shutdown it
 * first lets the components that read Kafka stop (the transport's consumers finish and commit, views and ownership
 * leave their groups), then flushes the producer and closes the admin connection.
 */
@Injectable()
export class KafkaConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('messaging');
  readonly kafka: Kafka;
  readonly ns: TopicNamespace;
  readonly producer: MessageProducer;
  private adminClient: Promise<Admin> | null = null;
  private readonly closers: Array<() => Promise<void>> = [];
  private resolveStarted!: () => void;
  private readonly started = new Promise<void>((resolve) => (this.resolveStarted = resolve));

  constructor(
    @Inject(KAFKA_SETTINGS) readonly settings: KafkaSettings,
    metrics: MetricsService,
    readiness: ReadinessRegistry,
  ) {
    this.kafka = createKafka(settings);
    this.ns = new TopicNamespace(settings.topicPrefix);
    this.producer = new MessageProducer(this.kafka, this.ns, metrics, { batching: settings.producerBatching ?? true });
    readiness.register({ name: 'kafka-producer', check: () => this.producer.isConnected() });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.provisionTopics) {
      const created = await provisionTopics(await this.admin(), this.ns, {
        partitions: this.settings.partitions,
        replicationFactor: this.settings.replicationFactor,
      });
      if (created.length) this.logger.log({ msg: 'provisioned topics', count: created.length });
    }
    await this.producer.connect();
    this.resolveStarted();
  }

  /** Resolves once topics are provisioned and the producer is connected (consumers start after that). */
  whenStarted(): Promise<void> {
    return this.started;
  }

  /** One shared admin connection, opened on first use. */
  admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      this.adminClient = admin.connect().then(
        () => admin,
        (e: unknown) => {
          this.adminClient = null;
          throw e;
        },
      );
    }
    return this.adminClient;
  }

  /** Registers a stop step that runs at shutdown before the producer and the admin connection close. */
  beforeDisconnect(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const close of this.closers) {
      try {
        await close();
      } catch (e) {
        this.logger.warn({ msg: 'a Kafka component did not stop cleanly', err: e as Error });
      }
    }
    if (this.producer.isConnected()) await this.producer.disconnect();
    const admin = this.adminClient;
    this.adminClient = null;
    if (admin) await (await admin.catch(() => null))?.disconnect();
  }
}
