import { Decimal, isDecimalString, sumDecimals, toDecimal, toDecimalOrNull, toDecimalString } from './decimal';

describe('decimal', () => {
  it('adds amounts exactly where floats drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['0.1', 0.2]).toFixed()).toBe('0.3');
  });
  it('parses API strings and numbers', () => {
    expect(toDecimal('1234.50').toFixed(2)).toBe('1234.50');
    expect(toDecimal(19.99).times(3).toFixed()).toBe('59.97');
    expect(toDecimalOrNull(null)).toBeNull();
    expect(toDecimalOrNull('')).toBeNull();
  });
  it('rejects garbage with a reason', () => {
    expect(() => toDecimal('12,50')).toThrow('not a decimal amount: "12,50"');
    expect(() => toDecimal(Number.NaN)).toThrow('not a finite amount');
  });
  it('formats half-up to a scale', () => {
    expect(toDecimalString('2.345', 2)).toBe('2.35');
    expect(toDecimalString(new Decimal('-2.345'), 2)).toBe('-2.35');
  });
  it('validates wire strings', () => {
    expect(isDecimalString('10.00')).toBe(true);
    expect(isDecimalString('-0.5')).toBe(true);
    expect(isDecimalString('1e3')).toBe(false);
    expect(isDecimalString(10)).toBe(false);
  });
});
