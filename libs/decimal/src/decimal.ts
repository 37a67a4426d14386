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

/** A canonical decimal string: optional minus, digits, optional fraction. No exponent, no spaces. */
export const DECIMAL_STRING_PATTERN = /^-?\d{1,30}(\.\d{1,18})?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_STRING_PATTERN.test(value);
}

/**
 * Parses an amount as an API returns it: a string (ServiceTitan accounting) or a JSON number
 * (ServiceTitan inventory/payroll). A number is read through its shortest round-trip text, which is
 * exactly what the JSON carried, so no binary-float error is introduced.
 */
export function toDecimal(value: string | number | Decimal): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
    return new Decimal(String(value));
  }
  const trimmed = value.trim();
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
    throw new RangeError(`not a decimal amount: "${value}"`);
  }
  return new Decimal(trimmed);
}

/** Like toDecimal but null/undefined/'' stay null. */
export function toDecimalOrNull(value: string | number | null | undefined): Decimal | null {
  if (value === null || value === undefined || value === '') return null;
  return toDecimal(value);
}

/** Fixed-scale string for the wire, rounding half-up (e.g. 2 decimals for USD). */
export function toDecimalString(value: string | number | Decimal, scale?: number): string {
  const d = toDecimal(value);
  return scale === undefined ? d.toFixed() : d.toFixed(scale, Decimal.ROUND_HALF_UP);
}

export function sumDecimals(values: Array<string | number | Decimal>): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(toDecimal(v)), new Decimal(0));
}
