import { MessageEnvelope } from '@connector/contracts';
import { Logger } from '@nestjs/common';
import { MessagePublisher, PublishReceipt } from '../producer/message-publisher';

export interface ViewChange<T> {
  key: string;
  /** undefined: the key was deleted (tombstone) or left the view (filter). */
  value: T | undefined;
  previous: T | undefined;
  /** 'local': our own acknowledged write; 'topic': a record read from the topic. */
  source: 'local' | 'topic';
}

/** What the view's hub (StateViews) gives each view. */
export interface ViewSource {
  ready(topic: string, signal?: AbortSignal): Promise<void>;
  isReady(topic: string): boolean;
  sync(topic: string): Promise<void>;
  caughtUpTo(topic: string, partition: number, offset: string, signal?: AbortSignal): Promise<void>;
  invalid(view: string, detail: { key: string; partition: number; offset: string; reason: string }): void;
}

/**
 * The latest value per key of a compacted topic, in memory, kept current (see StateViews.open).
 *
 * Read-your-own-write: put()/delete() publish (acks=all) and apply the value locally as soon as the broker
 * acknowledged it, remembering the record's offset. A key always lives on one partition, so offsets of one key are
 * ordered: a record of that key read later with a lower or equal offset (our own write coming back, or another
 * writer's older record) is ignored, and the view never goes back in time.
 */
export class CompactedTopicView<T> {
  private readonly logger: Logger;
  private readonly byKey = new Map<string, T>();
  /** Offset of the record each key's value came from (kept for deleted keys too). */
  private readonly offsets = new Map<string, bigint>();
  private readonly listeners = new Set<(change: ViewChange<T>) => void>();

  constructor(
    readonly name: string,
    readonly topic: string,
    private readonly source: ViewSource,
    private readonly publisher: MessagePublisher,
    private readonly accept: (envelope: MessageEnvelope<unknown>, key: string) => boolean,
    private readonly decode: (envelope: MessageEnvelope<unknown>, key: string) => T,
  ) {
    this.logger = new Logger(`view:${name}`);
  }

  get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  values(): IterableIterator<T> {
    return this.byKey.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.byKey.entries();
  }

  /**
   * Resolves once the topic has been read up to the end offsets it had when the app started; rejects with the
   * signal's reason if it aborts first (a caller that stops waiting, e.g. at shutdown).
   */
  ready(signal?: AbortSignal): Promise<void> {
    return this.source.ready(this.topic, signal);
  }

  isReady(): boolean {
    return this.source.isReady(this.topic);
  }

  /** Resolves once the topic has been read up to its end offsets now (one broker round trip): other writers' news. */
  sync(): Promise<void> {
    return this.source.sync(this.topic);
  }

  /**
   * Resolves once this view has applied the record at `offset` of `partition` and everything before it there (no
   * broker round trip): a consumer of the same topic reads the state its message belongs to.
   */
  caughtUpTo(partition: number, offset: string, signal?: AbortSignal): Promise<void> {
    return this.source.caughtUpTo(this.topic, partition, offset, signal);
  }

  /** Calls `listener` on every change of a value, local or read; returns the unsubscribe function. */
  onChange(listener: (change: ViewChange<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes `envelope` under `key` and applies it here once acknowledged. */
  async put(
    key: string,
    envelope: MessageEnvelope<unknown>,
    headers?: Record<string, string>,
  ): Promise<PublishReceipt> {
    const receipt = await this.publisher.publish(this.topic, envelope, { key, headers });
    this.apply(key, envelope, BigInt(receipt.offset), 'local');
    return receipt;
  }

  /** Publishes a tombstone for `key` and removes it here once acknowledged. */
  async delete(key: string): Promise<PublishReceipt> {
    const [receipt] = await this.publisher.publishRaw(this.topic, [{ key, value: null }]);
    this.apply(key, null, BigInt(receipt.offset), 'local');
    return receipt;
  }

  /** A record read from the topic (null = tombstone). */
  applyRecord(key: string, envelope: MessageEnvelope<unknown> | null, offset: bigint): void {
    this.apply(key, envelope, offset, 'topic');
  }

  private apply(
    key: string,
    envelope: MessageEnvelope<unknown> | null,
    offset: bigint,
    source: ViewChange<T>['source'],
  ): void {
    // offset < 0: written but the broker did not say where; apply without ordering.
    if (offset >= 0n) {
      const seen = this.offsets.get(key);
      if (seen !== undefined && seen >= offset) return;
      this.offsets.set(key, offset);
    }
    const previous = this.byKey.get(key);
    let value: T | undefined;
    if (envelope && this.accept(envelope, key)) {
      try {
        value = this.decode(envelope, key);
      } catch (e) {
        this.source.invalid(this.name, {
          key,
          partition: -1,
          offset: offset.toString(),
          reason: (e as Error).message,
        });
        return;
      }
      this.byKey.set(key, value);
    } else {
      if (previous === undefined) return;
      this.byKey.delete(key);
    }
    for (const l of this.listeners) {
      try {
        l({ key, value, previous, source });
      } catch (e) {
        this.logger.error({ msg: 'a view listener failed', key, err: e as Error });
      }
    }
  }
}
