import { MessagingService } from '@connector/messaging';

/** The kafkajs admin client, typed through MessagingService (only libs/messaging imports kafkajs). */
export type KafkaAdmin = ReturnType<MessagingService['kafka']['admin']>;

/** `topic|partition` → offsets at the time of the call. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** Log start offset. */
  low: bigint;
  /** High watermark: offset of the next record to be written. */
  high: bigint;
}

/** One long-lived admin connection for offset look-ups (readiness and read-your-writes barriers). */
export class TopicOffsetsAdmin {
  private admin: KafkaAdmin | null = null;
  private connecting: Promise<KafkaAdmin> | null = null;

  constructor(private readonly messaging: MessagingService) {}

  private async client(): Promise<KafkaAdmin> {
    if (this.admin) return this.admin;
    if (!this.connecting) {
      this.connecting = (async () => {
        const admin = this.messaging.kafka.admin();
        await admin.connect();
        this.admin = admin;
        return admin;
      })().finally(() => (this.connecting = null));
    }
    return this.connecting;
  }

  /** End offsets of logical topics (namespaced with the app's topic prefix). */
  async endOffsets(topics: readonly string[]): Promise<PartitionOffsets[]> {
    const admin = await this.client();
    const out: PartitionOffsets[] = [];
    for (const topic of topics) {
      const parts = await admin.fetchTopicOffsets(this.messaging.ns.topic(topic));
      for (const p of parts) out.push({ topic, partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) });
    }
    return out;
  }

  /** Best effort: a per-boot consumer group is useless after shutdown. */
  async deleteGroup(groupId: string): Promise<void> {
    const admin = await this.client();
    await admin.deleteGroups([this.messaging.ns.group(groupId)]);
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    if (admin) await admin.disconnect();
  }
}
