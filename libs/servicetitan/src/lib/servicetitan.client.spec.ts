import { Decimal } from '@connector/decimal';
import { ServiceTitanClient } from './servicetitan.client';
import { resolveServiceTitanConfig, type ServiceTitanClientConfig } from './servicetitan.config';
import { ServiceTitanApiError, ServiceTitanNetworkError } from './servicetitan.errors';
import { ServiceTitanRateLimiterRegistry } from './rate-limiter.registry';
import { VirtualTimeScheduler, busiestWindow } from './virtual-time.scheduler';

interface Call {
  url: string;
  init: RequestInit;
  /** Virtual time the request started at (tests with a VirtualTimeScheduler). */
  at?: number;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

/**
 * Fake fetch: answers the token endpoint and records API calls. API calls get `answer(call)` (default: an empty
 * page). A plain object stands in for Response so that no stream work runs between virtual-time steps.
 */
function fakeFetch(calls: Call[], answer: (call: Call) => Answer = () => ({ status: 200 }), now?: () => number) {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const call: Call = { url, init: init ?? {}, at: now?.() };
    calls.push(call);
    const reply: Answer = url.endsWith('/connect/token')
      ? { status: 200, body: { access_token: 'tok-1', expires_in: 900, token_type: 'Bearer' } }
      : answer(call);
    if (reply === 'network-error') throw new TypeError('fetch failed');
    const text = JSON.stringify(reply.body ?? { page: 1, pageSize: 50, hasMore: false, data: [] });
    const headers = new Headers(reply.headers ?? {});
    return { ok: reply.status >= 200 && reply.status < 300, status: reply.status, headers, text: async () => text };
  }) as unknown as typeof fetch;
}

/** A registry whose buckets never wait: for tests that are not about pacing. */
const unpaced = () => new ServiceTitanRateLimiterRegistry({ sleep: async () => undefined });

const base: ServiceTitanClientConfig = {
  tenantId: 123,
  appKey: 'ak1.test-app-key-not-real',
  clientId: 'cid.test-not-real',
  clientSecret: 'test-secret-not-real-000',
};

const apiCalls = (calls: Call[]) => calls.filter((c) => !c.url.endsWith('/connect/token'));

describe('ServiceTitanClient requests', () => {
  it('posts form-encoded client credentials and sends ST-App-Key + Bearer on API calls', async () => {
    const calls: Call[] = [];
    const client = new ServiceTitanClient({
      ...base,
      environment: 'integration',
      fetch: fakeFetch(calls),
      rateLimiterRegistry: unpaced(),
    });
    await client.listJobs({
      ids: [1, 2],
      jobStatus: 'Completed',
      modifiedOnOrAfter: new Date('2025-01-01T00:00:00Z'),
      pageSize: 100,
    });
    const [tokenCall, apiCall] = calls;
    expect(tokenCall?.url).toBe('https://auth-integration.servicetitan.io/connect/token');
    expect(tokenCall?.init.method).toBe('POST');
    expect((tokenCall?.init.headers as Record<string, string>)['Content-Type']).toBe(
      'application/x-www-form-urlencoded',
    );
    expect(Object.fromEntries(new URLSearchParams(String(tokenCall?.init.body)))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'cid.test-not-real',
      client_secret: 'test-secret-not-real-000',
    });
    const url = new URL(apiCall?.url ?? '');
    expect(url.origin + url.pathname).toBe('https://api-integration.servicetitan.io/jpm/v2/tenant/123/jobs');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ids: '1,2',
      jobStatus: 'Completed',
      modifiedOnOrAfter: '2025-01-01T00:00:00.000Z',
      pageSize: '100',
    });
    expect(apiCall?.init.headers).toMatchObject({
      'ST-App-Key': 'ak1.test-app-key-not-real',
      Authorization: 'Bearer tok-1',
    });
  });

  it('maps each read method to its documented path', async () => {
    const calls: Call[] = [];
    const client = new ServiceTitanClient({
      ...base,
      authUrl: 'http://auth.local/',
      apiBaseUrl: 'http://api.local/',
      fetch: fakeFetch(calls),
      rateLimiterRegistry: unpaced(),
    });
    await client.listInvoices({ activeState: 'All' });
    await client.listInventoryBillsPaginated({ ids: [7] });
    await client.listPurchaseOrders({ status: 'Received' });
    await client.listVendors({ ids: [5, 6], modifiedOnOrAfter: '2026-11-01T00:00:00Z' });
    await client.listVendors({
      externalDataApplicationGuid: 'g-1',
      externalDataKey: 'x3Code',
      externalDataValues: ['A', 'B'],
    });
    await client.listMaterials({ ids: [1, 2] });
    await client.listGrossPayItems({ dateOnOrAfter: '2025-01-01', dateOnOrBefore: '2025-01-31' });
    await client.listTechnicians();
    await client.listBusinessUnits();
    await client.listJobTypes({ active: 'Any' });
    for (const page of [
      client.exportJobsPage({ from: 'tok' }),
      client.exportInvoicesPage({ from: '2026-11-01' }),
      client.exportInventoryBillsPage({ includeRecentChanges: true }),
      client.exportPurchaseOrdersPage(),
      client.exportGrossPayItemsPage(),
      client.exportMaterialsPage(),
    ]) {
      await page;
    }
    await client.getVendor(5, 'g-1');
    await client.getMaterial(9);
    expect(apiCalls(calls).map((c) => `${c.init.method} ${c.url.replace('http://api.local', '')}`)).toEqual([
      'GET /accounting/v2/tenant/123/invoices?activeState=All',
      'GET /accounting/v2/tenant/123/inventory-bills/paginated?ids=7',
      'GET /inventory/v2/tenant/123/purchase-orders?status=Received',
      'GET /inventory/v2/tenant/123/vendors?modifiedOnOrAfter=2026-11-01T00%3A00%3A00Z&ids=5&ids=6&active=Any',
      'GET /inventory/v2/tenant/123/vendors?externalDataApplicationGuid=g-1&externalDataKey=x3Code&externalDataValues=A%2CB&active=Any',
      'GET /pricebook/v2/tenant/123/materials?ids=1%2C2&active=Any',
      'GET /payroll/v2/tenant/123/gross-pay-items?dateOnOrAfter=2025-01-01&dateOnOrBefore=2025-01-31',
      'GET /settings/v2/tenant/123/technicians',
      'GET /settings/v2/tenant/123/business-units',
      'GET /jpm/v2/tenant/123/job-types?active=Any',
      'GET /jpm/v2/tenant/123/export/jobs?from=tok',
      'GET /accounting/v2/tenant/123/export/invoices?from=2026-11-01',
      'GET /accounting/v2/tenant/123/export/inventory-bills?includeRecentChanges=true',
      'GET /inventory/v2/tenant/123/export/purchase-orders',
      'GET /payroll/v2/tenant/123/export/gross-pay-items',
      'GET /pricebook/v2/tenant/123/export/materials',
      'GET /inventory/v2/tenant/123/vendors/5?externalDataApplicationGuid=g-1',
      'GET /pricebook/v2/tenant/123/materials/9',
    ]);
    expect(calls[0]?.url).toBe('http://auth.local/connect/token');
  });

  it('validates ids, page sizes and external data filters before calling', () => {
    const client = new ServiceTitanClient({ ...base, fetch: fakeFetch([]), rateLimiterRegistry: unpaced() });
    expect(() => client.listJobs({ ids: Array.from({ length: 51 }, (_, i) => i + 1) })).toThrow('at most 50 ids');
    expect(() => client.listJobs({ pageSize: 5001 })).toThrow('between 1 and 5000');
    expect(() => client.listVendors({ externalDataKey: 'x3Code' })).toThrow('go together');
    expect(() => client.getVendor(0)).toThrow('invalid id');
  });

  it('fetches any number of ids in chunks of 50 (invoices, jobs, bills, purchase orders)', async () => {
    const calls: Call[] = [];
    const client = new ServiceTitanClient({ ...base, fetch: fakeFetch(calls), rateLimiterRegistry: unpaced() });
    const ids = Array.from({ length: 120 }, (_, i) => i + 1);
    await client.getInvoicesByIds([...ids, 1, 2]); // duplicates are asked once
    await client.getJobsByIds(ids.slice(0, 51));
    await client.getInventoryBillsByIds(ids.slice(0, 50));
    await client.getPurchaseOrdersByIds(ids.slice(0, 3));
    const idCounts = apiCalls(calls).map((c) => [
      new URL(c.url).pathname.split('/').slice(5).join('/'),
      (new URL(c.url).searchParams.get('ids') ?? '').split(',').length,
    ]);
    expect(idCounts).toEqual([
      ['invoices', 50],
      ['invoices', 50],
      ['invoices', 20],
      ['jobs', 50],
      ['jobs', 1],
      ['inventory-bills/paginated', 50],
      ['purchase-orders', 3],
    ]);
  });
});

describe('ServiceTitanClient writes', () => {
  const clientWith = (
    calls: Call[],
    answer?: (call: Call) => Answer,
    extra: Partial<ServiceTitanClientConfig> = {},
  ) => {
    const sleeps: number[] = [];
    const client = new ServiceTitanClient({
      ...base,
      apiBaseUrl: 'http://api.local',
      fetch: fakeFetch(calls, answer),
      rateLimiterRegistry: unpaced(),
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
      ...extra,
    });
    return { client, sleeps };
  };
  const bodyOf = (call: Call | undefined) => JSON.parse(String(call?.init.body)) as unknown;

  it('marks invoices exported in batches of 50 with externalId and externalMessage', async () => {
    const calls: Call[] = [];
    const { client } = clientWith(calls, (call) => ({
      status: 200,
      body: (bodyOf(call) as { invoiceId: number }[]).map((m) => ({ invoiceId: m.invoiceId, success: true })),
    }));
    const marks = Array.from({ length: 60 }, (_, i) => ({ invoiceId: i + 1, externalId: `JE-${i + 1}` }));
    const results = await client.markInvoicesExported(marks);
    const posts = apiCalls(calls);
    expect(posts.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'POST http://api.local/accounting/v2/tenant/123/invoices/markasexported',
      'POST http://api.local/accounting/v2/tenant/123/invoices/markasexported',
    ]);
    expect((posts[0]?.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect((bodyOf(posts[0]) as unknown[]).length).toBe(50);
    expect((bodyOf(posts[1]) as unknown[])[0]).toEqual({ invoiceId: 51, externalId: 'JE-51', externalMessage: null });
    expect(results).toHaveLength(60);
    expect(results.every((r) => r.success)).toBe(true);
  });

  it('marks inventory bills exported with { inventoryBillIds }, deduplicated', async () => {
    const calls: Call[] = [];
    const { client } = clientWith(calls, () => ({ status: 200, body: [{ inventoryBillId: 9, success: true }] }));
    expect(await client.markInventoryBillsExported([9, 9])).toEqual([{ inventoryBillId: 9, success: true }]);
    expect(bodyOf(apiCalls(calls)[0])).toEqual({ inventoryBillIds: [9] });
    await expect(client.markInventoryBillsExported([-1])).rejects.toThrow('invalid id');
  });

  it('writes decimal costs as exact JSON numbers, never through a float', async () => {
    const calls: Call[] = [];
    const { client } = clientWith(calls, () => ({ status: 201, body: { id: 1 } }));
    await client.createMaterial({
      code: 'CU-1',
      description: 'Copper',
      cost: '12.345678901234567891',
      price: new Decimal('0.1'),
    });
    await client.updateMaterial(1, { cost: '7.10', active: false });
    await client.createVendor({
      name: 'Acme Supply',
      active: true,
      isTruckReplenishment: false,
      restrictedMobileCreation: false,
      taxRate: '0.0825',
      address: { street: '1 Main', unit: '', city: 'X', state: 'IL', zip: '1', country: 'USA' },
    });
    await client.updateVendor(4, { taxRate: '0', name: 'Acme' });
    const [create, update, vendor, vendorPatch] = apiCalls(calls);
    expect(String(create?.init.body)).toContain('"cost":12.345678901234567891,');
    expect(String(create?.init.body)).toContain('"price":0.1}');
    expect(`${update?.init.method} ${update?.url}`).toBe('PATCH http://api.local/pricebook/v2/tenant/123/materials/1');
    expect(String(update?.init.body)).toBe('{"cost":7.1,"active":false}');
    expect(`${vendor?.init.method} ${vendor?.url}`).toBe('POST http://api.local/inventory/v2/tenant/123/vendors');
    expect(String(vendor?.init.body)).toContain('"taxRate":0.0825,');
    expect(`${vendorPatch?.init.method} ${vendorPatch?.url}`).toBe(
      'PATCH http://api.local/inventory/v2/tenant/123/vendors/4',
    );
    expect(() => client.updateMaterial(1, { cost: '12,50' })).toThrow('cost: not a decimal amount');
  });

  it('a POST is not retried after a 5xx or a lost connection: writeOutcomeUnknown', async () => {
    const calls: Call[] = [];
    let n = 0;
    const { client } = clientWith(calls, () => (n++ === 0 ? { status: 503 } : 'network-error'));
    const first = await client
      .createVendor({
        name: 'V',
        active: true,
        isTruckReplenishment: false,
        restrictedMobileCreation: false,
        taxRate: '0',
        address: { street: '', unit: '', city: '', state: '', zip: '', country: '' },
      })
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ServiceTitanApiError);
    expect((first as ServiceTitanApiError).writeOutcomeUnknown).toBe(true);
    const second = await client.markInventoryBillsExported([1]).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ServiceTitanNetworkError);
    expect((second as ServiceTitanNetworkError).writeOutcomeUnknown).toBe(true);
    expect(apiCalls(calls)).toHaveLength(2); // one attempt each
  });

  it('a POST answered 400 fails at once with the field errors, and the outcome is known', async () => {
    const calls: Call[] = [];
    const problem = {
      type: 't',
      title: 'One or more validation errors occurred.',
      status: 400,
      traceId: 'x',
      errors: { code: ['The code field is required.'] },
      data: {},
    };
    const { client } = clientWith(calls, () => ({ status: 400, body: problem }));
    const error = (await client
      .createMaterial({ code: '', description: 'd' })
      .catch((e: unknown) => e)) as ServiceTitanApiError;
    expect(error.status).toBe(400);
    expect(error.errors).toEqual({ code: ['The code field is required.'] });
    expect(error.writeOutcomeUnknown).toBe(false);
    expect(error.message).toContain('code: The code field is required.');
    expect(apiCalls(calls)).toHaveLength(1);
  });

  it('a POST is retried after a 429 (not applied), a PATCH after a 500 (idempotent)', async () => {
    const calls: Call[] = [];
    let n = 0;
    const { client, sleeps } = clientWith(calls, () => {
      n++;
      if (n === 1) return { status: 429, headers: { 'Retry-After': '0' } };
      if (n === 3) return { status: 500 };
      return { status: 200, body: n === 2 ? [{ invoiceId: 1, success: true }] : { id: 1, code: 'C' } };
    });
    expect(await client.markInvoicesExported([{ invoiceId: 1, externalId: 'JE-1' }])).toEqual([
      { invoiceId: 1, success: true },
    ]);
    expect(await client.updateMaterial(1, { active: true })).toEqual({ id: 1, code: 'C' });
    expect(apiCalls(calls).map((c) => c.init.method)).toEqual(['POST', 'POST', 'PATCH', 'PATCH']);
    expect(sleeps).toEqual([375]); // the 500's backoff; the 429 waited in the bucket
  });
});

describe('one rate budget per (app key, tenant)', () => {
  it('two clients of one pair never start more than 60 requests in any second; other pairs have their own bucket', async () => {
    const time = new VirtualTimeScheduler();
    const registry = new ServiceTitanRateLimiterRegistry({ clock: time.clock, sleep: time.sleep });
    const calls: Call[] = [];
    const make = (extra: Partial<ServiceTitanClientConfig> = {}) =>
      new ServiceTitanClient({
        ...base,
        fetch: fakeFetch(calls, undefined, time.clock),
        rateLimiterRegistry: registry,
        ...extra,
      });
    const a = make();
    const b = make({ clientId: 'cid.other-token-not-real' }); // another token of the same app and tenant
    const other = make({ tenantId: 456 });
    const work = Promise.all([
      ...Array.from({ length: 150 }, () => a.listJobs()),
      ...Array.from({ length: 150 }, () => b.listInvoices()),
      ...Array.from({ length: 60 }, () => other.listJobs()),
    ]);
    await time.run(work);
    const startsOf = (tenant: string) =>
      apiCalls(calls)
        .filter((c) => c.url.includes(`/tenant/${tenant}/`))
        .map((c) => c.at as number);
    expect(startsOf('123')).toHaveLength(300);
    expect(busiestWindow(startsOf('123'))).toBeLessThanOrEqual(60);
    expect(busiestWindow(startsOf('123'))).toBeGreaterThanOrEqual(58); // and the budget is used, not wasted
    expect(Math.max(...startsOf('456'))).toBeLessThan(1100); // tenant 456 was not slowed by tenant 123
    expect(registry.size).toBe(2);
  });

  it("a 429's Retry-After is honoured: the retry waits in the bucket", async () => {
    const time = new VirtualTimeScheduler();
    const registry = new ServiceTitanRateLimiterRegistry({ clock: time.clock, sleep: time.sleep });
    const calls: Call[] = [];
    let rejected = false;
    const answer = (call: Call): Answer => {
      if (!rejected && call.url.includes('/jobs')) {
        rejected = true;
        return { status: 429, headers: { 'Retry-After': '5' }, body: { title: 'Too many requests' } };
      }
      return { status: 200 };
    };
    const make = () =>
      new ServiceTitanClient({ ...base, fetch: fakeFetch(calls, answer, time.clock), rateLimiterRegistry: registry });
    const a = make();
    await time.run(a.listJobs().then(() => undefined));
    const starts = apiCalls(calls).map((c) => c.at as number);
    expect(starts).toEqual([0, 5000]); // the retry waited the 5 s in the bucket
  });

  it('a pause seen by one client delays a request of another client of the same pair', async () => {
    const time = new VirtualTimeScheduler();
    const registry = new ServiceTitanRateLimiterRegistry({ clock: time.clock, sleep: time.sleep });
    const calls: Call[] = [];
    let first = true;
    const answer = (call: Call): Answer => {
      if (first && call.url.includes('/jobs')) {
        first = false;
        return { status: 429, headers: { 'Retry-After': '3' } };
      }
      return { status: 200 };
    };
    const make = () =>
      new ServiceTitanClient({ ...base, fetch: fakeFetch(calls, answer, time.clock), rateLimiterRegistry: registry });
    const a = make();
    const b = make();
    const jobs = a.listJobs();
    // b asks 100 ms (virtual) after a's 429: it must wait for the pause as well.
    const invoices = time.sleep(100).then(() => b.listInvoices());
    await time.run(Promise.all([jobs, invoices]));
    const invoiceCall = apiCalls(calls).find((c) => c.url.includes('/invoices'));
    expect(invoiceCall?.at).toBeGreaterThanOrEqual(3000);
  });
});

describe('resolveServiceTitanConfig', () => {
  it('defaults to production, 60 req/s paced with a 25 ms jitter allowance, 60 s token margin', () => {
    const resolved = resolveServiceTitanConfig(base);
    expect(resolved).toMatchObject({
      tokenUrl: 'https://auth.servicetitan.io/connect/token',
      apiBaseUrl: 'https://api.servicetitan.io',
      maxRequestsPerSecond: 60,
      burst: 1,
      jitterAllowanceMs: 25,
      tokenRefreshMarginMs: 60_000,
    });
  });

  it('refuses a rate above the API limit and names missing fields without values', () => {
    expect(() => resolveServiceTitanConfig({ ...base, maxRequestsPerSecond: 61 })).toThrow(
      'exceed the API limit of 60',
    );
    expect(() => resolveServiceTitanConfig({ ...base, maxRequestsPerSecond: 60, burst: 2 })).toThrow(
      'burst - 1 + maxRequestsPerSecond',
    );
    expect(resolveServiceTitanConfig({ ...base, maxRequestsPerSecond: 50, burst: 11 }).burst).toBe(11);
    expect(() => resolveServiceTitanConfig({ ...base, clientSecret: '' })).toThrow('clientSecret is required');
    expect(() => resolveServiceTitanConfig({ ...base, tenantId: 0 })).toThrow('tenantId');
    try {
      resolveServiceTitanConfig({ ...base, maxRequestsPerSecond: 99 });
    } catch (error) {
      expect((error as Error).message).not.toContain(base.clientSecret);
    }
  });
});
