import { isRetryableStatus, isTimeout, parseRetryAfter } from './retry.policy';

describe('retry policy', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('parses Retry-After as delta-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('parses Retry-After as an HTTP date relative to the clock', () => {
    expect(parseRetryAfter(new Date(now + 3000).toUTCString(), now)).toBe(3000);
    expect(parseRetryAfter(new Date(now - 3000).toUTCString(), now)).toBe(0);
  });

  it('ignores absent or garbage values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });

  it('classifies statuses and timeouts', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409].some(isRetryableStatus)).toBe(false);
    expect(isTimeout(new DOMException('x', 'TimeoutError'))).toBe(true);
    expect(isTimeout(new Error('boom'))).toBe(false);
  });
});
