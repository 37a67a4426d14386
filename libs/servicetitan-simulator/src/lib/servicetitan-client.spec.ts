import {
  ServiceTitanApiError,
  ServiceTitanAuthError,
  ServiceTitanClient,
  ServiceTitanNetworkError,
  ServiceTitanRateLimiterRegistry,
  collectExport,
  iteratePagedList,
  normalizeGrossPayItem,
  normalizeInventoryBill,
  normalizeInvoice,
  normalizePurchaseOrder,
  type ServiceTitanClientConfig,
} from '@connector/servicetitan';
import { sumDecimals } from '@connector/decimal';
import {
  startServiceTitanSimulator,
  type ServiceTitanSimulator,
  type ServiceTitanSimulatorOptions,
} from './servicetitan-simulator.server';
import { ManualClock } from './simulator.clock';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';
import type { SimulatorTenantSeed } from './simulator.store';

const TENANT = 1000001;
const SECRET = 'cs1.test-secret-not-real-000';

function tenantSeed(extra: Partial<SimulatorTenantSeed> = {}): SimulatorTenantSeed {
  return {
    ...buildDemoTenantSeed({ tenantId: TENANT, clientSecret: SECRET }),
    ...extra,
  };
}

async function startSim(
  options: ServiceTitanSimulatorOptions = {},
  seed = tenantSeed(),
): Promise<ServiceTitanSimulator> {
  return startServiceTitanSimulator({
    seed: { appKey: DEMO_APP_KEY, tenants: [seed] },
    // These tests skip the client's pacing waits; the rate-limit tests below set the real 60.
    rateLimitPerSecond: 100_000,
    ...options,
  });
}

/**
 * Client wired to the simulator. Waits are recorded and skipped: backoff waits in `sleeps`, rate-limit waits (pacing
 * and a 429's Retry-After) in `limiterWaits`, on a bucket clock that only moves by the waits it skipped.
 */
function clientFor(sim: ServiceTitanSimulator, overrides: Partial<ServiceTitanClientConfig> = {}) {
  const sleeps: number[] = [];
  const limiterWaits: number[] = [];
  let skipped = 0;
  const rateLimiterRegistry = new ServiceTitanRateLimiterRegistry({
    clock: () => skipped,
    sleep: async (ms) => {
      limiterWaits.push(ms);
      skipped += ms;
    },
  });
  const client = new ServiceTitanClient({
    authUrl: sim.url,
    apiBaseUrl: sim.url,
    tenantId: TENANT,
    appKey: DEMO_APP_KEY,
    clientId: 'cid.test-client-not-real-000',
    clientSecret: SECRET,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    rateLimiterRegistry,
    ...overrides,
  });
  return { client, sleeps, limiterWaits };
}

describe('ServiceTitanClient against the simulator', () => {
  describe('authentication', () => {
    let sim: ServiceTitanSimulator;
    const clock = new ManualClock('2025-03-01T00:00:00Z');
    beforeAll(async () => {
      sim = await startSim({ clock, tokenLifetimeSeconds: 900 });
    });
    afterAll(() => sim.close());
    beforeEach(() => {
      sim.resetCalls();
      sim.faults.reset();
    });

    it('sends one token request for many calls while the token is fresh', async () => {
      const { client } = clientFor(sim, { clock: () => clock.now() });
      await Promise.all(Array.from({ length: 10 }, () => client.listJobs()));
      await client.listJobs();
      expect(sim.callCount('token')).toBe(1);
      expect(sim.callCount('jobs.list')).toBe(11);
    });

    it('token expiry during N concurrent calls causes exactly one refresh (client notices the expiry)', async () => {
      const { client } = clientFor(sim, { clock: () => clock.now() });
      await client.listJobs();
      expect(sim.callCount('token')).toBe(1);
      clock.advance(900_000 - 60_000); // inside the default 60 s refresh margin
      const results = await Promise.all(Array.from({ length: 25 }, () => client.listJobs()));
      expect(results.every((page) => page.data.length > 0)).toBe(true);
      expect(sim.callCount('token')).toBe(2);
      expect(client.tokenRequestCount).toBe(2);
      expect(sim.callCount('jobs.list')).toBe(26); // no 401 round trips
    });

    it('server-side expiry: N concurrent 401s cause exactly one refresh and one retry each', async () => {
      // The client's clock does not move, so only the server knows the token expired.
      const frozen = clock.now();
      const { client } = clientFor(sim, { clock: () => frozen });
      await client.listJobs();
      clock.advance(901_000);
      const n = 20;
      const results = await Promise.all(Array.from({ length: n }, () => client.listInvoices()));
      expect(results).toHaveLength(n);
      expect(sim.callCount('token')).toBe(2);
      expect(sim.callCount('invoices.list')).toBe(2 * n);
    });

    it('a 401 refreshes the token and retries once', async () => {
      const { client } = clientFor(sim, { clock: () => clock.now() });
      await client.listJobs();
      sim.revokeAllTokens();
      const page = await client.listJobs();
      expect(page.data.length).toBeGreaterThan(0);
      expect(sim.callCount('token')).toBe(2);
      expect(sim.callCount('jobs.list')).toBe(3);
    });

    it('a second 401 after the refresh surfaces as ServiceTitanApiError', async () => {
      const { client } = clientFor(sim, { clock: () => clock.now() });
      await client.listJobs();
      sim.faults.failNext(2, {
        status: 401,
        title: 'The access token is invalid.',
      });
      const error = await client.listJobs().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTitanApiError);
      expect(error).toMatchObject({
        status: 401,
        attempts: 2,
        title: 'The access token is invalid.',
        tenantId: TENANT,
      });
      expect(sim.callCount('token')).toBe(2);
      expect(sim.callCount('jobs.list')).toBe(3);
    });

    it('bad client credentials give a clear auth error without the secret', async () => {
      const { client } = clientFor(sim, {
        clientSecret: 'wrong-secret-not-real-111',
        clock: () => clock.now(),
      });
      const error = await client.listJobs().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTitanAuthError);
      expect(error).toMatchObject({
        status: 400,
        oauthError: 'invalid_client',
        tenantId: TENANT,
      });
      expect((error as Error).message).toContain('invalid_client');
      expect((error as Error).message).toContain('check the client id and client secret');
      expect((error as Error).message).not.toContain('wrong-secret-not-real-111');
      expect(sim.callCount('token')).toBe(1); // a 400 is not retried
      expect(sim.callCount('jobs.list')).toBe(0);
    });

    it('an unknown app key is rejected with 401 (refreshed once, then surfaced)', async () => {
      const { client } = clientFor(sim, {
        appKey: 'ak1.unknown-app-not-real',
        clock: () => clock.now(),
      });
      const error = await client.listJobs().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTitanApiError);
      expect(error).toMatchObject({
        status: 401,
        title: 'The application key is not valid.',
      });
      expect((error as Error).message).not.toContain('ak1.unknown-app-not-real');
    });
  });

  describe('retries', () => {
    let sim: ServiceTitanSimulator;
    beforeAll(async () => {
      sim = await startSim();
    });
    afterAll(() => sim.close());
    beforeEach(() => {
      sim.resetCalls();
      sim.faults.reset();
    });

    it('honours Retry-After in seconds on a 429 (the wait happens in the shared bucket)', async () => {
      const { client, sleeps, limiterWaits } = clientFor(sim);
      sim.faults.failNext(1, { status: 429, retryAfter: 7 });
      await expect(client.listVendors()).resolves.toMatchObject({ page: 1 });
      expect(limiterWaits).toEqual([7000]);
      expect(sleeps).toEqual([]);
      expect(sim.callCount('vendors.list')).toBe(2);
    });

    it('honours Retry-After as an HTTP date', async () => {
      const now = Date.UTC(2025, 4, 1, 12, 0, 0);
      const { client, limiterWaits } = clientFor(sim, { clock: () => now });
      sim.faults.failNext(1, {
        status: 429,
        retryAfter: new Date(now + 4000).toUTCString(),
      });
      await client.listVendors();
      expect(limiterWaits).toEqual([4000]);
    });

    it('backs off exponentially on a 429 without Retry-After', async () => {
      const { client, limiterWaits } = clientFor(sim, {
        retry: { baseDelayMs: 100, maxDelayMs: 10_000 },
      });
      sim.faults.failNext(3, { status: 429 });
      await client.listVendors();
      // equal jitter with random() = 0.5: 0.75 x step, steps 100, 200, 400
      expect(limiterWaits).toEqual([75, 150, 300]);
    });

    it('retries 500s and then succeeds', async () => {
      const { client, sleeps } = clientFor(sim, {
        retry: { maxRetries: 4, baseDelayMs: 10 },
      });
      sim.faults.failNext(3, { status: 500 });
      const page = await client.listPurchaseOrders();
      expect(page.data.length).toBeGreaterThan(0);
      expect(sim.callCount('purchaseOrders.list')).toBe(4);
      expect(sleeps).toHaveLength(3);
    });

    it('gives up after the configured number of retries with the RFC 7807 details', async () => {
      const { client } = clientFor(sim, {
        retry: { maxRetries: 2, baseDelayMs: 1 },
      });
      sim.faults.failNext(5, { status: 503, title: 'Service busy' });
      const error = await client.listPurchaseOrders().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTitanApiError);
      expect(error).toMatchObject({
        status: 503,
        attempts: 3,
        title: 'Service busy',
      });
      expect((error as ServiceTitanApiError).traceId).toMatch(/^00-[0-9a-f]{32}-/);
      expect(sim.callCount('purchaseOrders.list')).toBe(3);
    });

    it('retries dropped connections', async () => {
      const { client } = clientFor(sim, {
        retry: { maxRetries: 3, baseDelayMs: 1 },
      });
      sim.faults.dropNext(2);
      await expect(client.listTechnicians()).resolves.toMatchObject({
        page: 1,
      });
      expect(sim.callCount('technicians.list')).toBe(3);
    });

    it('times out slow responses and reports a network error once retries are spent', async () => {
      const { client } = clientFor(sim, {
        requestTimeoutMs: 50,
        retry: { maxRetries: 1, baseDelayMs: 1 },
      });
      await client.listTechnicians(); // token first, so the latency only hits API calls
      sim.faults.setLatency(250);
      const error = await client.listTechnicians().catch((e: unknown) => e);
      sim.faults.setLatency(0);
      expect(error).toBeInstanceOf(ServiceTitanNetworkError);
      expect(error).toMatchObject({ timedOut: true, attempts: 2 });
    });

    it('does not retry a 400 and exposes the field errors', async () => {
      const { client } = clientFor(sim);
      const error = await client.get('jpm', 'jobs', { modifiedOnOrAfter: 'not-a-date' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTitanApiError);
      expect(error).toMatchObject({ status: 400, attempts: 1 });
      expect((error as ServiceTitanApiError).errors['modifiedOnOrAfter']).toHaveLength(1);
    });

    it('retries a 500 from the token endpoint', async () => {
      const { client } = clientFor(sim, { retry: { baseDelayMs: 1 } });
      sim.faults.failNext(1, { status: 500, pathPrefix: '/connect/token' });
      await client.listJobs();
      expect(sim.callCount('token')).toBe(2);
    });
  });

  describe('paging and exports', () => {
    let sim: ServiceTitanSimulator;
    const jobs = Array.from({ length: 120 }, (_, i) => ({
      id: 10_000 + i,
      modifiedOn: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    }));
    const bills = Array.from({ length: 100 }, (_, i) => ({
      id: 20_000 + i,
      billAmount: `${i}.10`,
    }));
    beforeAll(async () => {
      sim = await startSim({ exportPageSize: 10 }, tenantSeed({ jobs, inventoryBills: bills, invoices: [] }));
    });
    afterAll(() => sim.close());
    beforeEach(() => sim.resetCalls());

    it('iterates more than two pages and returns every record exactly once', async () => {
      const { client } = clientFor(sim);
      const ids: number[] = [];
      const pages = iteratePagedList((page, pageSize) => client.listJobs({ page, pageSize }), { pageSize: 50 });
      for await (const job of pages) ids.push(job.id);
      expect(ids).toHaveLength(120);
      expect(new Set(ids).size).toBe(120);
      expect(sim.callCount('jobs.list')).toBe(3);
    });

    it('applies filters server-side (modifiedOnOrAfter, ids)', async () => {
      const { client } = clientFor(sim);
      const recent = await client.listJobs({
        modifiedOnOrAfter: new Date(Date.UTC(2025, 0, 1) + 100_000),
        pageSize: 500,
      });
      expect(recent.data.map((j) => j.id)).toEqual(jobs.slice(100).map((j) => j.id));
      const picked = await client.getJobsByIds([10_005, 10_007, 10_005]);
      expect(picked.map((j) => j.id)).toEqual([10_005, 10_007]);
    });

    it('the plain inventory-bills list is a BARE ARRAY; the paginated one an envelope', async () => {
      const { client } = clientFor(sim);
      const raw = await client.get<unknown>('accounting', 'inventory-bills', { pageSize: 3 });
      expect(Array.isArray(raw)).toBe(true);
      expect(raw).toHaveLength(3);
      const page = await client.listInventoryBillsPaginated({ pageSize: 50, page: 2 });
      expect(page).toMatchObject({ page: 2, pageSize: 50, hasMore: false });
      expect(page.data).toHaveLength(50);
    });

    it('export continuation returns every record once after boundary dedupe, and a checkpoint resumes cleanly', async () => {
      const { client } = clientFor(sim);
      const raw = await collectExport(client.exportInventoryBills());
      // from is inclusive: each page after the first repeats the previous page's last row
      expect(raw.rows.length).toBeGreaterThan(100);
      expect(raw.result.pages).toBe(raw.rows.length - 100 + 1);
      // A consumer keyed by id + modifiedOn sees every bill once.
      const seen = new Map(raw.rows.map((b) => [`${b.id}@${b.modifiedOn}`, b]));
      expect([...seen.values()].map((b) => b.id)).toEqual(bills.map((b) => b.id));

      // Checkpoint = the final token. Two changes happen in ServiceTitan meanwhile.
      sim.tenant(TENANT).updateInventoryBill(20_005, { billAmount: '999.99' });
      sim.tenant(TENANT).voidInventoryBill(20_007);
      const next = await collectExport(client.exportInventoryBills({ from: raw.result.continueFrom }));
      // the first row is the boundary repeat of the last row already seen
      expect(next.rows[0]?.id).toBe(raw.rows[raw.rows.length - 1]?.id);
      expect(next.rows.slice(1).map((b) => [b.id, b.billAmount, b.active])).toEqual([
        [20_005, '999.99', true],
        [20_007, '7.10', false],
      ]);
      // the voided bill left the list endpoints
      const listed = await client.getInventoryBillsByIds([20_005, 20_007]);
      expect(listed.map((b) => b.id)).toEqual([20_005]);
    });
  });

  describe('rate limiting', () => {
    it('the simulator answers 429 with Retry-After beyond 60 requests per second per tenant', async () => {
      // A frozen rate-limit clock puts every request in the same second, so the count is exact.
      const sim = await startSim({ rateLimitClock: () => 1_000, rateLimitPerSecond: 60 });
      try {
        const token = (await (
          await fetch(`${sim.url}/connect/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: 'cid.test-client-not-real-000',
              client_secret: SECRET,
            }),
          })
        ).json()) as { access_token: string };
        const responses = await Promise.all(
          Array.from({ length: 70 }, () =>
            fetch(`${sim.url}/settings/v2/tenant/${TENANT}/technicians`, {
              headers: {
                'ST-App-Key': DEMO_APP_KEY,
                Authorization: `Bearer ${token.access_token}`,
              },
            }),
          ),
        );
        const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
        const statuses = responses.map((r) => r.status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(60);
        expect(statuses.filter((s) => s === 429)).toHaveLength(10);
        const limited = responses.findIndex((r) => r.status === 429);
        expect(responses[limited]?.headers.get('retry-after')).toBe('1');
        expect(bodies[limited]).toMatchObject({
          status: 429,
          title: expect.stringContaining('Rate limit'),
          errors: {},
          data: {},
        });
      } finally {
        await sim.close();
      }
    });

    it('two clients of one app and tenant share one bucket: the simulator never sees more than 60 in a second', async () => {
      const sim = await startSim({ rateLimitPerSecond: 60 });
      try {
        const retries: string[] = [];
        const registry = new ServiceTitanRateLimiterRegistry(); // real time, like the process-wide one
        const make = () =>
          new ServiceTitanClient({
            authUrl: sim.url,
            apiBaseUrl: sim.url,
            tenantId: TENANT,
            appKey: DEMO_APP_KEY,
            clientId: 'cid.test-client-not-real-000',
            clientSecret: SECRET,
            rateLimiterRegistry: registry,
            // Paced at the default 60/s, with room for scheduler jitter in a loaded test run.
            jitterAllowanceMs: 100,
            onRetry: (event) => retries.push(event.reason),
          });
        const [a, b] = [make(), make()];
        await Promise.all([
          ...Array.from({ length: 40 }, () => a.listBusinessUnits()),
          ...Array.from({ length: 40 }, () => b.listTechnicians()),
        ]);
        expect(retries).toEqual([]);
        const stats = sim.stats();
        expect(stats.responses429).toBe(0);
        expect(stats.busiestSecond).toBeGreaterThan(30); // both clients were busy in the same seconds
        expect(stats.busiestSecond).toBeLessThanOrEqual(60);
      } finally {
        await sim.close();
      }
    });
  });

  describe('amounts', () => {
    let sim: ServiceTitanSimulator;
    beforeAll(async () => {
      sim = await startSim();
    });
    afterAll(() => sim.close());

    it('parses accounting strings and inventory/payroll numbers into exact decimals', async () => {
      const { client } = clientFor(sim);
      sim.tenant(TENANT).insert('inventoryBills', {
        id: 950,
        billAmount: '0.30',
        taxAmount: '0.10',
        shippingAmount: '0.20',
        items: [{ id: 9501, quantity: '3', cost: '0.1' }],
      });
      const [bill] = await client.getInventoryBillsByIds([950]);
      const normalized = normalizeInventoryBill(bill as NonNullable<typeof bill>);
      expect(normalized).toMatchObject({
        billAmount: '0.3',
        taxAmount: '0.1',
        shippingAmount: '0.2',
      });
      expect(sumDecimals([normalized.taxAmount ?? '0', normalized.shippingAmount ?? '0']).toFixed()).toBe(
        normalized.billAmount,
      );
      expect(normalized.items[0]).toMatchObject({ quantity: '3', cost: '0.1' });

      const [invoice] = await client.getInvoicesByIds([501]);
      const inv = normalizeInvoice(invoice as NonNullable<typeof invoice>);
      expect(inv.total).toBe('1234.5');
      expect(sumDecimals([inv.subTotal ?? '0', inv.salesTax ?? '0']).toFixed()).toBe(inv.total);
      expect(inv.items.map((i) => i.cost)).toEqual(['612.33', '0']);

      const po = normalizePurchaseOrder(
        (await client.listPurchaseOrders()).data[0] as NonNullable<unknown> as Parameters<
          typeof normalizePurchaseOrder
        >[0],
      );
      expect(po).toMatchObject({
        total: '1043.21',
        tax: '79.01',
        shipping: '12.5',
      });
      expect(po.items[0]).toMatchObject({ cost: '951.7', quantity: '1' });

      const pay = (
        await client.listGrossPayItems({
          dateOnOrAfter: '2025-01-03T00:00:00Z',
          dateOnOrBefore: '2025-01-03T23:59:59Z',
        })
      ).data.map(normalizeGrossPayItem);
      expect(pay.map((p) => p.amount)).toEqual(['81.25', '25']);
      expect(sumDecimals(pay.map((p) => p.amount)).toFixed()).toBe('106.25');
    });
  });
});
