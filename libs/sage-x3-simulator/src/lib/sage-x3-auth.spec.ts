import { AuthenticationError, SageX3Client, signHs256Jwt } from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { basicClient, captureLogger, FOLDER, jwtClient } from './testing/sim-test-helpers';

const START = '2025-06-02T08:00:00Z';

describe('Sage X3 authentication (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  const clients: SageX3Client[] = [];
  const track = (c: SageX3Client): SageX3Client => {
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    clock = new SimulatorClock({ start: START, frozen: true });
    sim = await startSageX3Simulator({ clock, seed: createDemoSeed() });
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sim.close();
  });

  function oauthClient(
    options: {
      grant?: 'client_credentials' | 'refresh_token';
      refreshToken?: string;
      clientSecret?: string;
      onRotated?: (token: string) => void;
      reasons?: string[];
      failures?: string[];
      onNearing?: (days: number) => void;
      refreshTokenExpiresAt?: Date;
      logger?: ReturnType<typeof captureLogger>;
    } = {},
  ): SageX3Client {
    return track(
      new SageX3Client({
        baseUrl: sim.url,
        folder: FOLDER,
        clock,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
        logger: options.logger ?? captureLogger(),
        hooks: {
          onTokenAcquired: (e) => options.reasons?.push(e.reason),
          onTokenFailed: (e) => options.failures?.push(`${e.reason}:${e.errorName}`),
        },
        auth: {
          mode: 'oauth2',
          tokenUrl: `${sim.url}/v1/token`,
          clientId: DEMO_CREDENTIALS.oauth2.clientId,
          clientSecret: options.clientSecret ?? DEMO_CREDENTIALS.oauth2.clientSecret,
          grant: options.grant ?? 'refresh_token',
          refreshToken: options.refreshToken,
          refreshTokenExpiresAt: options.refreshTokenExpiresAt,
          refreshMarginSeconds: 60,
          onRefreshTokenRotated: (r) => options.onRotated?.(r.refreshToken),
          onRefreshTokenNearingExpiry: options.onNearing,
        },
      }),
    );
  }

  describe('Basic', () => {
    it('authenticates api1 calls', async () => {
      const client = track(basicClient(sim));
      const account = await client.details('account', '601000');
      expect(account['DES']).toBe('Purchases of materials');
      expect(sim.requestLog().at(-1)?.authMode).toBe('basic');
    });

    it('fails with a clear AuthenticationError on a wrong password, without leaking it', async () => {
      const client = track(
        basicClient(sim, { auth: { mode: 'basic', user: 'CONNECTOR', password: 'wrong-password-not-real' } }),
      );
      const error = await client.details('account', '601000').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toContain("Basic credentials of X3 user 'CONNECTOR'");
      expect((error as Error).message).toContain('HTTP 401');
      expect((error as Error).message).not.toContain('wrong-password-not-real');
      expect(sim.stats().unauthorized.api1).toBe(1); // no pointless retry with the same password
    });

    it('is refused on GraphQL, which needs a Bearer token', async () => {
      const res = await fetch(`${sim.url}/xtrem/api`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`,
          'x-xtrem-endpoint': FOLDER,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ query: '{ x3MasterData { supplier { query { edges { node { code } } } } } }' }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorised' });
    });
  });

  describe('OAuth2', () => {
    it('authenticates with client_credentials', async () => {
      const client = oauthClient({ grant: 'client_credentials' });
      await client.details('account', '601000');
      const node = await client.graphql<{ x3Finance: { account: { read: { code: string } } } }>(
        '{ x3Finance { account { read(_id: "601000") { code } } } }',
      );
      expect(node.x3Finance.account.read.code).toBe('601000');
      expect(sim.stats().tokenRequests.client_credentials).toBe(1);
    });

    it('fails with a clear AuthenticationError on a wrong client secret', async () => {
      const failures: string[] = [];
      const client = oauthClient({ grant: 'client_credentials', clientSecret: 'bad-secret-not-real', failures });
      const error = await client.details('account', '601000').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(failures).toEqual(['initial:AuthenticationError']); // feeds connector_token_refresh_failures_total
      expect((error as Error).message).toMatch(/invalid_client.*wrong client id or client secret/);
      expect((error as Error).message).not.toContain('bad-secret-not-real');
    });

    it('keeps >15 simulated minutes of continuous calls free of 401s, refreshing proactively before expiry', async () => {
      const { refreshToken } = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const rotated: string[] = [];
      const reasons: string[] = [];
      const client = oauthClient({ refreshToken, onRotated: (t) => rotated.push(t), reasons });
      // One call every 15 s for 16 minutes (t = 0 … 960 s). Tokens live 300 s, refreshed 60 s early:
      // at t = 0 (initial), 240, 480, 720 and 960.
      for (let t = 0; t <= 960; t += 15) {
        await client.details('account', '601000');
        clock.advance(15_000);
      }
      const stats = sim.stats();
      expect(stats.unauthorized).toEqual({ api1: 0, graphql: 0 });
      expect(stats.tokenRequests.refresh_token).toBe(5);
      expect(reasons).toEqual(['initial', 'proactive', 'proactive', 'proactive', 'proactive']);
      expect(sim.callCounts()['api1 GET GACCOUNT $details']).toBe(65);
      expect(rotated).toHaveLength(5);
      expect(new Set(rotated).size).toBe(5);
    });

    it('persists every rotated refresh token; the previous one is dead', async () => {
      const { refreshToken } = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const rotated: string[] = [];
      const client = oauthClient({ refreshToken, onRotated: (t) => rotated.push(t) });
      await client.details('account', '601000');
      clock.advance(300_000);
      await client.details('account', '601000');
      expect(rotated).toHaveLength(2);

      // A restarted connector starts from the last persisted token: it works.
      const restarted = oauthClient({ refreshToken: rotated[1] });
      await expect(restarted.details('account', '601000')).resolves.toMatchObject({ ACC: '601000' });
      expect(sim.auth.liveRefreshTokens()).toBe(1);
      // One that starts from a spent token is refused, and the reuse revokes the whole chain (OAuth 2.0 BCP).
      const stale = oauthClient({ refreshToken: rotated[0] });
      const error = await stale.details('account', '601000').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(/invalid_grant/);
      expect(sim.stats()).toMatchObject({ invalidGrants: 1, revokedChains: 1, refreshes: 3 });
      expect(sim.auth.liveRefreshTokens()).toBe(0);
      clock.advance(300_000);
      const revoked = await restarted.details('account', '601000').catch((e: unknown) => e);
      expect((revoked as AuthenticationError).kind).toBe('auth');
    });

    it('N concurrent calls at expiry cause exactly one refresh', async () => {
      const { refreshToken } = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const rotated: string[] = [];
      const client = oauthClient({ refreshToken, onRotated: (t) => rotated.push(t) });
      await client.details('account', '601000');
      clock.advance(250_000); // inside the 60 s refresh margin
      const results = await Promise.all(Array.from({ length: 12 }, () => client.details('account', '401000')));
      expect(results).toHaveLength(12);
      expect(sim.stats().tokenRequests.refresh_token).toBe(2); // initial + one shared refresh
      expect(sim.stats().tokenRequests.rejected).toBe(0);
      expect(rotated).toHaveLength(2);
    });

    it('a 401 (token revoked server-side) triggers one refresh and one retry', async () => {
      const reasons: string[] = [];
      const client = oauthClient({ grant: 'client_credentials', reasons });
      await client.details('account', '601000');
      sim.auth.revokeAccessTokens();
      await expect(client.details('account', '601000')).resolves.toMatchObject({ ACC: '601000' });
      expect(reasons).toEqual(['initial', 'unauthorized']);
      expect(sim.stats().unauthorized.api1).toBe(1);
    });

    it('warns and reports days left as the refresh token nears its end', async () => {
      await sim.close();
      const seed = createDemoSeed();
      const oauth2 = seed.auth?.oauth2;
      if (!oauth2) throw new Error('demo seed has OAuth2 clients');
      seed.auth = {
        ...seed.auth,
        oauth2: { ...oauth2, refreshTokenLifetimeSeconds: 30 * 86_400, rotationKeepsExpiry: true },
      };
      sim = await startSageX3Simulator({ clock, seed });
      const issued = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const days: number[] = [];
      const logger = captureLogger();
      let token = issued.refreshToken;
      const client = oauthClient({
        refreshToken: token,
        refreshTokenExpiresAt: issued.expiresAt,
        onNearing: (d) => days.push(d),
        onRotated: (t) => (token = t),
        logger,
      });
      await client.details('account', '601000');
      expect(days).toEqual([]);
      expect(client.credentialsStatus()?.refreshTokenExpiresAt?.toISOString()).toBe(issued.expiresAt.toISOString());
      expect(client.credentialsStatus()?.refreshTokenExpirySource).toBe('response');

      clock.advance(24 * 86_400_000); // 6 days left
      await client.details('account', '601000');
      expect(days).toHaveLength(1);
      expect(days[0]).toBeCloseTo(6, 5);
      expect(logger.warnings.some((w) => /refresh token expires in 6\.0 days.*re-authorise/.test(w))).toBe(true);
      expect(logger.warnings.join(' ')).not.toContain(token);
    });
  });

  describe('JWT connected application', () => {
    it('authenticates GraphQL with a self-signed HS256 token and renews it before expiry', async () => {
      const reasons: string[] = [];
      const client = track(jwtClient(sim, { hooks: { onTokenAcquired: (e) => reasons.push(e.reason) } }));
      for (let t = 0; t < 12 * 60; t += 30) {
        const data = await client.graphql<{ x3Finance: { account: { read: { code: string } | null } } }>(
          'query { x3Finance { account { read(_id: "601000") { code isActive } } } }',
        );
        expect(data.x3Finance.account.read?.code).toBe('601000');
        clock.advance(30_000);
      }
      expect(sim.stats().unauthorized.graphql).toBe(0);
      expect(reasons[0]).toBe('initial');
      expect(reasons.length).toBeGreaterThanOrEqual(3);
      expect(reasons.slice(1).every((r) => r === 'proactive')).toBe(true);
    });

    it('fails with AuthenticationError when the secret is wrong', async () => {
      const client = track(
        jwtClient(sim, {
          auth: {
            mode: 'jwt',
            clientId: DEMO_CREDENTIALS.jwt.clientId,
            secret: 'wrong-secret-not-real',
            user: 'CONNECTOR',
            audience: `${sim.url}/xtrem/api`,
          },
        }),
      );
      const error = await client
        .graphql('{ x3Finance { account { read(_id: "601000") { code } } } }')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toContain("connected application 'sim-connected-app'");
      expect(sim.stats().unauthorized.graphql).toBe(2); // one regenerate-and-retry, then give up
    });

    it('rejects a token whose iat is in the future', async () => {
      const nowSec = Math.floor(clock.now() / 1000);
      const token = signHs256Jwt(
        {
          iss: DEMO_CREDENTIALS.jwt.clientId,
          sub: 'CONNECTOR',
          aud: `${sim.url}/xtrem/api`,
          iat: nowSec + 120,
          exp: nowSec + 400,
        },
        DEMO_CREDENTIALS.jwt.secret,
      );
      const call = (bearer: string): Promise<Response> =>
        fetch(`${sim.url}/xtrem/api`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${bearer}`,
            'x-xtrem-endpoint': FOLDER,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ query: '{ x3Finance { account { read(_id: "601000") { code } } } }' }),
        });
      const rejected = await call(token);
      expect(rejected.status).toBe(401);
      expect(await rejected.json()).toEqual({ message: 'Unauthorised' });

      const valid = signHs256Jwt(
        {
          iss: DEMO_CREDENTIALS.jwt.clientId,
          sub: 'CONNECTOR',
          aud: `${sim.url}/xtrem/api`,
          iat: nowSec - 5,
          exp: nowSec + 300,
        },
        DEMO_CREDENTIALS.jwt.secret,
      );
      expect((await call(valid)).status).toBe(200);
    });

    it('backdates iat by clockSkewSeconds so a client clock running ahead still works', async () => {
      const ahead = { now: () => clock.now() + 90_000 };
      const noSkew = track(jwtClient(sim, { clock: ahead, auth: jwtAuth(0) }));
      await expect(noSkew.graphql('{ x3Finance { account { read(_id: "601000") { code } } } }')).rejects.toBeInstanceOf(
        AuthenticationError,
      );
      const withSkew = track(jwtClient(sim, { clock: ahead, auth: jwtAuth(120) }));
      await expect(
        withSkew.graphql('{ x3Finance { account { read(_id: "601000") { code } } } }'),
      ).resolves.toBeDefined();
    });

    function jwtAuth(clockSkewSeconds: number) {
      return {
        mode: 'jwt' as const,
        clientId: DEMO_CREDENTIALS.jwt.clientId,
        secret: DEMO_CREDENTIALS.jwt.secret,
        user: 'CONNECTOR',
        audience: `${sim.url}/xtrem/api`,
        clockSkewSeconds,
      };
    }
  });
});
