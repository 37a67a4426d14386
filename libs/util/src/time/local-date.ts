/**
 * Calendar dates in a business's own time zone. An accounting date is a calendar day, and which day an instant
 * falls on depends on where the business is: a job completed at 19:30 in Chicago on 31 January is a January cost,
 * although it is already 1 February in UTC.
 */

const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A date-time with no zone designator: a local ("floating") time, its date part is the date. */
const FLOATING = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const MIDNIGHT_UTC = /^(\d{4}-\d{2}-\d{2})T00:00(:00(\.0+)?)?(Z|[+-]00:?00)$/;
/** IANA names (`America/Chicago`, `Etc/GMT+6`) and `UTC`; abbreviations such as `CST` are ambiguous and refused. */
const IANA_NAME = /^(UTC|[A-Za-z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+)+)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `name` is an IANA time zone this runtime knows (e.g. `America/Chicago`, `UTC`). */
export function isIanaTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || !IANA_NAME.test(name)) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateOptions {
  /**
   * Treat an instant at exactly 00:00 UTC as a date written as a date-time (how APIs that only have date-time fields
   * serialise a calendar date, e.g. a vendor's bill date): its date stays that date in every zone.
   */
  midnightUtcIsDate?: boolean;
}

/**
 * The calendar day (YYYY-MM-DD) of `value` in `timeZone`: a bare date stays that date, a date-time without a zone
 * is local already (its date part), a date-time with `Z` or an offset is converted into the zone.
 * Throws a RangeError for a value that is not an ISO 8601 date or date-time, or an unknown zone.
 */
export function localDate(value: string, timeZone: string, options: LocalDateOptions = {}): string {
  if (BARE_DATE.test(value)) {
    if (!isDateOnly(value)) throw new RangeError(`"${value}" is not a date`);
    return value;
  }
  const floating = FLOATING.exec(value);
  if (floating) {
    if (!isDateOnly(floating[1])) throw new RangeError(`"${value}" is not a date-time`);
    return floating[1];
  }
  if (options.midnightUtcIsDate) {
    const midnight = MIDNIGHT_UTC.exec(value);
    if (midnight && isDateOnly(midnight[1])) return midnight[1];
  }
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw new RangeError(`"${value}" is not a date-time`);
  if (!isIanaTimeZone(timeZone)) throw new RangeError(`"${timeZone}" is not an IANA time zone`);
  // en-CA formats as YYYY-MM-DD.
  return formatter(timeZone).format(new Date(ms));
}

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export function isDateOnly(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = BARE_DATE.exec(value);
  if (!m) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
}
