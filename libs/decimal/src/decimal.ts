import DecimalJs from 'decimal.js';

/**
 * The project's decimal type for money and quantities. Values travel as strings on the wire and in
 * contracts; arithmetic happens here, never on JavaScript floats.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Decimal = DecimalJs;

/** Bounds of every amount or quantity the connector accepts: |x| < 10^15, at most 18 decimal places. */
export const MAX_INTEGER_DIGITS = 15;
export const MAX_FRACTION_DIGITS = 18;

/**
 * The decimal grammar, for the wire and for input alike: an optional minus, the integer part without leading zeros
 * (`0` or `[1-9][0-9]*`, at most 15 digits), optionally a point followed by 1–18 digits. Nothing else: no exponent
 * ("1e3"), no spaces (" 12 "), no plus sign ("+1"), no bare point ("1.", ".5"), no thousands separators, not "".
 * "-0" and "-0.00" are accepted (ServiceTitan writes them for zeroed returns; they equal 0).
 */
export const DECIMAL_STRING_PATTERN = /^-?(0|[1-9]\d{0,14})(\.\d{1,18})?$/;

const LOOSE_NUMBER = /^-?(\d+)(?:\.(\d+))?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_STRING_PATTERN.test(value);
}

/** Why a string is not a decimal of the grammar (null when it is one). */
function stringProblem(value: string): string | null {
  if (DECIMAL_STRING_PATTERN.test(value)) return null;
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === '') return 'not a decimal amount: "" (empty)';
  const m = LOOSE_NUMBER.exec(value);
  if (m && m[1].length > 1 && m[1].startsWith('0')) return `not a decimal amount: ${shown} (leading zero)`;
  if (m && m[1].length > MAX_INTEGER_DIGITS)
    return `amount out of range: ${shown} (at most ${MAX_INTEGER_DIGITS} integer digits)`;
  if (m && (m[2]?.length ?? 0) > MAX_FRACTION_DIGITS)
    return `amount has too many decimal places: ${shown} (at most ${MAX_FRACTION_DIGITS})`;
  return `not a decimal amount: ${shown} (expected digits with an optional "-" and "." fraction, e.g. "1234.50")`;
}

/**
 * Why `value` is not an acceptable amount (null when it is): a string of the grammar, a finite JSON number within
 * the bounds, or a Decimal. Never throws.
 */
export function decimalProblem(value: unknown): string | null {
  if (value instanceof Decimal) return null;
  if (typeof value === 'string') return stringProblem(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `not a finite amount: ${value}`;
    // A number's shortest round-trip text is what the JSON carried (as far as a double holds it): check that text.
    const text = new Decimal(String(value)).toFixed();
    const [int, fraction = ''] = text.replace('-', '').split('.');
    if (int.length > MAX_INTEGER_DIGITS)
      return `amount out of range: ${value} (at most ${MAX_INTEGER_DIGITS} integer digits)`;
    if (fraction.length > MAX_FRACTION_DIGITS)
      return `amount has too many decimal places: ${value} (at most ${MAX_FRACTION_DIGITS})`;
    return null;
  }
  return `not an amount: ${value === null ? 'null' : typeof value}`;
}

/**
 * Parses an amount as an API returns it: a string (ServiceTitan accounting) or a JSON number
 * (ServiceTitan inventory/payroll). A number is read through its shortest round-trip text, which is
 * exactly what the JSON carried, so no binary-float error is introduced. Anything outside the grammar or the bounds
 * throws a RangeError whose message is the reason.
 */
export function toDecimal(value: string | number | Decimal): Decimal {
  if (value instanceof Decimal) return value;
  const problem = decimalProblem(value);
  if (problem) throw new RangeError(problem);
  return new Decimal(typeof value === 'number' ? String(value) : value);
}

/** Like toDecimal but null/undefined/'' stay null. */
export function toDecimalOrNull(value: string | number | null | undefined): Decimal | null {
  if (value === null || value === undefined || value === '') return null;
  return toDecimal(value);
}

/** Fixed-scale string for the wire, rounding half-up (e.g. 2 decimals for USD). */
export function toDecimalString(value: string | number | Decimal, scale?: number): string {
  const d = toDecimal(value);
  const s = scale === undefined ? d.toFixed() : d.toFixed(scale, Decimal.ROUND_HALF_UP);
  // decimal.js keeps the sign of what rounds to zero ("-0.004" → "-0.00"): an amount of zero has no sign.
  return s.startsWith('-') && /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

export function sumDecimals(values: Array<string | number | Decimal>): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(toDecimal(v)), new Decimal(0));
}
