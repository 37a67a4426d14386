/** Statuses worth retrying: rate limiting and transient server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504 || status === 408;
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds to wait
 * (>= 0) or undefined when absent/unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // HTTP-date forms all start with a day name and carry hh:mm:ss; Date.parse alone would accept "-5" as a year.
  if (!/^[A-Za-z]{3,9},?\s.*\d{2}:\d{2}:\d{2}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** fetch rejects with a DOMException on abort/timeout, which is not always `instanceof Error` (other realm). */
export function isTimeout(cause: unknown): boolean {
  const name =
    typeof cause === 'object' && cause !== null && 'name' in cause ? (cause as { name: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}
