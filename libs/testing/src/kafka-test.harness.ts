import { randomBytes } from 'node:crypto';
import {
  BusContext,
  ConsumerGroupAdmin,
  ConsumerGroupSettings,
  createApp,
  KafkaBusTransport,
  KafkaSettings,
  MessagePublisher,
  MessagingModule,
  provideConsumerGroup,
} from '@connector/messaging';
import { MetricsService, ObservabilityModule } from '@connector/observability';
import { INestApplication, Injectable, Module, OnModuleInit, Provider, Type } from '@nestjs/common';

export const TEST_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

/** Environment every app under test gets: the test broker and an isolated topic namespace. */
export function testAppEnv(prefix: string): Record<string, string> {
  return { KAFKA_BROKERS: TEST_BROKERS.join(','), KAFKA_TOPIC_PREFIX: prefix };
}

/** A fresh topic/group namespace per test file, so suites sharing the broker never see each other's messages. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

export function testKafkaSettings(prefix: string, clientId = 'test'): KafkaSettings {
  return {
    brokers: TEST_BROKERS,
    clientId,
    topicPrefix: prefix,
    partitions: 3,
    replicationFactor: 1,
    provisionTopics: true,
    shutdownTimeoutMs: 15000,
    lagIntervalMs: 500,
  };
}

/** A test consumer: a plain function served by the real transport, in its own (or a shared) consumer group. */
export interface TestConsumer extends ConsumerGroupSettings {
  group: string;
  topics: string[];
  handler: (ctx: BusContext) => Promise<void> | void;
}

export interface MessagingHarness {
  app: INestApplication;
  publisher: MessagePublisher;
  admin: ConsumerGroupAdmin;
  metrics: MetricsService;
  close(): Promise<void>;
}

/**
 * A minimal app on the real broker, bootstrapped like every connector app (createApp: the bus transport as a Nest
 * microservice): the messaging module, the given test consumers, and optional controllers (@EventPattern handlers)
 * and providers (e.g. state views). Resolves once every consumer group has joined.
 */
export async function startMessagingHarness(
  prefix: string,
  consumers: TestConsumer[] = [],
  clientId = 'harness',
  extra: { controllers?: Type<unknown>[]; providers?: Provider[]; settings?: Partial<KafkaSettings> } = {},
): Promise<MessagingHarness> {
  @Injectable()
  class Registrar implements OnModuleInit {
    constructor(private readonly transport: KafkaBusTransport) {}
    onModuleInit(): void {
      for (const c of consumers)
        for (const topic of c.topics)
          this.transport.addHandler(topic, async (_payload: unknown, ctx: BusContext) => c.handler(ctx), true, {
            group: c.group,
          });
    }
  }
  @Module({
    imports: [
      ObservabilityModule.forRoot({ app: clientId, defaultMetrics: false }),
      MessagingModule.forRoot({ useFactory: () => ({ ...testKafkaSettings(prefix, clientId), ...extra.settings }) }),
    ],
    controllers: extra.controllers ?? [],
    providers: [
      Registrar,
      ...consumers.map(({ group, topics: _t, handler: _h, ...settings }) =>
        provideConsumerGroup(group, () => settings),
      ),
      ...(extra.providers ?? []),
    ],
  })
  class HarnessModule {}
  const app = await createApp(HarnessModule, { app: clientId, logLevel: process.env['TEST_LOG_LEVEL'] ?? 'error' });
  return {
    app,
    publisher: app.get(MessagePublisher),
    admin: app.get(ConsumerGroupAdmin),
    metrics: app.get(MetricsService),
    close: () => app.close(),
  };
}

/** Polls until `predicate` holds or fails the test with `what` after timeoutMs. */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  predicate: (v: T) => boolean,
  what: string,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!predicate(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}
