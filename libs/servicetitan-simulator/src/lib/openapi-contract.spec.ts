import { ServiceTitanClient } from '@connector/servicetitan';
import { startServiceTitanSimulator, type ServiceTitanSimulator } from './servicetitan-simulator.server';
import { SIMULATOR_ROUTES } from './simulator.routes';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';
import { OpenApiContract } from './openapi-contract.validator';

/**
 * Contract test: every endpoint the client uses, called on the simulator, must answer a body that validates against
 * the 200 response schema of the same operation in ServiceTitan's official OpenAPI specs.
 */
describe('simulator responses match the official OpenAPI specs', () => {
  const contract = new OpenApiContract(['accounting', 'inventory', 'jpm', 'payroll', 'settings']);
  const seed = buildDemoTenantSeed();
  let sim: ServiceTitanSimulator;
  let client: ServiceTitanClient;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      seed: { appKey: DEMO_APP_KEY, tenants: [seed] },
      exportPageSize: 2,
    });
    client = new ServiceTitanClient({
      authUrl: sim.url,
      apiBaseUrl: sim.url,
      tenantId: seed.id,
      appKey: DEMO_APP_KEY,
      clientId: seed.clientId,
      clientSecret: seed.clientSecret,
      retry: { maxRetries: 0 },
    });
  });
  afterAll(() => sim.close());

  // Queries that make each endpoint return its inactive rows too, so `active: false` rows are validated as well.
  const queries: Record<string, Record<string, string | boolean | number>> = {
    'invoices.list': { activeState: 'All', includeTotal: true },
    'vendors.list': { active: 'Any' },
    'technicians.list': { active: 'Any' },
    'businessUnits.list': { active: 'Any' },
    'glAccounts.list': { active: 'Any' },
  };

  it('covers every endpoint the client calls', () => {
    const names = SIMULATOR_ROUTES.map((route) => route.name).sort();
    expect(names).toEqual(
      [
        'businessUnits.list',
        'glAccounts.list',
        'grossPayItems.export',
        'grossPayItems.list',
        'inventoryBills.export',
        'inventoryBills.list',
        'inventoryBills.paginated',
        'invoiceItems.export',
        'invoices.export',
        'invoices.list',
        'jobs.export',
        'jobs.list',
        'purchaseOrders.export',
        'purchaseOrders.list',
        'technicians.list',
        'vendors.list',
      ].sort(),
    );
  });

  it.each(SIMULATOR_ROUTES.map((route) => [route.name, route] as const))(
    '%s validates against its 200 schema',
    async (_name, route) => {
      expect(contract.operationId(route.module, route.resource)).toBe(route.operationId);
      const body = await client.get<unknown>(route.module as never, route.resource, queries[route.name] ?? {});
      const rows = Array.isArray(body) ? body : (body as { data: unknown[] }).data;
      expect(rows.length).toBeGreaterThan(0); // an empty list would validate trivially
      expect(contract.validate(route.module, route.resource, '200', body)).toEqual([]);
    },
  );

  it('validates export continuation pages too (from = a continuation token)', async () => {
    const first = await client.exportInvoiceItemsPage();
    expect(first.hasMore).toBe(true);
    const second = await client.exportInvoiceItemsPage({
      from: first.continueFrom,
    });
    expect(contract.validate('accounting', 'export/invoice-items', '200', second)).toEqual([]);
  });

  it('error bodies follow the ApiErrorResponse schema (400 validation error)', async () => {
    const token = await (
      await fetch(`${sim.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: seed.clientId,
          client_secret: seed.clientSecret,
        }),
      }).then((r) => r.json() as Promise<{ access_token: string }>)
    ).access_token;
    const res = await fetch(`${sim.url}/jpm/v2/tenant/${seed.id}/jobs?pageSize=5001&modifiedOnOrAfter=yesterday`, {
      headers: {
        'ST-App-Key': DEMO_APP_KEY,
        Authorization: `Bearer ${token}`,
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Record<string, string[]> };
    expect(contract.validate('jpm', 'jobs', '400', body)).toEqual([]);
    expect(Object.keys(body.errors).sort()).toEqual(['modifiedOnOrAfter', 'pageSize']);
  });

  it('the validator is not vacuous: an extra property, a number amount in accounting or a missing field fail', async () => {
    const page = await client.listInventoryBillsPaginated();
    const bill = page.data[0] as unknown as Record<string, unknown>;
    expect(
      contract.validate('accounting', 'inventory-bills/paginated', '200', {
        ...page,
        data: [{ ...bill, vendorId: 301 }],
      }),
    ).not.toEqual([]);
    expect(
      contract.validate('accounting', 'inventory-bills/paginated', '200', {
        ...page,
        data: [{ ...bill, billAmount: 10.5 }],
      }),
    ).not.toEqual([]);
    const { hasMore: _hasMore, ...withoutHasMore } = page;
    void _hasMore;
    expect(contract.validate('accounting', 'inventory-bills/paginated', '200', withoutHasMore)).not.toEqual([]);
    // the bare-array endpoint must not be wrapped in an envelope
    expect(contract.validate('accounting', 'inventory-bills', '200', page)).not.toEqual([]);
  });

  it('records completed from minimal seeds ({ id } only) validate too', async () => {
    const minimal = await startServiceTitanSimulator({
      seed: {
        appKey: DEMO_APP_KEY,
        tenants: [
          {
            id: 42,
            clientId: 'cid.minimal-not-real',
            clientSecret: 'cs.minimal-not-real',
            jobs: [{ id: 1 }],
            invoices: [{ id: 1, items: [{ id: 11 }] }],
            inventoryBills: [{ id: 1, items: [{ id: 11 }] }],
            purchaseOrders: [{ id: 1, items: [{ id: 11 }] }],
            vendors: [{ id: 1 }],
            grossPayItems: [{ id: 1 }],
            technicians: [{ id: 1 }],
            businessUnits: [{ id: 1 }],
            glAccounts: [{ id: 1 }],
          },
        ],
      },
    });
    try {
      const minimalClient = new ServiceTitanClient({
        authUrl: minimal.url,
        apiBaseUrl: minimal.url,
        tenantId: 42,
        appKey: DEMO_APP_KEY,
        clientId: 'cid.minimal-not-real',
        clientSecret: 'cs.minimal-not-real',
        retry: { maxRetries: 0 },
      });
      for (const route of SIMULATOR_ROUTES) {
        const body = await minimalClient.get<unknown>(route.module as never, route.resource);
        const rows = Array.isArray(body) ? body : (body as { data: unknown[] }).data;
        expect([route.name, rows.length > 0]).toEqual([route.name, true]);
        expect([route.name, contract.validate(route.module, route.resource, '200', body)]).toEqual([route.name, []]);
      }
    } finally {
      await minimal.close();
    }
  });

  it('401, 404 and 429 bodies follow ApiErrorResponse as well', async () => {
    const bodies: unknown[] = [];
    bodies.push(await (await fetch(`${sim.url}/jpm/v2/tenant/${seed.id}/jobs`)).json());
    sim.faults.failNext(1, { status: 429, retryAfter: 1 });
    const ok = await fetch(`${sim.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: seed.clientId,
        client_secret: seed.clientSecret,
      }),
    });
    const { access_token } = (await ok.json()) as { access_token: string };
    const headers = {
      'ST-App-Key': DEMO_APP_KEY,
      Authorization: `Bearer ${access_token}`,
    };
    bodies.push(await (await fetch(`${sim.url}/jpm/v2/tenant/${seed.id}/jobs`, { headers })).json()); // injected 429
    bodies.push(await (await fetch(`${sim.url}/jpm/v2/tenant/1/jobs`, { headers })).json()); // unknown tenant
    expect(bodies.map((b) => (b as { status: number }).status)).toEqual([401, 429, 404]);
    for (const body of bodies) expect(contract.validate('jpm', 'jobs', '400', body)).toEqual([]);
  });
});
