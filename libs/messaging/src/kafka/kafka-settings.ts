import { CommonEnv } from '@connector/config';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** "<prefix>.<topic>" and "<prefix>.<group>" when set: shared clusters and isolated test runs. */
  topicPrefix?: string;
  partitions: number;
  replicationFactor: number;
  provisionTopics: boolean;
  shutdownTimeoutMs: number;
  /** Coalesce concurrent publishes into one sendBatch (default true). */
  producerBatching?: boolean;
  /** How often consumer lag is measured for the metrics (ms); 0 = never. */
  lagIntervalMs?: number;
  /** A consumer handling one message longer than this (ms) is stuck: readiness fails, a metric says so. Default 15 min. */
  stuckAfterMs?: number;
}

export const DEFAULT_STUCK_AFTER_MS = 900_000;

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

export function kafkaSettingsFromEnv(env: CommonEnv, clientId: string): KafkaSettings {
  return {
    brokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    clientId,
    topicPrefix: env.KAFKA_TOPIC_PREFIX || undefined,
    partitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    provisionTopics: env.KAFKA_PROVISION_TOPICS !== 'false',
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    producerBatching: env.KAFKA_PRODUCER_BATCHING,
    lagIntervalMs: env.KAFKA_LAG_INTERVAL_MS,
    stuckAfterMs: env.KAFKA_CONSUMER_STUCK_AFTER_MS,
  };
}

/** Maps logical names (from libs/contracts) to physical topic and group names, and back. */
export class TopicNamespace {
  constructor(readonly prefix?: string) {}

  topic(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  group(id: string): string {
    return this.prefix ? `${this.prefix}.${id}` : id;
  }

  logical(physical: string): string {
    return this.prefix && physical.startsWith(`${this.prefix}.`) ? physical.slice(this.prefix.length + 1) : physical;
  }
}
