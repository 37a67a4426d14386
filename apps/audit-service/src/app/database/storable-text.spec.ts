import fc from 'fast-check';
import { isStorableText, storableDate, storableJson, storableText, storableTimestamp } from './storable-text';

describe('storable text', () => {
  it('replaces NUL and unpaired surrogates by U+FFFD, keeps everything else (pairs included)', () => {
    expect(storableText('a\u0000b')).toBe('a\ufffdb');
    expect(storableText('x\ud800')).toBe('x\ufffd');
    expect(storableText('\udc00y')).toBe('\ufffdy');
    expect(storableText('emoji 😀 ok')).toBe('emoji 😀 ok');
    expect(storableText('\ud83d\ude00\ud800')).toBe('😀\ufffd');
    expect(isStorableText('plain ünïcode')).toBe(true);
  });

  it('makes JSON storable in keys and values, saying whether anything changed; __proto__ stays an own key', () => {
    const input = JSON.parse('{"a\\u0000":["x\\ud800",{"__proto__":{"k":"\\u0000"}}],"ok":1}') as unknown;
    const { value, changed } = storableJson(input);
    expect(changed).toBe(true);
    expect(JSON.stringify(value)).toBe('{"a\ufffd":["x\ufffd",{"__proto__":{"k":"\ufffd"}}],"ok":1}');
    const clean = { a: 'b', n: [1, null, true] };
    expect(storableJson(clean)).toEqual({ value: clean, changed: false });
  });

  it('whatever the string, the result is storable and only unstorable characters changed (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = storableText(s);
        expect(isStorableText(out)).toBe(true);
        expect(out.length).toBe(s.length);
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out); // valid UTF-16 → exact UTF-8 round trip
        if (isStorableText(s)) expect(out).toBe(s);
      }),
    );
  });

  it('timestamps and dates PostgreSQL cannot hold are left out', () => {
    expect(storableTimestamp('2026-11-20T10:00:00Z')).toBe('2026-11-20T10:00:00.000Z');
    expect(storableTimestamp('0000-01-01T00:00:00Z')).toBeNull();
    expect(storableTimestamp('+275760-09-13T00:00:00Z')).toBeNull();
    expect(storableTimestamp('not a date')).toBeNull();
    expect(storableDate('2026-02-28')).toBe('2026-02-28');
    expect(storableDate('2026-02-30')).toBeNull();
    expect(storableDate('0000-01-01')).toBeNull();
    expect(storableDate('+20000-01')).toBeNull();
  });
});
