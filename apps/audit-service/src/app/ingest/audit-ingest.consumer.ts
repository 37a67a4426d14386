import { topicCatalogue } from '@connector/contracts';
import { BusContext, ConsumerGroupSettings, PermanentMessageError } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Counter } from 'prom-client';
import { AuditServiceEnv } from '../audit-service.env';
import { isDatabaseUnavailable } from '../database/database-errors';
import { AuditStore, StoredMessage } from './audit-store.service';
import { Derivation, deriveMessage } from './status-derivation';

/** The audit trail's consumer group (its Kafka id is AUDIT_CONSUMER_GROUP). */
export const AUDIT_GROUP = 'audit-service';

/** Every audited topic of the catalogue, dead-letter twins included (not the credentials topic): one pattern per topic. */
export const AUDITED_TOPICS = topicCatalogue()
  .filter((t) => t.audited)
  .map((t) => t.name);

/**
 * Raw group: invalid bytes are recorded too, never rejected. The audit trail must not lose or dead-letter anything
 * because its database is down: a write failing because the database is unavailable is retried (backing off up to
 * 30 s) until it succeeds; the lag metric, the stuck-consumer metric and readiness show the stall. A write failing
 * because of the message itself is not retried for ever (see AuditIngestConsumer).
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

/** What the trail keeps of a message whose full record could not be written: its bytes, headers and identity. */
function quarantined(d: Derivation, reason: string): Derivation {
  return {
    ...d,
    valid: false,
    invalidReason: `not stored in full by the audit trail: ${reason}`.slice(0, 2000),
    json: null,
    occurredAt: null,
    producedAt: null,
    reasons: null,
    source: undefined,
    document: undefined,
    x3ReadBack: undefined,
  };
}

/**
 * Writes every message of every topic to the audit trail. No message can stop it: derivation never throws; a write
 * that fails because of the message (not because the database is away) is tried AUDIT_STORE_ATTEMPTS times, then the
 * message is stored without its payload JSON and document facts (bytes, headers, record and status kept, the reason
 * as its invalid reason); if even that fails it is dead-lettered with the reason (to `<topic>.dlq`, group
 * audit-service; a dead letter that cannot be stored stays in its dead-letter topic and is skipped).
 */
@Controller()
export class AuditIngestConsumer {
  private readonly logger = new Logger('audit-ingest');
  private readonly stored: Counter<'topic' | 'outcome'>;

  constructor(
    private readonly store: AuditStore,
    private readonly env: AuditServiceEnv,
    metrics: MetricsService,
  ) {
    this.stored = metrics.counter(
      MetricNames.AuditRecords,
      'Messages written to the audit trail (outcome=stored|duplicate|quarantined)',
      ['topic', 'outcome'],
    );
  }

  @EventPattern(AUDITED_TOPICS, { group: AUDIT_GROUP })
  async onMessage(@Payload() value: Buffer | null, @Ctx() ctx: BusContext): Promise<void> {
    const derivation = deriveMessage({ topic: ctx.topic, key: ctx.key, headers: ctx.headers, value });
    const message: StoredMessage = {
      topic: ctx.topic,
      partition: ctx.partition,
      offset: ctx.offset,
      key: ctx.key,
      headers: ctx.headers,
      value,
      timestamp: ctx.timestamp,
    };
    let outcome: 'stored' | 'duplicate' | 'quarantined';
    try {
      outcome = (await this.store.store(message, derivation)) ? 'stored' : 'duplicate';
    } catch (e) {
      if (isDatabaseUnavailable(e) || ctx.attempt < this.env.AUDIT_STORE_ATTEMPTS) throw e;
      const reason = (e as Error).message;
      this.logger.error({ msg: 'message cannot be stored in full; storing it without payload facts', reason });
      try {
        outcome = (await this.store.store(message, quarantined(derivation, reason))) ? 'quarantined' : 'duplicate';
      } catch (e2) {
        if (isDatabaseUnavailable(e2)) throw e2;
        throw new PermanentMessageError(`audit trail cannot store this message: ${reason}; ${(e2 as Error).message}`);
      }
    }
    this.stored.inc({ topic: ctx.topic, outcome });
  }
}
