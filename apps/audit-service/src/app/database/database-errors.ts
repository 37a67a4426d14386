/**
 * Whether a database error is about the database (down, restarting, out of connections, locked, its schema) rather
 * than about the message being written. The audit consumer retries the former without limit — the trail must not
 * lose messages while the database is away; the stuck-consumer readiness check and alert show the stall — and
 * gives up on the latter after AUDIT_STORE_ATTEMPTS (the message is then stored without what could not be stored).
 */
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57', '58', '3D', '3F', '42', 'F0', 'XX'];
const TRANSIENT_SQLSTATES = ['40001', '40P01', '55P03', '55006'];
const NODE_NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
];
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /pglite is closed/i,
  /connection .*(closed|ended)/i,
];

export function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  if (/^[0-9A-Z]{5}$/.test(code))
    return TRANSIENT_SQLSTATES.includes(code) || UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  if (NODE_NETWORK_CODES.includes(code)) return true;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}
