import { randomUUID } from 'node:crypto';
import { decodeMessage, MessageEnvelope } from '@connector/contracts';
import { Kafka } from 'kafkajs';
import { TopicNamespace } from '../kafka/kafka-settings';
import { withLeaderRetry } from '../admin/retry-leader';

/**
 * Reads a compacted topic from the beginning up to its end offsets at call time and returns the latest
 * valid value per key. Used at start to rebuild derived state (checkpoints, ledgers, master-data caches),
 * so apps keep no local disk state. Uses a throw-away consumer group that is deleted afterwards.
 */
export async function readCompactedTopic<P = unknown>(
  kafka: Kafka,
  ns: TopicNamespace,
  topic: string,
  opts: { keyPrefix?: string; timeoutMs?: number } = {},
): Promise<Map<string, MessageEnvelope<P>>> {
  const physical = ns.topic(topic);
  const admin = kafka.admin();
  await admin.connect();
  const out = new Map<string, MessageEnvelope<P>>();
  try {
    const offsets = await withLeaderRetry(() => admin.fetchTopicOffsets(physical));
    const remaining = new Map<number, bigint>();
    for (const p of offsets) {
      const high = BigInt(p.high);
      if (high > BigInt(p.low)) remaining.set(p.partition, high - 1n);
    }
    if (remaining.size === 0) return out;
    const groupId = ns.group(`state-reader-${randomUUID()}`);
    const consumer = kafka.consumer({ groupId, sessionTimeout: 30000, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [physical], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`reading ${topic} did not reach its end within ${opts.timeoutMs ?? 60000} ms`)),
          opts.timeoutMs ?? 60000,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const key = message.key?.toString('utf8') ?? '';
              if (!opts.keyPrefix || key.startsWith(opts.keyPrefix)) {
                if (message.value === null) out.delete(key);
                else {
                  const decoded = decodeMessage<P>(topic, message.value);
                  if (decoded.ok) out.set(key, decoded.envelope);
                }
              }
              const last = remaining.get(partition);
              if (last !== undefined && BigInt(message.offset) >= last) remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}
