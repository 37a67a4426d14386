import fc from 'fast-check';
import {
  Decimal,
  decimalProblem,
  isDecimalString,
  MAX_FRACTION_DIGITS,
  MAX_INTEGER_DIGITS,
  sumDecimals,
  toDecimal,
  toDecimalOrNull,
  toDecimalString,
} from './decimal';

/** Strings of the grammar: sign, integer part without leading zeros (≤ 15 digits), optional 1–18 fraction digits. */
const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: min, maxLength: max }).map((d) => d.join(''));
const integerPart = fc.oneof(
  fc.constant('0'),
  fc
    .tuple(fc.constantFrom(...'123456789'.split('')), digits(0, MAX_INTEGER_DIGITS - 1))
    .map(([first, rest]) => first + rest),
);
const validDecimal = fc
  .tuple(fc.boolean(), integerPart, fc.option(digits(1, MAX_FRACTION_DIGITS), { nil: undefined }))
  .map(([neg, int, fraction]) => `${neg ? '-' : ''}${int}${fraction === undefined ? '' : `.${fraction}`}`);

/** Exact value of a grammar string as a scaled BigInt (independent of decimal.js). */
function scaled(s: string, scale: number): bigint {
  const neg = s.startsWith('-');
  const [int, fraction = ''] = s.replace('-', '').split('.');
  const v = BigInt(int + fraction.padEnd(scale, '0'));
  return neg ? -v : v;
}

describe('decimal', () => {
  it('adds amounts exactly where floats drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['0.1', 0.2]).toFixed()).toBe('0.3');
  });

  it('parses what ServiceTitan sends: accounting strings, inventory/payroll JSON numbers, negative returns', () => {
    expect(toDecimal('1234.50').toFixed(2)).toBe('1234.50');
    expect(toDecimal(19.99).times(3).toFixed()).toBe('59.97');
    expect(toDecimal('-45.10').toFixed(2)).toBe('-45.10');
    expect(toDecimal(-12.5).toFixed()).toBe('-12.5');
    expect(toDecimal('-0.00').isZero()).toBe(true);
    // what rounds to zero is zero, without a sign (found by the idempotence property below)
    expect(toDecimalString('-0.004', 2)).toBe('0.00');
    expect(toDecimalString('-0.0008', 2)).toBe('0.00');
    expect(toDecimalString('-0.005', 2)).toBe('-0.01');
    expect(toDecimalString('-0.00')).toBe('0');
    expect(toDecimal(0.1).toFixed()).toBe('0.1');
    expect(toDecimal(1e-7).toFixed()).toBe('0.0000001');
    expect(toDecimalOrNull(null)).toBeNull();
    expect(toDecimalOrNull('')).toBeNull();
  });

  it.each([
    ['1e3', 'not a decimal amount: "1e3"'],
    [' 12 ', 'not a decimal amount: " 12 "'],
    ['', 'not a decimal amount: "" (empty)'],
    ['+1', 'not a decimal amount: "+1"'],
    ['1.', 'not a decimal amount: "1."'],
    ['.5', 'not a decimal amount: ".5"'],
    ['12,50', 'not a decimal amount: "12,50"'],
    ['1,234.50', 'not a decimal amount: "1,234.50"'],
    ['007', 'not a decimal amount: "007" (leading zero)'],
    ['0x10', 'not a decimal amount: "0x10"'],
    ['NaN', 'not a decimal amount: "NaN"'],
    ['Infinity', 'not a decimal amount: "Infinity"'],
    ['--1', 'not a decimal amount: "--1"'],
    ['1\u0000', 'not a decimal amount'],
    ['١٢', 'not a decimal amount'],
    ['1000000000000000', 'amount out of range: "1000000000000000" (at most 15 integer digits)'],
    ['100000000000000000000000000', 'amount out of range'],
    ['0.1234567890123456789', 'amount has too many decimal places: "0.1234567890123456789" (at most 18)'],
  ])('rejects the string %j with the reason', (value, reason) => {
    expect(() => toDecimal(value)).toThrow(RangeError);
    expect(() => toDecimal(value)).toThrow(reason);
    expect(isDecimalString(value)).toBe(false);
  });

  it.each([
    [1e26, 'amount out of range: 1e+26 (at most 15 integer digits)'],
    [1e15, 'amount out of range'],
    [-1e15, 'amount out of range'],
    [Number.MAX_VALUE, 'amount out of range'],
    [Number.NaN, 'not a finite amount: NaN'],
    [Number.POSITIVE_INFINITY, 'not a finite amount: Infinity'],
    [1e-19, 'amount has too many decimal places: 1e-19 (at most 18)'],
  ])('rejects the number %p with the reason', (value, reason) => {
    expect(() => toDecimal(value)).toThrow(reason);
  });

  it('reports problems of any value without throwing', () => {
    expect(decimalProblem(null)).toBe('not an amount: null');
    expect(decimalProblem({})).toBe('not an amount: object');
    expect(decimalProblem(true)).toBe('not an amount: boolean');
    expect(decimalProblem('12.5')).toBeNull();
    expect(decimalProblem(new Decimal('1e30'))).toBeNull(); // internal values are not re-checked
  });

  it('formats half-up to a scale', () => {
    expect(toDecimalString('2.345', 2)).toBe('2.35');
    expect(toDecimalString(new Decimal('-2.345'), 2)).toBe('-2.35');
  });

  it('validates wire strings', () => {
    expect(isDecimalString('10.00')).toBe(true);
    expect(isDecimalString('-0.5')).toBe(true);
    expect(isDecimalString('999999999999999.999999999999999999')).toBe(true);
    expect(isDecimalString('1e3')).toBe(false);
    expect(isDecimalString(10)).toBe(false);
  });

  describe('properties', () => {
    it('every string of the grammar parses to exactly its value and is wire-valid', () => {
      fc.assert(
        fc.property(validDecimal, (s) => {
          expect(isDecimalString(s)).toBe(true);
          const d = toDecimal(s);
          expect(scaled(d.toFixed(MAX_FRACTION_DIGITS), MAX_FRACTION_DIGITS)).toBe(scaled(s, MAX_FRACTION_DIGITS));
        }),
      );
    });

    it('normalising is idempotent and its output is always wire-valid', () => {
      fc.assert(
        fc.property(validDecimal, (s) => {
          const once = toDecimalString(s);
          expect(isDecimalString(once)).toBe(true);
          expect(toDecimalString(once)).toBe(once);
          expect(toDecimalString(s, 2)).toBe(toDecimalString(toDecimalString(s, 2), 2));
        }),
      );
    });

    it('any other string is rejected with a RangeError, never accepted and never another error', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.string({ unit: 'binary' }),
            validDecimal.map((s) => ` ${s}`),
            validDecimal.map((s) => `${s} `),
            validDecimal.map((s) => `+${s}`),
            validDecimal.map((s) => `${s}e1`),
            validDecimal.map((s) => (s.includes('.') ? s : `${s}.`)),
            validDecimal.map((s) => s.replace(/^(-?)/, '$10')),
          ),
          (s) => {
            const valid = /^-?(0|[1-9]\d{0,14})(\.\d{1,18})?$/.test(s);
            if (valid) return expect(toDecimal(s).isFinite()).toBe(true);
            let error: unknown;
            try {
              toDecimal(s);
            } catch (e) {
              error = e;
            }
            expect(error).toBeInstanceOf(RangeError);
            expect(decimalProblem(s)).toBe((error as Error).message);
          },
        ),
      );
    });

    it('a JSON number within the bounds reads as exactly the text JSON carried', () => {
      fc.assert(
        fc.property(fc.double({ min: -(1e15 - 1), max: 1e15 - 1, noNaN: true }), (n) => {
          const parsed = JSON.parse(JSON.stringify(n)) as number;
          if (decimalProblem(parsed) !== null) {
            // only numbers needing more than 18 decimal places (tiny magnitudes) are refused
            expect(decimalProblem(parsed)).toContain('too many decimal places');
            return;
          }
          const d = toDecimal(parsed);
          expect(d.toNumber()).toBe(parsed);
          expect(d.equals(new Decimal(String(parsed)))).toBe(true);
        }),
      );
    });

    it('numbers of 15 or more integer digits are refused, never rounded', () => {
      fc.assert(
        fc.property(fc.double({ min: 1e15, max: Number.MAX_VALUE, noNaN: true }), fc.boolean(), (n, neg) => {
          expect(() => toDecimal(neg ? -n : n)).toThrow('amount out of range');
        }),
      );
    });

    it('sums are exact (checked against integer arithmetic)', () => {
      fc.assert(
        fc.property(fc.array(validDecimal, { maxLength: 30 }), (values) => {
          const expected = values.reduce((acc, v) => acc + scaled(v, MAX_FRACTION_DIGITS), 0n);
          const got = sumDecimals(values);
          expect(scaled(got.toFixed(MAX_FRACTION_DIGITS), MAX_FRACTION_DIGITS)).toBe(expected);
        }),
      );
    });
  });
});
