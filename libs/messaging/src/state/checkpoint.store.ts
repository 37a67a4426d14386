import { CHECKPOINT, CheckpointV1, createEnvelope, Topics } from '@connector/contracts';
import { MessagingService } from '../messaging.service';
import { readCompactedTopic } from './compacted-topic.reader';

/**
 * Checkpoints and small per-record state on the compacted `connector.checkpoint.v1` topic (key tenant:stream).
 * load() rebuilds the latest values at start; set() publishes (acks=all) before updating memory, so a crash
 * never leaves memory ahead of Kafka.
 */
export class CheckpointStore {
  private readonly values = new Map<string, CheckpointV1>();

  constructor(
    private readonly messaging: MessagingService,
    private readonly owner: string,
  ) {}

  static key(tenant: string, stream: string): string {
    return `${tenant}:${stream}`;
  }

  async load(tenants: string[]): Promise<number> {
    const all = await readCompactedTopic<CheckpointV1>(this.messaging.kafka, this.messaging.ns, Topics.Checkpoint);
    for (const [key, env] of all) {
      if (tenants.includes(env.tenant) && env.payload.stream.startsWith(`${this.owner}:`))
        this.values.set(key, env.payload);
    }
    return this.values.size;
  }

  get(tenant: string, stream: string): CheckpointV1 | undefined {
    return this.values.get(CheckpointStore.key(tenant, `${this.owner}:${stream}`));
  }

  async set(
    tenant: string,
    stream: string,
    position: string,
    state?: Record<string, unknown>,
    correlationId?: string,
  ): Promise<void> {
    const full = `${this.owner}:${stream}`;
    const payload: CheckpointV1 = {
      stream: full,
      position,
      updatedAt: new Date().toISOString(),
      ...(state ? { state } : {}),
    };
    const envelope = createEnvelope({ type: CHECKPOINT, tenant, source: 'poll', payload, correlationId });
    await this.messaging.producer.publish(Topics.Checkpoint, envelope, { key: CheckpointStore.key(tenant, full) });
    this.values.set(CheckpointStore.key(tenant, full), payload);
  }
}
