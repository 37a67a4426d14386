import { decodeMessage, deadLetterTopic, Headers as H, MessageEnvelope } from '@connector/contracts';
import { LogContext, MetricsService } from '@connector/observability';
import { Logger } from '@nestjs/common';
import { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { TopicNamespace } from '../kafka/kafka-settings';
import { MessagePublisher } from '../producer/message-publisher';
import { ConsumerRegistration, DEFAULT_RETRY, PermanentMessageError, RetryPolicy } from './consumer-registration';

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

class StopRequested extends Error {}

/**
 * One consumer group over kafkajs with the connector's delivery rules:
 * - offsets are committed (offset + 1) only after the handler succeeded or the message was dead-lettered;
 * - failures are retried with exponential backoff, then go to `<topic>.dlq` with the reason and original bytes;
 * - invalid messages go to the DLQ at once; nothing is dropped silently;
 * - stop() lets the in-flight handler finish and commit, then leaves the group.
 */
export class MessageConsumer {
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  private joined = false;
  private stopping = false;
  private crashed: Error | null = null;
  private wakeSleepers = new Set<() => void>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    kafka: Kafka,
    private readonly registration: ConsumerRegistration,
    private readonly ns: TopicNamespace,
    private readonly publisher: MessagePublisher,
    private readonly metrics: MetricsService,
  ) {
    this.logger = new Logger(`consumer:${registration.groupId}`);
    this.retry = { ...DEFAULT_RETRY, ...(registration.retry ?? {}) };
    this.consumer = kafka.consumer({
      groupId: ns.group(registration.groupId),
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300 },
    });
    const ev = this.consumer.events;
    this.consumer.on(ev.GROUP_JOIN, () => {
      this.joined = true;
      this.crashed = null;
    });
    this.consumer.on(ev.CRASH, (e) => {
      this.joined = false;
      this.crashed = e.payload.error;
      this.logger.error({
        msg: 'consumer crashed; kafkajs restarts it from the last committed offset',
        err: e.payload.error,
        restart: e.payload.restart,
      });
    });
    this.consumer.on(ev.STOP, () => (this.joined = false));
    this.consumer.on(ev.DISCONNECT, () => (this.joined = false));
  }

  get groupId(): string {
    return this.registration.groupId;
  }

  isJoined(): boolean {
    return this.joined && !this.crashed;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.registration.topics.map((t) => this.ns.topic(t)),
      fromBeginning: this.registration.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.registration.partitionsConsumedConcurrently ?? 1,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        // Once stopping, later messages of the fetched batch are left uncommitted for the next owner.
        if (this.stopping) return;
        const work = (async () => {
          await this.handle(this.ns.logical(topic), partition, message, heartbeat);
          await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        })();
        this.inFlight.add(work);
        try {
          await work;
        } finally {
          this.inFlight.delete(work);
        }
      },
    });
  }

  /** Waits until the group is joined (readiness), or throws after timeoutMs. */
  async waitUntilJoined(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isJoined()) {
      if (Date.now() > deadline)
        throw new Error(`consumer group ${this.registration.groupId} did not join within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakeSleepers) wake();
    // Let in-flight handlers finish and commit while we are still a group member, then leave.
    await Promise.allSettled([...this.inFlight]);
    await this.consumer.disconnect();
  }

  private async handle(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const headers = headersToStrings(message.headers);
    const key = message.key ? message.key.toString('utf8') : null;
    const group = this.registration.groupId;
    let envelope: MessageEnvelope<unknown> | null = null;
    if ((this.registration.mode ?? 'envelope') === 'envelope') {
      const decoded = decodeMessage(topic, message.value);
      if (!decoded.ok) {
        this.metrics.messagesFailed.inc({ topic, group, reason: 'invalid' });
        await this.deadLetter(topic, partition, message, headers, `invalid message: ${decoded.reason}`, 0);
        return;
      }
      envelope = decoded.envelope;
    }
    const ctx = {
      tenant: envelope?.tenant ?? headers[H.Tenant],
      correlationId: envelope?.correlationId ?? headers[H.CorrelationId],
      messageId: envelope?.id ?? headers[H.MessageId],
      topic,
      partition,
      offset: message.offset,
    };
    await LogContext.run(ctx, async () => {
      for (let attempt = 1; ; attempt++) {
        const end = this.metrics.handlerDuration.startTimer({ topic, group });
        try {
          await this.registration.handler({
            topic,
            partition,
            offset: message.offset,
            key,
            headers,
            timestamp: message.timestamp,
            envelope: envelope as MessageEnvelope<unknown>,
            raw: message.value,
            heartbeat,
          });
          end({ outcome: 'ok' });
          this.metrics.messagesConsumed.inc({ topic, group });
          return;
        } catch (e) {
          end({ outcome: 'error' });
          const err = e as Error;
          const permanent = e instanceof PermanentMessageError;
          this.metrics.messagesFailed.inc({ topic, group, reason: permanent ? 'permanent' : 'transient' });
          if (permanent || attempt >= this.retry.attempts) {
            this.logger.warn({ msg: 'handler failed; dead-lettering', attempt, err });
            await this.deadLetter(
              topic,
              partition,
              message,
              headers,
              `${permanent ? 'permanent' : `failed after ${attempt} attempts`}: ${err.message}`,
              attempt,
            );
            return;
          }
          const backoff = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
          this.logger.warn({ msg: 'handler failed; retrying', attempt, backoffMs: backoff, err });
          await this.sleep(backoff, heartbeat);
        }
      }
    });
  }

  /** Backoff that keeps the group session alive and aborts on stop (the message stays uncommitted). */
  private async sleep(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.stopping) throw new StopRequested('stopping during retry backoff; message left uncommitted');
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(1000, until - Date.now()));
        const wake = () => done();
        this.wakeSleepers.add(wake);
        function done() {
          clearTimeout(t);
          resolve();
        }
      });
      this.wakeSleepers.clear();
      await heartbeat().catch(() => undefined);
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    headers: Record<string, string>,
    reason: string,
    attempts: number,
  ): Promise<void> {
    // If this publish fails the error propagates, nothing is committed, and kafkajs redelivers: never lost.
    await this.publisher.publishRaw(deadLetterTopic(topic), [
      {
        key: message.key ? message.key.toString('utf8') : null,
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...headers,
          [H.DeadLetterReason]: reason.slice(0, 4000),
          [H.DeadLetterSourceTopic]: topic,
          [H.DeadLetterSourcePartition]: String(partition),
          [H.DeadLetterSourceOffset]: message.offset,
          [H.DeadLetterConsumerGroup]: this.registration.groupId,
          [H.DeadLetterAttempts]: String(attempts),
        },
      },
    ]);
    this.metrics.messagesDeadLettered.inc({ topic, group: this.registration.groupId });
  }
}
