import { FactoryProvider, InjectionToken } from '@nestjs/common';

export interface RetryPolicy {
  /** Handler attempts per message, including the first. */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialBackoffMs: 200, maxBackoffMs: 10000 };

/**
 * Runtime settings of one consumer group (the `group` of its @EventPattern handlers). They come from DI
 * (provideConsumerGroup) because decorators cannot read the validated environment.
 */
export interface ConsumerGroupSettings {
  /** Kafka consumer group id (namespaced like topics). Default: the logical group name. Stable: renaming re-reads. */
  groupId?: string;
  retry?: Partial<RetryPolicy>;
  /** Partitions handled at once by this instance (order within a partition is kept). Default 1. */
  partitionConcurrency?: number;
  /** Where a group without committed offsets starts. Default true (from the beginning). */
  fromBeginning?: boolean;
  /**
   * 'envelope' (default): every message is validated with decodeMessage, invalid → DLQ, handlers get the payload.
   * 'raw': handlers get the bytes (Buffer | null) whatever they are (the audit trail).
   */
  mode?: 'envelope' | 'raw';
  /**
   * Awaited (heart-beating) after every group join, before the first message of the new assignment is handled;
   * a failure counts as a failed attempt of that message. For read-your-writes across a rebalance: another instance
   * may have written state for these partitions just before it gave them up.
   */
  afterJoin?: () => Promise<void>;
}

/** Throw to skip retries: the message goes straight to the dead-letter topic with this reason. */
export class PermanentMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

/** DI token of a group's settings. */
export function consumerGroupToken(group: string): string {
  return `connector:consumer-group:${group}`;
}

/**
 * Settings of a consumer group from the app's providers, e.g.
 * `provideConsumerGroup(MAPPER_GROUP, (env: MapperEnv) => ({ partitionConcurrency: env.MAPPER_PARTITION_CONCURRENCY }), [MapperEnv])`.
 * A group with handlers but no settings uses the defaults.
 */
export function provideConsumerGroup(
  group: string,
  factory: (...deps: never[]) => ConsumerGroupSettings,
  inject: InjectionToken[] = [],
): FactoryProvider<ConsumerGroupSettings> {
  return {
    provide: consumerGroupToken(group),
    useFactory: factory as (...deps: unknown[]) => ConsumerGroupSettings,
    inject,
  };
}
