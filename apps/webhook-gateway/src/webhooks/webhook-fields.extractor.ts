import { toEntityId } from '@connector/contracts';
import { WebhookRefusal } from './webhook-refusal';

/** Where a tenant's webhook bodies carry the event id, type, entity id and ServiceTitan tenant id (tenants file). */
export interface WebhookFieldPaths {
  eventId: readonly string[];
  eventType: readonly string[];
  entityId: readonly string[];
  tenantId: readonly string[];
}

/** What the connector takes from a webhook: a trigger, never data (the data is read from the API). */
export interface WebhookTrigger {
  /** 1–200 visible ASCII characters (a positive integer id is taken as its digits). */
  eventId: string;
  eventType: string;
  /** The entity's id as decimal digits: a positive integer JavaScript holds exactly (1 … 2^53 − 1). */
  entityId: string | null;
  generation: 'v1' | 'v2';
}

type Path = readonly string[];

/** Event ids are opaque tokens: visible ASCII only (no spaces, control characters, NUL or lone surrogates). */
export const EVENT_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;
export const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,99}$/;

/** Compiled paths of one tenant (split once, not per request). */
export class WebhookFieldsExtractor {
  private readonly eventId: Path[];
  private readonly eventType: Path[];
  private readonly entityId: Path[];
  private readonly tenantId: Path[];

  constructor(
    paths: WebhookFieldPaths,
    private readonly serviceTitanTenantId: number,
  ) {
    const split = (list: readonly string[]) => list.map((p) => p.split('.'));
    this.eventId = split(paths.eventId);
    this.eventType = split(paths.eventType);
    this.entityId = split(paths.entityId);
    this.tenantId = split(paths.tenantId);
  }

  /**
   * Reads the trigger from a parsed body: the first path that holds a value wins, own properties only (a
   * `__proto__` or `constructor` key is just a key). V1 bodies are recognised by their `__eventInfo` object.
   * Throws a WebhookRefusal with the reason for anything it cannot take.
   */
  extract(body: unknown): WebhookTrigger {
    if (!isObject(body)) throw new WebhookRefusal('unknown-shape', 'body must be a JSON object');
    const rawEventId = first(body, this.eventId);
    if (rawEventId === undefined)
      throw new WebhookRefusal('unknown-shape', 'unknown event shape: no event id at the configured paths');
    const type = first(body, this.eventType);
    if (type === undefined)
      throw new WebhookRefusal('unknown-shape', 'unknown event shape: no event type at the configured paths');
    if (typeof type !== 'string' || !EVENT_TYPE_PATTERN.test(type))
      throw new WebhookRefusal(
        'unknown-shape',
        `event type must be a name of letters, digits and ".:_-" (at most 100), got ${shown(type)}`,
      );
    const tenant = first(body, this.tenantId);
    if (tenant !== undefined && entityId(tenant, 'ServiceTitan tenant id') !== String(this.serviceTitanTenantId))
      throw new WebhookRefusal(
        'tenant-mismatch',
        `ServiceTitan tenant ${shown(tenant)} in the body is not this tenant's`,
      );
    const entity = first(body, this.entityId);
    return {
      eventId: eventIdText(rawEventId),
      eventType: type,
      entityId: entity === undefined ? null : entityId(entity, 'entity id'),
      generation: isObject(own(body, '__eventInfo')) ? 'v1' : 'v2',
    };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function at(body: Record<string, unknown>, path: Path): unknown {
  let cur: unknown = body;
  for (const seg of path) {
    if (!isObject(cur)) return undefined;
    cur = own(cur, seg);
  }
  return cur;
}

function first(body: Record<string, unknown>, paths: Path[]): unknown {
  for (const p of paths) {
    const v = at(body, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** A value for a message, bounded (bodies are attacker-sized until the signature verified, and logged after). */
function shown(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : text;
}

function eventIdText(v: unknown): string {
  if (typeof v === 'string' && EVENT_ID_PATTERN.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
  throw new WebhookRefusal(
    'invalid-id',
    `event id must be 1–200 visible ASCII characters or a positive integer, got ${shown(v)}`,
  );
}

/** Positive safe integers only, as a number or a string of digits; never rounded (toEntityId). */
function entityId(v: unknown, what: string): string {
  try {
    return String(toEntityId(v, what));
  } catch (e) {
    throw new WebhookRefusal('invalid-id', (e as Error).message);
  }
}
