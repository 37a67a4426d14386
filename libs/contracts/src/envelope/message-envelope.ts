import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
} from 'class-validator';

export const MESSAGE_SOURCES = ['webhook', 'poll', 'replay', 'mapper', 'poster', 'poller', 'audit', 'manual'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];

/** Tenant ids are the connector's own slugs (also used in topic keys and URLs). */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The one envelope on every topic. Payload fields are validated by the class registered for `type`.
 * correlationId = the originating ServiceTitan event (or poll) id; causationId = the message this one came from.
 */
export interface MessageEnvelope<P = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  tenant: string;
  occurredAt: string;
  producedAt: string;
  source: MessageSource;
  correlationId: string;
  causationId: string | null;
  payload: P;
}

export class MessageEnvelopeDto implements MessageEnvelope<Record<string, unknown>> {
  @IsUUID() id!: string;
  @IsString() @IsNotEmpty() type!: string;
  @IsInt() @Min(1) schemaVersion!: number;
  @IsString() @Matches(TENANT_PATTERN, { message: 'tenant must be a lowercase slug' }) tenant!: string;
  @IsISO8601({ strict: true }) occurredAt!: string;
  @IsISO8601({ strict: true }) producedAt!: string;
  @IsIn(MESSAGE_SOURCES as unknown as string[]) source!: MessageSource;
  @IsString() @IsNotEmpty() correlationId!: string;
  @IsOptional() @IsString() causationId!: string | null;
  @IsObject() @Type(() => Object) payload!: Record<string, unknown>;
}

/** Kafka headers every message carries (mirrors of envelope fields, so tools can filter without parsing). */
export const Headers = {
  MessageId: 'x-message-id',
  MessageType: 'x-message-type',
  Tenant: 'x-tenant',
  CorrelationId: 'x-correlation-id',
  CausationId: 'x-causation-id',
  ReplayId: 'x-replay-id',
  ReplayOfMessageId: 'x-replay-original-message-id',
  ReplayActor: 'x-replay-actor',
  ReplayReason: 'x-replay-reason',
  /** On ServiceTitan records published by a backfill's load: the request id (the mapper holds them silently). */
  BackfillRequest: 'x-backfill-request',
  DeadLetterReason: 'x-dead-letter-reason',
  DeadLetterSourceTopic: 'x-dead-letter-source-topic',
  DeadLetterSourcePartition: 'x-dead-letter-source-partition',
  DeadLetterSourceOffset: 'x-dead-letter-source-offset',
  DeadLetterConsumerGroup: 'x-dead-letter-consumer-group',
  DeadLetterAttempts: 'x-dead-letter-attempts',
} as const;
