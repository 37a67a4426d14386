import {
  SageX3Client,
  X3ConfigError,
  X3DiagnosesError,
  X3NetworkError,
  X3NotFoundError,
  X3PoolExhaustedError,
  X3TimeoutError,
  isX3Yes,
  where,
} from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { basicClient, collect, FOLDER, journalEntryBody, purchaseInvoiceBody } from './testing/sim-test-helpers';

describe('Sage X3 api1 (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  let client: SageX3Client;
  const retries: string[] = [];

  beforeEach(async () => {
    clock = new SimulatorClock({ start: '2025-06-02T08:00:00Z', frozen: true });
    sim = await startSageX3Simulator({ clock, seed: createDemoSeed({ extraSuppliers: 55 }) });
    retries.length = 0;
    client = basicClient(sim, { hooks: { onRetry: (e) => retries.push(e.errorName) } });
  });

  afterEach(async () => {
    client.close();
    await sim.close();
  });

  describe('query paging', () => {
    it('follows $links.$next.$url over more than two pages and returns every record once', async () => {
      const suppliers = await collect(client.query('supplier', { count: 20 }));
      const codes = suppliers.map((s) => s['BPSNUM']);
      expect(codes).toHaveLength(58);
      expect(new Set(codes).size).toBe(58);
      expect(sim.callCounts()['api1 GET BPSUPPLIER $query']).toBe(3);
      expect(suppliers.every((s) => typeof s['$uuid'] === 'string' && typeof s['UPDDATTIM'] === 'string')).toBe(true);
    });

    it('pages with where + orderBy on the update stamp (change polling) without skipping or repeating', async () => {
      const store = sim.folder();
      clock.advance(5_000); // past the seed's stamps (the issuer keeps stamps unique by moving 1 ms per write)
      const since = new Date(clock.now());
      clock.advance(1_000);
      const touched = ['GEN0050', 'GEN0003', 'SUP002', 'GEN0021', 'GEN0007'];
      for (const key of touched) {
        store.update('BPSUPPLIER', key, { BPSNAM: `Renamed ${key}` });
        clock.advance(10);
      }
      const changed = await collect(client.queryChangedSince('supplier', since, { count: 2 }));
      expect(changed.map((s) => s['BPSNUM'])).toEqual(touched);
      expect(sim.callCounts()['api1 GET BPSUPPLIER $query']).toBe(3);
    });

    it('supports the where grammar subset (in, like, between, and/or, dates)', async () => {
      const codes = async (w: string): Promise<unknown[]> =>
        (await collect(client.query('supplier', { where: w, count: 100 }))).map((s) => s['BPSNUM']);
      expect(await codes(where.in('BPSNUM', ['SUP001', 'SUP009']))).toEqual(['SUP001', 'SUP009']);
      expect(await codes(where.like('BPSNAM', 'Bolt%'))).toEqual(['SUP002']);
      expect(
        await codes(where.and(where.between('BPSNUM', 'GEN0001', 'GEN0003'), where.ne('BPSNUM', 'GEN0002'))),
      ).toEqual(['GEN0001', 'GEN0003']);
      expect(await codes(where.or(where.eq('BPSNUM', 'SUP001'), where.eq('ENAFLG', 1)))).toEqual(['SUP001', 'SUP009']);
      expect(await codes(where.gt('UPDDATTIM', new Date('2030-01-01T00:00:00Z')))).toEqual([]);
    });

    it('answers a where on a property the representation lacks with HTTP 500: a config error, not retried', async () => {
      const error = await collect(client.query('supplier', { where: "NOPE eq 'x'" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3ConfigError);
      expect((error as X3ConfigError).status).toBe(500);
      expect((error as X3ConfigError).kind).toBe('config');
      expect((error as X3ConfigError).message).toContain("Property 'NOPE' does not exist in representation BPSUPPLIER");
      expect(retries).toEqual([]);
      const badOrder = await collect(client.query('supplier', { orderBy: 'NOPE desc' })).catch((e: unknown) => e);
      expect(badOrder).toBeInstanceOf(X3ConfigError);
      expect(sim.callCounts()['api1 GET BPSUPPLIER $query']).toBe(2);
    });

    it('rejects a malformed where clause with HTTP 400 diagnoses (config)', async () => {
      const error = await collect(client.query('supplier', { where: "BPSNUM eq 'x" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3ConfigError);
      expect((error as X3ConfigError).status).toBe(400);
      expect((error as X3ConfigError).diagnoses[0].message).toContain('unterminated string literal');
    });
  });

  describe('details', () => {
    it('reads by key, including composite keys joined with ~', async () => {
      const cc = await client.details('costCenter', ['CC', 'HVAC']);
      expect(cc).toMatchObject({ DIE: 'CC', CCE: 'HVAC', DES: 'HVAC service' });
      expect(isX3Yes(cc['ENAFLG'])).toBe(true);
      const po = await client.details('purchaseOrder', 'PO0001');
      expect(po['PORDERQ']).toHaveLength(2);
      expect(po['BPSNUM_REF']).toEqual({ $title: 'Acme Parts' });
    });

    it('maps 404 with diagnoses to X3NotFoundError: not-found for a key, config for a class or representation', async () => {
      const missing = await client.details('account', '999999').catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(X3NotFoundError);
      expect((missing as X3NotFoundError).kind).toBe('not-found');
      const badClass = await collect(client.query({ className: 'ZZNOPE' })).catch((e: unknown) => e);
      expect(badClass).toBeInstanceOf(X3NotFoundError);
      expect((badClass as X3NotFoundError).kind).toBe('config');
      expect((badClass as Error).message).toContain('Class ZZNOPE not found');
      const custom = basicClient(sim, { entities: { account: { representation: 'ZGACC' } } });
      const badRepr = await collect(custom.query('account')).catch((e: unknown) => e);
      custom.close();
      expect((badRepr as X3NotFoundError).kind).toBe('config');
      expect((badRepr as Error).message).toContain('Representation ZGACC not found');
    });
  });

  describe('journal entry creation', () => {
    it('creates a balanced entry: 201 + Location, X3 assigns NUM/FIY/PER/LIN and stores REF', async () => {
      const result = await client.create('journalEntry', { ...journalEntryBody(), REF: 'ST-INV-1001' });
      expect(result.location).toMatch(
        /\/api1\/x3\/erp\/SEED\/GACCENTRY\('ODT~ODT-2025-000001'\)\?representation=GACCENTRY\.\$details$/,
      );
      expect(result.resource).toMatchObject({
        TYP: 'ODT',
        NUM: 'ODT-2025-000001',
        FIY: '2025',
        PER: 6,
        CPY: 'US01',
        REF: 'ST-INV-1001',
      });
      const lines = result.resource['GACCENTRYD'] as Array<Record<string, unknown>>;
      expect(lines.map((l) => [l['LIN'], l['AMTCUR'], l['AMTLED'], l['DIE'], l['CCE']])).toEqual([
        [1, '125.40', '125.40', 'CC', 'HVAC'],
        [2, '125.40', '125.40', '', ''],
      ]);
      const found = await client.findBy('journalEntry', { REF: 'ST-INV-1001' });
      expect(found?.['NUM']).toBe('ODT-2025-000001');
      expect(await client.findBy('journalEntry', { REF: 'ST-INV-none' })).toBeNull();
    });

    const rejected = async (body: Record<string, unknown>): Promise<X3DiagnosesError> => {
      const error = await client.create('journalEntry', body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3DiagnosesError);
      const diag = error as X3DiagnosesError;
      expect(diag.transient).toBe(false);
      expect(diag.status).toBe(400);
      expect(diag.severity).toBe('error');
      expect(sim.createdDocuments()).toHaveLength(0);
      return diag;
    };

    it('surfaces an unbalanced entry (decimal arithmetic, per currency)', async () => {
      const error = await rejected(
        journalEntryBody({}, [
          { ACC: '601000', SNS: 1, AMTCUR: '0.10', CCE: 'HVAC' },
          { ACC: '601000', SNS: 1, AMTCUR: '0.20', CCE: 'HVAC' },
          { ACC: '401000', SNS: -1, AMTCUR: '0.31' },
        ]),
      );
      expect(error.errorMessages).toEqual(['Entry is not balanced in currency USD: debit 0.30, credit 0.31']);
      expect(error.message).toContain('Entry is not balanced in currency USD');
    });

    it('surfaces an inactive account', async () => {
      const error = await rejected(
        journalEntryBody({}, [
          { ACC: '609000', SNS: 1, AMTCUR: '10.00' },
          { ACC: '401000', SNS: -1, AMTCUR: '10.00' },
        ]),
      );
      expect(error.errorMessages).toEqual(['Line 1: account 609000 is inactive']);
    });

    it('surfaces an account inactivated after seeding (admin helper)', async () => {
      sim.folder().inactivate('GACCOUNT', '601000');
      const error = await rejected(journalEntryBody());
      expect(error.message).toContain('account 601000 is inactive');
    });

    it('surfaces a closed period', async () => {
      const error = await rejected(journalEntryBody({ ACCDAT: '2025-01-20' }));
      expect(error.errorMessages).toEqual([
        'Accounting date 2025-01-20: period 1 of fiscal year 2025 is closed for company US01',
      ]);
      sim.setPeriodOpen('US01', '2025', 6, false);
      const june = await rejected(journalEntryBody());
      expect(june.errorMessages).toEqual([
        'Accounting date 2025-06-15: period 6 of fiscal year 2025 is closed for company US01',
      ]);
    });

    it('surfaces a disallowed, inactive or unknown cost center', async () => {
      const disallowed = await rejected(
        journalEntryBody({}, [
          { ACC: '601000', SNS: 1, AMTCUR: '5.00', DIE: 'DEP', CCE: 'ADMIN' },
          { ACC: '401000', SNS: -1, AMTCUR: '5.00' },
        ]),
      );
      expect(disallowed.errorMessages).toEqual(['Line 1: dimension type DEP is not allowed for account 601000']);
      const inactive = await rejected(
        journalEntryBody({}, [
          { ACC: '601000', SNS: 1, AMTCUR: '5.00', CCE: 'CLOSED' },
          { ACC: '401000', SNS: -1, AMTCUR: '5.00' },
        ]),
      );
      expect(inactive.errorMessages).toEqual(['Line 1: cost center CC~CLOSED is inactive']);
      const missing = await rejected(
        journalEntryBody({}, [
          { ACC: '601000', SNS: 1, AMTCUR: '5.00' },
          { ACC: '401000', SNS: -1, AMTCUR: '5.00' },
        ]),
      );
      expect(missing.errorMessages).toEqual(['Line 1: dimension type CC is mandatory for account 601000']);
    });

    it('reports every problem at once (site, journal, too many decimals)', async () => {
      const error = await rejected(
        journalEntryBody({ FCY: 'XX999', JOU: 'OLD' }, [
          { ACC: '401000', SNS: 1, AMTCUR: '1.005' },
          { ACC: '512000', SNS: -1, AMTCUR: '1.005' },
        ]),
      );
      expect(error.errorMessages).toEqual(
        expect.arrayContaining([
          'Site XX999 does not exist',
          'Journal OLD is inactive',
          'Line 1: amount 1.005 has more than 2 decimals for currency USD',
        ]),
      );
    });
  });

  describe('transient failures', () => {
    it('retries pool exhaustion ("No Web services accepted") on reads', async () => {
      sim.faults.poolExhaustedNext(2);
      await expect(client.details('account', '601000')).resolves.toMatchObject({ ACC: '601000' });
      expect(retries).toEqual(['X3PoolExhaustedError', 'X3PoolExhaustedError']);
      expect(sim.callCounts()['api1 GET GACCOUNT $details']).toBe(1);
      expect(sim.stats().faultsInjected).toBe(2);
    });

    it('gives up after maxAttempts with a transient X3PoolExhaustedError carrying the X3 message', async () => {
      sim.faults.poolExhaustedNext(10);
      const error = await client.details('account', '601000').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3PoolExhaustedError);
      expect((error as X3PoolExhaustedError).transient).toBe(true);
      expect((error as X3PoolExhaustedError).diagnoses[0].message).toBe('No Web services accepted');
      expect(retries).toHaveLength(3);
    });

    it('retries generic 500s and dropped connections on reads', async () => {
      sim.faults.failNext(1);
      sim.faults.destroyNext(1);
      await expect(collect(client.query('account'))).resolves.toHaveLength(6);
      expect(retries).toEqual(['X3HttpError', 'X3NetworkError']); // a bare 500, then a reset socket
    });

    it('retries a read that timed out because of injected latency', async () => {
      const impatient = basicClient(sim, {
        timeouts: { requestMs: 100 },
        hooks: { onRetry: (e) => retries.push(e.errorName) },
      });
      sim.faults.latency(400, { count: 1 });
      await expect(impatient.details('account', '601000')).resolves.toMatchObject({ ACC: '601000' });
      impatient.close();
      expect(retries).toEqual(['X3TimeoutError']);
    });

    it('re-posts a create refused by an exhausted pool (it was never applied)', async () => {
      sim.faults.poolExhaustedNext(1, { method: 'POST' });
      const result = await client.createIdempotent('journalEntry', 'ST-INV-2001', journalEntryBody());
      expect(result).toMatchObject({ outcome: 'created', posts: 2 });
      expect(sim.createdDocuments()).toHaveLength(1);
    });
  });

  describe('idempotent create', () => {
    it('a committed create whose response is lost (connection destroyed) is found by reference, not re-created', async () => {
      sim.faults.loseResponseNext({ mode: 'destroy', match: { surface: 'api1', className: 'GACCENTRY' } });
      const result = await client.createIdempotent('journalEntry', 'ST-INV-3001', journalEntryBody());
      expect(result.outcome).toBe('recovered');
      expect(result.posts).toBe(1);
      expect(result.resource).toMatchObject({ NUM: 'ODT-2025-000001', REF: 'ST-INV-3001' });
      expect(sim.createdDocuments({ className: 'GACCENTRY' })).toHaveLength(1);
      expect(sim.callCounts()['api1 POST GACCENTRY $create']).toBe(1);
    });

    it('a committed create whose response arrives after the client timeout is found by reference', async () => {
      const slow = basicClient(sim, { timeouts: { requestMs: 300 } });
      sim.faults.loseResponseNext({
        mode: 'delay',
        delayMs: 1_500,
        match: { surface: 'api1', className: 'GACCENTRY' },
      });
      const result = await slow.createIdempotent('journalEntry', 'ST-INV-3002', journalEntryBody());
      slow.close();
      expect(result.outcome).toBe('recovered');
      expect(sim.createdDocuments()).toHaveLength(1);
      expect(sim.callCounts()['api1 POST GACCENTRY $create']).toBe(1);
    });

    it('a plain create() surfaces the unknown outcome instead of guessing', async () => {
      const slow = basicClient(sim, { timeouts: { requestMs: 300 } });
      sim.faults.loseResponseNext({ mode: 'delay', delayMs: 1_500 });
      const error = await slow
        .create('journalEntry', { ...journalEntryBody(), REF: 'ST-INV-3003' })
        .catch((e: unknown) => e);
      slow.close();
      expect(error).toBeInstanceOf(X3TimeoutError);
      expect((error as X3TimeoutError).outcomeUnknown).toBe(true);
      expect(sim.createdDocuments()).toHaveLength(1);
    });

    it('does not POST again when the reference already exists (redelivered message)', async () => {
      const first = await client.createIdempotent('journalEntry', 'ST-INV-4001', journalEntryBody());
      const second = await client.createIdempotent('journalEntry', 'ST-INV-4001', journalEntryBody());
      expect(first.outcome).toBe('created');
      expect(second).toMatchObject({ outcome: 'already-existed', posts: 0 });
      expect(second.resource['NUM']).toBe(first.resource['NUM']);
      expect(sim.createdDocuments()).toHaveLength(1);
    });

    it('throws business-rule rejections at once, without retrying', async () => {
      const error = await client
        .createIdempotent('journalEntry', 'ST-INV-5001', journalEntryBody({ ACCDAT: '2024-06-01' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3DiagnosesError);
      expect((error as Error).message).toContain('fiscal year 2024 is closed for company US01');
      expect(sim.callCounts()['api1 POST GACCENTRY $create']).toBe(1);
    });

    it('reports a refused connection as not applied (outcomeUnknown false)', async () => {
      await sim.close();
      const error = await client.create('journalEntry', journalEntryBody()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3NetworkError);
      expect((error as X3NetworkError).outcomeUnknown).toBe(false);
      sim = await startSageX3Simulator({ clock, seed: createDemoSeed() }); // afterEach closes it
    });
  });

  describe('purchase invoices', () => {
    const invoice = (ref: string, overrides: Record<string, unknown> = {}): Record<string, unknown> =>
      purchaseInvoiceBody(`V-${ref}`, overrides);

    it('stores a not-validated invoice linked to PO lines, found by supplier + invoice number; reconcile() validates it', async () => {
      const created = await client.createIdempotent('purchaseInvoice', 'ST-BILL-77', invoice('77'));
      expect(created).toMatchObject({ outcome: 'created', posts: 1 });
      expect(created.resource).toMatchObject({ STA: 1, BPR: 'SUP001', BPRVCR: 'V-77' });
      expect(created.resource).not.toHaveProperty('REF'); // the public PINVOICE representation has neither
      expect(created.resource).not.toHaveProperty('MATSTA');
      const num = String(created.resource['NUM']);
      const before = String(created.resource['UPDDATTIM']);
      clock.advance(1_000);
      sim.reconcile(num);
      const after = await client.findBy('purchaseInvoice', { BPR: 'SUP001', BPRVCR: 'V-77' });
      expect(after).toMatchObject({ NUM: num, STA: 2 });
      expect(String(after?.['UPDDATTIM']) > before).toBe(true);
      const again = await client.createIdempotent('purchaseInvoice', 'ST-BILL-77', invoice('77'));
      expect(again).toMatchObject({ outcome: 'already-existed', posts: 0 });
      expect(sim.createdDocuments({ className: 'PINVOICE' })).toHaveLength(1);
    });

    it('refuses REF on PINVOICE (a property its representation lacks) with an error diagnosis', async () => {
      const error = await client
        .create('purchaseInvoice', invoice('80', { REF: 'ST-BILL-80' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3DiagnosesError);
      expect((error as X3DiagnosesError).kind).toBe('business');
      expect((error as X3DiagnosesError).errorMessages).toEqual(['Unknown property REF']);
      const lookup = await collect(client.query('purchaseInvoice', { where: "REF eq 'x'" })).catch((e: unknown) => e);
      expect((lookup as X3ConfigError).kind).toBe('config');
    });

    it('refuses a duplicate supplier invoice number for the same supplier', async () => {
      await client.create('purchaseInvoice', invoice('81'));
      const error = await client.create('purchaseInvoice', invoice('81')).catch((e: unknown) => e);
      expect((error as X3DiagnosesError).errorMessages).toEqual([
        'Supplier invoice number V-81 already exists for supplier SUP001',
      ]);
      expect((error as X3DiagnosesError).diagnoses[0].severity).toBe('error');
    });

    it('rejects lines of another supplier’s PO and inactive suppliers', async () => {
      const wrongPo = await client
        .create(
          'purchaseInvoice',
          invoice('78', { PINVOICED: [{ POHNUM: 'PO0002', POPLIN: 1000, QTYUOM: '1', NETPRI: '12.00' }] }),
        )
        .catch((e: unknown) => e);
      expect((wrongPo as X3DiagnosesError).errorMessages).toEqual([
        'Line 1: purchase order PO0002 belongs to supplier SUP002, not SUP001',
      ]);
      const inactive = await client
        .create('purchaseInvoice', invoice('79', { BPR: 'SUP009' }))
        .catch((e: unknown) => e);
      expect((inactive as Error).message).toContain('Supplier SUP009 is inactive');
    });
  });

  it('serves $template for the $create facet', async () => {
    const res = await fetch(`${sim.url}/api1/x3/erp/${FOLDER}/GACCENTRY/$template?representation=GACCENTRY.$create`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`,
      },
    });
    expect(await res.json()).toMatchObject({ ACCDAT: '2025-06-02', REF: '', GACCENTRYD: [] });
  });

  it('answers 404 with SData diagnoses for an unknown endpoint (folder)', async () => {
    const res = await fetch(`${sim.url}/api1/x3/erp/OTHER/GACCOUNT?representation=GACCOUNT.$query`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      $diagnoses: [
        { $severity: 'error', $message: 'Endpoint OTHER does not exist', $sdataCode: 'ApplicationDiagnosis' },
      ],
    });
  });

  it('answers 401 with SData diagnoses for an expired token on api1', async () => {
    const res = await fetch(`${sim.url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEMO_CREDENTIALS.oauth2.clientId,
        client_secret: DEMO_CREDENTIALS.oauth2.clientSecret,
      }).toString(),
    });
    const { access_token: token, expires_in: expiresIn } = (await res.json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(expiresIn).toBe(300);
    const call = (): Promise<Response> =>
      fetch(`${sim.url}/api1/x3/erp/${FOLDER}/GACCOUNT('601000')?representation=GACCOUNT.$details`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call()).status).toBe(200);
    clock.advance(300_000);
    const expired = await call();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({
      $diagnoses: [
        { $severity: 'error', $message: 'Unauthorized: access token expired', $sdataCode: 'ApplicationDiagnosis' },
      ],
    });
  });
});
