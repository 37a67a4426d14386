import {
  AuthenticationError,
  InMemoryX3CredentialStore,
  SageX3Client,
  X3CredentialsUnavailableError,
  X3CredentialStore,
  X3TokenSet,
} from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SageX3SimAuthSeed } from './seed.types';
import { SimulatorClock } from './simulator-clock';
import { captureLogger, FOLDER } from './testing/sim-test-helpers';

const DAY_MS = 86_400_000;
type OAuth2Options = NonNullable<SageX3SimAuthSeed['oauth2']>;

describe('Shared OAuth2 credentials (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  const clients: SageX3Client[] = [];

  async function start(oauth2: Partial<OAuth2Options> = {}): Promise<void> {
    const seed = createDemoSeed();
    const base = seed.auth?.oauth2;
    if (!seed.auth || !base) throw new Error('the demo seed has an OAuth2 client');
    seed.auth = { ...seed.auth, oauth2: { ...base, accessTokenLifetimeSeconds: 60, ...oauth2 } };
    sim = await startSageX3Simulator({ clock, seed });
  }

  beforeEach(() => {
    clock = new SimulatorClock({ start: '2026-01-05T08:00:00Z', frozen: true });
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sim.close();
  });

  interface Probe {
    acquired: string[];
    waits: string[];
    expiring: number[];
  }

  function client(
    store: X3CredentialStore | undefined,
    extra: Partial<Extract<ConstructorParameters<typeof SageX3Client>[0]['auth'], { mode: 'oauth2' }>> = {},
  ): { x3: SageX3Client; probe: Probe } {
    const probe: Probe = { acquired: [], waits: [], expiring: [] };
    const x3 = new SageX3Client({
      baseUrl: sim.url,
      folder: FOLDER,
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      logger: captureLogger(),
      hooks: {
        onTokenAcquired: (e) => probe.acquired.push(e.reason),
        onTokenWait: (e) => probe.waits.push(e.outcome),
      },
      auth: {
        mode: 'oauth2',
        tokenUrl: `${sim.url}/v1/token`,
        clientId: DEMO_CREDENTIALS.oauth2.clientId,
        clientSecret: DEMO_CREDENTIALS.oauth2.clientSecret,
        grant: 'refresh_token',
        credentialStore: store,
        refreshMarginSeconds: 60,
        waitForTokenMs: 2_000,
        onRefreshTokenExpiring: (days) => probe.expiring.push(days),
        ...extra,
      },
    });
    clients.push(x3);
    return { x3, probe };
  }

  function seededStore(refreshToken: string, expiresAt?: Date): InMemoryX3CredentialStore {
    return new InMemoryX3CredentialStore({
      refreshToken,
      refreshTokenExpiresAt: expiresAt?.getTime(),
      refreshTokenExpirySource: expiresAt ? 'seeded' : undefined,
      generation: 0,
      updatedAt: clock.now(),
    });
  }

  const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

  it('two processes on one store: only the one allowed refreshes, the other waits and gets the new token', async () => {
    await start();
    const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
    const shared = seededStore(issued.refreshToken, issued.expiresAt);
    const owner = client(shared);
    const follower = client(shared.forProcess(() => false));

    const waiting = follower.x3.details('account', '601000');
    await tick();
    expect(sim.stats().tokenRequests.refresh_token).toBe(0); // the follower never calls the token endpoint
    await owner.x3.details('account', '401000');
    await expect(waiting).resolves.toMatchObject({ ACC: '601000' });
    expect(follower.probe.waits).toEqual(['received']);

    // 15 simulated minutes, both calling every 10 s, with 60-second access tokens.
    for (let t = 0; t <= 900; t += 10) {
      await Promise.all([owner.x3.details('account', '601000'), follower.x3.details('account', '512000')]);
      clock.advance(10_000);
    }
    const stats = sim.stats();
    expect(stats.unauthorized).toEqual({ api1: 0, graphql: 0 });
    expect(stats.invalidGrants).toBe(0);
    // Renewed 30 s before expiry (half the 60 s lifetime): at t = 0, 30, …, 900.
    expect(stats.tokenRequests.refresh_token).toBe(31);
    expect(owner.probe.acquired).toHaveLength(31);
    expect(follower.probe.acquired).toEqual([]);
    expect(shared.current()?.generation).toBe(31);
    expect(owner.x3.credentialsStatus()).toMatchObject({ mayRefresh: true, generation: 31 });
    expect(follower.x3.credentialsStatus()).toMatchObject({ mayRefresh: false, generation: 31 });
  });

  it('a process that may not refresh fails transiently when no new token arrives, without calling the token endpoint', async () => {
    await start();
    const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
    const follower = client(
      seededStore(issued.refreshToken).forProcess(() => false),
      { waitForTokenMs: 50 },
    );
    const error = await follower.x3.details('account', '601000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X3CredentialsUnavailableError);
    expect((error as X3CredentialsUnavailableError).kind).toBe('transient');
    expect(follower.probe.waits).toEqual(['timeout']);
    expect(sim.stats().tokenRequests).toEqual({ client_credentials: 0, refresh_token: 0, rejected: 0 });
  });

  it('refreshIfDue lets an idle owner keep the waiting processes supplied', async () => {
    await start();
    const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
    const shared = seededStore(issued.refreshToken);
    const owner = client(shared);
    const follower = client(shared.forProcess(() => false));
    expect(await follower.x3.refreshCredentialsIfDue()).toBe(false); // not allowed to
    const waiting = follower.x3.details('account', '601000');
    await tick();
    expect(await owner.x3.refreshCredentialsIfDue()).toBe(true);
    await expect(waiting).resolves.toMatchObject({ ACC: '601000' });
    expect(await owner.x3.refreshCredentialsIfDue()).toBe(false); // fresh
    clock.advance(31_000);
    expect(await owner.x3.refreshCredentialsIfDue()).toBe(true); // inside the margin
    expect(sim.stats().tokenRequests.refresh_token).toBe(2);
  });

  it('never sends a refresh token X3 refused with invalid_grant again; a newly seeded one works', async () => {
    await start();
    const store = seededStore('sim-rt-revoked-not-a-real-secret');
    const { x3 } = client(store);
    const first = await x3.details('account', '601000').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AuthenticationError);
    expect((first as Error).message).toContain('invalid_grant');
    const second = await x3.details('account', '601000').catch((e: unknown) => e);
    expect((second as AuthenticationError).kind).toBe('auth');
    expect((second as Error).message).toContain('no newer one has been stored');
    expect(sim.stats().invalidGrants).toBe(1); // the second call did not reach the token endpoint

    // An X3 user re-approved the app; the tenant CLI seeds the new refresh token (next generation).
    await store.seed(sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId).refreshToken);
    await expect(x3.details('account', '601000')).resolves.toMatchObject({ ACC: '601000' });
    expect(store.current()?.generation).toBe(2);
  });

  it('is as strict as X3 on rotation: the refresher saves each rotated token before use; a spent one revokes the chain', async () => {
    await start();
    const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
    const shared = seededStore(issued.refreshToken);
    const { x3 } = client(shared);
    await x3.details('account', '601000');
    const afterFirst = shared.current()?.refreshToken;
    expect(afterFirst).not.toBe(issued.refreshToken);
    // A process that kept the spent token (no shared store) presents it: refused, and the chain is revoked.
    const stale = client(seededStore(issued.refreshToken));
    await expect(stale.x3.details('account', '601000')).rejects.toBeInstanceOf(AuthenticationError);
    expect(sim.stats()).toMatchObject({ invalidGrants: 1, revokedChains: 1 });
    clock.advance(31_000);
    const revoked = await x3.details('account', '601000').catch((e: unknown) => e);
    expect((revoked as AuthenticationError).message).toContain('invalid_grant');
  });

  describe('refresh-token expiry without refresh_token_expires_in', () => {
    it('reads the exp of a JWT refresh token', async () => {
      await start({
        omitRefreshTokenExpiresIn: true,
        jwtRefreshTokens: true,
        refreshTokenLifetimeSeconds: 20 * 86_400,
      });
      const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      // Given in the configuration, the JWT's exp is known before any refresh.
      const configured = client(undefined, { refreshToken: issued.refreshToken });
      expect(configured.x3.credentialsStatus()).toMatchObject({ refreshTokenExpirySource: 'jwt' });
      expect(configured.x3.credentialsStatus()?.refreshTokenDaysLeft).toBeCloseTo(20, 3);
      const { x3 } = client(seededStore(issued.refreshToken), { refreshTokenLifetimeSeconds: 90 * 86_400 });
      await x3.details('account', '601000');
      const status = x3.credentialsStatus();
      expect(status?.refreshTokenExpirySource).toBe('jwt');
      expect(status?.refreshTokenExpiresAt?.getTime()).toBe(Math.floor((clock.now() + 20 * DAY_MS) / 1000) * 1000);
    });

    it("uses the configured lifetime from each rotation ('renews') and warns days ahead", async () => {
      await start({ omitRefreshTokenExpiresIn: true });
      const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const { x3, probe } = client(seededStore(issued.refreshToken), {
        refreshTokenLifetimeSeconds: 6 * 86_400,
        refreshTokenRotation: 'renews',
        refreshTokenWarnDays: 7,
      });
      await x3.details('account', '601000');
      expect(x3.credentialsStatus()).toMatchObject({ refreshTokenExpirySource: 'configured' });
      expect(x3.credentialsStatus()?.refreshTokenExpiresAt?.getTime()).toBe(clock.now() + 6 * DAY_MS);
      expect(probe.expiring).toHaveLength(1);
      expect(probe.expiring[0]).toBeCloseTo(6, 5);
      clock.advance(DAY_MS);
      await x3.details('account', '601000');
      expect(x3.credentialsStatus()?.refreshTokenExpiresAt?.getTime()).toBe(clock.now() + 6 * DAY_MS);
    });

    it("keeps the known expiry across rotations by default ('keeps-expiry')", async () => {
      await start({ omitRefreshTokenExpiresIn: true });
      const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const { x3 } = client(seededStore(issued.refreshToken, issued.expiresAt));
      await x3.details('account', '601000');
      clock.advance(DAY_MS);
      await x3.details('account', '601000');
      expect(x3.credentialsStatus()).toMatchObject({ refreshTokenExpirySource: 'configured' });
      expect(x3.credentialsStatus()?.refreshTokenExpiresAt?.getTime()).toBe(issued.expiresAt.getTime());
      expect(x3.credentialsStatus()?.refreshTokenDaysLeft).toBeCloseTo(29, 5);
    });

    it('falls back to 30 days from seeding when nothing else is known', async () => {
      await start({ omitRefreshTokenExpiresIn: true });
      const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const { x3 } = client(undefined, { refreshToken: issued.refreshToken });
      expect(x3.credentialsStatus()).toMatchObject({
        refreshTokenExpirySource: 'configured',
        refreshTokenDaysLeft: 30,
      });
    });
  });

  it('a token set seeded by the CLI during a refresh does not lose the rotated token', async () => {
    await start();
    const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
    class RacingStore extends InMemoryX3CredentialStore {
      raced = false;
      override async save(next: X3TokenSet, previous: number | undefined): Promise<void> {
        if (!this.raced) {
          this.raced = true;
          await this.seed('sim-rt-seeded-meanwhile-not-a-real-secret');
        }
        return super.save(next, previous);
      }
    }
    const store = new RacingStore({ refreshToken: issued.refreshToken, generation: 0, updatedAt: clock.now() });
    const { x3 } = client(store);
    await x3.details('account', '601000');
    // Our rotated token (valid at X3; the one we presented is spent) went on top of the seeded generation.
    expect(store.current()).toMatchObject({ generation: 2 });
    expect(store.current()?.refreshToken).toMatch(/^sim-rt-/);
    expect(store.current()?.refreshToken).not.toBe('sim-rt-seeded-meanwhile-not-a-real-secret');
    clock.advance(31_000);
    await expect(x3.details('account', '601000')).resolves.toMatchObject({ ACC: '601000' });
    expect(sim.stats().invalidGrants).toBe(0);
  });
});
