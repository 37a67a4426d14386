import {
  AuthenticationError,
  SageX3Client,
  X3ConfigError,
  X3DiagnosesError,
  X3Error,
  X3HttpError,
  X3PoolExhaustedError,
} from '@connector/sage-x3';
import { createDemoSeed } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { basicClient, collect, journalEntryBody, jwtClient, purchaseInvoiceBody } from './testing/sim-test-helpers';

/** Every row of "How Sage X3 answers are classified", end to end: simulator answer → client error kind → action. */
describe('Sage X3 answers classified by status and severity (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  let client: SageX3Client;
  const retries: string[] = [];
  /** POSTs that reached the simulator, answered by a fault or not. */
  const posts = (): number => sim.requestLog().filter((e) => e.method === 'POST' && e.className === 'GACCENTRY').length;

  async function start(seed = createDemoSeed()): Promise<void> {
    clock = new SimulatorClock({ start: '2025-06-02T08:00:00Z', frozen: true });
    sim = await startSageX3Simulator({ clock, seed });
    retries.length = 0;
    client = basicClient(sim, { hooks: { onRetry: (e) => retries.push(e.errorName) } });
  }

  afterEach(async () => {
    client.close();
    await sim.close();
  });

  const failure = async (p: Promise<unknown>): Promise<X3Error> => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(X3Error);
    return error as X3Error;
  };

  it('HTTP 500 + error diagnosis on a create is a business rejection: one POST, never an auth problem', async () => {
    await start();
    sim.faults.businessRejectionNext(1, { message: 'Journal ODT: entry type not allowed', match: { method: 'POST' } });
    const error = await failure(client.createIdempotent('journalEntry', 'ST-INV-9001', journalEntryBody()));
    expect(error).toBeInstanceOf(X3DiagnosesError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ kind: 'business', status: 500, transient: false, outcomeUnknown: false });
    expect((error as X3DiagnosesError).errorMessages).toEqual(['Journal ODT: entry type not allowed']);
    expect(posts()).toBe(1);
    expect(retries).toEqual([]);
  });

  it('a real business rule answered with HTTP 500 (site setting) is business too, with X3 wording', async () => {
    const seed = createDemoSeed();
    seed.folders[0].businessErrorStatus = 500;
    await start(seed);
    const body = journalEntryBody({}, [
      { ACC: '601000', SNS: 1, AMTCUR: '10.00', CCE: 'HVAC' },
      { ACC: '401000', SNS: -1, AMTCUR: '9.99' },
    ]);
    const error = await failure(client.createIdempotent('journalEntry', 'ST-INV-9002', body));
    expect(error).toMatchObject({ kind: 'business', status: 500 });
    expect((error as X3DiagnosesError).errorMessages).toEqual([
      'Entry is not balanced in currency USD: debit 10.00, credit 9.99',
    ]);
    expect(posts()).toBe(1);
  });

  it.each([500, 503])('HTTP %i + transient diagnosis is retried and then posts', async (status) => {
    await start();
    sim.faults.transientNext(1, { status, match: { method: 'POST' } });
    const result = await client.createIdempotent('journalEntry', `ST-INV-91${status}`, journalEntryBody());
    expect(result).toMatchObject({ outcome: 'created', posts: 2 });
    expect(retries).toEqual(['X3DiagnosesError']);
    expect(sim.createdDocuments()).toHaveLength(1);
  });

  it('pool exhaustion is transient: re-posted, one document', async () => {
    await start();
    sim.faults.poolExhaustedNext(2, { method: 'POST' });
    const result = await client.createIdempotent('journalEntry', 'ST-INV-9200', journalEntryBody());
    expect(result).toMatchObject({ outcome: 'created', posts: 3 });
    expect(retries).toEqual(['X3PoolExhaustedError', 'X3PoolExhaustedError']);
  });

  it('a bare 500 on a create has an unknown outcome: looked up before posting again', async () => {
    await start();
    sim.faults.failNext(1, { method: 'POST' });
    const lookupsBefore = sim.callCounts()['api1 GET GACCENTRY $query'] ?? 0;
    const result = await client.createIdempotent('journalEntry', 'ST-INV-9300', journalEntryBody());
    expect(result).toMatchObject({ outcome: 'created', posts: 2 });
    // lookup before the first POST, lookup after the unknown outcome, then the second POST
    expect((sim.callCounts()['api1 GET GACCENTRY $query'] ?? 0) - lookupsBefore).toBe(2);
    sim.faults.failNext(1, { method: 'POST' });
    const plain = await failure(client.create('journalEntry', { ...journalEntryBody(), REF: 'ST-INV-9301' }));
    expect(plain).toBeInstanceOf(X3HttpError);
    expect(plain).toMatchObject({ kind: 'unknown-outcome', status: 500 });
  });

  it('a committed create whose answer is lost is recovered by the lookup (unknown outcome)', async () => {
    await start();
    sim.faults.loseResponseNext({ mode: 'destroy', match: { className: 'GACCENTRY' } });
    const result = await client.createIdempotent('journalEntry', 'ST-INV-9400', journalEntryBody());
    expect(result).toMatchObject({ outcome: 'recovered', posts: 1 });
    expect(sim.createdDocuments()).toHaveLength(1);
  });

  it('a where on a property the representation lacks is a configuration error (HTTP 500, not retried)', async () => {
    await start();
    const error = await failure(collect(client.query('purchaseInvoice', { where: "MATSTA eq 'unmatched'" })));
    expect(error).toBeInstanceOf(X3ConfigError);
    expect(error).toMatchObject({ kind: 'config', status: 500, transient: false });
    expect(retries).toEqual([]);
    // createIdempotent on an entity configured with a lookup field the site lacks: config, and nothing posted.
    const misconfigured = basicClient(sim, { entities: { purchaseInvoice: { lookupFields: ['REF'] } } });
    const body = purchaseInvoiceBody('V-9500');
    const noRef = await failure(misconfigured.createIdempotent('purchaseInvoice', 'ST-BILL-9500', body));
    expect(noRef).toMatchObject({ kind: 'config' });
    expect(noRef.message).toContain('no value for lookup field REF');
    const unknownField = await failure(
      misconfigured.createIdempotent('purchaseInvoice', 'ST-BILL-9500', { ...body, REF: 'ST-BILL-9500' }),
    );
    expect(unknownField).toMatchObject({ kind: 'config', status: 500 });
    misconfigured.close();
    expect(sim.callCounts()['api1 POST PINVOICE $create']).toBeUndefined();
  });

  it('401 after one renewal and 403 are auth; a 404 key is not-found, a 404 class config', async () => {
    const seed = createDemoSeed();
    seed.auth?.basic?.push({ user: 'OTHERFOLDER', password: 'test-secret-not-real-009', folders: ['OTHER'] });
    await start(seed);
    const wrong = basicClient(sim, { auth: { mode: 'basic', user: 'CONNECTOR', password: 'wrong-not-real' } });
    expect(await failure(wrong.details('account', '601000'))).toMatchObject({ kind: 'auth', status: 401 });
    wrong.close();
    const otherFolder = basicClient(sim, {
      auth: { mode: 'basic', user: 'OTHERFOLDER', password: 'test-secret-not-real-009' },
    });
    const forbidden = await failure(otherFolder.details('account', '601000'));
    otherFolder.close();
    expect(forbidden).toBeInstanceOf(AuthenticationError);
    expect(forbidden).toMatchObject({ kind: 'auth', status: 403 });
    expect(await failure(client.details('account', 'NOPE'))).toMatchObject({ kind: 'not-found', status: 404 });
    expect(await failure(collect(client.query({ className: 'ZZNOPE' })))).toMatchObject({ kind: 'config' });
  });

  it('GraphQL: extensions.diagnoses severities decide (error = business, transient = retry)', async () => {
    await start();
    const gql = jwtClient(sim, { hooks: { onRetry: (e) => retries.push(e.errorName) } });
    const mutation =
      'mutation X3Create($data: Object!) { x3Purchasing { purchaseInvoice { create(data: $data) { _id } } } }';
    const data = {
      site: 'US011',
      supplier: 'SUP009', // inactive
      supplierInvoiceNumber: 'INV-9600',
      supplierInvoiceDate: '2025-06-01',
      accountingDate: '2025-06-02',
      currency: 'USD',
      purchaseInvoiceLines: [{ purchaseOrder: 'PO0001', purchaseOrderLine: 1000, quantity: '1', netPrice: '1' }],
    };
    const business = await failure(gql.graphql(mutation, { data }));
    expect(business).toMatchObject({ kind: 'business', transient: false });
    sim.faults.transientNext(1, { status: 200, match: { surface: 'graphql' } });
    const transient = await failure(gql.graphql(mutation, { data: { ...data, supplier: 'SUP001' } }));
    expect(transient).toMatchObject({ kind: 'transient' });
    sim.faults.transientNext(1, { status: 200, match: { surface: 'graphql' } });
    await expect(gql.graphql('{ x3Finance { account { read(_id: "601000") { code } } } }')).resolves.toBeDefined();
    expect(retries).toEqual(['X3DiagnosesError']);
    gql.close();
  });

  it('reads retry transient answers and give up with the kind intact', async () => {
    await start();
    sim.faults.poolExhaustedNext(10);
    const error = await failure(client.details('account', '601000'));
    expect(error).toBeInstanceOf(X3PoolExhaustedError);
    expect(error.kind).toBe('transient');
    expect(retries).toHaveLength(3);
  });
});
