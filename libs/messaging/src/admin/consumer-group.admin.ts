import { Admin } from 'kafkajs';
import { createKafka } from '../kafka/kafka-connection';
import { TopicNamespace } from '../kafka/kafka-settings';
import { withLeaderRetry } from './retry-leader';

export interface OffsetResetPlan {
  groupId: string;
  timestamp: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; from: string; to: string }> }>;
  applied: boolean;
}

/** Offsets of one partition: `low` = log start, `high` = high watermark (the offset the next record gets). */
export interface PartitionOffsets {
  partition: number;
  low: bigint;
  high: bigint;
}

export class ConsumerGroupActiveError extends Error {
  constructor(groupId: string, state: string, members: number) {
    super(
      `consumer group "${groupId}" is active (state ${state}, ${members} member(s)); stop its consumers before resetting offsets`,
    );
    this.name = 'ConsumerGroupActiveError';
  }
}

/**
 * Kafka administration the apps and tools need, in logical names (topics and groups are namespaced here): topic
 * offsets, committed offsets and lag of a group, offset reset for topic replay, deleting a group. In an app it shares
 * the app's admin connection (inject it); tools outside Nest use ConsumerGroupAdmin.connect().
 */
export class ConsumerGroupAdmin {
  constructor(
    private readonly admin: () => Promise<Admin>,
    private readonly ns: TopicNamespace,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  /** A stand-alone admin with its own connection (CLI tools); close() it when done. */
  static connect(opts: { brokers: string[]; topicPrefix?: string; clientId?: string }): ConsumerGroupAdmin {
    const admin = createKafka({ brokers: opts.brokers, clientId: opts.clientId ?? 'connector-admin' }).admin();
    const connected = admin.connect().then(() => admin);
    return new ConsumerGroupAdmin(
      () => connected,
      new TopicNamespace(opts.topicPrefix),
      async () => {
        await connected.catch(() => undefined);
        await admin.disconnect();
      },
    );
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  /** Partitions of a topic with their log start and end offsets, now. */
  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const admin = await this.admin();
    const offsets = await withLeaderRetry(() => admin.fetchTopicOffsets(this.ns.topic(topic)));
    return offsets.map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
  }

  /** Number of partitions of a topic. */
  async partitionCount(topic: string): Promise<number> {
    const admin = await this.admin();
    const meta = await withLeaderRetry(() => admin.fetchTopicMetadata({ topics: [this.ns.topic(topic)] }));
    const count = meta.topics[0]?.partitions.length ?? 0;
    if (count < 1) throw new Error(`topic ${topic} has no partitions (not provisioned?)`);
    return count;
  }

  async committedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>> {
    const admin = await this.admin();
    const res = await admin.fetchOffsets({ groupId: this.ns.group(groupId), topics: [this.ns.topic(topic)] });
    return (res[0]?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }));
  }

  /** Messages of `topic` the group has not committed yet (end offset minus committed offset, over partitions). */
  async lag(groupId: string, topic: string): Promise<number> {
    const [ends, committed] = await Promise.all([this.topicOffsets(topic), this.committedOffsets(groupId, topic)]);
    const done = new Map(committed.map((p) => [p.partition, BigInt(p.offset)]));
    let lag = 0n;
    for (const p of ends) {
      const c = done.get(p.partition) ?? -1n;
      lag += p.high - (c < 0n ? p.low : c);
    }
    return Number(lag);
  }

  /** Best effort clean-up of a group nobody will use again (per-instance state readers). */
  async deleteGroup(groupId: string): Promise<void> {
    const admin = await this.admin();
    await admin.deleteGroups([this.ns.group(groupId)]);
  }

  /** Topic replay for reprocessing: moves a stopped consumer group's committed offsets to a point in time. */
  async resetToTimestamp(
    groupId: string,
    topics: string[],
    at: Date,
    opts: { dryRun: boolean },
  ): Promise<OffsetResetPlan> {
    const admin = await this.admin();
    const group = this.ns.group(groupId);
    const { groups } = await admin.describeGroups([group]);
    const g = groups[0];
    if (g && g.members.length > 0 && g.state !== 'Empty' && g.state !== 'Dead')
      throw new ConsumerGroupActiveError(groupId, g.state, g.members.length);
    const plan: OffsetResetPlan = { groupId, timestamp: at.toISOString(), topics: [], applied: false };
    for (const topic of topics) {
      const physical = this.ns.topic(topic);
      const target = await withLeaderRetry(() => admin.fetchTopicOffsetsByTimestamp(physical, at.getTime()));
      const current = await withLeaderRetry(() => admin.fetchOffsets({ groupId: group, topics: [physical] }));
      const cur = new Map((current[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
      plan.topics.push({
        topic,
        partitions: target.map((p) => ({ partition: p.partition, from: cur.get(p.partition) ?? '-1', to: p.offset })),
      });
    }
    if (!opts.dryRun) {
      for (const t of plan.topics) {
        await admin.setOffsets({
          groupId: group,
          topic: this.ns.topic(t.topic),
          partitions: t.partitions.map((p) => ({ partition: p.partition, offset: p.to })),
        });
      }
      plan.applied = true;
    }
    return plan;
  }
}
