/* The x3-poster with every Sage X3 auth mode the tenants file accepts (basic, OAuth2 client_credentials, OAuth2
 * refresh_token, connected-app JWT), on the real broker and the simulator's strict rotation, with the simulator's
 * clock shared by the poster's clients so days pass in milliseconds: the rotating refresh token lives in
 * connector.x3-credentials.v1 (encrypted) and survives restarts; its end is warned about days ahead (metric and
 * audit notice); once it has expired, posts fail as auth and a token seeded by the tenant CLI works without a
 * restart. */
import { SecretBox, secretAad, validateEnv } from '@connector/config';
import {
  createEnvelope,
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
  OperatorNoticeV1,
  PostingResultV1,
  Topics,
  X3CredentialsV1,
} from '@connector/contracts';
import { BusContext, envelopeHeaders } from '@connector/messaging';
import { CREDENTIAL_FIELDS, seedX3RefreshToken, X3AppEnv } from '@connector/sage-x3-runtime';
import {
  createDemoSeed,
  DEMO_CREDENTIALS,
  SageX3Simulator,
  SimulatorClock,
  startSageX3Simulator,
} from '@connector/sage-x3-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { X3PosterEnv } from '../app/x3-poster.env';

jest.setTimeout(180000);

const DAY_MS = 86_400_000;
let seq = 0;

function journal(tenant: string): JournalEntryRequestedV1 {
  const id = String(7000 + ++seq);
  return {
    externalRef: `${tenant}:JOB:${id}:R1`,
    source: { kind: 'job', id, revision: 1 },
    site: 'US011',
    entryType: 'ODT',
    journal: 'ODT',
    accountingDate: '2026-06-15',
    currency: 'USD',
    description: `ServiceTitan job ${id}`,
    lines: [
      {
        account: '601000',
        side: 'debit',
        amount: '42.00',
        costCenter: 'HVAC',
        dimensionType: 'CC',
        costKind: 'material',
      },
      { account: '401000', side: 'credit', amount: '42.00', costKind: 'offset' },
    ],
  };
}

describe('x3-poster: every auth mode, shared rotating OAuth2 credentials (real Kafka, simulator)', () => {
  const prefix = uniquePrefix('posterauth');
  const clock = new SimulatorClock({ start: '2026-06-01T08:00:00Z' });
  const results: BusContext<PostingResultV1>[] = [];
  const notices: BusContext<OperatorNoticeV1>[] = [];
  const credentials: BusContext[] = [];
  let sim: SageX3Simulator;
  let env: X3PosterEnv;
  let key: string;
  let poster: AppUnderTest | undefined;
  let harness: MessagingHarness;
  let firstRefreshToken: string;

  beforeAll(async () => {
    const seed = createDemoSeed();
    // X3 cloud: the refresh token's 30 days run from the user's approval (rotations keep the expiry).
    seed.auth = { ...seed.auth, oauth2: { ...seed.auth!.oauth2!, rotationKeepsExpiry: true } };
    // A site whose api1 takes connected-app JWTs too (by default the simulator's api1, like most on-premise sites,
    // takes Basic and OAuth2 only: a JWT tenant there fails as x3-auth).
    seed.folders[0].auth = { api1: ['basic', 'oauth2', 'jwt'] };
    sim = await startSageX3Simulator({ seed, clock });
    firstRefreshToken = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId).refreshToken;
    const oauth2 = {
      mode: 'oauth2',
      tokenUrl: `${sim.url}/v1/token`,
      clientId: DEMO_CREDENTIALS.oauth2.clientId,
      clientSecret: DEMO_CREDENTIALS.oauth2.clientSecret,
    };
    const tenants = writeTestTenantsFile([
      testTenant({
        id: 'basic',
        x3Url: sim.url,
        x3Auth: { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password },
      }),
      testTenant({ id: 'cc', x3Url: sim.url, x3Auth: { ...oauth2, grant: 'client_credentials' } }),
      testTenant({
        id: 'rt',
        x3Url: sim.url,
        x3Auth: { ...oauth2, grant: 'refresh_token', refreshToken: firstRefreshToken, refreshTokenWarnDays: 7 },
      }),
      testTenant({
        id: 'jwt',
        x3Url: sim.url,
        x3Auth: {
          mode: 'jwt',
          clientId: DEMO_CREDENTIALS.jwt.clientId,
          secret: DEMO_CREDENTIALS.jwt.secret,
          user: DEMO_CREDENTIALS.jwt.user,
          audience: `${sim.url}/xtrem/api`,
        },
      }),
    ]);
    key = tenants.key;
    env = validateEnv(X3PosterEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_POST_RETRY_ATTEMPTS: '8',
      X3_POST_RETRY_INITIAL_BACKOFF_MS: '100',
      X3_POST_RETRY_MAX_BACKOFF_MS: '1000',
      X3_CREDENTIALS_HANDOVER_GRACE_MS: '500',
      X3_CREDENTIALS_CHECK_INTERVAL_MS: '200',
      X3_TOKEN_WAIT_MS: '5000',
      X3_REQUEST_TIMEOUT_MS: '5000',
    });
    harness = await startMessagingHarness(
      prefix,
      [
        {
          group: 'results',
          topics: [Topics.PostingResult],
          handler: (m) => void results.push(m as BusContext<PostingResultV1>),
        },
        {
          group: 'notices',
          topics: [Topics.OperatorNotice],
          handler: (m) => void notices.push(m as BusContext<OperatorNoticeV1>),
        },
        // Raw: the bytes as stored on the broker.
        { group: 'credentials', topics: [Topics.X3Credentials], mode: 'raw', handler: (m) => void credentials.push(m) },
      ],
      'reader',
    );
    poster = await startAppUnderTest(AppModule.forRoot(env, { x3Clock: clock }), 'x3-poster');
  });

  afterAll(async () => {
    await poster?.close();
    await harness?.close();
    await sim?.close();
  });

  async function post(tenant: string): Promise<PostingResultV1> {
    const req = journal(tenant);
    const envelope = createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant, source: 'mapper', payload: req });
    await harness.publisher.publishRaw(Topics.JournalEntryRequested, [
      { key: `${tenant}:job:${req.source.id}`, value: JSON.stringify(envelope), headers: envelopeHeaders(envelope) },
    ]);
    const [result] = await eventually(
      () => results.filter((r) => r.envelope.payload.externalRef === req.externalRef),
      (l) => l.length === 1,
      `the result of ${req.externalRef}`,
      60000,
    );
    return result.envelope.payload;
  }

  const metric = async (pattern: RegExp) =>
    Number(pattern.exec(await (await fetch(`${poster!.url}/metrics`)).text())?.[1] ?? NaN);

  it('posts through each auth mode the tenants file accepts: basic, client_credentials, refresh_token, jwt', async () => {
    for (const tenant of ['basic', 'cc', 'rt', 'jwt'])
      expect(await post(tenant)).toMatchObject({ status: 'posted', error: null });
    const stats = sim.stats();
    expect(stats.tokenRequests.client_credentials).toBeGreaterThanOrEqual(1);
    expect(stats.refreshes).toBeGreaterThanOrEqual(1);
    expect(stats).toMatchObject({ invalidGrants: 0, revokedChains: 0 });
    expect(stats.tokenRequests.rejected).toBe(0);
  });

  it('the rotated token set is on the credentials topic, encrypted and bound to the tenant', async () => {
    await eventually(
      () => credentials.filter((c) => c.key === 'rt'),
      (l) => l.length >= 1,
      'a credentials record',
    );
    const raw = credentials.filter((c) => c.key === 'rt').map((c) => (c.raw as Buffer).toString('utf8'));
    for (const text of raw) {
      expect(text).not.toMatch(/sim-(rt|at)-/); // no token in clear
      expect(text).not.toContain(firstRefreshToken);
    }
    const record = (JSON.parse(raw[raw.length - 1]) as { payload: X3CredentialsV1 }).payload;
    expect(record).toMatchObject({ writer: 'x3-poster', generation: expect.any(Number) });
    expect(record.generation).toBeGreaterThanOrEqual(1);
    const box = new SecretBox(key);
    expect(box.decrypt(record.refreshToken!, secretAad('rt', CREDENTIAL_FIELDS.refreshToken))).toMatch(/^sim-rt-/);
    // Bound to its tenant: the same ciphertext does not open as another tenant's.
    expect(() => box.decrypt(record.refreshToken!, secretAad('cc', CREDENTIAL_FIELDS.refreshToken))).toThrow(
      /does not decrypt/,
    );
    // The tenants file's token was spent by the first rotation.
    expect(box.decrypt(record.refreshToken!, secretAad('rt', CREDENTIAL_FIELDS.refreshToken))).not.toBe(
      firstRefreshToken,
    );
  });

  it("a restarted poster goes on with the topic's token set, without re-authorisation (the file's token is spent)", async () => {
    await poster?.close();
    poster = undefined;
    const before = sim.stats().tokenRequests.refresh_token;
    poster = await startAppUnderTest(AppModule.forRoot(env, { x3Clock: clock }), 'x3-poster');
    expect(await post('rt')).toMatchObject({ status: 'posted' });
    // The stored access token was still valid: no token request at all.
    expect(sim.stats().tokenRequests.refresh_token).toBe(before);
    clock.advance(10 * 60_000); // the access token is long expired: the owner refreshes with the rotated token
    expect(await post('rt')).toMatchObject({ status: 'posted' });
    expect(sim.stats().tokenRequests.refresh_token).toBeGreaterThan(before);
    expect(sim.stats()).toMatchObject({ invalidGrants: 0, revokedChains: 0 });
  });

  it('days before the refresh token ends: the expiry gauge says so, and the audit trail gets one notice', async () => {
    clock.advance(24 * DAY_MS); // 30-day token approved ~24 days ago: under a week left
    expect(await post('rt')).toMatchObject({ status: 'posted' });
    const notice = await eventually(
      () => notices.filter((n) => n.key === 'rt:x3-refresh-token-expiring'),
      (l) => l.length >= 1,
      'the expiry notice',
    );
    expect(notice[0].envelope.payload).toMatchObject({ severity: 'warning' });
    expect(notice[0].envelope.payload.details?.['daysLeft']).toBeGreaterThan(5);
    expect(notice[0].envelope.payload.details?.['daysLeft']).toBeLessThan(7);
    const seconds = await metric(/connector_refresh_token_expiry_seconds\{system="sage-x3",tenant="rt"[^}]*\} (-?\d+)/);
    expect(seconds).toBeGreaterThan(5 * 86400);
    expect(seconds).toBeLessThan(7 * 86400);
    // Once a day, not on every check.
    await new Promise((r) => setTimeout(r, 1000));
    expect(notices.filter((n) => n.key === 'rt:x3-refresh-token-expiring')).toHaveLength(1);
  });

  it('an expired refresh token fails as auth (never retried), with a notice; a token seeded by the CLI works without a restart', async () => {
    clock.advance(8 * DAY_MS); // past the 30 days
    const failed = await post('rt');
    expect(failed).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'x3-auth', transient: false } });
    expect(failed.error?.message).toMatch(/invalid_grant/);
    await eventually(
      () => notices.filter((n) => n.key === 'rt:x3-credentials-refused'),
      (l) => l.length === 1,
      'the refusal notice',
    );
    // An X3 user approves the app again; the operator seeds the new token (the CLI's code path), the poster runs on.
    const approved = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
    const seeded = await seedX3RefreshToken(
      validateEnv(X3AppEnv, { ...testAppEnv(prefix), TENANTS_FILE: env.TENANTS_FILE, CONNECTOR_ENCRYPTION_KEY: key }),
      'rt',
      approved.refreshToken,
      approved.expiresAt,
    );
    expect(seeded.refreshTokenExpirySource).toBe('seeded');
    expect(await post('rt')).toMatchObject({ status: 'posted' });
    await eventually(
      () => notices.filter((n) => n.key === 'rt:x3-refresh-token-seeded'),
      (l) => l.length === 1,
      'the seed notice',
    );
    // The other tenants never noticed.
    for (const tenant of ['basic', 'cc', 'jwt']) expect(await post(tenant)).toMatchObject({ status: 'posted' });
  });
});
