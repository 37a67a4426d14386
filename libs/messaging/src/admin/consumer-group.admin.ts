import { Kafka } from 'kafkajs';
import { TopicNamespace } from '../kafka/kafka-settings';
import { withLeaderRetry } from './retry-leader';

export interface OffsetResetPlan {
  groupId: string;
  timestamp: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; from: string; to: string }> }>;
  applied: boolean;
}

export class ConsumerGroupActiveError extends Error {
  constructor(groupId: string, state: string, members: number) {
    super(
      `consumer group "${groupId}" is active (state ${state}, ${members} member(s)); stop its consumers before resetting offsets`,
    );
    this.name = 'ConsumerGroupActiveError';
  }
}

/** Topic replay for reprocessing: moves a consumer group's committed offsets to a point in time. */
export class ConsumerGroupAdmin {
  constructor(
    private readonly kafka: Kafka,
    private readonly ns: TopicNamespace,
  ) {}

  async resetToTimestamp(
    groupId: string,
    topics: string[],
    at: Date,
    opts: { dryRun: boolean },
  ): Promise<OffsetResetPlan> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
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
    } finally {
      await admin.disconnect();
    }
  }

  async committedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const res = await admin.fetchOffsets({ groupId: this.ns.group(groupId), topics: [this.ns.topic(topic)] });
      return (res[0]?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }));
    } finally {
      await admin.disconnect();
    }
  }
}
