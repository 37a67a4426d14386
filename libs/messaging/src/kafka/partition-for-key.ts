import { PartitionMetadata, Partitioners } from 'kafkajs';

const keyed = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();

function metadata(partitions: number): PartitionMetadata[] {
  let m = metadataByCount.get(partitions);
  if (!m) {
    m = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataByCount.set(partitions, m);
  }
  return m;
}

/**
 * The partition the producer writes `key` to on a topic with `partitions` partitions: kafkajs' default partitioner
 * (murmur2 of the key modulo the partition count, the Java client's rule), so every process agrees with the broker
 * layout. Tenant ownership uses it to find a tenant's partition.
 */
export function partitionForKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new Error(`partition count must be ≥ 1 (got ${partitions})`);
  return keyed({ topic: '', partitionMetadata: metadata(partitions), message: { key, value: null } });
}
