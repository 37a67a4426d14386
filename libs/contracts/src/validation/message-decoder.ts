import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { MessageEnvelope, MessageEnvelopeDto } from '../envelope/message-envelope';
import { messageTypeSpec } from '../messages/message-registry';

export type DecodeResult<P = unknown> = { ok: true; envelope: MessageEnvelope<P> } | { ok: false; reason: string };

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    // class-validator messages start with the property name: prefix only the parent path.
    const own = Object.values(e.constraints ?? {}).map((m) => (prefix ? `${prefix}.${m}` : m));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Validates a payload object against its registered class; returns the list of violations. */
export function validatePayload(type: string, payload: unknown): string[] {
  const spec = messageTypeSpec(type);
  if (!spec) return [`unknown message type "${type}"`];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return ['payload must be an object'];
  const instance = plainToInstance(spec.payload, payload);
  return flatten(validateSync(instance, { forbidUnknownValues: true }), 'payload');
}

/**
 * The one validation used at every consume boundary: bytes → typed envelope, or a reason fit for a
 * dead-letter record. Checks JSON, the envelope, the type's registration for this topic, the schema
 * version and the payload.
 */
export function decodeMessage<P = unknown>(topic: string, value: Buffer | string | null | undefined): DecodeResult<P> {
  if (value === null || value === undefined || value.length === 0) return { ok: false, reason: 'empty message value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `malformed JSON: ${(e as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'message is not a JSON object' };
  const envelope = plainToInstance(MessageEnvelopeDto, parsed);
  const envelopeErrors = flatten(validateSync(envelope, { whitelist: false }));
  if (envelopeErrors.length) return { ok: false, reason: `invalid envelope: ${envelopeErrors.join('; ')}` };
  const spec = messageTypeSpec(envelope.type);
  if (!spec) return { ok: false, reason: `unknown message type "${envelope.type}"` };
  if (!spec.topics.includes(topic) && !spec.topics.some((t) => topic.endsWith(`.${t}`))) {
    return { ok: false, reason: `message type "${envelope.type}" is not allowed on topic "${topic}"` };
  }
  if (envelope.schemaVersion > spec.schemaVersion) {
    return {
      ok: false,
      reason: `schema version ${envelope.schemaVersion} of "${envelope.type}" is newer than supported ${spec.schemaVersion}`,
    };
  }
  const payloadErrors = validatePayload(envelope.type, (parsed as { payload: unknown }).payload);
  if (payloadErrors.length) return { ok: false, reason: `invalid payload: ${payloadErrors.join('; ')}` };
  return { ok: true, envelope: parsed as MessageEnvelope<P> };
}
