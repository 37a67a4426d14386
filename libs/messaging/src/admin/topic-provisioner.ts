import { topicCatalogue, TopicSpec } from '@connector/contracts';
import { sleep } from '@connector/util';
import { Admin } from 'kafkajs';
import { TopicNamespace } from '../kafka/kafka-settings';

function configEntries(spec: TopicSpec): Array<{ name: string; value: string }> {
  if (spec.compacted) {
    return [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.cleanable.dirty.ratio', value: '0.1' },
      { name: 'segment.ms', value: String(6 * 60 * 60 * 1000) },
    ];
  }
  return [
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'retention.ms', value: String(spec.retentionMs) },
  ];
}

/**
 * Creates every topic of the catalogue that does not exist yet (names, partitions, compaction, retention from
 * the one declaration in libs/contracts). Never deletes or shrinks: existing topics are left as they are.
 */
export async function provisionTopics(
  admin: Admin,
  ns: TopicNamespace,
  opts: { partitions: number; replicationFactor: number; specs?: TopicSpec[] },
): Promise<string[]> {
  const specs = opts.specs ?? topicCatalogue(opts.partitions);
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(ns.topic(s.name)));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: ns.topic(s.name),
        numPartitions: s.partitions,
        replicationFactor: opts.replicationFactor,
        configEntries: configEntries(s),
      })),
    });
  } catch (e) {
    // Another app may have created them concurrently, or a busy broker has not published the new topics' metadata
    // yet (UNKNOWN_TOPIC_OR_PARTITION while waiting for leaders): fine as long as they all exist within a while.
    for (let waited = 0; ; waited += 500) {
      const now = new Set(await admin.listTopics());
      if (missing.every((s) => now.has(ns.topic(s.name)))) break;
      if (waited >= 30_000) throw e;
      await sleep(500);
    }
  }
  return missing.map((s) => ns.topic(s.name));
}
