import { Topics } from '@connector/contracts';
import { ConsumerGroupAdmin } from '@connector/messaging';
import { ReadinessRegistry } from '@connector/observability';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';

export type AckOutcome = 'acknowledged' | 'failed' | 'timeout';

/**
 * Bounds how long a webhook waits for Kafka (issue 10, item 5). ServiceTitan gives up on a delivery after ~10 s and
 * re-delivers later; holding it longer only loses the answer. So a trigger not acknowledged within
 * WEBHOOK_ACK_TIMEOUT_MS is answered 503 with Retry-After, and the gateway reports not-ready (check
 * `webhook-kafka-ack`) until Kafka acknowledges again: a later trigger, a late acknowledgement of an earlier one, or
 * a probe of the command topic's partition leaders (every WEBHOOK_KAFKA_PROBE_MS while not acknowledged, one at a
 * time), so the gateway also becomes ready again when no webhook arrives (a load balancer sends none to a not-ready
 * replica).
 */
@Injectable()
export class KafkaAckMonitor implements OnModuleDestroy {
  private readonly logger = new Logger('webhooks');
  private unacknowledgedSince: number | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private probing = false;
  private closed = false;

  constructor(
    private readonly env: WebhookGatewayEnv,
    private readonly admin: ConsumerGroupAdmin,
    readiness: ReadinessRegistry,
  ) {
    readiness.register({ name: 'webhook-kafka-ack', check: () => this.unacknowledgedSince === null });
  }

  /** Whether `ack` settled within the bound (it may still settle later: its own handlers run then). */
  async within(ack: Promise<unknown>): Promise<AckOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<AckOutcome>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.env.WEBHOOK_ACK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        ack.then(
          () => 'acknowledged' as const,
          () => 'failed' as const,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kafka acknowledged a record: ready again. */
  acknowledged(): void {
    if (this.unacknowledgedSince === null) return;
    this.logger.log({
      msg: 'Kafka acknowledges again: webhooks are accepted',
      afterMs: Date.now() - this.unacknowledgedSince,
    });
    this.unacknowledgedSince = null;
    this.stopProbing();
  }

  /** A record was not acknowledged in time (or failed): not ready until Kafka acknowledges again. */
  unacknowledged(): void {
    if (this.unacknowledgedSince !== null || this.closed) return;
    this.unacknowledgedSince = Date.now();
    this.logger.warn({ msg: 'Kafka does not acknowledge: webhooks are answered 503 and the gateway is not ready' });
    this.probeTimer = setInterval(() => this.probe(), this.env.WEBHOOK_KAFKA_PROBE_MS);
    this.probeTimer.unref();
  }

  isAcknowledging(): boolean {
    return this.unacknowledgedSince === null;
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.stopProbing();
  }

  private stopProbing(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }

  /**
   * Every partition of the command topic has a leader that answers: triggers can be acknowledged again. One probe at
   * a time, however long the broker takes to answer it (a paused broker answers when it resumes).
   */
  private probe(): void {
    if (this.probing || this.closed) return;
    this.probing = true;
    this.admin.topicOffsets(Topics.StCommand).then(
      () => {
        this.probing = false;
        if (!this.closed) this.acknowledged();
      },
      () => (this.probing = false),
    );
  }
}
