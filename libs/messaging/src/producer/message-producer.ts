import { MessageEnvelope } from '@connector/contracts';
import { MetricsService } from '@connector/observability';
import { Kafka, Message, Partitioners, Producer, RecordMetadata } from 'kafkajs';
import { TopicNamespace } from '../kafka/kafka-settings';
import {
  envelopeHeaders,
  MessagePublisher,
  OutgoingMessage,
  PublishOptions,
  PublishReceipt,
  RawMessage,
} from './message-publisher';

interface Pending {
  message: Message;
  topic: string;
  resolve: (r: PublishReceipt) => void;
  reject: (e: unknown) => void;
}

/** How a message's partition is chosen when its key does not choose it (PublishOptions). */
interface Placement {
  partitionKey?: string;
  partition?: number;
}

/**
 * kafkajs' default partitioner, remembering the partition it chose for each message object (and keeping it when
 * kafkajs retries the send), so the offset of every record can be told from the per-partition base offsets the
 * broker returns. Partitioning is exactly kafkajs' own: existing keys stay on their partitions. A message with a
 * partition key is placed as if that were its key; an explicit partition is taken as is.
 */
function recordingPartitioner(chosen: WeakMap<Message, number>, placements: WeakMap<Message, Placement>) {
  return () => {
    const partitioner = Partitioners.DefaultPartitioner();
    return (args: Parameters<ReturnType<typeof Partitioners.DefaultPartitioner>>[0]) => {
      const known = chosen.get(args.message);
      if (known !== undefined) return known;
      const placement = placements.get(args.message);
      const partition =
        placement?.partition !== undefined
          ? placement.partition
          : partitioner(
              placement?.partitionKey === undefined
                ? args
                : { ...args, message: { ...args.message, key: placement.partitionKey } },
            );
      chosen.set(args.message, partition);
      return partition;
    };
  };
}

/**
 * Idempotent kafkajs producer (acks=all). Concurrent publishes are coalesced into one sendBatch per
 * linger window, so a webhook burst costs a few broker round trips instead of one per request; each
 * caller still resolves only after its own record is acknowledged, with the partition and offset it got.
 */
export class MessageProducer extends MessagePublisher {
  private readonly producer: Producer;
  private readonly partitionOf = new WeakMap<Message, number>();
  private readonly placements = new WeakMap<Message, Placement>();
  private connected = false;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();

  constructor(
    kafka: Kafka,
    private readonly ns: TopicNamespace,
    private readonly metrics: MetricsService,
    private readonly opts: { lingerMs?: number; maxBatch?: number; batching?: boolean } = {},
  ) {
    super();
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: recordingPartitioner(this.partitionOf, this.placements),
    });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  isConnected(): boolean {
    return this.connected;
  }

  async disconnect(): Promise<void> {
    await this.flush();
    await Promise.allSettled([...this.inFlight]);
    await this.producer.disconnect();
    this.connected = false;
  }

  publish(topic: string, envelope: MessageEnvelope<unknown>, options: PublishOptions): Promise<PublishReceipt> {
    return this.enqueue(
      topic,
      { key: options.key, value: JSON.stringify(envelope), headers: envelopeHeaders(envelope, options.headers) },
      options,
    );
  }

  publishMany(messages: OutgoingMessage[]): Promise<PublishReceipt[]> {
    return Promise.all(messages.map((m) => this.publish(m.topic, m.envelope, m.options)));
  }

  publishRaw(topic: string, messages: RawMessage[]): Promise<PublishReceipt[]> {
    return Promise.all(
      messages.map((m) => this.enqueue(topic, { key: m.key, value: m.value, headers: m.headers ?? {} }, m)),
    );
  }

  private enqueue(topic: string, message: Message, placement: Placement): Promise<PublishReceipt> {
    if (!this.connected) return Promise.reject(new Error('producer is not connected'));
    if (placement.partition !== undefined && (!Number.isInteger(placement.partition) || placement.partition < 0))
      return Promise.reject(new Error(`invalid partition ${placement.partition}`));
    if (placement.partition !== undefined || placement.partitionKey !== undefined)
      this.placements.set(message, { partition: placement.partition, partitionKey: placement.partitionKey });
    return new Promise<PublishReceipt>((resolve, reject) => {
      if (this.opts.batching === false) {
        // Naive mode (benchmark baseline): one acknowledged send per message.
        const run = this.send([{ topic, message, resolve, reject }]);
        this.inFlight.add(run);
        void run.finally(() => this.inFlight.delete(run));
        return;
      }
      this.queue.push({ topic, message, resolve, reject });
      const max = this.opts.maxBatch ?? 500;
      if (this.queue.length >= max) void this.flush();
      else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.opts.lingerMs ?? 2);
    });
  }

  private async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const run = this.send(batch);
    this.inFlight.add(run);
    await run.finally(() => this.inFlight.delete(run));
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Pending[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p);
      byTopic.set(p.topic, list);
    }
    let written: RecordMetadata[];
    try {
      written = await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic.entries()].map(([topic, items]) => ({
          topic: this.ns.topic(topic),
          messages: items.map((i) => i.message),
        })),
      });
    } catch (e) {
      for (const item of batch) item.reject(e);
      return;
    }
    const baseOffsets = new Map(written.map((r) => [`${r.topicName}|${r.partition}`, BigInt(r.baseOffset ?? '-1')]));
    for (const [topic, items] of byTopic) {
      this.metrics.messagesProduced.inc({ topic }, items.length);
      // The broker assigns consecutive offsets to one partition's records in the order they were sent.
      const next = new Map<number, bigint>();
      for (const item of items) {
        const partition = this.partitionOf.get(item.message);
        const base = partition === undefined ? undefined : baseOffsets.get(`${this.ns.topic(topic)}|${partition}`);
        if (partition === undefined || base === undefined || base < 0n) {
          // Written, but the broker did not say where (not seen with acks=all): never report a written record
          // as failed; "-1" tells a state view to apply it without offset ordering.
          item.resolve({ topic, partition: partition ?? -1, offset: '-1' });
          continue;
        }
        const offset = next.get(partition) ?? base;
        next.set(partition, offset + 1n);
        item.resolve({ topic, partition, offset: offset.toString() });
      }
    }
  }
}
