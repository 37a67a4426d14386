import { WebhookFieldsExtractor, WebhookTrigger } from './webhook-fields.extractor';
import { WebhookRefusal } from './webhook-refusal';

/** Bounds of a webhook body's structure (the byte size is bounded before, per tenant: maxBodyBytes). */
export interface WebhookBodyLimits {
  /** Deepest nesting of objects and arrays (a V1 body is ~5 levels). */
  maxDepth: number;
  /** Object keys in the whole body. */
  maxKeys: number;
}

/** `application/json` or a `+json` type; a charset, if given, must be UTF-8 (RFC 8259: JSON is UTF-8). */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/;

/** Throws 415 unless the Content-Type says JSON in UTF-8. */
export function checkJsonContentType(header: string | string[] | undefined): void {
  if (Array.isArray(header) && header.length > 1)
    throw new WebhookRefusal(
      'unsupported-media-type',
      `Content-Type must be given once (given ${header.length} times)`,
    );
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined)
    throw new WebhookRefusal('unsupported-media-type', 'Content-Type must be application/json (none given)');
  const [type, ...params] = value.split(';');
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (!JSON_MEDIA_TYPE.test(type.trim().toLowerCase()))
    throw new WebhookRefusal('unsupported-media-type', `Content-Type must be application/json, got ${shown}`);
  for (const p of params) {
    const [name, ...rest] = p.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8')
      throw new WebhookRefusal('unsupported-media-type', `JSON is UTF-8; Content-Type says charset ${shown}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The signed bytes as text, refused unless they are valid UTF-8 (no replacement characters: what the connector keeps
 * and forwards is exactly what was signed). A byte order mark is kept and then refused by the JSON grammar.
 */
export function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    const at = firstInvalidUtf8(raw);
    throw new WebhookRefusal('invalid-utf8', `body is not valid UTF-8 (first invalid byte at offset ${at})`);
  }
}

/** Offset of the first byte that starts no valid UTF-8 sequence (for the message only). */
function firstInvalidUtf8(raw: Buffer): number {
  let lo = 0;
  let hi = raw.length;
  // The longest valid prefix (an unfinished sequence at its end is fine), by bisection: fatal decoding tells no offset.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(raw.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

/**
 * Depth and key count of a JSON text, by one pass over its characters (no recursion, no allocation), before
 * JSON.parse builds anything: a hostile body is refused for its shape at the cost of reading it once. Exact for valid
 * JSON; for invalid JSON the parse that follows gives the reason.
 */
export function checkJsonShape(text: string, limits: WebhookBodyLimits): void {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.maxDepth)
        throw new WebhookRefusal('too-deep', `body is nested deeper than ${limits.maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x3a && ++keys > limits.maxKeys)
      throw new WebhookRefusal('too-many-keys', `body has more than ${limits.maxKeys} object keys`);
  }
}

/** JSON.parse with the reason kept; `__proto__` keys become own properties (JSON.parse never sets a prototype). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WebhookRefusal('malformed-json', `malformed JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

/**
 * The webhook normaliser: the signed bytes of a request → the trigger it names, or a WebhookRefusal with its status
 * and reason. Total: it throws nothing else, whatever the bytes (property-tested). Run after the signature verified.
 */
export function readWebhookTrigger(
  raw: Buffer,
  contentType: string | string[] | undefined,
  extractor: WebhookFieldsExtractor,
  limits: WebhookBodyLimits,
): WebhookTrigger {
  checkJsonContentType(contentType);
  const text = decodeUtf8(raw);
  checkJsonShape(text, limits);
  return extractor.extract(parseJson(text));
}
