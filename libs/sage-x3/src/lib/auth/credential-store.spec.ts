import { InMemoryX3CredentialStore, X3CredentialConflictError, X3TokenSet } from './credential-store';
import { jwtExpiry } from './oauth2-token.provider';

const set = (generation: number, accessToken = `at-${generation}`): X3TokenSet => ({
  accessToken,
  accessTokenExpiresAt: 1_000_000 + generation,
  refreshToken: `rt-${generation}`,
  generation,
  updatedAt: 1_000,
});

describe('InMemoryX3CredentialStore', () => {
  it('saves only on top of the generation it was based on (compare-and-set)', async () => {
    const store = new InMemoryX3CredentialStore();
    await store.save(set(1), undefined);
    await expect(store.save(set(2), undefined)).rejects.toBeInstanceOf(X3CredentialConflictError);
    await expect(store.save(set(1), 1)).rejects.toBeInstanceOf(X3CredentialConflictError); // not newer
    await store.save(set(2), 1);
    expect(store.current()?.accessToken).toBe('at-2');
  });

  it('shares one token set between processes with their own right to refresh', async () => {
    let owner = 'a';
    const a = new InMemoryX3CredentialStore(set(1), () => owner === 'a');
    const b = a.forProcess(() => owner === 'b');
    expect([a.mayRefresh(), b.mayRefresh()]).toEqual([true, false]);
    owner = 'b';
    expect([a.mayRefresh(), b.mayRefresh()]).toEqual([false, true]);
    await b.save(set(2), 1);
    expect(a.current()?.generation).toBe(2);
  });

  it('wakes a waiter on the next generation, or answers undefined after the timeout', async () => {
    const store = new InMemoryX3CredentialStore(set(3));
    const other = store.forProcess(() => false);
    expect((await other.waitForNewer(2, 0))?.generation).toBe(3); // already newer
    expect(await other.waitForNewer(3, 20)).toBeUndefined();
    const waiting = other.waitForNewer(3, 5_000);
    await store.save(set(4), 3);
    expect((await waiting)?.accessToken).toBe('at-4');
  });

  it('seeds a re-authorised refresh token as the next generation, without an access token', async () => {
    const store = new InMemoryX3CredentialStore(set(5));
    const seeded = await store.seed('rt-new-not-a-real-secret', new Date('2026-03-01T00:00:00Z'), 42);
    expect(seeded).toEqual({
      refreshToken: 'rt-new-not-a-real-secret',
      refreshTokenExpiresAt: Date.parse('2026-03-01T00:00:00Z'),
      refreshTokenExpirySource: 'seeded',
      generation: 6,
      updatedAt: 42,
    });
    expect(store.current()?.accessToken).toBeUndefined();
  });
});

describe('jwtExpiry', () => {
  const jwt = (payload: unknown): string =>
    ['{"alg":"HS256"}', JSON.stringify(payload), 'sig']
      .map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p))
      .join('.');

  it('reads exp of a JWT and nothing from opaque or malformed tokens', () => {
    expect(jwtExpiry(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000);
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiry('sim-rt-0123456789abcdef')).toBeUndefined();
    expect(jwtExpiry('a.%%%.c')).toBeUndefined();
  });
});
