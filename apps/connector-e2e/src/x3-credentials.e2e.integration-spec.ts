/* Sage X3 in the field, credentials: the x3-poller and two x3-poster replicas on the OAuth2 refresh_token grant,
 * with 60-second access tokens and the simulator's strict rotation (a spent refresh token is refused and revokes the
 * chain), for more than 15 simulated minutes of posting (the simulator's clock, shared by every app's X3 clients,
 * runs 20 times faster than the wall clock), while the poller and both posters are restarted twice and the go-live
 * check runs once. Every document is posted once; no spent refresh token is ever presented (0 invalid_grant, 0
 * revoked chains), no posting fails, and refreshes never overlap: one refresher per tenant across all processes. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
  PostingResultV1,
  Topics,
} from '@connector/contracts';
import { BusContext, envelopeHeaders } from '@connector/messaging';
import {
  createDemoSeed,
  DEMO_CREDENTIALS,
  SageX3Simulator,
  SimulatorClock,
  startSageX3Simulator,
} from '@connector/sage-x3-simulator';
import {
  buildDemoTenantSeed,
  ServiceTitanSimulator,
  startServiceTitanSimulator,
} from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule as PollerModule, checkEnv, runGoLiveCheck, X3PollerEnv } from '@connector/app-x3-poller';
import { AppModule as PosterModule, X3PosterEnv } from '@connector/app-x3-poster';

jest.setTimeout(600000);

const TENANT = 'acme';
/** Simulated milliseconds per real 100 ms: the simulator's clock runs 20 times faster. */
const SIM_STEP_MS = 2000;
const DOCUMENTS = 90;
const REAL_MS_BETWEEN_DOCUMENTS = 500; // 10 simulated seconds: 90 documents span 15 simulated minutes

function journal(i: number): JournalEntryRequestedV1 {
  const id = String(90000 + i);
  return {
    externalRef: `${TENANT}:JOB:${id}:R1`,
    source: { kind: 'job', id, revision: 1 },
    site: 'US011',
    entryType: 'ODT',
    journal: 'ODT',
    accountingDate: '2026-03-16',
    currency: 'USD',
    description: `ServiceTitan job ${id}`,
    lines: [
      {
        account: '601000',
        side: 'debit',
        amount: `${10 + i}.25`,
        costCenter: 'HVAC',
        dimensionType: 'CC',
        costKind: 'material',
      },
      { account: '401000', side: 'credit', amount: `${10 + i}.25`, costKind: 'offset' },
    ],
  };
}

describe('shared rotating X3 credentials: poller + two poster replicas, restarts, 60 s tokens (real Kafka)', () => {
  const prefix = uniquePrefix('x3creds');
  const clock = new SimulatorClock({ start: '2026-03-16T07:00:00Z' });
  const results: BusContext<PostingResultV1>[] = [];
  let ticker: NodeJS.Timeout | undefined;
  let st: ServiceTitanSimulator;
  let x3: SageX3Simulator;
  let harness: MessagingHarness;
  let posterEnv: X3PosterEnv;
  let pollerEnv: X3PollerEnv;
  const apps: { pollers: AppUnderTest[]; posters: AppUnderTest[] } = { pollers: [], posters: [] };

  beforeAll(async () => {
    const seed = createDemoSeed();
    seed.auth = { ...seed.auth, oauth2: { ...seed.auth!.oauth2!, accessTokenLifetimeSeconds: 60 } };
    x3 = await startSageX3Simulator({ seed, clock });
    st = await startServiceTitanSimulator({
      seed: {
        appKey: TEST_CREDENTIALS.stAppKey,
        tenants: [
          buildDemoTenantSeed({
            tenantId: TEST_CREDENTIALS.stTenantId,
            clientId: TEST_CREDENTIALS.stClientId,
            clientSecret: TEST_CREDENTIALS.stClientSecret,
          }),
        ],
      },
    });
    const tenant = testTenant({
      id: TENANT,
      stUrl: st.url,
      x3Url: x3.url,
      x3Auth: {
        mode: 'oauth2',
        grant: 'refresh_token',
        tokenUrl: `${x3.url}/v1/token`,
        clientId: DEMO_CREDENTIALS.oauth2.clientId,
        clientSecret: DEMO_CREDENTIALS.oauth2.clientSecret,
        // An X3 user approved the app: the bootstrap token, spent at the first rotation.
        refreshToken: x3.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId).refreshToken,
      },
      extra: { mappingRulesFile: 'rules.json' },
    }) as { sageX3: Record<string, unknown> };
    tenant.sageX3['poll'] = { enabled: true, intervalSeconds: 1, pageSize: 50 };
    const tenants = writeTestTenantsFile([tenant]);
    writeFileSync(
      join(tenants.dir, 'rules.json'),
      JSON.stringify({
        version: 1,
        costCenters: { dimensionType: 'CC', businessUnits: { '1': 'HVAC' } },
        accounts: { material: { debit: '601000', credit: '401000' }, labor: { debit: '606000', credit: '401000' } },
        labor: { source: 'invoice-items' },
      }),
    );
    const common = {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_CREDENTIALS_HANDOVER_GRACE_MS: '1000',
      X3_TOKEN_TIMEOUT_MS: '800',
      X3_CREDENTIALS_CHECK_INTERVAL_MS: '150',
      X3_TOKEN_WAIT_MS: '15000',
      X3_REQUEST_TIMEOUT_MS: '5000',
      X3_FIELD_CHECK_RETRY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '15000',
    };
    posterEnv = validateEnv(X3PosterEnv, {
      ...common,
      X3_POST_RETRY_ATTEMPTS: '40',
      X3_POST_RETRY_INITIAL_BACKOFF_MS: '200',
      X3_POST_RETRY_MAX_BACKOFF_MS: '2000',
      X3_CREATE_RECOVERY_SETTLE_MS: '50',
    });
    pollerEnv = validateEnv(X3PollerEnv, {
      ...common,
      X3_POLL_INITIAL_DELAY_MS: '500',
      X3_POLL_STREAM_RETRY_MS: '200',
    });
    harness = await startMessagingHarness(
      prefix,
      [
        {
          group: 'results',
          topics: [Topics.PostingResult],
          handler: (m) => void results.push(m as BusContext<PostingResultV1>),
        },
      ],
      'reader',
    );
    apps.pollers.push(await startPoller());
    apps.posters.push(await startPoster(), await startPoster());
    ticker = setInterval(() => clock.advance(SIM_STEP_MS), 100);
  });

  afterAll(async () => {
    if (ticker) clearInterval(ticker);
    for (const a of [...apps.posters, ...apps.pollers]) await a.close();
    await harness?.close();
    await x3?.close();
    await st?.close();
  });

  function startPoster(): Promise<AppUnderTest> {
    return startAppUnderTest(PosterModule.forRoot(posterEnv, { x3Clock: clock }), 'x3-poster');
  }
  function startPoller(): Promise<AppUnderTest> {
    return startAppUnderTest(PollerModule.forRoot(pollerEnv, { x3Clock: clock }), 'x3-poller');
  }
  async function restartAll(): Promise<void> {
    for (const [list, start] of [
      [apps.posters, startPoster],
      [apps.pollers, startPoller],
    ] as const)
      for (let i = 0; i < list.length; i++) {
        await list[i].close();
        list[i] = await start();
      }
  }

  it('posts every document once across restarts and a go-live check, never presenting a spent refresh token', async () => {
    const simStart = clock.now();
    const refs: string[] = [];
    let check: { code: number; text: string } | undefined;
    for (let i = 0; i < DOCUMENTS; i++) {
      const req = journal(i);
      refs.push(req.externalRef);
      const envelope = createEnvelope({
        type: JOURNAL_ENTRY_REQUESTED,
        tenant: TENANT,
        source: 'mapper',
        payload: req,
      });
      await harness.publisher.publishRaw(Topics.JournalEntryRequested, [
        { key: `${TENANT}:job:${req.source.id}`, value: JSON.stringify(envelope), headers: envelopeHeaders(envelope) },
      ]);
      if (i === 30 || i === 60) await restartAll();
      if (i === 45)
        check = await runGoLiveCheck(
          checkEnv({
            ...testAppEnv(prefix),
            TENANTS_FILE: posterEnv.TENANTS_FILE,
            CONNECTOR_ENCRYPTION_KEY: posterEnv.CONNECTOR_ENCRYPTION_KEY,
            X3_CREDENTIALS_HANDOVER_GRACE_MS: '1000',
            X3_TOKEN_TIMEOUT_MS: '800',
            LOG_LEVEL: 'error',
          }),
          TENANT,
          clock,
        );
      await new Promise((r) => setTimeout(r, REAL_MS_BETWEEN_DOCUMENTS));
    }
    const settled = (ref: string) =>
      results.some((r) => r.envelope.payload.externalRef === ref && r.envelope.payload.status !== 'failed');
    await eventually(
      () => refs.filter((ref) => !settled(ref)),
      (missing) => missing.length === 0,
      'every document posted',
      180000,
    );
    const simulatedMinutes = (clock.now() - simStart) / 60_000;
    if (ticker) clearInterval(ticker);
    ticker = undefined;

    // More than 15 simulated minutes of posting with 60-second access tokens.
    expect(simulatedMinutes).toBeGreaterThan(15);
    // Every document exactly once in X3; no posting failed, none as an auth problem.
    for (const ref of refs) expect(x3.createdDocuments({ className: 'GACCENTRY', reference: ref })).toHaveLength(1);
    expect(results.filter((r) => r.envelope.payload.status === 'failed').map((r) => r.envelope.payload.error)).toEqual(
      [],
    );
    // The go-live check ran mid-run, as a member of the owner group, and passed without disturbing the rotation.
    expect(check?.text.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(check?.code).toBe(0);
    // The strict rotation never saw a spent token: one refresher at a time across every process.
    const stats = x3.stats();
    expect(stats).toMatchObject({ invalidGrants: 0, revokedChains: 0 });
    expect(stats.tokenRequests.rejected).toBe(0);
    expect(stats.tokenRequests.client_credentials).toBe(0);
    expect(stats.refreshes).toBeGreaterThanOrEqual(15);
    // Refreshes never overlap: successive token requests are far apart in simulated time (a 60 s token is renewed
    // when 30 s are left), never two at once from two processes.
    const times = x3
      .requestLog()
      .filter((e) => e.surface === 'token')
      .map((e) => Date.parse(e.at))
      .sort((a, b) => a - b);
    expect(times.length).toBe(stats.refreshes);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(10_000);
  });
});
