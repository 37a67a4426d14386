import { MessageEnvelope } from '@connector/contracts';

export interface ConsumedMessage<P = unknown> {
  /** Logical topic name (without namespace prefix). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  timestamp: string;
  /** Validated envelope; null only for raw registrations. */
  envelope: MessageEnvelope<P>;
  raw: Buffer | null;
  /** Call during slow work (X3 calls) so the group does not evict this consumer. */
  heartbeat: () => Promise<void>;
}

export interface RetryPolicy {
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface ConsumerRegistration<P = unknown> {
  /** Logical consumer group id (namespaced like topics). Stable: renaming it re-reads from the start. */
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** 'envelope' (default): validated with decodeMessage, invalid → DLQ. 'raw': anything, for the audit trail. */
  mode?: 'envelope' | 'raw';
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
  handler: (message: ConsumedMessage<P>) => Promise<void>;
}

/** Throw to skip retries: the message goes straight to the dead-letter topic with this reason. */
export class PermanentMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialBackoffMs: 200, maxBackoffMs: 10000 };
