/**
 * Builders for api1 query parameters (SData `where` grammar). Values are always quoted/escaped here so
 * callers never splice raw strings into a filter.
 */

export type SdataValue = string | number | boolean | Date | { date: Date | string } | { raw: string };

const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;

function field(name: string): string {
  if (!FIELD.test(name)) throw new RangeError(`not an X3 field name: ${JSON.stringify(name)}`);
  return name;
}

/** `'O''Brien'` */
export function sdataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * `@2025-06-06T00:00:01Z@`. X3 stores date-times to the second; by default we floor to the second, which
 * with `ge` re-reads at most one second of changes rather than missing any.
 */
export function sdataDateTime(value: Date | string, options: { milliseconds?: boolean } = {}): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date for SData filter');
  const iso = date.toISOString();
  return `@${options.milliseconds ? iso : iso.replace(/\.\d{3}Z$/, 'Z')}@`;
}

/** `@2025-06-06@` */
export function sdataDate(value: Date | string): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return `@${value}@`;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date for SData filter');
  return `@${date.toISOString().slice(0, 10)}@`;
}

export function sdataLiteral(value: SdataValue): string {
  if (value instanceof Date) return sdataDateTime(value);
  if (typeof value === 'string') return sdataString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('non-finite number in SData filter');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if ('raw' in value) return value.raw;
  return sdataDate(value.date);
}

/** Small composable `where` builder: `where.and(where.ge('UPDDATTIM', since), where.eq('FCY', 'FR011'))`. */
export const where = {
  eq: (f: string, v: SdataValue) => `${field(f)} eq ${sdataLiteral(v)}`,
  ne: (f: string, v: SdataValue) => `${field(f)} ne ${sdataLiteral(v)}`,
  lt: (f: string, v: SdataValue) => `${field(f)} lt ${sdataLiteral(v)}`,
  le: (f: string, v: SdataValue) => `${field(f)} le ${sdataLiteral(v)}`,
  gt: (f: string, v: SdataValue) => `${field(f)} gt ${sdataLiteral(v)}`,
  ge: (f: string, v: SdataValue) => `${field(f)} ge ${sdataLiteral(v)}`,
  like: (f: string, pattern: string) => `${field(f)} like ${sdataString(pattern)}`,
  between: (f: string, low: SdataValue, high: SdataValue) =>
    `${field(f)} between ${sdataLiteral(low)} and ${sdataLiteral(high)}`,
  in: (f: string, values: SdataValue[]) => {
    if (!values.length) throw new RangeError('SData "in" needs at least one value');
    return `${field(f)} in (${values.map(sdataLiteral).join(', ')})`;
  },
  and: (...clauses: string[]) =>
    clauses
      .filter(Boolean)
      .map((c) => `(${c})`)
      .join(' and '),
  or: (...clauses: string[]) =>
    clauses
      .filter(Boolean)
      .map((c) => `(${c})`)
      .join(' or '),
};

export function orderBy(...fields: Array<[string, 'asc' | 'desc'] | string>): string {
  return fields.map((f) => (typeof f === 'string' ? `${field(f)} asc` : `${field(f[0])} ${f[1]}`)).join(', ');
}

/** Composite keys are joined with `~`. */
export function joinKey(parts: Array<string | number>): string {
  return parts.map(String).join('~');
}

/** `CLASS('KEY')` path segment, with quotes doubled and the key percent-encoded. */
export function keySegment(className: string, key: string): string {
  return `${className}('${encodeURIComponent(key.replace(/'/g, "''"))}')`;
}
