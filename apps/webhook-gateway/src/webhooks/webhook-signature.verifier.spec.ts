import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.verifier';

const body = Buffer.from('{"eventId":"e1","amount":"10.00"}');
const OLD = 'test-webhook-secret-not-real-old-000000';
const NEW = 'test-webhook-secret-not-real-new-111111';

describe('webhook signature', () => {
  it('accepts hex and base64 signatures over the exact bytes', () => {
    expect(verifyWebhookSignature(body, signWebhookBody(body, NEW, 'hex'), [NEW], 'hex')).toEqual({
      ok: true,
      secretIndex: 0,
    });
    expect(verifyWebhookSignature(body, `sha256=${signWebhookBody(body, NEW, 'hex')}`, [NEW], 'hex').ok).toBe(true);
    expect(verifyWebhookSignature(body, signWebhookBody(body, NEW, 'base64'), [NEW], 'base64').ok).toBe(true);
  });
  it('accepts either secret during a rotation overlap', () => {
    expect(verifyWebhookSignature(body, signWebhookBody(body, OLD, 'hex'), [NEW, OLD], 'hex')).toEqual({
      ok: true,
      secretIndex: 1,
    });
  });
  it('rejects a tampered body, a wrong secret, a missing or malformed header', () => {
    const sig = signWebhookBody(body, NEW, 'hex');
    const tampered = Buffer.from(body.toString().replace('10.00', '99.00'));
    expect(verifyWebhookSignature(tampered, sig, [NEW], 'hex')).toEqual({ ok: false, reason: 'signature-mismatch' });
    expect(verifyWebhookSignature(body, signWebhookBody(body, OLD, 'hex'), [NEW], 'hex')).toEqual({
      ok: false,
      reason: 'signature-mismatch',
    });
    expect(verifyWebhookSignature(body, undefined, [NEW], 'hex')).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verifyWebhookSignature(body, 'zz', [NEW], 'hex')).toEqual({ ok: false, reason: 'malformed-signature' });
    expect(verifyWebhookSignature(body, signWebhookBody(body, NEW, 'hex'), [NEW], 'base64')).toEqual({
      ok: false,
      reason: 'malformed-signature',
    });
  });
  it('is sensitive to whitespace: re-serialised JSON does not verify', () => {
    const sig = signWebhookBody(body, NEW, 'hex');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifyWebhookSignature(reserialised, sig, [NEW], 'hex').ok).toBe(false);
  });
});
