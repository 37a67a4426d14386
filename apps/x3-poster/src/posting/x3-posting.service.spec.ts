import { TenantConfig, TenantRegistry, validateEnv } from '@connector/config';
import {
  createEnvelope,
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
  PostedLedgerEntryV1,
  PostingResultV1,
  Topics,
} from '@connector/contracts';
import { InMemoryMessageBus, testBusContext } from '@connector/messaging';
import { MetricsService } from '@connector/observability';
import {
  DEFAULT_ENTITIES,
  SageX3Client,
  X3DiagnosesError,
  X3EntityName,
  X3Error,
  X3IdempotentCreateResult,
  X3PoolExhaustedError,
  X3Resource,
  X3TimeoutError,
} from '@connector/sage-x3';
import { SageX3ClientsRegistry, X3FieldVerification } from '@connector/sage-x3-runtime';
import { Logger } from '@nestjs/common';
import { X3PosterEnv } from '../app/x3-poster.env';
import { LedgerEntry, PostedLedgerService } from '../ledger/posted-ledger.service';
import { X3PostingService } from './x3-posting.service';

const request: JournalEntryRequestedV1 = {
  externalRef: 'acme:JOB:1:R1',
  source: { kind: 'job', id: '1', revision: 1 },
  site: 'US011',
  entryType: 'ODT',
  journal: 'ODT',
  accountingDate: '2025-06-15',
  currency: 'USD',
  description: 'Job 1',
  lines: [
    { account: '601000', side: 'debit', amount: '10.50', costKind: 'material' },
    { account: '401000', side: 'credit', amount: '10.50', costKind: 'offset' },
  ],
};

const created = (outcome: X3IdempotentCreateResult['outcome']): X3IdempotentCreateResult => ({
  outcome,
  posts: outcome === 'already-existed' ? 0 : 1,
  resource: {
    NUM: 'ODT-2025-000007',
    TYP: 'ODT',
    GACCENTRYD: [
      { SNS: 1, AMTCUR: '10.50' },
      { SNS: -1, AMTCUR: '10.50' },
    ],
  },
});

function setup(tenantIds = ['acme']) {
  const bus = new InMemoryMessageBus();
  const entries = new Map<string, LedgerEntry>();
  let failLedgerWrites = 0;
  const ledger = {
    ready: async () => undefined,
    get: (t: string, ref: string) => entries.get(`${t}:${ref}`),
    record: async (cause: { tenant: string }, e: PostedLedgerEntryV1) => {
      if (failLedgerWrites > 0) {
        failLedgerWrites--;
        throw new Error('broker unavailable');
      }
      bus.sent.push({
        topic: Topics.PostedLedger,
        key: `${cause.tenant}:${e.externalRef}`,
        envelope: null,
        value: JSON.stringify(e),
        headers: {},
      });
      entries.set(`${cause.tenant}:${e.externalRef}`, {
        documentKind: e.documentKind,
        x3DocumentNumber: e.x3DocumentNumber,
        postedAt: e.postedAt,
      });
    },
  };
  const createIdempotent = jest.fn<Promise<X3IdempotentCreateResult>, Parameters<SageX3Client['createIdempotent']>>();
  const findBy = jest.fn<Promise<X3Resource | null>, Parameters<SageX3Client['findBy']>>();
  const clients = {
    forTenant: () => ({
      createIdempotent,
      findBy,
      entityConfig: (e: X3EntityName) => DEFAULT_ENTITIES[e],
    }),
  };
  let refusal: string | null = null;
  const fields = {
    settled: async () => ({ status: refusal ? 'refused' : 'verified', problems: {} }),
    refusal: () => refusal,
  };
  const tenants = { get: (id: string) => (tenantIds.includes(id) ? ({ id } as TenantConfig) : undefined) };
  const env = validateEnv(X3PosterEnv, {
    TENANTS_FILE: '/dev/null',
    CONNECTOR_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    X3_POST_RETRY_ATTEMPTS: '3',
    X3_POST_RETRY_INITIAL_BACKOFF_MS: '1',
    X3_POST_RETRY_MAX_BACKOFF_MS: '5',
  });
  const service = new X3PostingService(
    env,
    bus,
    tenants as unknown as TenantRegistry,
    clients as unknown as SageX3ClientsRegistry,
    ledger as unknown as PostedLedgerService,
    fields as unknown as X3FieldVerification,
    new MetricsService('x3-poster', { defaultMetrics: false }),
  );
  const envelope = createEnvelope({
    type: JOURNAL_ENTRY_REQUESTED,
    tenant: 'acme',
    source: 'mapper',
    payload: request,
  });
  // The same delivery again and again, as the consumer loop retries it: attempt 1, 2, 3… (the group allows 3).
  let attempt = 0;
  const next = () =>
    testBusContext(envelope, {
      topic: Topics.JournalEntryRequested,
      partition: 0,
      offset: '42',
      key: 'acme:job:1',
      attempt: ++attempt,
      maxAttempts: 3,
    });
  const results = () => bus.on(Topics.PostingResult).map((m) => m.envelope?.payload as PostingResultV1);
  return {
    service,
    bus,
    createIdempotent,
    findBy,
    refuse: (problems: string) => (refusal = problems),
    next,
    results,
    entries,
    failLedger: (n: number) => (failLedgerWrites = n),
  };
}

describe('X3PostingService → result status', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('created: ledger entry first, then posted with number, debit total and attempt', async () => {
    const t = setup();
    t.createIdempotent.mockResolvedValueOnce(created('created'));
    await t.service.handle('journal-entry', t.next());
    expect(t.bus.sent.map((m) => m.topic)).toEqual([Topics.PostedLedger, Topics.PostingResult]);
    expect(t.results()[0]).toMatchObject({
      status: 'posted',
      x3DocumentNumber: 'ODT-2025-000007',
      amount: '10.50',
      currency: 'USD',
      attempt: 1,
      error: null,
    });
    expect(t.bus.on(Topics.PostingResult)[0].key).toBe('acme:job:1');
    expect(t.createIdempotent.mock.calls[0][0]).toBe('journalEntry');
    expect(t.createIdempotent.mock.calls[0][3]).toEqual({ lookupFirst: true, maxPosts: 1 });
  });

  it('a ledger hit is duplicate-skipped without calling X3', async () => {
    const t = setup();
    t.entries.set('acme:acme:JOB:1:R1', {
      documentKind: 'journal-entry',
      x3DocumentNumber: 'ODT-2025-000001',
      postedAt: '2025-06-15T00:00:00Z',
    });
    await t.service.handle('journal-entry', t.next());
    expect(t.createIdempotent).not.toHaveBeenCalled();
    expect(t.results()[0]).toMatchObject({ status: 'duplicate-skipped', x3DocumentNumber: 'ODT-2025-000001' });
  });

  it('found in X3 before posting → recorded in the ledger, duplicate-skipped', async () => {
    const t = setup();
    t.createIdempotent.mockResolvedValueOnce(created('already-existed'));
    await t.service.handle('journal-entry', t.next());
    expect(t.results()[0]).toMatchObject({
      status: 'duplicate-skipped',
      x3DocumentNumber: 'ODT-2025-000007',
      amount: '10.50',
    });
    expect(t.entries.has('acme:acme:JOB:1:R1')).toBe(true);
  });

  it("X3 diagnoses → failed (permanent) at once, with X3's message", async () => {
    const t = setup();
    t.createIdempotent.mockRejectedValueOnce(
      new X3DiagnosesError(
        'Sage X3 POST GACCENTRY (HTTP 400): …',
        [{ severity: 'error', message: 'Line 1: account 609000 is inactive' }],
        { transient: false, status: 400 },
      ),
    );
    await t.service.handle('journal-entry', t.next());
    expect(t.results()).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempt: 1,
        error: { code: 'x3-rejected', message: 'Line 1: account 609000 is inactive', transient: false },
      }),
    ]);
  });

  it('transient → thrown for the messaging layer to retry, failed (transient) on the last attempt', async () => {
    const t = setup();
    t.createIdempotent.mockRejectedValue(
      new X3PoolExhaustedError(
        'pool exhausted (No Web services accepted)',
        [{ severity: 'error', message: 'No Web services accepted' }],
        500,
      ),
    );
    await expect(t.service.handle('journal-entry', t.next())).rejects.toBeInstanceOf(X3PoolExhaustedError);
    await expect(t.service.handle('journal-entry', t.next())).rejects.toBeInstanceOf(X3PoolExhaustedError);
    expect(t.results()).toHaveLength(0);
    await t.service.handle('journal-entry', t.next());
    expect(t.results()).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempt: 3,
        error: expect.objectContaining({ code: 'x3-pool-exhausted', transient: true }),
      }),
    ]);
  });

  it("an unknown outcome, then the document found by the next attempt's lookup, is this request's document: posted", async () => {
    const t = setup();
    t.createIdempotent.mockRejectedValueOnce(new X3TimeoutError('timed out after sending', true));
    t.findBy.mockResolvedValueOnce(created('already-existed').resource);
    await expect(t.service.handle('journal-entry', t.next())).rejects.toBeInstanceOf(X3TimeoutError);
    await t.service.handle('journal-entry', t.next());
    expect(t.results()).toEqual([
      expect.objectContaining({ status: 'posted', attempt: 2, x3DocumentNumber: 'ODT-2025-000007' }),
    ]);
    expect(t.findBy.mock.calls[0]).toEqual(['journalEntry', { REF: 'acme:JOB:1:R1' }]);
    expect(t.createIdempotent).toHaveBeenCalledTimes(1);
    expect(t.entries.get('acme:acme:JOB:1:R1')).toMatchObject({ x3DocumentNumber: 'ODT-2025-000007' });
  });

  describe('unknown is not failed (issue 10 item 6)', () => {
    const lookupDown = () =>
      new X3PoolExhaustedError(
        'lookup: pool exhausted',
        [{ severity: 'error', message: 'No Web services accepted' }],
        500,
      );

    it('commit-then-lose, and every lookup failing up to the last attempt: no failed, posted once the lookup answers', async () => {
      const t = setup();
      // Attempt 1: the POST's answer is lost and the client's own follow-up lookup fails too.
      t.createIdempotent.mockRejectedValueOnce(
        new X3Error('create had an unknown outcome and the lookup that would settle it failed', {
          kind: 'unknown-outcome',
        }),
      );
      // Attempts 2 and 3 look up first: the lookups keep failing three times, then X3 answers with the document.
      t.findBy
        .mockRejectedValueOnce(lookupDown())
        .mockRejectedValueOnce(lookupDown())
        .mockRejectedValueOnce(lookupDown())
        .mockResolvedValueOnce(created('already-existed').resource);
      await expect(t.service.handle('journal-entry', t.next())).rejects.toThrow(/unknown outcome/);
      await expect(t.service.handle('journal-entry', t.next())).rejects.toBeInstanceOf(X3PoolExhaustedError);
      expect(t.results()).toHaveLength(0);
      // The last attempt does not give up with 'failed': it keeps looking the document up.
      await t.service.handle('journal-entry', t.next());
      expect(t.results()).toEqual([
        expect.objectContaining({ status: 'posted', attempt: 3, x3DocumentNumber: 'ODT-2025-000007', error: null }),
      ]);
      expect(t.findBy).toHaveBeenCalledTimes(4);
      expect(t.createIdempotent).toHaveBeenCalledTimes(1);
    });

    it('once a lookup says the document is absent, a later failure is reported as usual', async () => {
      const t = setup();
      t.createIdempotent
        .mockRejectedValueOnce(new X3TimeoutError('timed out after sending', true))
        .mockRejectedValue(lookupDown());
      t.findBy.mockRejectedValueOnce(lookupDown()).mockResolvedValue(null);
      await expect(t.service.handle('journal-entry', t.next())).rejects.toBeInstanceOf(X3TimeoutError);
      await expect(t.service.handle('journal-entry', t.next())).rejects.toBeInstanceOf(X3PoolExhaustedError);
      await t.service.handle('journal-entry', t.next());
      expect(t.results()).toEqual([
        expect.objectContaining({
          status: 'failed',
          attempt: 3,
          error: expect.objectContaining({ code: 'x3-pool-exhausted', transient: true }),
        }),
      ]);
      // The re-post after "absent" did not look up again (the lookup just answered).
      expect(t.createIdempotent.mock.calls[1][3]).toEqual({ lookupFirst: false, maxPosts: 1 });
    });
  });

  it("a business rejection answered with HTTP 500 is failed after one attempt, with X3's words (not transient, not auth)", async () => {
    const t = setup();
    t.createIdempotent.mockRejectedValueOnce(
      new X3DiagnosesError(
        'Sage X3 POST GACCENTRY (HTTP 500): …',
        [{ severity: 'error', message: 'Accounting date 2025-01-20: period 1 of fiscal year 2025 is closed' }],
        { kind: 'business', status: 500 },
      ),
    );
    await t.service.handle('journal-entry', t.next());
    expect(t.results()).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempt: 1,
        error: {
          code: 'x3-rejected',
          message: 'Accounting date 2025-01-20: period 1 of fiscal year 2025 is closed',
          transient: false,
        },
      }),
    ]);
  });

  it('a tenant refused by the field check is failed (x3-config) naming the field, without calling X3', async () => {
    const t = setup();
    t.refuse('Sage X3 GACCENTRY representation GACCENTRY ($create) has no field REF (configured as fields.reference)');
    await t.service.handle('journal-entry', t.next());
    expect(t.createIdempotent).not.toHaveBeenCalled();
    expect(t.results()[0]).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'x3-config', transient: false },
    });
    expect(t.results()[0].error?.message).toMatch(/has no field REF \(configured as fields\.reference\)/);
  });

  it('a failed ledger write after the create is resumed without a second create, and never reported failed', async () => {
    const t = setup();
    t.createIdempotent.mockResolvedValueOnce(created('created'));
    t.failLedger(3);
    for (let i = 0; i < 3; i++)
      await expect(t.service.handle('journal-entry', t.next())).rejects.toThrow('broker unavailable');
    await t.service.handle('journal-entry', t.next());
    expect(t.createIdempotent).toHaveBeenCalledTimes(1);
    expect(t.results()).toEqual([expect.objectContaining({ status: 'posted', attempt: 4 })]);
  });

  it('an unknown tenant → failed (permanent)', async () => {
    const t = setup([]);
    await t.service.handle('journal-entry', t.next());
    expect(t.results()[0]).toMatchObject({
      status: 'failed',
      error: { code: 'tenant-not-configured', transient: false },
    });
  });
});
