import { ServiceTitanClient } from './servicetitan.client';
import { resolveServiceTitanConfig, type ServiceTitanClientConfig } from './servicetitan.config';

interface Call {
  url: string;
  init: RequestInit;
}

/** Fake fetch: answers the token endpoint and records API calls with an empty page. */
function fakeFetch(
  calls: Call[],
  apiBody: unknown = { page: 1, pageSize: 50, hasMore: false, data: [] },
): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    const body = url.endsWith('/connect/token')
      ? { access_token: 'tok-1', expires_in: 900, token_type: 'Bearer' }
      : apiBody;
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
}

const base: ServiceTitanClientConfig = {
  tenantId: 123,
  appKey: 'ak1.test-app-key-not-real',
  clientId: 'cid.test-not-real',
  clientSecret: 'test-secret-not-real-000',
};

describe('ServiceTitanClient requests', () => {
  it('posts form-encoded client credentials and sends ST-App-Key + Bearer on API calls', async () => {
    const calls: Call[] = [];
    const client = new ServiceTitanClient({
      ...base,
      environment: 'integration',
      fetch: fakeFetch(calls),
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

  it('maps each method to its documented path', async () => {
    const calls: Call[] = [];
    const client = new ServiceTitanClient({
      ...base,
      authUrl: 'http://auth.local/',
      apiBaseUrl: 'http://api.local/',
      fetch: fakeFetch(calls),
    });
    await client.listInvoices({ activeState: 'All' });
    await client.listInventoryBills();
    await client.listInventoryBillsPaginated();
    await client.listGlAccounts({ active: 'Any' });
    await client.listPurchaseOrders({ status: 'Received' });
    await client.listVendors({ ids: [5, 6] });
    await client.listGrossPayItems({
      dateOnOrAfter: '2025-01-01',
      dateOnOrBefore: '2025-01-31',
    });
    await client.listTechnicians();
    await client.listBusinessUnits();
    for (const page of [
      client.exportJobsPage({ from: 'tok' }),
      client.exportInvoicesPage(),
      client.exportInvoiceItemsPage({ includeRecentChanges: true }),
      client.exportInventoryBillsPage(),
      client.exportPurchaseOrdersPage(),
      client.exportGrossPayItemsPage(),
    ]) {
      await page;
    }
    expect(calls.slice(1).map((c) => c.url.replace('http://api.local', ''))).toEqual([
      '/accounting/v2/tenant/123/invoices?activeState=All',
      '/accounting/v2/tenant/123/inventory-bills',
      '/accounting/v2/tenant/123/inventory-bills/paginated',
      '/accounting/v2/tenant/123/gl-accounts?active=Any',
      '/inventory/v2/tenant/123/purchase-orders?status=Received',
      '/inventory/v2/tenant/123/vendors?ids=5&ids=6&active=Any',
      '/payroll/v2/tenant/123/gross-pay-items?dateOnOrAfter=2025-01-01&dateOnOrBefore=2025-01-31',
      '/settings/v2/tenant/123/technicians',
      '/settings/v2/tenant/123/business-units',
      '/jpm/v2/tenant/123/export/jobs?from=tok',
      '/accounting/v2/tenant/123/export/invoices',
      '/accounting/v2/tenant/123/export/invoice-items?includeRecentChanges=true',
      '/accounting/v2/tenant/123/export/inventory-bills',
      '/inventory/v2/tenant/123/export/purchase-orders',
      '/payroll/v2/tenant/123/export/gross-pay-items',
    ]);
    expect(calls[0]?.url).toBe('http://auth.local/connect/token');
  });

  it('validates ids and page sizes before calling', () => {
    const client = new ServiceTitanClient({ ...base, fetch: fakeFetch([]) });
    expect(() => client.listJobs({ ids: Array.from({ length: 51 }, (_, i) => i + 1) })).toThrow('at most 50 ids');
    expect(() => client.listJobs({ pageSize: 5001 })).toThrow('between 1 and 5000');
  });

  it('fetches any number of ids in chunks of 50', async () => {
    const calls: Call[] = [];
    const client = new ServiceTitanClient({ ...base, fetch: fakeFetch(calls) });
    await client.getInvoicesByIds(Array.from({ length: 120 }, (_, i) => i + 1));
    const idCounts = calls.slice(1).map((c) => (new URL(c.url).searchParams.get('ids') ?? '').split(',').length);
    expect(idCounts).toEqual([50, 50, 20]);
  });
});

describe('resolveServiceTitanConfig', () => {
  it('defaults to production, 50 req/s, 60 s token margin', () => {
    const resolved = resolveServiceTitanConfig(base);
    expect(resolved).toMatchObject({
      tokenUrl: 'https://auth.servicetitan.io/connect/token',
      apiBaseUrl: 'https://api.servicetitan.io',
      maxRequestsPerSecond: 50,
      tokenRefreshMarginMs: 60_000,
    });
  });

  it('refuses a rate at or above the API limit and names missing fields without values', () => {
    expect(() => resolveServiceTitanConfig({ ...base, maxRequestsPerSecond: 60 })).toThrow('below the API limit of 60');
    expect(() => resolveServiceTitanConfig({ ...base, clientSecret: '' })).toThrow('clientSecret is required');
    expect(() => resolveServiceTitanConfig({ ...base, tenantId: 0 })).toThrow('tenantId');
    try {
      resolveServiceTitanConfig({ ...base, maxRequestsPerSecond: 99 });
    } catch (error) {
      expect((error as Error).message).not.toContain(base.clientSecret);
    }
  });
});
