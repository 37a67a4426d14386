import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CheckpointV1,
  createCausedEnvelope,
  CHECKPOINT,
  decodeMessage,
  MessageEnvelope,
  Topics,
} from '@connector/contracts';
import { ConsumedMessage, MessagePublisher, MessagingService, PermanentMessageError } from '@connector/messaging';
import { ReadinessRegistry } from '@connector/observability';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { MapperEnv } from '../app/mapper.env';
import { MapperCheckpointState, MapperCheckpointStore } from './mapper-checkpoint.store';
import { MASTER_DATA_TOPICS, MasterDataCache } from './master-data.cache';
import { PartitionOffsets, TopicOffsetsAdmin } from './topic-offsets.admin';

export const STATE_TOPICS: string[] = [...MASTER_DATA_TOPICS, Topics.Checkpoint];

const tp = (topic: string, partition: number) => `${topic}|${partition}`;

/**
 * Rebuilds the mapper's derived state (X3 master-data cache and its own checkpoints) from compacted topics.
 *
 * Why a consumer group unique to this process (`mapper-state-<instance>-<boot id>`, from the beginning): every
 * instance needs ALL of the state (a job on any partition may use any account), and the state lives in memory, so
 * each start must read the topics from offset 0. A shared group would split partitions between instances; a
 * stable per-instance group would resume from its committed offsets after a restart and leave the cache empty.
 * The group is deleted on graceful shutdown; one left by a crash expires with the broker's offsets retention.
 *
 * Ready once every partition has been read up to the end offset it had at start; mapping waits for that.
 */
@Injectable()
export class StateTopicsReader implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('mapper-state');
  readonly cache = new MasterDataCache();
  readonly checkpoints = new MapperCheckpointStore();
  readonly groupId: string;
  private readonly offsets: TopicOffsetsAdmin;
  /** Offset of the last record handled, per topic|partition. */
  private readonly consumed = new Map<string, bigint>();
  private startTargets: PartitionOffsets[] | null = null;
  private ready = false;
  private stopping = false;

  constructor(
    private readonly messaging: MessagingService,
    private readonly publisher: MessagePublisher,
    private readonly env: MapperEnv,
    readiness: ReadinessRegistry,
  ) {
    const instance = (env.MAPPER_INSTANCE_ID || hostname())
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    this.groupId = `mapper-state-${instance}-${randomBytes(4).toString('hex')}`;
    this.offsets = new TopicOffsetsAdmin(messaging);
    readiness.register({ name: 'mapper-state-caught-up', check: () => this.isReady() });
  }

  onModuleInit(): void {
    this.messaging.registerConsumer({
      groupId: this.groupId,
      topics: STATE_TOPICS,
      fromBeginning: true,
      // Raw: the reader must see every offset (also invalid records) to know it has caught up; it validates itself.
      mode: 'raw',
      partitionsConsumedConcurrently: STATE_TOPICS.length,
      handler: (m) => this.handle(m),
    });
  }

  onApplicationBootstrap(): void {
    void this.captureStartOffsets();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    try {
      await this.offsets.deleteGroup(this.groupId);
    } catch (e) {
      this.logger.warn({
        msg: 'could not delete the per-boot state consumer group (it will expire)',
        group: this.groupId,
        err: (e as Error).message,
      });
    }
    await this.offsets.close().catch(() => undefined);
  }

  isReady(): boolean {
    if (this.ready) return true;
    if (!this.startTargets || !this.reached(this.startTargets)) return false;
    this.ready = true;
    this.logger.log({
      msg: 'state caught up with the compacted topics',
      masterRecords: this.cache.size(),
      checkpoints: this.checkpoints.size(),
    });
    return true;
  }

  /** Waits (heart-beating the caller's consumer group) until the start-up catch-up is complete. */
  async waitUntilReady(
    heartbeat: () => Promise<void>,
    timeoutMs = this.env.MAPPER_STATE_WAIT_TIMEOUT_MS,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastBeat = Date.now();
    while (!this.isReady()) {
      if (Date.now() > deadline)
        throw new Error(`X3 master data and checkpoints not loaded within ${timeoutMs} ms; retrying later`);
      await new Promise((r) => setTimeout(r, 50));
      if (Date.now() - lastBeat > 2000) {
        lastBeat = Date.now();
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /**
   * Read-your-writes across instances: after a rebalance another instance may have written this record's
   * checkpoint moments ago. Waits until the checkpoint topic is read up to its current end.
   */
  async syncCheckpoints(heartbeat: () => Promise<void>): Promise<void> {
    const targets = await this.offsets.endOffsets([Topics.Checkpoint]);
    const deadline = Date.now() + this.env.MAPPER_STATE_WAIT_TIMEOUT_MS;
    while (!this.reached(targets)) {
      if (Date.now() > deadline) throw new Error('checkpoint topic not read up to its end in time; retrying later');
      await new Promise((r) => setTimeout(r, 20));
      await heartbeat().catch(() => undefined);
    }
  }

  /** Publishes a record's new state (key `<tenant>:<stream>`) and applies it locally at once. */
  async saveCheckpoint(
    cause: MessageEnvelope<unknown>,
    stream: string,
    state: MapperCheckpointState,
    position: string,
  ): Promise<void> {
    const payload: CheckpointV1 = {
      stream,
      position,
      updatedAt: new Date().toISOString(),
      state: state as unknown as Record<string, unknown>,
    };
    const envelope = createCausedEnvelope(cause, { type: CHECKPOINT, source: 'mapper', payload });
    await this.publisher.publish(Topics.Checkpoint, envelope, { key: `${cause.tenant}:${stream}` });
    this.checkpoints.put(cause.tenant, stream, state);
  }

  private reached(targets: PartitionOffsets[]): boolean {
    return targets.every((t) => {
      if (t.high <= t.low) return true;
      const c = this.consumed.get(tp(t.topic, t.partition));
      return c !== undefined && c >= t.high - 1n;
    });
  }

  private async captureStartOffsets(): Promise<void> {
    // The messaging module provisions topics during bootstrap too: retry until they exist.
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        this.startTargets = await this.offsets.endOffsets(STATE_TOPICS);
        this.logger.log({ msg: 'state catch-up target captured', partitions: this.startTargets.length });
        return;
      } catch (e) {
        if (attempt % 20 === 0)
          this.logger.warn({ msg: 'still waiting for state topic offsets', err: (e as Error).message });
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
      }
    }
  }

  private async handle(m: ConsumedMessage): Promise<void> {
    try {
      const decoded = decodeMessage(m.topic, m.raw);
      if (!decoded.ok) {
        // Dead-lettered by the consumer; the cache keeps the previous state of that key.
        throw new PermanentMessageError(decoded.reason);
      }
      if (m.topic === Topics.Checkpoint) {
        const outcome = this.checkpoints.apply(decoded.envelope as MessageEnvelope<CheckpointV1>);
        if (outcome === 'invalid')
          this.logger.error({ msg: 'ignoring a mapper checkpoint with an unreadable state', key: m.key });
      } else {
        this.cache.apply(m.topic, decoded.envelope);
      }
    } finally {
      const k = tp(m.topic, m.partition);
      const off = BigInt(m.offset);
      if ((this.consumed.get(k) ?? -1n) < off) this.consumed.set(k, off);
    }
  }
}
