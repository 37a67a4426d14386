import { externalRef } from './external-ref';

describe('externalRef', () => {
  it('is deterministic and readable for normal tenants', () => {
    expect(externalRef('acme', 'JOB', 4242, 3)).toBe('acme:JOB:4242:R3');
    expect(externalRef('acme', 'JOB', 4242, 3, true)).toBe('acme:JOB:4242:R3:REV');
    expect(externalRef('acme', 'BILL', 901, 1)).toBe('acme:BILL:901:R1');
  });

  it('stays within 60 characters for the longest tenant slugs, distinct per tenant', () => {
    const a = 'a'.repeat(63);
    const b = `${'a'.repeat(62)}b`;
    const ra = externalRef(a, 'JOB', 123456789012, 12, true);
    const rb = externalRef(b, 'JOB', 123456789012, 12, true);
    expect(ra.length).toBeLessThanOrEqual(60);
    expect(ra).toMatch(/^a+\.[0-9a-f]{6}:JOB:123456789012:R12:REV$/);
    expect(ra).not.toBe(rb);
    expect(externalRef(a, 'JOB', 123456789012, 12, true)).toBe(ra);
  });
});
