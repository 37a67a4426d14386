import { MessageEnvelope } from '@connector/contracts';
import {
  MessagePublisher,
  OutgoingMessage,
  PublishOptions,
  PublishReceipt,
  RawMessage,
} from '../producer/message-publisher';

export interface RecordedMessage {
  topic: string;
  key: string | null;
  envelope: MessageEnvelope<unknown> | null;
  /** null for a tombstone. */
  value: string | null;
  headers: Record<string, string>;
  partitionKey?: string;
  partition?: number;
}

/** In-process publisher for unit tests: records what would have been sent. Integration tests use Kafka. */
export class InMemoryMessageBus extends MessagePublisher {
  readonly sent: RecordedMessage[] = [];
  failNext = 0;
  private readonly offsets = new Map<string, number>();

  async publish(topic: string, envelope: MessageEnvelope<unknown>, options: PublishOptions): Promise<PublishReceipt> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('in-memory bus: injected publish failure');
    }
    this.sent.push({
      topic,
      key: options.key,
      envelope,
      value: JSON.stringify(envelope),
      headers: options.headers ?? {},
      partitionKey: options.partitionKey,
      partition: options.partition,
    });
    return this.receipt(topic);
  }

  async publishMany(messages: OutgoingMessage[]): Promise<PublishReceipt[]> {
    const out: PublishReceipt[] = [];
    for (const m of messages) out.push(await this.publish(m.topic, m.envelope, m.options));
    return out;
  }

  async publishRaw(topic: string, messages: RawMessage[]): Promise<PublishReceipt[]> {
    return messages.map((m) => {
      const value = m.value === null ? null : m.value.toString();
      this.sent.push({
        topic,
        key: m.key,
        envelope: null,
        value,
        headers: m.headers ?? {},
        partitionKey: m.partitionKey,
        partition: m.partition,
      });
      return this.receipt(topic);
    });
  }

  on(topic: string): RecordedMessage[] {
    return this.sent.filter((m) => m.topic === topic);
  }

  /** One partition per topic, consecutive offsets. */
  private receipt(topic: string): PublishReceipt {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    return { topic, partition: 0, offset: String(offset) };
  }
}
