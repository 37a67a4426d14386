import type { SqlExecutor } from './database';

/**
 * PostgreSQL cannot hold every JavaScript string: `text` refuses U+0000 ("invalid byte sequence for encoding UTF8:
 * 0x00") and `jsonb` refuses both `\u0000` and lone UTF-16 surrogates ("\ud800" — not Unicode, so not UTF-8). One such
 * character in one message used to make the audit trail's insert fail for ever. What the trail stores instead is the
 * text with each of them replaced by U+FFFD (the Unicode replacement character), flagged as sanitised, beside the
 * original: the message's exact bytes (raw_value) and, for key and headers, their JSON text (original_text), whose
 * escapes (`\u0000`, `\ud800`) are plain ASCII and round-trip exactly through JSON.parse.
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
export const REPLACEMENT = '\ufffd';

export function isStorableText(s: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return !UNSTORABLE.test(s);
}

/** The string with every character PostgreSQL cannot store replaced by U+FFFD. */
export function storableText(s: string): string {
  return isStorableText(s) ? s : s.replace(UNSTORABLE, REPLACEMENT);
}

/**
 * A JSON value (keys and strings) made storable as jsonb; `changed` says whether anything was replaced. Recursive:
 * callers bound the depth first (decodeMessage's MAX_JSON_DEPTH).
 */
export function storableJson<T>(value: T): { value: T; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (isStorableText(v)) return v;
      changed = true;
      return storableText(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        const key = isStorableText(k) ? k : ((changed = true), storableText(k));
        // defineProperty: a "__proto__" key stays an own data property (assignment would set the prototype)
        Object.defineProperty(out, key, { value: walk(inner), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  const result = walk(value) as T;
  return { value: changed ? result : value, changed };
}

const MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An ISO timestamp PostgreSQL's timestamptz holds, or null: contracts accept any strict ISO 8601 text, which includes
 * years PostgreSQL refuses (0000) or that JavaScript writes with a sign (+010000); such a value is left out (the
 * message keeps it in its bytes and payload).
 */
export function storableTimestamp(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? new Date(ms).toISOString() : null;
}

/** A YYYY-MM-DD date PostgreSQL's date holds (year 1–9999, a real calendar day), or null. */
export function storableDate(value: string | null | undefined): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value ? value : null;
}

/** Every string parameter of a statement as PostgreSQL text can hold it (jsonb values: storableJson first). */
export function storableParams<T>(values: T[]): T[] {
  return values.map((v) => (typeof v === 'string' ? (storableText(v) as T) : v));
}

/** A statement executor whose string parameters are made storable (for writers that take a plain executor). */
export function storableSql(tx: SqlExecutor): SqlExecutor {
  return {
    query: (sql, values) => tx.query(sql, values && storableParams(values)),
    exec: (sql) => tx.exec(sql),
  };
}
