import { SageX3Client, X3DiagnosesError, X3GraphqlError, X3HttpError, X3PoolExhaustedError } from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { FOLDER, jwtClient } from './testing/sim-test-helpers';
import { signHs256Jwt } from '@connector/sage-x3';

interface SupplierNode {
  _id: string;
  code: string;
  isActive: boolean;
  _updateStamp: string;
}

describe('Sage X3 GraphQL (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  let client: SageX3Client;
  const retries: string[] = [];

  beforeEach(async () => {
    clock = new SimulatorClock({ start: '2025-06-02T08:00:00Z', frozen: true });
    sim = await startSageX3Simulator({ clock, seed: createDemoSeed({ extraSuppliers: 55 }) });
    retries.length = 0;
    client = jwtClient(sim, { hooks: { onRetry: (e) => retries.push(e.errorName) } });
  });

  afterEach(async () => {
    client.close();
    await sim.close();
  });

  /** Pages a connection the way an Xtrem client does: first/after until hasNextPage is false. */
  async function queryAll<T>(
    domain: string,
    entity: string,
    selection: string,
    vars: { filter?: string; orderBy?: string; pageSize?: number } = {},
  ): Promise<T[]> {
    const text =
      `query Q($first: Int, $after: String, $filter: String, $orderBy: String) { ${domain} { ${entity} { ` +
      `query(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { ` +
      `edges { node { ${selection} } } pageInfo { endCursor hasNextPage } } } } }`;
    type Page = Record<string, Record<string, { query: { edges: Array<{ node: T }>; pageInfo: PageInfo } }>>;
    interface PageInfo {
      endCursor: string | null;
      hasNextPage: boolean;
    }
    const out: T[] = [];
    let after: string | null = null;
    for (;;) {
      const data: Page = await client.graphql<Page>(text, {
        first: vars.pageSize ?? 20,
        after,
        filter: vars.filter ?? null,
        orderBy: vars.orderBy ?? null,
      });
      const connection = data[domain][entity].query;
      out.push(...connection.edges.map((e) => e.node));
      if (!connection.pageInfo.hasNextPage) return out;
      after = connection.pageInfo.endCursor;
    }
  }

  function rawGraphql(query: string, headers: Record<string, string> = {}): Promise<Response> {
    const nowSec = Math.floor(clock.now() / 1000);
    const token = signHs256Jwt(
      {
        iss: DEMO_CREDENTIALS.jwt.clientId,
        sub: 'CONNECTOR',
        aud: `${sim.url}/xtrem/api`,
        iat: nowSec,
        exp: nowSec + 300,
      },
      DEMO_CREDENTIALS.jwt.secret,
    );
    return fetch(`${sim.url}/xtrem/api`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-xtrem-endpoint': FOLDER,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify({ query }),
    });
  }

  it('pages edges/pageInfo over more than two pages and returns every node once', async () => {
    const nodes = await queryAll<SupplierNode>('x3MasterData', 'businessPartner', '_id code isActive _updateStamp', {
      pageSize: 20,
    });
    expect(nodes).toHaveLength(58);
    expect(new Set(nodes.map((n) => n.code)).size).toBe(58);
    expect(nodes.find((n) => n.code === 'SUP009')?.isActive).toBe(false);
    expect(sim.callCounts()['graphql query']).toBe(3);
  });

  it('filters on _updateStamp and orders by it (change polling), paging across ties', async () => {
    clock.advance(5_000);
    const since = new Date(clock.now());
    const store = sim.folder();
    const touched = ['GEN0040', 'SUP001', 'GEN0002'];
    for (const key of touched) store.update('BPSUPPLIER', key, { BPSNAM: `Renamed ${key}` });
    // Two records forced onto one stamp: paging must still return both exactly once.
    const tie = new Date(clock.now() + 5_000).toISOString();
    store.update('BPSUPPLIER', 'GEN0011', { BPSNAM: 'tie a' }, { stamp: tie });
    store.update('BPSUPPLIER', 'GEN0010', { BPSNAM: 'tie b' }, { stamp: tie });
    const nodes = await queryAll<SupplierNode>('x3MasterData', 'supplier', 'code _updateStamp', {
      filter: JSON.stringify({ _updateStamp: { _gte: since.toISOString() } }),
      orderBy: JSON.stringify({ _updateStamp: 1, _id: 1 }),
      pageSize: 2,
    });
    expect(nodes.map((n) => n.code)).toEqual([...touched, 'GEN0010', 'GEN0011']);
  });

  it('reads finance and purchasing nodes with nested lines', async () => {
    const data = await client.graphql<{
      x3Finance: { account: { query: { edges: Array<{ node: { code: string; dimensionTypes: string[] } }> } } };
      x3Purchasing: {
        purchaseOrder: { read: { id: string; purchaseOrderLines: Array<{ lineNumber: number; netPrice: string }> } };
      };
    }>(`query {
      x3Finance { account { query(filter: "{code:'601000'}") { edges { node { code dimensionTypes } } } } }
      x3Purchasing { purchaseOrder { read(_id: "PO0001") { id purchaseOrderLines { lineNumber netPrice } } } }
    }`);
    expect(data.x3Finance.account.query.edges).toEqual([{ node: { code: '601000', dimensionTypes: ['CC'] } }]);
    expect(data.x3Purchasing.purchaseOrder.read.purchaseOrderLines).toEqual([
      { lineNumber: 1000, netPrice: '12.50' },
      { lineNumber: 2000, netPrice: '4.20' },
    ]);
  });

  const invoiceMutation =
    'mutation X3Create($data: Object!) { x3Purchasing { purchaseInvoice { create(data: $data) { ' +
    '_id id matchingStatus supplierInvoiceNumber _updateStamp } } } }';
  const invoiceData = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    site: 'US011',
    supplier: 'SUP001',
    supplierInvoiceNumber: 'INV-889',
    supplierInvoiceDate: '2025-06-01',
    accountingDate: '2025-06-02',
    currency: 'USD',
    controlTotal: '126.00',
    purchaseInvoiceLines: [{ purchaseOrder: 'PO0001', purchaseOrderLine: 2000, quantity: '30', netPrice: '4.20' }],
    ...overrides,
  });

  it('creates a purchase invoice through the mutation; it stays unmatched until reconciled', async () => {
    type Created = {
      x3Purchasing: {
        purchaseInvoice: {
          create: { _id: string; id: string; matchingStatus: string; supplierInvoiceNumber: string };
        };
      };
    };
    const created = await client.graphql<Created>(invoiceMutation, { data: invoiceData() });
    const invoice = created.x3Purchasing.purchaseInvoice.create;
    expect(invoice).toMatchObject({ matchingStatus: 'unmatched', supplierInvoiceNumber: 'INV-889' });
    expect(sim.createdDocuments({ className: 'PINVOICE' })).toMatchObject([{ via: 'graphql' }]);
    sim.reconcile(invoice.id);
    const nodes = await queryAll<{ matchingStatus: string }>('x3Purchasing', 'purchaseInvoice', 'matchingStatus', {
      filter: "{supplierInvoiceNumber:'INV-889'}",
    });
    expect(nodes).toEqual([{ matchingStatus: 'matched' }]);
  });

  it('maps data-input-error diagnoses of a failed mutation to X3DiagnosesError', async () => {
    const error = await client
      .graphql(invoiceMutation, {
        data: invoiceData({
          purchaseInvoiceLines: [{ purchaseOrder: 'PO0001', purchaseOrderLine: 9000, quantity: '1', netPrice: '1' }],
        }),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X3DiagnosesError);
    const diag = error as X3DiagnosesError;
    expect(diag.diagnoses).toEqual([
      {
        severity: 'error',
        message: 'Line 1: purchase order line PO0001/9000 does not exist',
        code: 'data-input-error',
        path: ['purchaseInvoiceLines', '0', 'purchaseOrderLine'],
      },
    ]);
    expect(diag.transient).toBe(false);
    expect(sim.createdDocuments()).toHaveLength(0);
  });

  it('does not offer journalEntry writes through GraphQL', async () => {
    const mutation = 'mutation X3Create($data: Object!) { x3Finance { journalEntry { create(data: $data) { _id } } } }';
    const error = await client.graphql(mutation, { data: { journal: 'ODT' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X3GraphqlError);
    expect((error as X3GraphqlError).status).toBe(400);
    expect((error as Error).message).toContain('journalEntry is not writable through GraphQL');
  });

  it('rejects malformed or invalid queries with 400 { errors: [{ message }] }', async () => {
    const malformed = await rawGraphql('{ x3MasterData { supplier { query(first: 2 { edges } } }');
    expect(malformed.status).toBe(400);
    const body = (await malformed.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0].message).toMatch(/^Syntax Error: Expected/);

    const unknownField = await rawGraphql('{ x3MasterData { supplier { query { edges { node { code colour } } } } } }');
    expect(unknownField.status).toBe(400);
    expect(await unknownField.json()).toEqual({
      errors: [{ message: 'Cannot query field "colour" on type "Supplier".' }],
    });

    const error = await client
      .graphql('{ x3MasterData { supplier { query(last: 2) { edges { node { code } } } } } }')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X3GraphqlError);
    expect((error as Error).message).toContain('Unknown argument "last" on field "query"');
  });

  it('requires the x-xtrem-endpoint header and a Bearer token', async () => {
    const noEndpoint = await fetch(`${sim.url}/xtrem/api`, {
      method: 'POST',
      headers: { authorization: (await rawGraphqlAuth()) ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ x3Finance { account { read(_id: "601000") { code } } } }' }),
    });
    expect(noEndpoint.status).toBe(400);
    const noAuth = await fetch(`${sim.url}/xtrem/api`, {
      method: 'POST',
      headers: { 'x-xtrem-endpoint': FOLDER, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ x3Finance { account { read(_id: "601000") { code } } } }' }),
    });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ message: 'Unauthorised' });
  });

  it('retries a gateway 500 on queries but not on mutations', async () => {
    sim.faults.failNext(1, { surface: 'graphql' });
    await expect(client.graphql('{ x3Finance { account { read(_id: "601000") { code } } } }')).resolves.toBeDefined();
    expect(retries).toEqual(['X3HttpError']);
    sim.faults.failNext(1, { surface: 'graphql' });
    const lost = await client.graphql(invoiceMutation, { data: invoiceData() }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(X3HttpError);
    expect((lost as X3HttpError).kind).toBe('unknown-outcome'); // a mutation's gateway 500: look up before retrying
    sim.faults.poolExhaustedNext(1, { surface: 'graphql' });
    const error = await client.graphql(invoiceMutation, { data: invoiceData() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X3PoolExhaustedError);
    expect((error as X3PoolExhaustedError).message).toContain('No Web services accepted');
    expect((error as X3PoolExhaustedError).kind).toBe('transient'); // refused before processing: nothing applied
    expect(retries).toHaveLength(1);
    expect(sim.createdDocuments()).toHaveLength(0);
  });

  async function rawGraphqlAuth(): Promise<string> {
    const nowSec = Math.floor(clock.now() / 1000);
    return `Bearer ${signHs256Jwt(
      {
        iss: DEMO_CREDENTIALS.jwt.clientId,
        sub: 'CONNECTOR',
        aud: `${sim.url}/xtrem/api`,
        iat: nowSec,
        exp: nowSec + 300,
      },
      DEMO_CREDENTIALS.jwt.secret,
    )}`;
  }
});
