import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureEncoding = 'hex' | 'base64';
export type SignatureFailure = 'missing-signature' | 'malformed-signature' | 'signature-mismatch';

export type SignatureResult = { ok: true; secretIndex: number } | { ok: false; reason: SignatureFailure };

/** Accepts "sha256=<sig>" or "<sig>"; ServiceTitan's exact format is unconfirmed, so both are read. */
function decodeSignature(header: string, encoding: SignatureEncoding): Buffer | null {
  const value = header.trim().replace(/^sha256=/i, '');
  if (encoding === 'hex') return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : null;
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(value)) return null;
  const buf = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return buf.length === 32 ? buf : null;
}

/**
 * HMAC-SHA256 over the exact raw body bytes, compared in constant time against every active secret
 * (two during a rotation overlap). Every secret is tried so timing does not reveal which one matched.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: string[],
  encoding: SignatureEncoding,
): SignatureResult {
  if (!header) return { ok: false, reason: 'missing-signature' };
  const given = decodeSignature(header, encoding);
  if (!given) return { ok: false, reason: 'malformed-signature' };
  let matched = -1;
  secrets.forEach((secret, i) => {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, given) && matched < 0) matched = i;
  });
  return matched >= 0 ? { ok: true, secretIndex: matched } : { ok: false, reason: 'signature-mismatch' };
}

export function signWebhookBody(rawBody: Buffer | string, secret: string, encoding: SignatureEncoding): string {
  return createHmac('sha256', secret).update(rawBody).digest(encoding);
}
