import { topicCatalogue } from '@connector/contracts';
import { ConsumedMessage, MessagingService } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AuditServiceEnv } from '../audit-service.env';
import { AuditStore } from './audit-store.service';
import { deriveMessage } from './status-derivation';

/**
 * Reads every topic of the catalogue (dead-letter twins included) in raw mode with one consumer group and
 * writes each message to the audit trail. Raw mode: invalid bytes are recorded too, never rejected.
 */
@Injectable()
export class AuditIngestService implements OnModuleInit {
  private readonly stored: Counter<'topic' | 'outcome'>;

  constructor(
    private readonly messaging: MessagingService,
    private readonly store: AuditStore,
    private readonly env: AuditServiceEnv,
    metrics: MetricsService,
  ) {
    this.stored = metrics.counter(
      MetricNames.AuditRecords,
      'Messages written to the audit trail (outcome=stored|duplicate)',
      ['topic', 'outcome'],
    );
  }

  onModuleInit(): void {
    this.messaging.registerConsumer({
      groupId: this.env.AUDIT_CONSUMER_GROUP,
      topics: topicCatalogue().map((t) => t.name),
      mode: 'raw',
      fromBeginning: true,
      // The audit trail must not lose or dead-letter anything because its database is down: a failing write
      // is retried (backing off up to 30 s) until it succeeds; the lag metric and readiness show the stall.
      retry: { attempts: Number.MAX_SAFE_INTEGER, initialBackoffMs: 200, maxBackoffMs: 30000 },
      partitionsConsumedConcurrently: this.env.AUDIT_CONSUMER_CONCURRENCY,
      handler: (m) => this.handle(m),
    });
  }

  async handle(m: ConsumedMessage): Promise<void> {
    const derivation = deriveMessage({ topic: m.topic, key: m.key, headers: m.headers, value: m.raw });
    const fresh = await this.store.store(
      {
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: m.key,
        headers: m.headers,
        value: m.raw,
        timestamp: m.timestamp,
      },
      derivation,
    );
    this.stored.inc({ topic: m.topic, outcome: fresh ? 'stored' : 'duplicate' });
  }
}
