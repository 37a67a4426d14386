import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { MESSAGE_SOURCES, MessageEnvelope, MessageEnvelopeDto, TENANT_PATTERN } from '../envelope/message-envelope';
import { messageTypeSpec, PayloadClass } from '../messages/message-registry';

export type DecodeResult<P = unknown> = { ok: true; envelope: MessageEnvelope<P> } | { ok: false; reason: string };

/** Deepest JSON nesting a message may have (contract payloads are ~5 levels; `raw` source records ~10). */
export const MAX_JSON_DEPTH = 64;

/**
 * Keys that are never contract fields and that naive object handling turns into prototype changes (class-transformer
 * assigns `__proto__` as the instance's prototype, so validation would see inherited values; `constructor` makes it
 * throw). They are removed from what is validated and returned; the original bytes stay in Kafka and the audit trail.
 */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    // class-validator messages start with the property name: prefix only the parent path.
    const own = Object.values(e.constraints ?? {}).map((m) => (prefix ? `${prefix}.${m}` : m));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

interface Shape {
  depth: number;
  unsafeKeys: boolean;
}

/** Nesting depth and whether an unsafe key occurs, without recursion (a hostile document cannot blow the stack). */
function shapeOf(root: unknown, max = MAX_JSON_DEPTH): Shape {
  let depth = 0;
  let unsafeKeys = false;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [value, level] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (level > depth) depth = level;
    if (depth > max) return { depth, unsafeKeys };
    if (Array.isArray(value)) {
      for (const v of value) stack.push([v, level + 1]);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (UNSAFE_KEYS.has(key)) unsafeKeys = true;
      stack.push([(value as Record<string, unknown>)[key], level + 1]);
    }
  }
  return { depth, unsafeKeys };
}

/** The first key of a parsed JSON value that handlers must never see ("__proto__", "constructor", "prototype"). */
export function findUnsafeKey(value: unknown): string | null {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (UNSAFE_KEYS.has(key)) return key;
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return null;
}

/** True when a parsed JSON value nests deeper than `max` levels (iterative: safe on hostile documents). */
export function jsonNestedDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  return shapeOf(value, max).depth > max;
}

/** A copy without unsafe keys (depth is bounded by then, so recursion is safe). */
function withoutUnsafeKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(withoutUnsafeKeys);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    if (!UNSAFE_KEYS.has(key)) out[key] = withoutUnsafeKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Validates a payload object against its registered class; returns the list of violations. */
export function validatePayload(type: string, payload: unknown): string[] {
  const spec = messageTypeSpec(type);
  if (!spec) return [`unknown message type "${type}"`];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return ['payload must be an object'];
  try {
    const shape = shapeOf(payload);
    if (shape.depth > MAX_JSON_DEPTH) return [`payload is nested deeper than ${MAX_JSON_DEPTH} levels`];
    return payloadViolations(spec.payload, (shape.unsafeKeys ? withoutUnsafeKeys(payload) : payload) as object);
  } catch (e) {
    return [`payload could not be validated: ${(e as Error).message}`];
  }
}

/** Validation proper, of a payload already checked for depth and cleaned of unsafe keys. */
function payloadViolations(cls: PayloadClass, payload: object): string[] {
  return flatten(validateSync(plainToInstance(cls, payload), { forbidUnknownValues: true }), 'payload');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/;
const SOURCES = new Set<string>(MESSAGE_SOURCES);

function isInstant(v: unknown): boolean {
  // the calendar day must exist (2026-02-30 rolls over to March in Date)
  return typeof v === 'string' && ISO_INSTANT.test(v) && new Date(v).toISOString().slice(0, 10) === v.slice(0, 10);
}

/**
 * A fast check of the envelope, stricter than MessageEnvelopeDto (canonical UUIDs and UTC instants only), so that
 * passing it implies the DTO would pass (a property test holds it to that). class-validator costs ~50 µs per envelope
 * — most of a state view's catch-up (issue 10, item 8); envelopes this check does not recognise still get the full
 * validation and its field-by-field reasons.
 */
export function envelopeFastPath(m: Record<string, unknown>): boolean {
  const p = m['payload'];
  return (
    typeof m['id'] === 'string' &&
    UUID.test(m['id']) &&
    typeof m['type'] === 'string' &&
    m['type'] !== '' &&
    Number.isInteger(m['schemaVersion']) &&
    (m['schemaVersion'] as number) >= 1 &&
    typeof m['tenant'] === 'string' &&
    TENANT_PATTERN.test(m['tenant']) &&
    isInstant(m['occurredAt']) &&
    isInstant(m['producedAt']) &&
    typeof m['source'] === 'string' &&
    SOURCES.has(m['source']) &&
    typeof m['correlationId'] === 'string' &&
    m['correlationId'] !== '' &&
    (m['causationId'] === null || m['causationId'] === undefined || typeof m['causationId'] === 'string') &&
    typeof p === 'object' &&
    p !== null &&
    !Array.isArray(p)
  );
}

/** The envelope's violations by MessageEnvelopeDto (class-validator), without walking the payload. */
export function envelopeViolations(m: Record<string, unknown>): string[] {
  const payload = m['payload'];
  const placeholder = typeof payload === 'object' && payload !== null ? (Array.isArray(payload) ? [] : {}) : payload;
  return flatten(
    validateSync(plainToInstance(MessageEnvelopeDto, { ...m, payload: placeholder }), { whitelist: false }),
  );
}

function decode<P>(topic: string, value: Buffer | string | null | undefined): DecodeResult<P> {
  if (value === null || value === undefined || value.length === 0) return { ok: false, reason: 'empty message value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `malformed JSON: ${(e as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'message is not a JSON object' };
  const shape = shapeOf(parsed);
  if (shape.depth > MAX_JSON_DEPTH) return { ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  const message = (shape.unsafeKeys ? withoutUnsafeKeys(parsed) : parsed) as Record<string, unknown>;
  const payload = message['payload'];
  if (!envelopeFastPath(message)) {
    const envelopeErrors = envelopeViolations(message);
    if (envelopeErrors.length) return { ok: false, reason: `invalid envelope: ${envelopeErrors.join('; ')}` };
  }
  const envelope = message as unknown as MessageEnvelope<unknown>;
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
  const payloadErrors =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? payloadViolations(spec.payload, payload)
      : ['payload must be an object'];
  if (payloadErrors.length) return { ok: false, reason: `invalid payload: ${payloadErrors.join('; ')}` };
  return { ok: true, envelope: message as unknown as MessageEnvelope<P> };
}

/**
 * The one validation used at every consume boundary: bytes → typed envelope, or a reason fit for a
 * dead-letter record. Checks JSON, nesting depth, the envelope, the type's registration for this topic, the schema
 * version and the payload. Total: whatever the bytes, it returns a result and never throws.
 */
export function decodeMessage<P = unknown>(topic: string, value: Buffer | string | null | undefined): DecodeResult<P> {
  try {
    return decode<P>(topic, value);
  } catch (e) {
    return { ok: false, reason: `undecodable message: ${(e as Error)?.message ?? String(e)}` };
  }
}
