import { createEnvelope, MessageEnvelope } from '@connector/contracts';
import { TenantRegistry } from '@connector/config';
import { MessagePublisher } from '@connector/messaging';
import { LogContext, MetricNames, MetricsService } from '@connector/observability';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { EventDedupeCache } from './event-dedupe.cache';
import { normalizeServiceTitanEvent, WebhookShapeError } from './servicetitan-event.normalizer';
import { verifyWebhookSignature } from './webhook-signature.verifier';

export type IngestOutcome =
  | { status: 202; body: { accepted: true; eventId: string; duplicate: boolean } }
  | { status: 400 | 401 | 404 | 413 | 503; body: { error: string; reason: string } };

/**
 * The webhook pipeline, in the order that matters: tenant → size → signature (before any parsing) → JSON →
 * event shape → dedupe → Kafka ack (acks=all) → 2xx. Nothing is produced for a request that fails a step.
 */
@Injectable()
export class WebhookIngestService {
  private readonly logger = new Logger('webhooks');
  private readonly dedupe: EventDedupeCache;
  private readonly received;
  private readonly rejected;
  private readonly duplicates;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly publisher: MessagePublisher,
    metrics: MetricsService,
    env: WebhookGatewayEnv,
  ) {
    this.dedupe = new EventDedupeCache(env.WEBHOOK_DEDUPE_TTL_SECONDS * 1000, env.WEBHOOK_DEDUPE_MAX_ENTRIES);
    this.received = metrics.counter(MetricNames.WebhooksReceived, 'Webhooks accepted into Kafka', ['tenant', 'type']);
    this.rejected = metrics.counter(MetricNames.WebhooksRejected, 'Webhooks rejected, by reason', ['tenant', 'reason']);
    this.duplicates = metrics.counter(
      MetricNames.WebhookDuplicates,
      'Repeated webhook deliveries answered without producing',
      ['tenant'],
    );
  }

  maxBodyBytes(tenantId: string): number | null {
    return this.tenants.get(tenantId)?.servicetitan.webhook.maxBodyBytes ?? null;
  }

  reject(tenant: string, status: 400 | 401 | 404 | 413 | 503, reason: string, error: string): IngestOutcome {
    this.rejected.inc({ tenant: status === 404 ? 'unknown' : tenant, reason });
    // The tenant path segment is attacker-controlled: logged only when it names a known tenant.
    this.logger.warn({
      msg: 'webhook rejected',
      status,
      reason,
      detail: error,
      tenant: status === 404 ? undefined : tenant,
    });
    return { status, body: { error, reason } };
  }

  async ingest(
    tenantId: string,
    rawBody: Buffer,
    signatureHeaders: Record<string, string | string[] | undefined>,
  ): Promise<IngestOutcome> {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return this.reject(tenantId, 404, 'unknown-tenant', `unknown tenant "${tenantId}"`);
    const wh = tenant.servicetitan.webhook;
    const header = signatureHeaders[wh.signatureHeader];
    const sig = verifyWebhookSignature(
      rawBody,
      Array.isArray(header) ? header[0] : header,
      wh.secrets.map((s) => s.reveal()),
      wh.encoding,
    );
    if (!sig.ok) return this.reject(tenantId, 401, sig.reason, `webhook signature rejected: ${sig.reason}`);

    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch (e) {
      return this.reject(tenantId, 400, 'malformed-json', `malformed JSON: ${(e as Error).message}`);
    }
    let event;
    try {
      event = normalizeServiceTitanEvent(body, tenantId, tenant.servicetitan.tenantId);
    } catch (e) {
      if (e instanceof WebhookShapeError) return this.reject(tenantId, 400, 'unknown-shape', e.message);
      throw e;
    }
    const ev = event;
    return LogContext.run({ tenant: tenantId, correlationId: ev.eventId }, async () => {
      try {
        const outcome = await this.dedupe.once(`${tenantId}|${ev.eventId}`, async () => {
          const envelope: MessageEnvelope<unknown> = createEnvelope({
            type: ev.type,
            tenant: tenantId,
            source: 'webhook',
            payload: ev.payload,
            occurredAt: ev.occurredAt,
            correlationId: ev.eventId,
          });
          await this.publisher.publish(ev.topic, envelope, {
            key: ev.key,
            headers: { 'x-servicetitan-event-id': ev.eventId },
          });
        });
        if (outcome === 'duplicate') {
          this.duplicates.inc({ tenant: tenantId });
          this.logger.log({ msg: 'duplicate webhook delivery acknowledged without producing', eventId: ev.eventId });
        } else {
          this.received.inc({ tenant: tenantId, type: ev.type });
        }
        return { status: 202, body: { accepted: true, eventId: ev.eventId, duplicate: outcome === 'duplicate' } };
      } catch (e) {
        // Kafka did not acknowledge: answer 503 so ServiceTitan re-delivers; nothing was remembered as done.
        this.logger.error({ msg: 'Kafka did not acknowledge the event', err: e as Error });
        return this.reject(tenantId, 503, 'kafka-unavailable', 'event not stored; retry later');
      }
    });
  }
}
