import { createHmac } from 'node:crypto';
import { signHs256Jwt } from './jwt-sign';

describe('signHs256Jwt', () => {
  it('produces a compact HS256 JWS that verifies with the shared secret', () => {
    const claims = {
      iss: 'app',
      sub: 'USER',
      aud: 'https://x3.example.test/xtrem/api',
      iat: 1_700_000_000,
      exp: 1_700_000_300,
    };
    const token = signHs256Jwt(claims, 'test-secret-not-real-000');
    const [h, p, s] = token.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual(claims);
    expect(s).toBe(createHmac('sha256', 'test-secret-not-real-000').update(`${h}.${p}`).digest('base64url'));
    expect(s).not.toBe(createHmac('sha256', 'other-secret').update(`${h}.${p}`).digest('base64url'));
  });
});
