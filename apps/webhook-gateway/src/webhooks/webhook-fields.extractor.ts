/** Where a tenant's webhook bodies carry the event id, type, entity id and ServiceTitan tenant id (tenants file). */
export interface WebhookFieldPaths {
  eventId: readonly string[];
  eventType: readonly string[];
  entityId: readonly string[];
  tenantId: readonly string[];
}

/** What the connector takes from a webhook: a trigger, never data (the data is read from the API). */
export interface WebhookTrigger {
  eventId: string;
  eventType: string;
  entityId: string | null;
  generation: 'v1' | 'v2';
}

export class WebhookShapeError extends Error {
  constructor(
    message: string,
    readonly reason: 'unknown-shape' | 'tenant-mismatch' = 'unknown-shape',
  ) {
    super(message);
  }
}

type Path = readonly string[];

const MAX_ID_LENGTH = 200;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9._:-]{0,99}$/;

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
   */
  extract(body: unknown): WebhookTrigger {
    if (!isObject(body)) throw new WebhookShapeError('body must be a JSON object');
    const eventId = idText(first(body, this.eventId), 'event id');
    if (eventId === null) throw new WebhookShapeError('unknown event shape: no event id at the configured paths');
    const type = first(body, this.eventType);
    if (typeof type !== 'string' || !EVENT_TYPE.test(type))
      throw new WebhookShapeError('unknown event shape: no event type at the configured paths');
    const tenant = first(body, this.tenantId);
    if (tenant !== undefined && tenant !== null && String(tenant) !== String(this.serviceTitanTenantId))
      throw new WebhookShapeError(
        `ServiceTitan tenant ${JSON.stringify(tenant)} in the body is not this tenant's`,
        'tenant-mismatch',
      );
    return {
      eventId,
      eventType: type,
      entityId: idText(first(body, this.entityId), 'entity id'),
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

/** Ids are strings or integers; anything else (objects, floats, huge text) is a malformed body. */
function idText(v: unknown, what: string): string | null {
  if (v === undefined) return null;
  if (typeof v === 'string' && v.length <= MAX_ID_LENGTH && v.trim() === v && v.length > 0) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new WebhookShapeError(`${what} must be a string or an integer`);
}
