import { canonicalJson, contentHash } from './content-hash';

describe('contentHash', () => {
  it('ignores key order at every level and undefined members', () => {
    const a = { b: 1, a: { y: '2', x: [1, { q: 1, p: 2 }] }, u: undefined };
    const b = { a: { x: [1, { p: 2, q: 1 }], y: '2' }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(contentHash(a)).toBe(contentHash(b));
  });

  it('changes when a value changes, including array order and decimal strings', () => {
    expect(contentHash({ x: [1, 2] })).not.toBe(contentHash({ x: [2, 1] }));
    expect(contentHash({ amount: '10.50' })).not.toBe(contentHash({ amount: '10.5' }));
    expect(contentHash({ a: null })).not.toBe(contentHash({}));
  });
});
