import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  Headers as H,
  JOURNAL_ENTRY_REQUESTED,
  JournalEntryRequestedV1,
  MessageEnvelope,
  PostingResultV1,
  SUPPLIER_INVOICE_REQUESTED,
  SupplierInvoiceRequestedV1,
  Topics,
} from '@connector/contracts';
import { BusContext, envelopeHeaders } from '@connector/messaging';
import { DEMO_CREDENTIALS, SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
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

jest.setTimeout(120000);

const TENANT = 'acme';
let seq = 0;

function journalRequest(overrides: Partial<JournalEntryRequestedV1> = {}): JournalEntryRequestedV1 {
  const id = String(5000 + ++seq);
  return {
    externalRef: `acme:JOB:${id}:R1`,
    source: { kind: 'job', id, revision: 1 },
    site: 'US011',
    entryType: 'ODT',
    journal: 'ODT',
    accountingDate: '2025-06-15',
    currency: 'USD',
    description: `ServiceTitan job ${id}`,
    lines: [
      {
        account: '601000',
        side: 'debit',
        amount: '100.10',
        costCenter: 'HVAC',
        dimensionType: 'CC',
        description: 'Materials',
        costKind: 'material',
      },
      { account: '606000', side: 'debit', amount: '25.30', costCenter: 'PLUMB', costKind: 'labor' },
      { account: '401000', side: 'credit', amount: '125.40', description: 'Supplier', costKind: 'offset' },
    ],
    ...overrides,
  };
}

describe('x3-poster on a real Kafka broker and the Sage X3 simulator', () => {
  const prefix = uniquePrefix('poster');
  const results: BusContext<PostingResultV1>[] = [];
  let sim: SageX3Simulator;
  /** Another customer's X3, whose journal entry reference holds 12 characters only. */
  let shortSim: SageX3Simulator;
  let env: X3PosterEnv;
  let poster: AppUnderTest | undefined;
  let harness: MessagingHarness;

  async function startPoster(): Promise<AppUnderTest> {
    const app = await startAppUnderTest(AppModule.forRoot(env), 'x3-poster');
    // Readiness includes the posted-ledger catch-up; tenant 'short' is refused by the field check (not ready by design).
    await eventually(
      async () =>
        ((await (await fetch(`${app.url}/health/ready`)).json()) as { checks: Record<string, boolean> }).checks,
      (checks) => Object.entries(checks).every(([name, ok]) => ok || name === 'x3-fields:short'),
      'x3-poster ready (but for the refused tenant)',
    );
    return app;
  }

  function envelopeFor<P>(type: string, payload: P): MessageEnvelope<P> {
    return createEnvelope({ type, tenant: TENANT, source: 'mapper', payload });
  }

  async function send(
    topic: string,
    envelope: MessageEnvelope<{ externalRef: string; source: { kind: string; id: string } }>,
    extraHeaders: Record<string, string> = {},
  ): Promise<void> {
    const key = `${TENANT}:${envelope.payload.source.kind}:${envelope.payload.source.id}`;
    await harness.publisher.publishRaw(topic, [
      { key, value: JSON.stringify(envelope), headers: envelopeHeaders(envelope, extraHeaders) },
    ]);
  }

  const resultsFor = (ref: string) => results.filter((r) => r.envelope.payload.externalRef === ref);
  const waitResults = (ref: string, n: number) =>
    eventually(
      () => resultsFor(ref),
      (l) => l.length >= n,
      `${n} result(s) for ${ref}`,
    );
  const documents = (className: string, reference: string) => sim.createdDocuments({ className, reference });
  const lookups = (cls = 'GACCENTRY') => sim.callCounts()[`api1 GET ${cls} $query`] ?? 0;

  beforeAll(async () => {
    sim = await startSageX3Simulator();
    shortSim = await startSageX3Simulator();
    shortSim.representation('GACCENTRY').setMaxLength('REF', 12);
    const basic = { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password };
    const tenants = writeTestTenantsFile([
      testTenant({ id: TENANT, x3Url: sim.url, x3Auth: basic }),
      testTenant({ id: 'short', x3Url: shortSim.url, x3Auth: basic }),
    ]);
    env = validateEnv(X3PosterEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      PORT: '0',
      X3_POST_RETRY_ATTEMPTS: '5',
      X3_POST_RETRY_INITIAL_BACKOFF_MS: '50',
      X3_POST_RETRY_MAX_BACKOFF_MS: '200',
      X3_READ_RETRY_BASE_DELAY_MS: '5',
      X3_CREATE_RECOVERY_SETTLE_MS: '20',
      X3_REQUEST_TIMEOUT_MS: '3000',
    });
    harness = await startMessagingHarness(
      prefix,
      [
        {
          group: 'results-reader',
          topics: [Topics.PostingResult],
          handler: async (m) => void results.push(m as BusContext<PostingResultV1>),
        },
      ],
      'reader',
    );
    poster = await startPoster();
  });

  afterAll(async () => {
    await poster?.close();
    await harness?.close();
    await sim?.close();
    await shortSim?.close();
  });

  afterEach(() => sim.faults.clear());

  const first = journalRequest();
  const firstEnvelope = envelopeFor(JOURNAL_ENTRY_REQUESTED, first);

  it('a journal entry request posts exactly one GACCENTRY and publishes posted', async () => {
    await send(Topics.JournalEntryRequested, firstEnvelope);
    const [result] = await waitResults(first.externalRef, 1);
    const docs = documents('GACCENTRY', first.externalRef);
    expect(docs).toHaveLength(1);
    expect(result.key).toBe(`${TENANT}:job:${first.source.id}`);
    expect(result.envelope).toMatchObject({
      type: 'x3.posting.result',
      tenant: TENANT,
      source: 'poster',
      causationId: firstEnvelope.id,
      correlationId: firstEnvelope.correlationId,
    });
    expect(result.envelope.payload).toMatchObject({
      externalRef: first.externalRef,
      documentKind: 'journal-entry',
      status: 'posted',
      x3DocumentNumber: docs[0].record['NUM'],
      amount: '125.40',
      currency: 'USD',
      attempt: 1,
      requestMessageId: firstEnvelope.id,
    });
    // What X3 stored: signs, amounts and cost centers as sent.
    const lines = docs[0].record['GACCENTRYD'] as Array<Record<string, unknown>>;
    expect(lines.map((l) => [l['ACC'], l['SNS'], l['AMTCUR'], l['CCE']])).toEqual([
      ['601000', 1, '100.10', 'HVAC'],
      ['606000', 1, '25.30', 'PLUMB'],
      ['401000', -1, '125.40', ''],
    ]);
    expect(docs[0].record['REF']).toBe(first.externalRef);
  });

  it('the same request redelivered ends as duplicate-skipped from the ledger, without asking X3', async () => {
    const before = lookups();
    await send(Topics.JournalEntryRequested, firstEnvelope);
    const list = await waitResults(first.externalRef, 2);
    expect(list[1].envelope.payload).toMatchObject({
      status: 'duplicate-skipped',
      x3DocumentNumber: list[0].envelope.payload.x3DocumentNumber,
    });
    expect(documents('GACCENTRY', first.externalRef)).toHaveLength(1);
    expect(lookups()).toBe(before);
  });

  it('a replayed message (x-replay-id) of a posted record ends as duplicate-skipped and keeps the replay id', async () => {
    await send(Topics.JournalEntryRequested, firstEnvelope, {
      [H.ReplayId]: 'replay-test-1',
      [H.ReplayOfMessageId]: firstEnvelope.id,
    });
    const list = await waitResults(first.externalRef, 3);
    expect(list[2].envelope.payload.status).toBe('duplicate-skipped');
    expect(list[2].headers[H.ReplayId]).toBe('replay-test-1');
    expect(documents('GACCENTRY', first.externalRef)).toHaveLength(1);
  });

  it('a document already in X3 (e.g. ledger write lost in a crash) is found by reference: duplicate-skipped, recorded in the ledger', async () => {
    const req = journalRequest();
    // Posted directly in X3 with the same reference, as if a previous run crashed before its ledger write.
    const http = await fetch(`${sim.url}/api1/x3/erp/SEED/GACCENTRY?representation=GACCENTRY.$create`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        FCY: 'US011',
        TYP: 'ODT',
        JOU: 'ODT',
        ACCDAT: '2025-06-15',
        CUR: 'USD',
        REF: req.externalRef,
        GACCENTRYD: [
          { ACC: '512000', SNS: 1, AMTCUR: '10.00' },
          { ACC: '401000', SNS: -1, AMTCUR: '10.00' },
        ],
      }),
    });
    expect(http.status).toBe(201);
    const envelope = envelopeFor(JOURNAL_ENTRY_REQUESTED, req);
    await send(Topics.JournalEntryRequested, envelope);
    const [result] = await waitResults(req.externalRef, 1);
    expect(result.envelope.payload).toMatchObject({ status: 'duplicate-skipped', amount: '10.00' });
    expect(result.envelope.payload.x3DocumentNumber).toBe(documents('GACCENTRY', req.externalRef)[0].record['NUM']);
    expect(documents('GACCENTRY', req.externalRef)).toHaveLength(1);
    // Now in the ledger: the next delivery is skipped without an X3 lookup.
    const before = lookups();
    await send(Topics.JournalEntryRequested, envelope);
    const list = await waitResults(req.externalRef, 2);
    expect(list[1].envelope.payload.status).toBe('duplicate-skipped');
    expect(lookups()).toBe(before);
  });

  it('"committed but response lost": the create is found by reference, one document, posted', async () => {
    const req = journalRequest();
    sim.faults.loseResponseNext({ match: { className: 'GACCENTRY', method: 'POST' } });
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
    const [result] = await waitResults(req.externalRef, 1);
    expect(sim.faults.pending()).toHaveLength(0);
    expect(
      sim.requestLog().filter((e) => e.fault === 'commit-then-destroy' && e.className === 'GACCENTRY'),
    ).toHaveLength(1);
    const docs = documents('GACCENTRY', req.externalRef);
    expect(docs).toHaveLength(1);
    expect(result.envelope.payload).toMatchObject({
      status: 'posted',
      x3DocumentNumber: docs[0].record['NUM'],
      amount: '125.40',
    });
    expect(sim.callCounts()['api1 POST GACCENTRY $create']).toBeGreaterThanOrEqual(1);
  });

  it('unknown is not failed: commit-then-lose, then every lookup failing past the last attempt — posted once X3 answers', async () => {
    const req = journalRequest();
    // The create is committed, its answer held past the client's timeout (an unknown outcome)…
    sim.faults.loseResponseNext({ mode: 'delay', delayMs: 4000, match: { className: 'GACCENTRY', method: 'POST' } });
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
    await eventually(
      () => documents('GACCENTRY', req.externalRef).length,
      (n) => n === 1,
      'the committed create',
    );
    // …and from then on the follow-up lookup and the lookups of every later attempt fail (bare 500: nothing known).
    const lookups = sim.faults.failNext(20, { className: 'GACCENTRY', method: 'GET' });
    const [result] = await waitResults(req.externalRef, 1);
    sim.faults.remove(lookups);
    expect(result.envelope.payload).toMatchObject({ status: 'posted', attempt: 5, error: null });
    const docs = documents('GACCENTRY', req.externalRef);
    expect(docs).toHaveLength(1);
    expect(result.envelope.payload.x3DocumentNumber).toBe(docs[0].record['NUM']);
    // Never a second POST while the first one's outcome was unknown, and no 'failed' before the answer.
    expect(resultsFor(req.externalRef)).toHaveLength(1);
    expect(sim.requestLog().filter((e) => e.fault === 'http-500' && e.className === 'GACCENTRY')).toHaveLength(20);
  });

  it("a business rejection answered with HTTP 500 and an error diagnosis is failed after one attempt with X3's message", async () => {
    const req = journalRequest();
    sim.faults.businessRejectionNext(1, {
      status: 500,
      message: 'Journal ODT is locked for month-end closing',
      match: { className: 'GACCENTRY', method: 'POST' },
    });
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
    const [result] = await waitResults(req.externalRef, 1);
    expect(result.envelope.payload).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'x3-rejected', message: 'Journal ODT is locked for month-end closing', transient: false },
    });
    expect(documents('GACCENTRY', req.externalRef)).toHaveLength(0);
  });

  it('a transient diagnosis (HTTP 503) is retried and posts', async () => {
    const req = journalRequest();
    sim.faults.transientNext(2, { match: { className: 'GACCENTRY', method: 'POST' } });
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
    const [result] = await waitResults(req.externalRef, 1);
    expect(result.envelope.payload).toMatchObject({ status: 'posted', attempt: 3 });
    expect(documents('GACCENTRY', req.externalRef)).toHaveLength(1);
  });

  it('a web-service pool with no free process is retried with backoff, then posted', async () => {
    const req = journalRequest();
    sim.faults.poolExhaustedNext(2, { className: 'GACCENTRY', method: 'POST' });
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
    const [result] = await waitResults(req.externalRef, 1);
    expect(result.envelope.payload).toMatchObject({ status: 'posted', attempt: 3 });
    expect(documents('GACCENTRY', req.externalRef)).toHaveLength(1);
  });

  it('when X3 stays unavailable past the last attempt, failed (transient) is published and the request committed', async () => {
    const req = journalRequest();
    const fault = sim.faults.poolExhaustedNext(Infinity, { className: 'GACCENTRY', method: 'POST' });
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
    const [result] = await waitResults(req.externalRef, 1);
    sim.faults.remove(fault);
    expect(result.envelope.payload).toMatchObject({
      status: 'failed',
      attempt: 5,
      error: { code: 'x3-pool-exhausted', transient: true },
    });
    expect(result.envelope.payload.error?.message).toMatch(/No Web services accepted/);
    expect(documents('GACCENTRY', req.externalRef)).toHaveLength(0);
  });

  it.each([
    [
      'unbalanced',
      {
        lines: [
          {
            account: '601000',
            side: 'debit',
            amount: '125.40',
            costCenter: 'HVAC',
            dimensionType: 'CC',
            costKind: 'material',
          },
          { account: '401000', side: 'credit', amount: '100.00', costKind: 'offset' },
        ],
      },
      'Entry is not balanced in currency USD: debit 125.40, credit 100.00',
    ],
    [
      'inactive account',
      {
        lines: [
          { account: '609000', side: 'debit', amount: '5.00', costKind: 'material' },
          { account: '401000', side: 'credit', amount: '5.00', costKind: 'offset' },
        ],
      },
      'Line 1: account 609000 is inactive',
    ],
    [
      'closed period',
      { accountingDate: '2025-01-20' },
      'Accounting date 2025-01-20: period 1 of fiscal year 2025 is closed for company US01',
    ],
  ] as Array<[string, Partial<JournalEntryRequestedV1>, string]>)(
    "an entry X3 rejects (%s) ends as failed with X3's message, no document",
    async (_name, overrides, message) => {
      const req = journalRequest(overrides);
      await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, req));
      const [result] = await waitResults(req.externalRef, 1);
      expect(result.envelope.payload).toMatchObject({
        status: 'failed',
        attempt: 1,
        error: { code: 'x3-rejected', message, transient: false },
      });
      expect(documents('GACCENTRY', req.externalRef)).toHaveLength(0);
    },
  );

  it("a tenant whose X3 reference field is too short for the connector's references is refused, naming the field", async () => {
    await eventually(
      async () =>
        ((await (await fetch(`${poster!.url}/health/ready`)).json()) as { checks: Record<string, boolean> }).checks,
      (c) => c['x3-fields:short'] === false,
      'the refused tenant in readiness',
    );
    const req = journalRequest({ externalRef: 'short:JOB:42:R1', source: { kind: 'job', id: '42', revision: 1 } });
    await harness.publisher.publishRaw(Topics.JournalEntryRequested, [
      {
        key: 'short:job:42',
        value: JSON.stringify(
          createEnvelope({ type: JOURNAL_ENTRY_REQUESTED, tenant: 'short', source: 'mapper', payload: req }),
        ),
        headers: {},
      },
    ]);
    const [result] = await waitResults(req.externalRef, 1);
    expect(result.envelope.payload).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'x3-config', transient: false },
    });
    expect(result.envelope.payload.error?.message).toMatch(
      /GACCENTRY representation GACCENTRY: REF holds at most 12 characters, the connector writes up to \d+ \(reference\)/,
    );
    expect(shortSim.createdDocuments()).toHaveLength(0);
    // The other tenant is not held up.
    const ok = journalRequest();
    await send(Topics.JournalEntryRequested, envelopeFor(JOURNAL_ENTRY_REQUESTED, ok));
    expect((await waitResults(ok.externalRef, 1))[0].envelope.payload.status).toBe('posted');
  });

  it('a supplier invoice posts unmatched against the purchase order', async () => {
    const req: SupplierInvoiceRequestedV1 = {
      externalRef: 'acme:BILL:880:R1',
      source: { kind: 'inventory-bill', id: '880', revision: 1 },
      site: 'US011',
      supplier: 'SUP001',
      supplierInvoiceNumber: 'ST-BILL-880',
      invoiceDate: '2025-06-10',
      accountingDate: '2025-06-10',
      currency: 'USD',
      controlTotal: '251.00',
      lines: [
        { purchaseOrder: 'PO0001', purchaseOrderLine: 1000, product: 'FILTER-16', quantity: '10', netPrice: '12.50' },
        { purchaseOrder: 'PO0001', purchaseOrderLine: 2000, product: 'PIPE-CU-12', quantity: '30', netPrice: '4.20' },
      ],
    };
    await send(Topics.SupplierInvoiceRequested, envelopeFor(SUPPLIER_INVOICE_REQUESTED, req));
    const [result] = await waitResults(req.externalRef, 1);
    // PINVOICE carries no REF: the invoice is the supplier's invoice number for that supplier.
    const docs = sim.createdDocuments({ className: 'PINVOICE' }).filter((d) => d.record['BPRVCR'] === 'ST-BILL-880');
    expect(docs).toHaveLength(1);
    expect(docs[0].record).toMatchObject({
      BPR: 'SUP001',
      BPRVCR: 'ST-BILL-880',
      STA: 1,
      AMTNOT: '251.00',
    });
    expect(
      (docs[0].record['PINVOICED'] as Array<Record<string, unknown>>).map((l) => [l['POHNUM'], l['POPLIN']]),
    ).toEqual([
      ['PO0001', 1000],
      ['PO0001', 2000],
    ]);
    expect(result.envelope.payload).toMatchObject({
      documentKind: 'supplier-invoice',
      status: 'posted',
      x3DocumentNumber: docs[0].record['NUM'],
      amount: '251.00',
    });
  });

  it('the ledger survives a restart: a new instance (same prefix) rebuilds it and skips without asking X3', async () => {
    await poster?.close();
    poster = undefined;
    poster = await startPoster();
    const before = lookups();
    await send(Topics.JournalEntryRequested, firstEnvelope);
    const list = await waitResults(first.externalRef, 4);
    expect(list[3].envelope.payload).toMatchObject({
      status: 'duplicate-skipped',
      x3DocumentNumber: list[0].envelope.payload.x3DocumentNumber,
    });
    expect(lookups()).toBe(before);
    expect(documents('GACCENTRY', first.externalRef)).toHaveLength(1);
    const metrics = await (await fetch(`${poster.url}/metrics`)).text();
    expect(metrics).toMatch(
      /connector_postings_total\{tenant="acme",kind="journal-entry",status="duplicate-skipped",app="x3-poster"\} 1/,
    );
  });
});
