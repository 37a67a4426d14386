import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceTitanClient, ServiceTitanModule } from '@connector/servicetitan';
import { startServiceTitanSimulator, type ServiceTitanSimulator } from './servicetitan-simulator.server';
import { SIMULATOR_ROUTES, type SimulatorRoute } from './simulator.routes';
import { SIMULATOR_SEED_APPLICATION_GUID } from './simulator.store';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';
import { OPENAPI_SPEC_DIR, OpenApiContract } from './openapi-contract.validator';
import { extractRequestSchemas, SIMULATED_WRITE_OPERATIONS } from './openapi-request.schemas';
import { REQUEST_SCHEMAS } from './generated/request-schemas';
import { validateRequestBody } from './request-body.validator';
import { generateTenant } from './tenant.generator';
import { clientForSimulator } from './simulator-client.fixture';

const MODULES = ['accounting', 'inventory', 'jpm', 'payroll', 'settings', 'pricebook'];
const GUID = SIMULATOR_SEED_APPLICATION_GUID;
const OTHER_GUID = 'a1b2c3d4-0000-4000-8000-0000000000aa';

/** Official path of a route with its `{id}` filled in. */
const pathOf = (route: SimulatorRoute, id?: number) => route.resource.replace('{id}', String(id ?? 0));

/** Raw HTTP against the simulator (writes with bad bodies, error bodies): the client would refuse to send them. */
async function rawCall(sim: ServiceTitanSimulator, tenantId: number, clientId: string, secret: string) {
  const token = (
    (await (
      await fetch(`${sim.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
      })
    ).json()) as { access_token: string }
  ).access_token;
  return async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${sim.url}${path.replace('{tenant}', String(tenantId))}`, {
      method,
      headers: { 'ST-App-Key': DEMO_APP_KEY, Authorization: `Bearer ${token}`, 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/**
 * Contract test: every simulated endpoint, called on the simulator, must answer a body that validates against the
 * response schema of the same operation in ServiceTitan's official OpenAPI specs (200/201 and the 4xx bodies), and
 * every write must be validated against the operation's official request schema.
 */
describe('simulator responses match the official OpenAPI specs', () => {
  const contract = new OpenApiContract(MODULES);
  const seed = buildDemoTenantSeed();
  let sim: ServiceTitanSimulator;
  let client: ServiceTitanClient;
  let call: Awaited<ReturnType<typeof rawCall>>;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      seed: { appKey: DEMO_APP_KEY, tenants: [seed] },
      exportPageSize: 2,
      // Not a rate-limit test: raw calls here are not paced (the rate-limit suites use the real 60).
      rateLimitPerSecond: 100_000,
    });
    client = clientForSimulator(sim, seed.id);
    call = await rawCall(sim, seed.id, seed.clientId, seed.clientSecret);
  });
  afterAll(() => sim.close());

  // Queries that make each endpoint return its inactive rows and external data too, so that `active: false` rows and
  // filled `externalData` lists are validated as well.
  const queries: Record<string, Record<string, string | boolean | number>> = {
    'invoices.list': { activeState: 'All', includeTotal: true },
    'vendors.list': { active: 'Any', externalDataApplicationGuid: GUID },
    'vendors.get': { externalDataApplicationGuid: GUID },
    'technicians.list': { active: 'Any' },
    'businessUnits.list': { active: 'Any', externalDataApplicationGuid: GUID },
    'glAccounts.list': { active: 'Any' },
    'jobTypes.list': { active: 'Any' },
    'materials.list': { active: 'Any', externalDataApplicationGuid: GUID },
    'materials.get': { externalDataApplicationGuid: GUID },
    'jobs.list': { externalDataApplicationGuid: GUID },
  };
  const ids: Record<string, number> = { 'vendors.get': 301, 'materials.get': 9001 };
  const reads = SIMULATOR_ROUTES.filter((r) => r.method === 'GET');
  const writes = SIMULATOR_ROUTES.filter((r) => r.method !== 'GET');

  it('every route is an operation of the official specs, with its method and operationId', () => {
    for (const route of SIMULATOR_ROUTES) {
      expect([route.name, contract.operationId(route.module, route.resource, route.method)]).toEqual([
        route.name,
        route.operationId,
      ]);
      expect([route.name, contract.successStatuses(route.module, route.resource, route.method)]).toEqual([
        route.name,
        [String(route.status ?? 200)],
      ]);
    }
    expect(writes.map((r) => r.operationId).sort()).toEqual(Object.values(SIMULATED_WRITE_OPERATIONS).flat().sort());
  });

  it.each(reads.map((route) => [route.name, route] as const))(
    '%s validates against its 200 schema',
    async (_n, route) => {
      const body = await client.get<unknown>(
        route.module as ServiceTitanModule,
        pathOf(route, ids[route.name]),
        queries[route.name] ?? {},
      );
      const rows = Array.isArray(body)
        ? body
        : 'data' in (body as object)
          ? (body as { data: unknown[] }).data
          : [body];
      expect(rows.length).toBeGreaterThan(0); // an empty list would validate trivially
      expect(contract.validate(route.module, route.resource, '200', body)).toEqual([]);
    },
  );

  it.each(reads.filter((r) => r.resource.startsWith('export/')).map((r) => [r.name, r] as const))(
    '%s: pages from a date and from a continuation token validate too',
    async (_n, route) => {
      const fromDate = await client.get<{ continueFrom: string; hasMore: boolean; data: unknown[] }>(
        route.module as ServiceTitanModule,
        route.resource,
        { from: '2020-01-01' },
      );
      expect(contract.validate(route.module, route.resource, '200', fromDate)).toEqual([]);
      const next = await client.get<unknown>(route.module as ServiceTitanModule, route.resource, {
        from: fromDate.continueFrom,
      });
      expect(contract.validate(route.module, route.resource, '200', next)).toEqual([]);
    },
  );

  describe('writes', () => {
    const validBodies: Record<string, unknown> = {
      'invoices.markAsExported': [
        { invoiceId: 501, externalId: 'JE-2026-000123', externalMessage: 'Posted to Sage X3' },
        { invoiceId: 999_999, externalId: 'JE-X', externalMessage: null },
      ],
      'inventoryBills.markAsExported': { inventoryBillIds: [901, 999_999] },
      'vendors.create': {
        name: 'New Supplier LLC',
        active: true,
        isTruckReplenishment: false,
        taxRate: 0.07,
        restrictedMobileCreation: false,
        deliveryOption: 'EmailAsPdf',
        email: 'ap@new-supplier.invalid',
        address: { street: '5 Dock St', unit: '', city: 'Peoria', state: 'IL', zip: '61602', country: 'USA' },
        externalData: { applicationGuid: OTHER_GUID, externalData: [{ key: 'x3Supplier', value: 'NEWSUP' }] },
      },
      'vendors.update': {
        memo: 'Net 45',
        externalData: { patchMode: 'Merge', applicationGuid: GUID, externalData: [{ key: 'x3Terms', value: 'N45' }] },
      },
      'materials.create': {
        code: 'FLT-20',
        description: 'Filter 20x20',
        cost: 12.34,
        price: 19.99,
        primaryVendor: { vendorId: 301, cost: 12.34, active: true, vendorPart: 'F2020' },
        assets: [{ type: 'Image', url: 'https://example.invalid/f.png' }],
        externalData: { applicationGuid: GUID, externalData: [{ key: 'x3Product', value: 'FLT20' }] },
      },
      'materials.update': {
        cost: 987.65,
        active: true,
        externalData: { applicationGuid: GUID, externalData: [{ key: 'x3Product', value: 'COMP3T-B' }] },
      },
    };
    const writeIds: Record<string, number> = { 'vendors.update': 301, 'materials.update': 9001 };

    it.each(writes.map((r) => [r.name, r] as const))(
      '%s answers its documented status with a body that validates',
      async (name, route) => {
        const res = await call(
          route.method,
          `/${route.module}/v2/tenant/{tenant}/${pathOf(route, writeIds[name])}`,
          validBodies[name],
        );
        expect([name, res.status]).toEqual([name, route.status ?? 200]);
        expect(contract.validate(route.module, route.resource, String(res.status), res.body, route.method)).toEqual([]);
      },
    );

    const invalidBodies: Record<string, { body: unknown; fields: string[] }> = {
      'invoices.markAsExported': { body: [{ externalId: 5 }], fields: ['$[0].externalId', '$[0].invoiceId'] },
      'inventoryBills.markAsExported': {
        body: { inventoryBillIds: ['901'], extra: 1 },
        fields: ['$.extra', '$.inventoryBillIds[0]'],
      },
      'vendors.create': {
        body: { name: 'X', active: 'yes', taxRate: '0.07', address: { street: '1' } },
        fields: [
          '$.active',
          '$.address.city',
          '$.address.country',
          '$.address.state',
          '$.address.unit',
          '$.address.zip',
          '$.isTruckReplenishment',
          '$.restrictedMobileCreation',
          '$.taxRate',
        ],
      },
      'vendors.update': {
        body: { externalData: { applicationGuid: 'not-a-guid', externalData: [{ value: 'x' }] } },
        fields: ['$.externalData.applicationGuid', '$.externalData.externalData[0].key'],
      },
      'materials.create': { body: { description: 'no code', cost: '12.34' }, fields: ['$.code', '$.cost'] },
      'materials.update': { body: { costt: 1, active: null }, fields: ['$.active', '$.costt'] },
    };

    it.each(writes.map((r) => [r.name, r] as const))(
      '%s: a body against the spec gets 400 with the RFC 7807 body and errors per field, and changes nothing',
      async (name, route) => {
        const path = `/${route.module}/v2/tenant/{tenant}/${pathOf(route, writeIds[name])}`;
        const before =
          JSON.stringify(sim.tenant(seed.id).all('vendors')) + JSON.stringify(sim.tenant(seed.id).all('materials'));
        const res = await call(route.method, path, invalidBodies[name]?.body);
        expect(res.status).toBe(400);
        expect(Object.keys(res.body['errors'] as object).sort()).toEqual(invalidBodies[name]?.fields);
        expect(contract.validate(route.module, route.resource, '400', res.body, route.method)).toEqual([]);
        const after =
          JSON.stringify(sim.tenant(seed.id).all('vendors')) + JSON.stringify(sim.tenant(seed.id).all('materials'));
        expect(after).toBe(before);
        // Malformed JSON, an empty body and a wrong content type are refused too.
        expect((await call(route.method, path, '{"oops"')).status).toBe(400);
        expect((await call(route.method, path, '')).body['errors']).toEqual({
          '': ['A non-empty request body is required.'],
        });
        expect((await call(route.method, path, '{}', 'text/plain')).status).toBe(415);
      },
    );

    it('404 for an unknown id on PATCH and GET by id, with the ApiErrorResponse body', async () => {
      for (const [method, resource, body] of [
        ['PATCH', 'vendors/{id}', { memo: 'x' }],
        ['PATCH', 'materials/{id}', { cost: 1 }],
        ['GET', 'vendors/{id}', undefined],
        ['GET', 'materials/{id}', undefined],
      ] as const) {
        const module = resource.startsWith('vendors') ? 'inventory' : 'pricebook';
        const res = await call(method, `/${module}/v2/tenant/{tenant}/${resource.replace('{id}', '424242')}`, body);
        expect([method, resource, res.status]).toEqual([method, resource, 404]);
        expect(contract.validate(module, resource, '404', res.body, method)).toEqual([]);
      }
    });

    it('405 with Allow for a method the path does not have', async () => {
      const res = await call('DELETE', '/inventory/v2/tenant/{tenant}/vendors/301');
      expect(res.status).toBe(405);
    });
  });

  describe('request schemas', () => {
    it('the generated request schemas equal a fresh extraction from the vendored specs', () => {
      const specs = Object.fromEntries(
        Object.keys(SIMULATED_WRITE_OPERATIONS).map((m) => [
          m,
          JSON.parse(readFileSync(join(OPENAPI_SPEC_DIR, `${m}-v2.json`), 'utf8')),
        ]),
      );
      // Out of date: run libs/servicetitan-simulator/scripts/generate-request-schemas.ts
      expect(REQUEST_SCHEMAS).toEqual(extractRequestSchemas(specs));
    });

    // The simulator's own validator (it runs in the simulator app, without ajv) must agree with ajv on the specs.
    const corpus: Record<string, unknown[]> = {
      Invoices_MarkAsExported: [
        [],
        [{ invoiceId: 1 }],
        [{ invoiceId: 1, externalId: null, externalMessage: 'm' }],
        [{ invoiceId: 1.5 }],
        [{ invoiceId: '1' }],
        [{ externalId: 'x' }],
        [{ invoiceId: 1, other: true }],
        { invoiceId: 1 },
        null,
      ],
      InventoryBills_MarkAsExported: [
        { inventoryBillIds: [] },
        { inventoryBillIds: [1, 2] },
        { inventoryBillIds: null },
        {},
        { inventoryBillIds: [1], x: 1 },
        [1, 2],
      ],
      Vendors_Create: [
        {
          name: 'a',
          active: true,
          isTruckReplenishment: false,
          taxRate: 0,
          restrictedMobileCreation: true,
          address: { street: '', unit: '', city: '', state: '', zip: '', country: '' },
        },
        {
          name: 'a',
          active: true,
          isTruckReplenishment: false,
          taxRate: 0,
          restrictedMobileCreation: true,
          address: { street: '', unit: '', city: '', state: '', zip: '', country: '' },
          deliveryOption: 'Fax',
        },
        {
          name: 'a',
          active: true,
          isTruckReplenishment: false,
          taxRate: 0,
          restrictedMobileCreation: true,
          address: null,
        },
        { name: 'a' },
      ],
      Vendors_Update: [
        {},
        { name: 'b', deliveryOption: 'Manual' },
        { externalData: { applicationGuid: GUID, externalData: [{ key: 'k', value: null }], patchMode: 'Replace' } },
        { externalData: { applicationGuid: GUID, externalData: [{ key: 'k' }], patchMode: 'Sometimes' } },
        { memo: null },
        { tags: [{ tagTypeId: 1 }, { tagTypeId: 'x' }] },
      ],
      Materials_Create: [
        { code: 'c', description: 'd' },
        { code: 'c', description: 'd', cost: null, otherVendors: [{ vendorId: 1, cost: 1, active: true }] },
        { code: 'c', description: 'd', assets: [{ type: 'Picture', url: 'u' }] },
        { code: 'c' },
        { code: 'c', description: 'd', categories: [1, -2, 3.5] },
      ],
      Materials_Update: [
        {},
        { cost: 0.1, price: 1e3 },
        { cost: null },
        { primaryVendor: { vendorId: 1, cost: 2, active: false, primarySubAccount: { cost: 1, accountName: 'a' } } },
        { primaryVendor: { vendorId: 1, cost: 2 } },
      ],
    };

    it.each(Object.entries(corpus))('%s: valid exactly when ajv says so', (operationId, bodies) => {
      const operation = REQUEST_SCHEMAS.operations[operationId];
      if (!operation) throw new Error(operationId);
      const resource = operation.path.replace('/tenant/{tenant}/', '');
      const verdicts = bodies.map((body) => [
        JSON.stringify(body),
        Object.keys(validateRequestBody(operationId, body)).length === 0,
      ]);
      const expected = bodies.map((body) => [
        JSON.stringify(body),
        contract.validateRequest(operation.module, resource, operation.method, body).length === 0,
      ]);
      expect(verdicts).toEqual(expected);
      // The corpus holds both outcomes, so agreement is not trivial.
      expect(new Set(expected.map(([, ok]) => ok)).size).toBe(2);
    });
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
    // a pricebook cost sent as a string (the accounting habit) is not a number
    const material = await client.getMaterial(9001);
    expect(contract.validate('pricebook', 'materials/{id}', '200', { ...material, cost: '1.00' })).not.toEqual([]);
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
            materials: [{ id: 1 }],
            jobTypes: [{ id: 1 }],
          },
        ],
      },
    });
    try {
      const minimalClient = clientForSimulator(minimal, 42);
      for (const route of reads) {
        const body = await minimalClient.get<unknown>(route.module as ServiceTitanModule, pathOf(route, 1));
        const rows = Array.isArray(body)
          ? body
          : 'data' in (body as object)
            ? (body as { data: unknown[] }).data
            : [body];
        expect([route.name, rows.length > 0]).toEqual([route.name, true]);
        expect([route.name, contract.validate(route.module, route.resource, '200', body)]).toEqual([route.name, []]);
      }
    } finally {
      await minimal.close();
    }
  });

  it('every feed of a generated tenant (all gross pay types, open, canceled and completed jobs) validates', async () => {
    const generated = generateTenant({
      seed: 7,
      now: '2026-11-15T12:00:00Z',
      historyFrom: '2026-09-01',
      technicians: 5,
    });
    const gen = await startServiceTitanSimulator({
      seed: { appKey: DEMO_APP_KEY, tenants: [generated.seed] },
      exportPageSize: 5000,
    });
    try {
      const genClient = clientForSimulator(gen, generated.seed.id);
      for (const route of reads.filter((r) => !r.resource.includes('{id}'))) {
        const query = route.resource.startsWith('export/') ? {} : { pageSize: 5000, ...(queries[route.name] ?? {}) };
        const body = await genClient.get<unknown>(route.module as ServiceTitanModule, route.resource, query);
        expect([route.name, contract.validate(route.module, route.resource, '200', body)]).toEqual([route.name, []]);
      }
    } finally {
      await gen.close();
    }
  });

  it('401, 404 and 429 bodies follow ApiErrorResponse as well', async () => {
    const bodies: unknown[] = [];
    bodies.push(await (await fetch(`${sim.url}/jpm/v2/tenant/${seed.id}/jobs`)).json());
    sim.faults.failNext(1, { status: 429, retryAfter: 1 });
    bodies.push((await call('GET', '/jpm/v2/tenant/{tenant}/jobs')).body); // injected 429
    bodies.push((await call('GET', '/jpm/v2/tenant/1/jobs')).body); // unknown tenant (token of another tenant: 404 first)
    expect(bodies.map((b) => (b as { status: number }).status)).toEqual([401, 429, 404]);
    for (const body of bodies) expect(contract.validate('jpm', 'jobs', '400', body)).toEqual([]);
  });

  it('error bodies follow the ApiErrorResponse schema (400 validation error of a query)', async () => {
    const res = await call('GET', '/jpm/v2/tenant/{tenant}/jobs?pageSize=5001&modifiedOnOrAfter=yesterday');
    expect(res.status).toBe(400);
    expect(contract.validate('jpm', 'jobs', '400', res.body)).toEqual([]);
    expect(Object.keys(res.body['errors'] as object).sort()).toEqual(['modifiedOnOrAfter', 'pageSize']);
  });
});
