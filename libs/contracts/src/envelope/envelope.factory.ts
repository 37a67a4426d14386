import { randomUUID } from 'node:crypto';
import { messageTypeSpec } from '../messages/message-registry';
import { MessageEnvelope, MessageSource } from './message-envelope';

export interface NewEnvelope<P> {
  type: string;
  tenant: string;
  payload: P;
  source: MessageSource;
  occurredAt?: string;
  /** Defaults to the new message's own id (a message that starts a chain). */
  correlationId?: string;
  causationId?: string | null;
  now?: () => Date;
}

export function createEnvelope<P>(input: NewEnvelope<P>): MessageEnvelope<P> {
  const spec = messageTypeSpec(input.type);
  if (!spec) throw new Error(`unknown message type "${input.type}"`);
  const id = randomUUID();
  const now = (input.now ?? (() => new Date()))().toISOString();
  return {
    id,
    type: input.type,
    schemaVersion: spec.schemaVersion,
    tenant: input.tenant,
    occurredAt: input.occurredAt ?? now,
    producedAt: now,
    source: input.source,
    correlationId: input.correlationId ?? id,
    causationId: input.causationId ?? null,
    payload: input.payload,
  };
}

/** A message caused by another keeps its correlation id and points at it as the cause. */
export function createCausedEnvelope<P>(
  cause: MessageEnvelope<unknown>,
  input: Omit<NewEnvelope<P>, 'tenant' | 'correlationId' | 'causationId'>,
): MessageEnvelope<P> {
  return createEnvelope({ ...input, tenant: cause.tenant, correlationId: cause.correlationId, causationId: cause.id });
}
