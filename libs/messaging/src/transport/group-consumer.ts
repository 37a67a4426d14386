import { decodeMessage, deadLetterTopic, Headers as H, isDeadLetterTopic, MessageEnvelope } from '@connector/contracts';
import { LogContext, MetricsService } from '@connector/observability';
import { backoffDelayMs, sleep } from '@connector/util';
import { Logger } from '@nestjs/common';
import { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { isObservable, lastValueFrom, Observable } from 'rxjs';
import { restartAfterUnrecoverableCrash } from '../kafka/consumer-restart';
import { TopicNamespace } from '../kafka/kafka-settings';
import { MessagePublisher } from '../producer/message-publisher';
import { BusContext } from './bus-context';
import { ConsumerGroupSettings, DEFAULT_RETRY, PermanentMessageError, RetryPolicy } from './consumer-group.settings';

/** A handler as the transport calls it: Nest's proxied @EventPattern method, or a plain function in tests. */
export type BusHandler = (payload: unknown, ctx: BusContext) => unknown;

/** What a group member learns about its membership (tenant ownership listens). */
export type MembershipEvent =
  | { type: 'joined'; assignment: Map<string, number[]> }
  | { type: 'rebalancing' }
  | { type: 'alive' }
  | { type: 'left' };

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

/** A handler's result: a promise, an Observable (its error fails the attempt), or a plain value. */
async function settle(result: unknown): Promise<void> {
  const value = await result;
  if (isObservable(value)) await lastValueFrom(value as Observable<unknown>, { defaultValue: undefined });
}

class StopRequested extends Error {}

/** The message a partition is handling now (one at a time per partition). */
export interface MessageInHandling {
  topic: string;
  partition: number;
  offset: string;
  /** When its first attempt started (ms since epoch). */
  since: number;
  attempt: number;
}

const isRebalancing = (e: unknown) =>
  ['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION'].includes(
    (e as { type?: string }).type ?? '',
  );

/**
 * One consumer group over kafkajs with the connector's delivery rules:
 * - offsets are committed (offset + 1) only after the handler succeeded or the message was dead-lettered;
 * - failures (a throw or an erroring Observable) are retried with exponential backoff while heart-beating, then go
 *   to `<topic>.dlq` with the reason and original bytes; PermanentMessageError skips the retries;
 * - invalid messages go to the DLQ at once; nothing is dropped silently;
 * - stop() lets the in-flight handler finish and commit, then leaves the group.
 * Messages are routed by topic to the group's handlers. A group without handlers only takes part in the group
 * (tenant ownership): it pauses what it is assigned and reads nothing.
 */
export class GroupConsumer {
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  private readonly mode: 'envelope' | 'raw';
  private joined = false;
  private crashed: Error | null = null;
  private readonly stopController = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners = new Set<(e: MembershipEvent) => void>();
  private generation = 0;
  private prepared = 0;
  private preparing: { generation: number; done: Promise<void> } | null = null;
  /** Per topic|partition: the message being handled (retries included), for stuck-consumer detection. */
  private readonly handling = new Map<string, MessageInHandling>();

  constructor(
    kafka: Kafka,
    readonly groupId: string,
    private readonly topics: string[],
    private readonly handlers: ReadonlyMap<string, BusHandler>,
    private readonly settings: ConsumerGroupSettings,
    private readonly ns: TopicNamespace,
    private readonly publisher: MessagePublisher,
    private readonly metrics: MetricsService,
  ) {
    this.logger = new Logger(`consumer:${groupId}`);
    this.retry = { ...DEFAULT_RETRY, ...(settings.retry ?? {}) };
    this.mode = settings.mode ?? 'envelope';
    this.consumer = kafka.consumer({
      groupId: ns.group(groupId),
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300 },
    });
    const ev = this.consumer.events;
    this.consumer.on(ev.GROUP_JOIN, (e) => {
      this.joined = true;
      this.crashed = null;
      this.generation++;
      const assignment = new Map<string, number[]>();
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment))
        assignment.set(this.ns.logical(topic), partitions);
      // Membership only: take part in the group without reading (paused before the first fetch).
      if (this.handlers.size === 0) this.consumer.pause(this.topics.map((t) => ({ topic: this.ns.topic(t) })));
      this.emit({ type: 'joined', assignment });
    });
    this.consumer.on(ev.REBALANCING, () => this.emit({ type: 'rebalancing' }));
    this.consumer.on(ev.HEARTBEAT, () => this.emit({ type: 'alive' }));
    this.consumer.on(ev.CRASH, (e) => {
      this.joined = false;
      this.crashed = e.payload.error;
      this.emit({ type: 'left' });
      this.logger.error({
        msg: 'consumer crashed; it restarts from the last committed offset',
        err: e.payload.error,
        restart: e.payload.restart,
      });
    });
    restartAfterUnrecoverableCrash(this.consumer, () => this.start(), {
      signal: this.stopController.signal,
      logger: this.logger,
      what: `consumer group ${groupId}`,
    });
    for (const left of [ev.STOP, ev.DISCONNECT])
      this.consumer.on(left, () => {
        this.joined = false;
        this.emit({ type: 'left' });
      });
  }

  /** Messages this member has been handling (retrying, or hanging in a handler) for longer than `ms`. */
  stuckLongerThan(ms: number, now = Date.now()): MessageInHandling[] {
    return [...this.handling.values()].filter((m) => now - m.since > ms);
  }

  /** Every message in handling now (one per partition at most). */
  inHandling(): MessageInHandling[] {
    return [...this.handling.values()];
  }

  isJoined(): boolean {
    return this.joined && !this.crashed;
  }

  /** Membership events of this member (join with its assignment, rebalance, heartbeat, leave). */
  onMembership(listener: (e: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects, subscribes and joins the group (resolves once joined). */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.topics.map((t) => this.ns.topic(t)),
      fromBeginning: this.settings.fromBeginning ?? true,
    });
    if (this.handlers.size === 0) {
      await this.consumer.run({ autoCommit: false, eachBatch: async () => undefined });
      return;
    }
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.settings.partitionConcurrency ?? 1,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        // Once stopping, later messages of the fetched batch are left uncommitted for the next owner.
        if (this.stopController.signal.aborted) return;
        const work = (async () => {
          await this.tracked(this.ns.logical(topic), partition, message, () =>
            this.handle(this.ns.logical(topic), partition, message, heartbeat),
          );
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
      if (Date.now() > deadline) throw new Error(`consumer group ${this.groupId} did not join within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopController.abort(new StopRequested('stopping during retry backoff; message left uncommitted'));
    // Let in-flight handlers finish and commit while we are still a group member, then leave.
    await Promise.allSettled([...this.inFlight]);
    await this.consumer.disconnect();
  }

  private async tracked(topic: string, partition: number, message: KafkaMessage, fn: () => Promise<void>) {
    const key = `${topic}|${partition}`;
    this.handling.set(key, { topic, partition, offset: message.offset, since: Date.now(), attempt: 1 });
    try {
      await fn();
    } finally {
      this.handling.delete(key);
    }
  }

  private emit(e: MembershipEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** A heartbeat that also tells ownership at once when the group started rebalancing. */
  private heartbeatFn(heartbeat: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await heartbeat();
      } catch (e) {
        if (isRebalancing(e)) this.emit({ type: 'rebalancing' });
        throw e;
      }
    };
  }

  private async handle(
    topic: string,
    partition: number,
    message: KafkaMessage,
    kafkaHeartbeat: () => Promise<void>,
  ): Promise<void> {
    const heartbeat = this.heartbeatFn(kafkaHeartbeat);
    const headers = headersToStrings(message.headers);
    const key = message.key ? message.key.toString('utf8') : null;
    const group = this.groupId;
    const handler = this.handlers.get(topic);
    let envelope: MessageEnvelope<unknown> | null = null;
    if (!handler) {
      // Cannot happen (the group subscribes only to its handlers' topics); never commit past it silently.
      throw new Error(`consumer group ${group} has no handler for topic ${topic}`);
    }
    if (this.mode === 'envelope') {
      // decodeMessage never throws: whatever the bytes, the message is either handled or dead-lettered.
      const decoded = decodeMessage(topic, message.value);
      if (!decoded.ok) {
        this.metrics.messagesFailed.inc({ topic, group, reason: 'invalid' });
        await this.deadLetter(topic, partition, message, headers, `invalid message: ${decoded.reason}`, 0);
        return;
      }
      envelope = decoded.envelope;
    }
    const logFields = {
      tenant: envelope?.tenant ?? headers[H.Tenant],
      correlationId: envelope?.correlationId ?? headers[H.CorrelationId],
      messageId: envelope?.id ?? headers[H.MessageId],
      topic,
      partition,
      offset: message.offset,
    };
    await LogContext.run(logFields, async () => {
      const inHandling = this.handling.get(`${topic}|${partition}`);
      for (let attempt = 1; ; attempt++) {
        if (inHandling) inHandling.attempt = attempt;
        const end = this.metrics.handlerDuration.startTimer({ topic, group });
        const ctx = new BusContext<unknown>({
          group,
          topic,
          partition,
          offset: message.offset,
          key,
          headers,
          timestamp: message.timestamp,
          envelope,
          raw: message.value,
          attempt,
          maxAttempts: this.retry.attempts,
          heartbeat,
        });
        try {
          await this.afterJoin(ctx);
          await settle(handler(envelope ? envelope.payload : message.value, ctx));
          end({ outcome: 'ok' });
          this.metrics.messagesConsumed.inc({ topic, group });
          return;
        } catch (e) {
          end({ outcome: 'error' });
          const err = e instanceof Error ? e : new Error(String(e));
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
          const backoff = backoffDelayMs(attempt, {
            initialMs: this.retry.initialBackoffMs,
            maxMs: this.retry.maxBackoffMs,
          });
          this.logger.warn({ msg: 'handler failed; retrying', attempt, backoffMs: backoff, err });
          await this.backoff(backoff, heartbeat);
        }
      }
    });
  }

  /** The group's afterJoin hook, once per join generation (shared by the partitions handled concurrently). */
  private async afterJoin(ctx: BusContext): Promise<void> {
    const hook = this.settings.afterJoin;
    if (!hook || this.prepared === this.generation) return;
    const generation = this.generation;
    let current = this.preparing;
    if (current?.generation !== generation) {
      const done = hook().then(() => {
        if (this.prepared < generation) this.prepared = generation;
      });
      current = this.preparing = { generation, done };
      // A failed hook is tried again by the next attempt.
      done.catch(() => {
        if (this.preparing === current) this.preparing = null;
      });
    }
    const { done } = current;
    await ctx.keepAlive(() => done);
  }

  /** Backoff that keeps the group session alive and aborts on stop (the message stays uncommitted). */
  private async backoff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0; left = until - Date.now()) {
      await sleep(Math.min(1000, left), this.stopController.signal);
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
    if (isDeadLetterTopic(topic)) {
      // Already in a dead-letter topic (its reader failed on it): it stays there, nothing is lost; move on
      // instead of retrying for ever or inventing a `.dlq.dlq` topic.
      this.logger.error({
        msg: 'message of a dead-letter topic could not be handled; left in place and skipped',
        topic,
        partition,
        offset: message.offset,
        reason,
      });
      this.metrics.messagesDeadLettered.inc({ topic, group: this.groupId });
      return;
    }
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
          [H.DeadLetterConsumerGroup]: this.groupId,
          [H.DeadLetterAttempts]: String(attempts),
        },
      },
    ]);
    this.metrics.messagesDeadLettered.inc({ topic, group: this.groupId });
  }
}
