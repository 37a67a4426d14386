import { TenantConfig, TenantRegistry } from '@connector/config';
import { createEnvelope, ST_WEBHOOK_TRIGGER, Topics, WebhookTriggerCommandV1 } from '@connector/contracts';
import { MessagePublisher, StateViews } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { WebhookFieldsExtractor, WebhookShapeError } from './webhook-fields.extractor';
import { verifyWebhookSignature } from './webhook-signature.verifier';

export type WebhookOutcome =
  | { status: 200; body: { accepted: true; eventId: string; duplicate: boolean } }
  | { status: 400 | 401 | 404 | 413 | 503; body: { error: string; reason: string } };

const METRIC_TYPE = /^[A-Za-z][A-Za-z0-9.]{0,39}$/;

/**
 * The webhook hot path, in the order that matters: tenant → size (by the controller) → HMAC over the raw bytes (before
 * any parsing) → JSON → event id, type and entity id at the tenant's field paths (V1 and V2-style bodies) → dedupe on
 * the event id → a `webhook-trigger` command on `connector.servicetitan.command.v1` acknowledged by Kafka (acks=all)
 * → 200. Nothing is produced for a request that fails a step. No DTO transformation on this path: the command is
 * built by code and the body is read, not trusted (its data is never used; the owner reads the API).
 *
 * Dedupe survives a restart: it is rebuilt at start from the command topic itself (a view of it, within the topic's
 * retention), so a redelivery answers 200 without a second trigger. A second trigger would only make a read earlier.
 */
@Injectable()
export class WebhookTriggerService {
  private readonly logger = new Logger('webhooks');
  private readonly extractors = new Map<string, WebhookFieldsExtractor>();
  /** `<tenant>|<eventId>` → when it was accepted (ms), oldest first (Map insertion order). */
  private readonly seen = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly ttlMs: number;
  private readonly received;
  private readonly rejected;
  private readonly duplicates;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly publisher: MessagePublisher,
    private readonly env: WebhookGatewayEnv,
    metrics: MetricsService,
    views: StateViews,
  ) {
    this.ttlMs = env.WEBHOOK_DEDUPE_TTL_SECONDS * 1000;
    for (const t of tenants.list())
      this.extractors.set(t.id, new WebhookFieldsExtractor(t.servicetitan.webhook.fields, t.servicetitan.tenantId));
    const triggers = views.open({
      topic: Topics.StCommand,
      name: 'webhook-dedupe',
      filter: (e) => e.type === ST_WEBHOOK_TRIGGER,
      decode: (e) => ({ eventId: (e.payload as WebhookTriggerCommandV1).eventId, at: Date.parse(e.producedAt) }),
    });
    triggers.onChange((c) => c.value && this.remember(`${c.key}|${c.value.eventId}`, c.value.at));
    this.received = metrics.counter(MetricNames.WebhooksReceived, 'Webhooks accepted into Kafka', ['tenant', 'type']);
    this.rejected = metrics.counter(MetricNames.WebhooksRejected, 'Webhooks rejected, by reason', ['tenant', 'reason']);
    this.duplicates = metrics.counter(
      MetricNames.WebhookDuplicates,
      'Repeated webhook deliveries answered without a second trigger',
      ['tenant'],
    );
  }

  tenant(tenantId: string): TenantConfig | undefined {
    return this.tenants.get(tenantId);
  }

  reject(tenant: string, status: 400 | 401 | 404 | 413 | 503, reason: string, error: string): WebhookOutcome {
    const known = status !== 404;
    this.rejected.inc({ tenant: known ? tenant : 'unknown', reason });
    // The tenant path segment is attacker-controlled: logged only when it names a known tenant.
    this.logger.warn({ msg: 'webhook rejected', status, reason, detail: error, tenant: known ? tenant : undefined });
    return { status, body: { error, reason } };
  }

  async ingest(
    tenant: TenantConfig,
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<WebhookOutcome> {
    const wh = tenant.servicetitan.webhook;
    const header = headers[wh.signatureHeader];
    const sig = verifyWebhookSignature(
      rawBody,
      Array.isArray(header) ? header[0] : header,
      wh.secrets.map((s) => s.reveal()),
      wh.encoding,
    );
    if (!sig.ok) return this.reject(tenant.id, 401, sig.reason, `webhook signature rejected: ${sig.reason}`);
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch (e) {
      return this.reject(tenant.id, 400, 'malformed-json', `malformed JSON: ${(e as Error).message}`);
    }
    let trigger;
    try {
      trigger = (this.extractors.get(tenant.id) as WebhookFieldsExtractor).extract(body);
    } catch (e) {
      if (e instanceof WebhookShapeError) return this.reject(tenant.id, 400, e.reason, e.message);
      throw e;
    }
    const key = `${tenant.id}|${trigger.eventId}`;
    const duplicate = () => {
      this.duplicates.inc({ tenant: tenant.id });
      return { status: 200 as const, body: { accepted: true as const, eventId: trigger.eventId, duplicate: true } };
    };
    const at = this.seen.get(key);
    if (at !== undefined && Date.now() - at < this.ttlMs) return duplicate();
    const pending = this.inFlight.get(key);
    if (pending) {
      // A concurrent delivery of the same event: answer with the first one's outcome.
      return pending.then(duplicate, () => this.reject(tenant.id, 503, 'kafka-unavailable', 'event not stored'));
    }
    const receivedAt = new Date().toISOString();
    const payload: WebhookTriggerCommandV1 = { ...trigger, receivedAt };
    const publish = this.publisher.publish(
      Topics.StCommand,
      createEnvelope({
        type: ST_WEBHOOK_TRIGGER,
        tenant: tenant.id,
        source: 'webhook',
        payload,
        occurredAt: receivedAt,
        correlationId: trigger.eventId,
      }),
      { key: tenant.id },
    );
    this.inFlight.set(key, publish);
    try {
      await publish;
    } catch (e) {
      // Kafka did not acknowledge: 503 so ServiceTitan re-delivers; nothing was remembered as done.
      this.logger.error({ msg: 'Kafka did not acknowledge the trigger', tenant: tenant.id, err: e as Error });
      return this.reject(tenant.id, 503, 'kafka-unavailable', 'event not stored; retry later');
    } finally {
      this.inFlight.delete(key);
    }
    this.remember(key, Date.now());
    this.received.inc({ tenant: tenant.id, type: METRIC_TYPE.test(trigger.eventType) ? trigger.eventType : 'other' });
    return { status: 200, body: { accepted: true, eventId: trigger.eventId, duplicate: false } };
  }

  private remember(key: string, at: number): void {
    this.seen.delete(key);
    this.seen.set(key, at);
    if (this.seen.size > this.env.WEBHOOK_DEDUPE_MAX_ENTRIES) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
