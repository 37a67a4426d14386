import { MessageEnvelope } from '@connector/contracts';
import { CheckpointStore, CompactedTopicView, StateViews } from '@connector/messaging';
import { Injectable } from '@nestjs/common';
import { MapperEnv } from '../app/mapper.env';
import {
  BillCheckpointState,
  billStream,
  emptyBillState,
  emptyJobState,
  JobCheckpointState,
  jobStream,
  MAPPER_CHECKPOINT_OWNER,
  MapperCheckpointState,
  validateMapperState,
} from './mapper-checkpoint.state';
import { MASTER_DATA_TOPICS, MasterDataCache } from './master-data.cache';

/**
 * The mapper's derived state, as state views (libs/messaging) over compacted topics: the X3 master-data cache and
 * the mapper's own per-record checkpoints (validated field by field; an unreadable state is ignored and the record
 * keeps its previous one). Every instance holds all of it and keeps it current; its own checkpoint writes are
 * visible at once (read-your-own-write).
 */
@Injectable()
export class MapperState {
  readonly cache = new MasterDataCache();
  private readonly masterData: Array<CompactedTopicView<MessageEnvelope<unknown>>>;
  private readonly checkpoints: CheckpointStore;
  /** Jobs waiting for their labor to settle (`<tenant>:<jobId>`), looked at again on each watermark. */
  private readonly settling = new Set<string>();

  constructor(
    views: StateViews,
    private readonly env: MapperEnv,
  ) {
    this.masterData = MASTER_DATA_TOPICS.map((topic) => {
      const view = views.open({ topic, name: topic.replace(/^x3\.master\.(.*)\.v1$/, 'x3-$1') });
      view.onChange((c) => c.value && this.cache.apply(topic, c.value));
      return view;
    });
    this.checkpoints = new CheckpointStore(views, {
      owner: MAPPER_CHECKPOINT_OWNER,
      source: 'mapper',
      validateState: validateMapperState,
    });
    this.checkpoints.onChange((tenant, stream, cp) => {
      if (!stream.startsWith('job:')) return;
      const key = `${tenant}:${stream.slice(4)}`;
      if (cp?.state?.['lastOutcome'] === 'settling') this.settling.add(key);
      else this.settling.delete(key);
    });
  }

  /** Job ids of a tenant that wait for their labor to settle. */
  settlingJobs(tenant: string): number[] {
    const prefix = `${tenant}:`;
    return [...this.settling].filter((k) => k.startsWith(prefix)).map((k) => Number(k.slice(prefix.length)));
  }

  /**
   * The mapper group's afterJoin: master data loaded, and the checkpoint topic read up to its end now, since the
   * instance that handled these partitions before the rebalance may have written checkpoints moments ago.
   */
  async syncAfterJoin(): Promise<void> {
    const timeoutMs = this.env.MAPPER_STATE_WAIT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`X3 master data and checkpoints not loaded within ${timeoutMs} ms; retrying later`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.all([...this.masterData.map((v) => v.ready()), this.checkpoints.sync()]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  job(tenant: string, jobId: number): JobCheckpointState {
    const s = this.checkpoints.get(tenant, jobStream(jobId))?.state;
    return s?.['kind'] === 'job' ? (s as unknown as JobCheckpointState) : emptyJobState();
  }

  bill(tenant: string, billId: number): BillCheckpointState {
    const s = this.checkpoints.get(tenant, billStream(billId))?.state;
    return s?.['kind'] === 'bill' ? (s as unknown as BillCheckpointState) : emptyBillState();
  }

  /** Publishes a record's new state (caused by the message handled) and applies it here once acknowledged. */
  async saveCheckpoint(
    cause: MessageEnvelope<unknown>,
    stream: string,
    state: MapperCheckpointState,
    position: string,
  ): Promise<void> {
    await this.checkpoints.set(cause.tenant, stream, position, state as unknown as Record<string, unknown>, cause);
  }
}
