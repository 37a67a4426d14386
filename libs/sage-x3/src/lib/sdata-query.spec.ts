import { joinKey, keySegment, orderBy, sdataDate, sdataDateTime, sdataString, where } from './sdata-query';

describe('SData query builders', () => {
  it('quotes strings by doubling single quotes', () => {
    expect(sdataString("O'Brien")).toBe("'O''Brien'");
    expect(where.eq('REF', "x' or REF ne '")).toBe("REF eq 'x'' or REF ne '''");
  });

  it('formats date-times floored to the second (X3 precision) unless asked otherwise', () => {
    const d = new Date('2025-06-06T00:00:01.987Z');
    expect(sdataDateTime(d)).toBe('@2025-06-06T00:00:01Z@');
    expect(sdataDateTime(d, { milliseconds: true })).toBe('@2025-06-06T00:00:01.987Z@');
    expect(sdataDate('2025-06-06')).toBe('@2025-06-06@');
    expect(() => sdataDateTime('not a date')).toThrow(RangeError);
  });

  it('composes clauses and refuses field names that are not X3 codes', () => {
    expect(where.and(where.ge('UPDDATTIM', new Date('2025-06-06T00:00:00Z')), where.in('FCY', ['A', 'B']))).toBe(
      "(UPDDATTIM ge @2025-06-06T00:00:00Z@) and (FCY in ('A', 'B'))",
    );
    expect(where.between('AMT', 1, 2)).toBe('AMT between 1 and 2');
    expect(() => where.eq('REF eq 1 or X', 'a')).toThrow(RangeError);
    expect(orderBy(['UPDDATTIM', 'desc'], 'NUM')).toBe('UPDDATTIM desc, NUM asc');
  });

  it('builds key segments for composite keys', () => {
    expect(joinKey(['ODT', 'ODT-2025-000001'])).toBe('ODT~ODT-2025-000001');
    expect(keySegment('GACCENTRY', "A~B'C D")).toBe("GACCENTRY('A~B''C%20D')");
  });
});
