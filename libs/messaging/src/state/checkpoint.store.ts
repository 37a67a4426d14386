import {
  CHECKPOINT,
  CheckpointV1,
  createCausedEnvelope,
  createEnvelope,
  MessageEnvelope,
  MessageSource,
  Topics,
} from '@connector/contracts';
import { CompactedTopicView } from './compacted-topic.view';
import { StateViews } from './state-views';

export interface CheckpointStoreOptions {
  /** Whose streams ('gateway', 'x3-poller', 'mapper'): keys are `<tenant>:<owner>:<stream>`. */
  owner: string;
  /** Only these tenants' checkpoints are kept (default: every tenant). */
  tenants?: readonly string[];
  /** Envelope source of the checkpoints this owner writes (default 'poll'). */
  source?: MessageSource;
  /**
   * Checks a checkpoint's state (e.g. with validateAs); the problems found, or []. An invalid record is ignored and
   * its key keeps the previous value (counted and logged by the view, with the problems as the reason).
   */
  validateState?: (state: Record<string, unknown> | undefined) => string[];
}

/**
 * Checkpoints and small per-record state of one owner on the compacted `connector.checkpoint.v1` topic (key
 * `<tenant>:<owner>:<stream>`), as a state view: rebuilt at start, kept current, and set() publishes (acks=all)
 * before memory changes, so a crash never leaves memory ahead of Kafka.
 */
export class CheckpointStore {
  private readonly view: CompactedTopicView<CheckpointV1>;

  constructor(
    views: StateViews,
    private readonly options: CheckpointStoreOptions,
  ) {
    const prefix = `${options.owner}:`;
    const tenants = options.tenants ? new Set(options.tenants) : null;
    this.view = views.open({
      topic: Topics.Checkpoint,
      name: `checkpoints:${options.owner}`,
      filter: (env) => (!tenants || tenants.has(env.tenant)) && (env.payload as CheckpointV1).stream.startsWith(prefix),
      decode: (env: MessageEnvelope<unknown>) => {
        const checkpoint = env.payload as CheckpointV1;
        const problems = options.validateState?.(checkpoint.state) ?? [];
        if (problems.length) throw new Error(`invalid ${checkpoint.stream} state: ${problems.join('; ')}`);
        return checkpoint;
      },
    });
  }

  static key(tenant: string, stream: string): string {
    return `${tenant}:${stream}`;
  }

  /** Resolves once the checkpoints written before this start are loaded (see CompactedTopicView.ready). */
  ready(signal?: AbortSignal): Promise<void> {
    return this.view.ready(signal);
  }

  isReady(): boolean {
    return this.view.isReady();
  }

  /** Resolves once checkpoints written by other instances until now are read (see CompactedTopicView.sync). */
  sync(): Promise<void> {
    return this.view.sync();
  }

  get size(): number {
    return this.view.size;
  }

  /** Called on every change of one of this owner's checkpoints (read or written); returns the unsubscribe function. */
  onChange(listener: (tenant: string, stream: string, checkpoint: CheckpointV1 | undefined) => void): () => void {
    const prefix = `${this.options.owner}:`;
    return this.view.onChange((c) => {
      const cp = c.value ?? c.previous;
      if (!cp) return;
      const tenant = c.key.slice(0, c.key.length - cp.stream.length - 1);
      listener(tenant, cp.stream.slice(prefix.length), c.value);
    });
  }

  get(tenant: string, stream: string): CheckpointV1 | undefined {
    return this.view.get(this.keyOf(tenant, stream));
  }

  /** Publishes the new checkpoint; resolves once acknowledged and visible to get(). */
  async set(
    tenant: string,
    stream: string,
    position: string,
    state?: Record<string, unknown>,
    cause?: MessageEnvelope<unknown>,
  ): Promise<void> {
    const payload: CheckpointV1 = {
      stream: `${this.options.owner}:${stream}`,
      position,
      updatedAt: new Date().toISOString(),
      ...(state ? { state } : {}),
    };
    const source = this.options.source ?? 'poll';
    const envelope = cause
      ? createCausedEnvelope(cause, { type: CHECKPOINT, source, payload })
      : createEnvelope({ type: CHECKPOINT, tenant, source, payload });
    await this.view.put(this.keyOf(tenant, stream), envelope);
  }

  private keyOf(tenant: string, stream: string): string {
    return CheckpointStore.key(tenant, `${this.options.owner}:${stream}`);
  }
}
