import { TenantConfig, TenantRegistry } from '@connector/config';
import { createEnvelope, ST_WEBHOOK_TRIGGER, Topics, WebhookTriggerCommandV1 } from '@connector/contracts';
import { MessagePublisher, StateViews } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { KafkaAckMonitor } from './kafka-ack.monitor';
import { readWebhookTrigger, WebhookBodyLimits } from './webhook-body.parser';
import { WebhookFieldsExtractor } from './webhook-fields.extractor';
import { WebhookRefusal } from './webhook-refusal';
import { verifyWebhookSignature } from './webhook-signature.verifier';

export type RejectedStatus = 400 | 401 | 404 | 413 | 415 | 503;
export interface WebhookRejection {
  status: RejectedStatus;
  body: { error: string; reason: string };
  /** 503 only: when to deliver again. */
  retryAfterSeconds?: number;
}
export type WebhookOutcome =
  | { status: 200; body: { accepted: true; eventId: string; duplicate: boolean } }
  | WebhookRejection;

const METRIC_TYPE = /^[A-Za-z][A-Za-z0-9.]{0,39}$/;

/**
 * The webhook hot path, in the order that matters: tenant → size (by the controller) → HMAC over the raw bytes (before
 * anything else: an unsigned body is a 401 whatever it holds) → Content-Type JSON (415) → valid UTF-8 → depth and key
 * count → JSON → event id, type and entity id at the tenant's field paths (V1 and V2-style bodies; ids strict) →
 * dedupe on the event id → a `webhook-trigger` command on `connector.servicetitan.command.v1` acknowledged by Kafka
 * (acks=all) within WEBHOOK_ACK_TIMEOUT_MS → 200, else 503 with Retry-After. Every refusal is a 4xx with its reason and
 * nothing is produced for it. No DTO transformation on this path: the command is built by code and the body is read,
 * not trusted (its data is never used; the owner reads the API).
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
  private readonly limits: WebhookBodyLimits;
  private readonly received;
  private readonly rejected;
  private readonly duplicates;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly publisher: MessagePublisher,
    private readonly env: WebhookGatewayEnv,
    private readonly ack: KafkaAckMonitor,
    metrics: MetricsService,
    views: StateViews,
  ) {
    this.ttlMs = env.WEBHOOK_DEDUPE_TTL_SECONDS * 1000;
    this.limits = { maxDepth: env.WEBHOOK_MAX_DEPTH, maxKeys: env.WEBHOOK_MAX_KEYS };
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

  reject(tenant: string, status: RejectedStatus, reason: string, error: string): WebhookRejection {
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
    let trigger;
    try {
      trigger = readWebhookTrigger(
        rawBody,
        headers['content-type'],
        this.extractors.get(tenant.id) as WebhookFieldsExtractor,
        this.limits,
      );
    } catch (e) {
      if (e instanceof WebhookRefusal) return this.reject(tenant.id, e.status, e.reason, e.message);
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
    // A concurrent delivery of the same event: answered with the first one's outcome (within the same bound).
    if (pending) return (await this.ack.within(pending)) === 'acknowledged' ? duplicate() : this.unavailable(tenant.id);
    const receivedAt = new Date().toISOString();
    const payload: WebhookTriggerCommandV1 = { ...trigger, receivedAt };
    const publish = this.publisher
      .publish(
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
      )
      .then(
        (receipt) => {
          // Also when the acknowledgement comes after the 503: the re-delivery is then a duplicate.
          this.remember(key, Date.now());
          this.ack.acknowledged();
          return receipt;
        },
        (e: unknown) => {
          this.logger.error({ msg: 'Kafka did not acknowledge the trigger', tenant: tenant.id, err: e as Error });
          throw e;
        },
      );
    this.inFlight.set(key, publish);
    void publish.then(
      () => this.inFlight.delete(key),
      () => this.inFlight.delete(key),
    );
    if ((await this.ack.within(publish)) !== 'acknowledged') {
      // Not stored (or not yet known to be): 503 so ServiceTitan re-delivers; nothing was remembered as done.
      this.ack.unacknowledged();
      return this.unavailable(tenant.id);
    }
    this.received.inc({ tenant: tenant.id, type: METRIC_TYPE.test(trigger.eventType) ? trigger.eventType : 'other' });
    return { status: 200, body: { accepted: true, eventId: trigger.eventId, duplicate: false } };
  }

  private unavailable(tenant: string): WebhookRejection {
    return {
      ...this.reject(tenant, 503, 'kafka-unavailable', 'event not stored; retry later'),
      retryAfterSeconds: this.env.WEBHOOK_RETRY_AFTER_SECONDS,
    };
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
