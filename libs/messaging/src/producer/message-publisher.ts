import { Headers as H, MessageEnvelope } from '@connector/contracts';

export interface PublishOptions {
  /** Record key; `{tenant}:{entity}:{id}` (see recordKey). Chooses the partition unless one of the two below does. */
  key: string;
  headers?: Record<string, string>;
  /**
   * Chooses the partition instead of `key` (same rule: murmur2 modulo the partition count), so records with their own
   * keys (compaction) can share a partition (ordering): a job's invoice and gross pay items go with the job.
   */
  partitionKey?: string;
  /** An explicit partition (markers written to every partition); wins over partitionKey. */
  partition?: number;
}

export interface OutgoingMessage {
  topic: string;
  envelope: MessageEnvelope<unknown>;
  options: PublishOptions;
}

export interface RawMessage {
  key: string | null;
  /** null = a tombstone (deletes the key on a compacted topic). */
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** As in PublishOptions. */
  partitionKey?: string;
  partition?: number;
}

/**
 * Resolved once the broker acknowledged the record on all in-sync replicas: where it was written. The offset lets a
 * state view read its own write without asking the broker (see CompactedTopicView).
 */
export interface PublishReceipt {
  /** Logical topic name. */
  topic: string;
  partition: number;
  /** Offset of the record in its partition (a decimal string: Kafka offsets are 64-bit). */
  offset: string;
}

/**
 * What apps depend on to publish. The Kafka implementation is MessageProducer; unit tests use
 * InMemoryMessageBus. Every publish resolves only after the broker acknowledged (acks=all).
 */
export abstract class MessagePublisher {
  abstract publish(topic: string, envelope: MessageEnvelope<unknown>, options: PublishOptions): Promise<PublishReceipt>;
  abstract publishMany(messages: OutgoingMessage[]): Promise<PublishReceipt[]>;
  abstract publishRaw(topic: string, messages: RawMessage[]): Promise<PublishReceipt[]>;
}

export function envelopeHeaders(
  envelope: MessageEnvelope<unknown>,
  extra?: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {
    [H.MessageId]: envelope.id,
    [H.MessageType]: envelope.type,
    [H.Tenant]: envelope.tenant,
    [H.CorrelationId]: envelope.correlationId,
  };
  if (envelope.causationId) headers[H.CausationId] = envelope.causationId;
  return { ...headers, ...(extra ?? {}) };
}
