import { MessageEnvelope } from '@connector/contracts';
import { BaseRpcContext } from '@nestjs/microservices';

/** How often keepAlive() heartbeats (the group's heartbeat interval). */
const KEEP_ALIVE_EVERY_MS = 3000;

export interface BusContextFields<P> {
  group: string;
  /** Logical topic name (without the namespace prefix). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch, as a string). */
  timestamp: string;
  /** The validated envelope; null in raw groups. */
  envelope: MessageEnvelope<P> | null;
  /** The record's bytes as read (null for a tombstone). */
  raw: Buffer | null;
  attempt: number;
  maxAttempts: number;
  heartbeat: () => Promise<void>;
}

/**
 * The @Ctx() of a bus handler: where the message came from, its envelope and headers, and which attempt this is.
 * A new context is made for every attempt; the attempt counter lives in the consumer loop only.
 */
export class BusContext<P = unknown> extends BaseRpcContext<[]> {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly timestamp: string;
  readonly raw: Buffer | null;
  /** 1-based attempt number of this delivery (restarts at 1 after a restart or rebalance). */
  readonly attempt: number;
  /** True when a failure now sends the message to the dead-letter topic. */
  readonly isLastAttempt: boolean;
  private readonly decoded: MessageEnvelope<P> | null;
  private readonly beat: () => Promise<void>;

  constructor(fields: BusContextFields<P>) {
    super([]);
    this.group = fields.group;
    this.topic = fields.topic;
    this.partition = fields.partition;
    this.offset = fields.offset;
    this.key = fields.key;
    this.headers = fields.headers;
    this.timestamp = fields.timestamp;
    this.raw = fields.raw;
    this.attempt = fields.attempt;
    this.isLastAttempt = fields.attempt >= fields.maxAttempts;
    this.decoded = fields.envelope;
    this.beat = fields.heartbeat;
  }

  /** The validated envelope (envelope-mode groups; raw groups read `raw`). */
  get envelope(): MessageEnvelope<P> {
    if (!this.decoded) throw new Error(`consumer group ${this.group} reads raw records: there is no envelope`);
    return this.decoded;
  }

  /** Tells the group this consumer is alive (slow work); errors are ignored, the consumer loop sees them. */
  heartbeat(): Promise<void> {
    return this.beat().catch(() => undefined);
  }

  /** Runs slow work (an X3 call, a queue wait) while heart-beating, so the group does not evict this consumer. */
  async keepAlive<T>(fn: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void this.heartbeat(), KEEP_ALIVE_EVERY_MS);
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }
}
