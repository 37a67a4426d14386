import { startServiceTitanSimulator, type ServiceTitanSimulator } from './servicetitan-simulator.server';
import { ManualClock } from './simulator.clock';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';

const TENANT = 1000001;
const seed = buildDemoTenantSeed({ tenantId: TENANT });

async function token(
  sim: ServiceTitanSimulator,
  overrides: Record<string, string> = {},
  contentType = 'application/x-www-form-urlencoded',
) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: seed.clientId,
    client_secret: seed.clientSecret,
    ...overrides,
  });
  const res = await fetch(`${sim.url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: form.toString(),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function api(sim: ServiceTitanSimulator, path: string, headers: Record<string, string>) {
  const res = await fetch(`${sim.url}${path}`, { headers });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as unknown,
  };
}

describe('ServiceTitan simulator', () => {
  const clock = new ManualClock('2025-06-01T00:00:00Z');
  let sim: ServiceTitanSimulator;
  let auth: Record<string, string>;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      clock,
      tokenLifetimeSeconds: 900,
      seed: { appKey: DEMO_APP_KEY, tenants: [seed] },
      exportPageSize: 2,
    });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    const t = await token(sim);
    auth = {
      'ST-App-Key': DEMO_APP_KEY,
      Authorization: `Bearer ${String(t.body['access_token'])}`,
    };
  });

  describe('token endpoint', () => {
    it('issues JWT-looking bearer tokens with expires_in', async () => {
      const t = await token(sim);
      expect(t.status).toBe(200);
      expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      expect(String(t.body['access_token']).split('.')).toHaveLength(3);
    });

    it('rejects bad credentials with the OAuth error JSON', async () => {
      expect(await token(sim, { client_secret: 'nope-not-real' })).toEqual({
        status: 400,
        body: { error: 'invalid_client' },
      });
      expect(await token(sim, { client_id: 'unknown-client' })).toEqual({
        status: 400,
        body: { error: 'invalid_client' },
      });
      expect((await token(sim, { grant_type: 'password' })).body).toEqual({
        error: 'unsupported_grant_type',
      });
      expect((await token(sim, {}, 'application/json')).body).toMatchObject({
        error: 'invalid_request',
      });
    });

    it('tokens expire on the simulator clock', async () => {
      const path = `/jpm/v2/tenant/${TENANT}/jobs`;
      expect((await api(sim, path, auth)).status).toBe(200);
      clock.advance(899_000);
      expect((await api(sim, path, auth)).status).toBe(200);
      clock.advance(1_000);
      const expired = await api(sim, path, auth);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({
        title: 'The access token has expired.',
        status: 401,
      });
      expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    });
  });

  describe('authentication and routing', () => {
    it('401 when the ST-App-Key is missing or wrong, 401 for a missing or unknown token', async () => {
      const path = `/accounting/v2/tenant/${TENANT}/invoices`;
      const { ['ST-App-Key']: _key, ...noKey } = auth;
      void _key;
      expect(await api(sim, path, noKey)).toMatchObject({
        status: 401,
        body: { title: 'The ST-App-Key header is missing.' },
      });
      expect((await api(sim, path, { ...auth, 'ST-App-Key': 'wrong' })).status).toBe(401);
      expect((await api(sim, path, { 'ST-App-Key': DEMO_APP_KEY })).status).toBe(401);
      expect(
        (
          await api(sim, path, {
            ...auth,
            Authorization: 'Bearer forged.token.value',
          })
        ).status,
      ).toBe(401);
      // the query-string form of the app key the specs also declare
      expect((await api(sim, `${path}?servicetitanapplicationkey=${DEMO_APP_KEY}`, noKey)).status).toBe(200);
    });

    it('404 for an unknown tenant, 403 for another tenant with a valid token, 404 for an unknown endpoint', async () => {
      sim.addTenant({
        id: 2000002,
        clientId: 'cid.other-not-real',
        clientSecret: 'cs.other-not-real',
      });
      expect((await api(sim, `/jpm/v2/tenant/999/jobs`, auth)).status).toBe(404);
      expect((await api(sim, `/jpm/v2/tenant/2000002/jobs`, auth)).status).toBe(403);
      expect((await api(sim, `/jpm/v2/tenant/${TENANT}/no-such-thing`, auth)).status).toBe(404);
      expect((await api(sim, `/not-an-api-path`, auth)).status).toBe(404);
    });
  });

  describe('lists and filters', () => {
    it('active defaults to True; Any and False are honoured', async () => {
      const ids = async (q: string) =>
        (
          (await api(sim, `/inventory/v2/tenant/${TENANT}/vendors${q}`, auth)).body as { data: { id: number }[] }
        ).data.map((v) => v.id);
      expect(await ids('')).toEqual([301]);
      expect(await ids('?active=Any')).toEqual([301, 302]);
      expect(await ids('?active=false')).toEqual([302]);
      expect(await ids('?ids=302&ids=301&active=Any')).toEqual([301, 302]);
    });

    it('envelope fields: page, pageSize, hasMore, totalCount only with includeTotal', async () => {
      const res = await api(
        sim,
        `/settings/v2/tenant/${TENANT}/technicians?active=Any&pageSize=1&page=2&includeTotal=true`,
        auth,
      );
      expect(res.body).toMatchObject({
        page: 2,
        pageSize: 1,
        hasMore: false,
        totalCount: 2,
        data: [{ id: 202 }],
      });
      const noTotal = await api(sim, `/settings/v2/tenant/${TENANT}/technicians`, auth);
      expect(noTotal.body).toMatchObject({
        page: 1,
        pageSize: 50,
        hasMore: false,
        totalCount: null,
      });
    });

    it('the list of inventory bills is a bare array, the paginated one an envelope; lists hide `active`', async () => {
      const bare = await api(sim, `/accounting/v2/tenant/${TENANT}/inventory-bills`, auth);
      expect(Array.isArray(bare.body)).toBe(true);
      expect((bare.body as Record<string, unknown>[])[0]).not.toHaveProperty('active');
      const paged = await api(sim, `/accounting/v2/tenant/${TENANT}/inventory-bills/paginated`, auth);
      expect(paged.body).toMatchObject({
        page: 1,
        hasMore: false,
        data: [{ id: 901 }],
      });
    });

    it('rejects invalid parameters with RFC 7807 field errors', async () => {
      const cases: Array<[string, string]> = [
        [`/jpm/v2/tenant/${TENANT}/jobs?pageSize=5001`, 'pageSize'],
        [`/jpm/v2/tenant/${TENANT}/jobs?page=0`, 'page'],
        [`/jpm/v2/tenant/${TENANT}/jobs?jobStatus=Done`, 'jobStatus'],
        [`/jpm/v2/tenant/${TENANT}/jobs?ids=${Array.from({ length: 51 }, (_, i) => i + 1).join(',')}`, 'ids'],
        [`/jpm/v2/tenant/${TENANT}/jobs?modifiedSince=2025-01-01`, 'modifiedSince'],
        [`/accounting/v2/tenant/${TENANT}/export/inventory-bills?from=garbage`, 'from'],
      ];
      for (const [path, field] of cases) {
        const res = await api(sim, path, auth);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          status: 400,
          title: expect.any(String),
          traceId: expect.any(String),
          data: {},
        });
        expect(Object.keys((res.body as { errors: object }).errors)).toEqual([field]);
      }
    });
  });

  describe('export feeds', () => {
    it('continuation tokens are inclusive: the boundary row repeats, hasMore ends the feed', async () => {
      const base = `/payroll/v2/tenant/${TENANT}/export/gross-pay-items`;
      // two items share one modifiedOn; add a third later
      sim.tenant(TENANT).insert('grossPayItems', {
        id: 1203,
        payrollId: 78,
        amount: 1.5,
        jobId: 402,
      });
      const first = (await api(sim, base, auth)).body as {
        hasMore: boolean;
        continueFrom: string;
        data: { id: number }[];
      };
      expect(first.data.map((r) => r.id)).toEqual([1201, 1202]);
      expect(first.hasMore).toBe(true);
      const second = (await api(sim, `${base}?from=${encodeURIComponent(first.continueFrom)}`, auth))
        .body as typeof first;
      expect(second.data.map((r) => r.id)).toEqual([1202, 1203]);
      expect(second.hasMore).toBe(false);
      const poll = (
        await api(sim, `${base}?from=${encodeURIComponent(second.continueFrom)}&includeRecentChanges=true`, auth)
      ).body as typeof first;
      expect(poll.data.map((r) => r.id)).toEqual([1203]);
      expect(poll.hasMore).toBe(false);
    });

    it('a date works as `from`, and mutations bump modifiedOn so rows reappear with active=false', async () => {
      const base = `/accounting/v2/tenant/${TENANT}/export/inventory-bills`;
      const before = clock.now();
      const voided = sim.tenant(TENANT).voidInventoryBill(901);
      expect(Date.parse(voided.modifiedOn ?? '')).toBeGreaterThanOrEqual(before);
      const res = (await api(sim, `${base}?from=${encodeURIComponent(new Date(before).toISOString())}`, auth)).body as {
        data: { id: number; active: boolean }[];
      };
      expect(res.data).toEqual([expect.objectContaining({ id: 901, active: false })]);
      expect(((await api(sim, `/accounting/v2/tenant/${TENANT}/inventory-bills`, auth)).body as unknown[]).length).toBe(
        0,
      );
    });

    it('invoice items export carries invoiceId and the invoice active flag', async () => {
      const res = (await api(sim, `/accounting/v2/tenant/${TENANT}/export/invoice-items`, auth)).body as {
        data: { id: number; invoiceId: number; active: boolean }[];
      };
      expect(res.data.every((row) => typeof row.invoiceId === 'number' && typeof row.active === 'boolean')).toBe(true);
    });
  });

  describe('observation and admin API', () => {
    it('counts calls per endpoint', async () => {
      sim.resetCalls();
      await api(sim, `/jpm/v2/tenant/${TENANT}/jobs`, auth);
      await api(sim, `/jpm/v2/tenant/${TENANT}/jobs`, {});
      await token(sim);
      expect(sim.callCount('jobs.list')).toBe(2);
      expect(sim.callCount('jobs.list', TENANT)).toBe(2);
      expect(sim.callCount('token')).toBe(1);
      expect(await (await fetch(`${sim.url}/__admin/calls`)).json()).toEqual({
        'jobs.list': 2,
        token: 1,
      });
    });

    it('injects faults over HTTP: failures with Retry-After, dropped connections, latency', async () => {
      const post = (body: unknown) =>
        fetch(`${sim.url}/__admin/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post({ fail: { count: 1, status: 429, retryAfter: 3 } })).status).toBe(200);
      const limited = await api(sim, `/jpm/v2/tenant/${TENANT}/jobs`, auth);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      await post({ drop: { count: 1 } });
      await expect(fetch(`${sim.url}/jpm/v2/tenant/${TENANT}/jobs`, { headers: auth })).rejects.toThrow();
      await post({ latencyMs: 80 });
      const started = Date.now();
      expect((await api(sim, `/jpm/v2/tenant/${TENANT}/jobs`, auth)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(75);
      await fetch(`${sim.url}/__admin/faults`, { method: 'DELETE' });
      expect(sim.faults.pending()).toEqual({
        fails: 0,
        drops: 0,
        latencyMs: 0,
      });
    });

    it('seeds, mutates and moves the clock over HTTP', async () => {
      const post = (path: string, body: unknown) =>
        fetch(`${sim.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await post('/__admin/seed', {
        tenants: [
          {
            id: 3000003,
            clientId: 'cid.three-not-real',
            clientSecret: 'cs.three-not-real',
            jobs: [{ id: 1 }],
          },
        ],
      });
      expect(sim.tenant(3000003).count('jobs')).toBe(1);
      const updated = (await (
        await post(`/__admin/tenants/3000003/jobs/1`, {
          jobStatus: 'Completed',
        })
      ).json()) as { jobStatus: string };
      expect(updated.jobStatus).toBe('Completed');
      await post(`/__admin/tenants/3000003/jobs/1/deactivate`, {});
      expect(sim.tenant(3000003).get('jobs', 1)?.active).toBe(false);
      const moved = (await (await post('/__admin/clock', { advanceMs: 1000 })).json()) as { now: string };
      expect(Date.parse(moved.now)).toBe(clock.now());
    });

    it('protects the admin API when an admin token is configured', async () => {
      const guarded = await startServiceTitanSimulator({
        adminToken: 'admin-token-not-real',
      });
      try {
        expect((await fetch(`${guarded.url}/__admin/health`)).status).toBe(401);
        expect(
          (
            await fetch(`${guarded.url}/__admin/health`, {
              headers: { 'x-admin-token': 'admin-token-not-real' },
            })
          ).status,
        ).toBe(200);
      } finally {
        await guarded.close();
      }
    });
  });
});
