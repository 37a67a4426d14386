import { randomBytes } from 'node:crypto';
import { ConsumerRegistration, KafkaSettings, MessagingModule, MessagingService } from '@connector/messaging';
import { MetricsService, ObservabilityModule } from '@connector/observability';
import { INestApplicationContext, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

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

export interface MessagingHarness {
  app: INestApplicationContext;
  messaging: MessagingService;
  metrics: MetricsService;
  close(): Promise<void>;
}

/** A minimal Nest context with the real messaging module and the given consumers, on the real broker. */
export async function startMessagingHarness(
  prefix: string,
  consumers: ConsumerRegistration[] = [],
  clientId = 'harness',
): Promise<MessagingHarness> {
  @Injectable()
  class Registrar implements OnModuleInit {
    constructor(private readonly messaging: MessagingService) {}
    onModuleInit(): void {
      for (const c of consumers) this.messaging.registerConsumer(c);
    }
  }
  @Module({
    imports: [
      ObservabilityModule.forRoot({ app: clientId, defaultMetrics: false }),
      MessagingModule.forRoot({ useFactory: () => testKafkaSettings(prefix, clientId) }),
    ],
    providers: [Registrar],
  })
  class HarnessModule {}
  const app = await NestFactory.createApplicationContext(HarnessModule, { logger: ['error', 'fatal'] });
  await app.init();
  const messaging = app.get(MessagingService);
  await messaging.waitUntilReady(45000);
  return { app, messaging, metrics: app.get(MetricsService), close: () => app.close() };
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
