import { topicCatalogue } from '@connector/contracts';
import { BusContext, ConsumerGroupSettings } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Counter } from 'prom-client';
import { AuditServiceEnv } from '../audit-service.env';
import { AuditStore } from './audit-store.service';
import { deriveMessage } from './status-derivation';

/** The audit trail's consumer group (its Kafka id is AUDIT_CONSUMER_GROUP). */
export const AUDIT_GROUP = 'audit-service';

/** Every audited topic of the catalogue, dead-letter twins included (not the credentials topic): one pattern per topic. */
export const AUDITED_TOPICS = topicCatalogue()
  .filter((t) => t.audited)
  .map((t) => t.name);

/**
 * Raw group: invalid bytes are recorded too, never rejected. The audit trail must not lose or dead-letter anything
 * because its database is down: a failing write is retried (backing off up to 30 s) until it succeeds; the lag
 * metric and readiness show the stall.
 */
export function auditGroupSettings(env: AuditServiceEnv): ConsumerGroupSettings {
  return {
    groupId: env.AUDIT_CONSUMER_GROUP,
    mode: 'raw',
    fromBeginning: true,
    retry: { attempts: Number.MAX_SAFE_INTEGER, initialBackoffMs: 200, maxBackoffMs: 30000 },
    partitionConcurrency: env.AUDIT_CONSUMER_CONCURRENCY,
  };
}

/** Writes every message of every topic to the audit trail. */
@Controller()
export class AuditIngestConsumer {
  private readonly stored: Counter<'topic' | 'outcome'>;

  constructor(
    private readonly store: AuditStore,
    metrics: MetricsService,
  ) {
    this.stored = metrics.counter(
      MetricNames.AuditRecords,
      'Messages written to the audit trail (outcome=stored|duplicate)',
      ['topic', 'outcome'],
    );
  }

  @EventPattern(AUDITED_TOPICS, { group: AUDIT_GROUP })
  async onMessage(@Payload() value: Buffer | null, @Ctx() ctx: BusContext): Promise<void> {
    const derivation = deriveMessage({ topic: ctx.topic, key: ctx.key, headers: ctx.headers, value });
    const fresh = await this.store.store(
      {
        topic: ctx.topic,
        partition: ctx.partition,
        offset: ctx.offset,
        key: ctx.key,
        headers: ctx.headers,
        value,
        timestamp: ctx.timestamp,
      },
      derivation,
    );
    this.stored.inc({ topic: ctx.topic, outcome: fresh ? 'stored' : 'duplicate' });
  }
}
