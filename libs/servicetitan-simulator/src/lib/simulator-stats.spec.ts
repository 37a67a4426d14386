import { startServiceTitanSimulator, type ServiceTitanSimulator } from './servicetitan-simulator.server';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';

const TENANT = 1000001;
const SECOND_APP_KEY = 'ak1.second-app-not-real-000';
const seed = { ...buildDemoTenantSeed({ tenantId: TENANT }), appKeys: [SECOND_APP_KEY] };

async function newToken(sim: ServiceTitanSimulator): Promise<string> {
  const res = await fetch(`${sim.url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: seed.clientId,
      client_secret: seed.clientSecret,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function get(sim: ServiceTitanSimulator, token: string, appKey = DEMO_APP_KEY): Promise<number> {
  const res = await fetch(`${sim.url}/settings/v2/tenant/${TENANT}/technicians`, {
    headers: { 'ST-App-Key': appKey, Authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('simulator rate limit and statistics', () => {
  let now = 0;
  let sim: ServiceTitanSimulator;
  beforeEach(async () => {
    now = 1_000;
    sim = await startServiceTitanSimulator({
      seed: { appKey: DEMO_APP_KEY, tenants: [seed] },
      rateLimitClock: () => now,
    });
  });
  afterEach(() => sim.close());

  it('60 requests/s per (app key, tenant), counted across every token of the app; another app key has its own 60', async () => {
    const [a, b] = [await newToken(sim), await newToken(sim)];
    expect(a).not.toBe(b);
    const statuses: number[] = [];
    // sequential, all in the same (frozen) second: 30 on each token
    for (let i = 0; i < 30; i++) statuses.push(await get(sim, a), await get(sim, b));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await get(sim, a)).toBe(429);
    expect(await get(sim, b)).toBe(429);
    expect(await get(sim, a, SECOND_APP_KEY)).toBe(200);
    now += 1_000; // the window slides on
    expect(await get(sim, a)).toBe(200);

    const stats = sim.stats();
    expect(stats.rateLimited).toBe(2);
    expect(stats.responses429).toBe(2);
    expect(stats.pairs).toHaveLength(2);
    const main = stats.pairs.find((p) => p.appKey === `${DEMO_APP_KEY.slice(0, 8)}…`);
    expect(main).toMatchObject({ tenantId: TENANT, requests: 63, busiestSecond: 62, rateLimited: 2 });
    expect(stats.calls['technicians.list']).toBe(64);
  });

  it('the busiest second is the most requests within any one-second window', async () => {
    const token = await newToken(sim);
    const burst = async (at: number, n: number) => {
      now = at;
      for (let i = 0; i < n; i++) await get(sim, token);
    };
    await burst(1_000, 20);
    await burst(1_500, 30); // 50 within (500, 1500]
    await burst(2_200, 25); // (1200, 2200] holds 30 + 25 = 55
    await burst(3_300, 10);
    expect(sim.stats()).toMatchObject({ busiestSecond: 55, responses429: 0, rateLimited: 0 });
  });

  it('counts injected 429s apart from the rate limit; served over GET /__admin/stats with the app key shortened', async () => {
    const token = await newToken(sim);
    sim.faults.failNext(2, { status: 429, retryAfter: 1 });
    expect([await get(sim, token), await get(sim, token), await get(sim, token)]).toEqual([429, 429, 200]);
    const stats = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ responses429: 2, rateLimited: 0, busiestSecond: 1, writes: 0 });
    expect(JSON.stringify(stats)).not.toContain(DEMO_APP_KEY);
    expect(stats['calls']).toMatchObject({ token: 1, 'technicians.list': 3 });
    await fetch(`${sim.url}/__admin/stats`, { method: 'DELETE' });
    expect(sim.stats()).toMatchObject({ busiestSecond: 0, responses429: 0, pairs: [], calls: {} });
  });

  it('the 429 names its Retry-After and follows the RFC 7807 body', async () => {
    const token = await newToken(sim);
    for (let i = 0; i < 60; i++) await get(sim, token);
    const res = await fetch(`${sim.url}/settings/v2/tenant/${TENANT}/technicians`, {
      headers: { 'ST-App-Key': DEMO_APP_KEY, Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({
      status: 429,
      title: expect.stringContaining('Rate limit'),
      errors: {},
      data: {},
    });
  });
});
