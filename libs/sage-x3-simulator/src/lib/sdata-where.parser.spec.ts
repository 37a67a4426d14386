import { evaluateWhere, parseOrderBy, parseWhere, SdataSyntaxError } from './sdata-where.parser';

const FIELDS = new Set(['BPSNUM', 'BPSNAM', 'UPDDATTIM', 'ACCDAT', 'AMT', 'ENAFLG']);
const known = (f: string): boolean => FIELDS.has(f);
const rec = {
  BPSNUM: 'S1',
  BPSNAM: "O'Brien & Co",
  UPDDATTIM: '2025-06-06T10:00:00.500Z',
  ACCDAT: '2025-06-06',
  AMT: '10.50',
  ENAFLG: 2,
};
const test = (w: string): boolean => evaluateWhere(parseWhere(w, known), rec);

describe('SData where parser', () => {
  it('evaluates comparisons, quoted strings with doubled quotes, decimals and dates', () => {
    expect(test("BPSNAM eq 'O''Brien & Co'")).toBe(true);
    expect(test('AMT gt 10.4 and AMT lt 10.6')).toBe(true);
    expect(test('AMT eq 10.5')).toBe(true);
    expect(test('UPDDATTIM ge @2025-06-06T10:00:00Z@')).toBe(true);
    expect(test('UPDDATTIM gt @2025-06-06T10:00:01Z@')).toBe(false);
    expect(test('ACCDAT between @2025-06-01@ and @2025-06-30@')).toBe(true);
    expect(test("BPSNUM in ('S0', 'S1')")).toBe(true);
    expect(test("BPSNAM like 'O%Co'")).toBe(true);
    expect(test("not (BPSNUM eq 'S1') or ENAFLG eq 2")).toBe(true);
    expect(test("BPSNUM ne 'S1'")).toBe(false);
  });

  it('rejects malformed clauses and unknown properties', () => {
    expect(() => parseWhere("BPSNUM eq 'x", known)).toThrow(SdataSyntaxError);
    expect(() => parseWhere("BPSNUM equals 'x'", known)).toThrow("unknown operator 'equals'");
    expect(() => parseWhere("NOPE eq 'x'", known)).toThrow("Unknown property 'NOPE'");
    expect(() => parseWhere('UPDDATTIM ge @yesterday@', known)).toThrow('invalid date literal');
    expect(() => parseWhere("BPSNUM eq 'a' BPSNAM", known)).toThrow(SdataSyntaxError);
    expect(() => parseOrderBy('BPSNUM sideways', known)).toThrow(SdataSyntaxError);
    expect(parseOrderBy('UPDDATTIM desc, BPSNUM', known)).toEqual([
      { field: 'UPDDATTIM', desc: true },
      { field: 'BPSNUM', desc: false },
    ]);
  });
});
