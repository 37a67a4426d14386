import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, SimulatorCapacity, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { basicClient, FOLDER, journalEntryBody } from './testing/sim-test-helpers';

const BASIC = `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`;

/** A processing delay the test releases by hand: latency without waiting real time. */
function heldDelay(): { delay: (ms: number) => Promise<void>; asked: number[]; releaseAll: () => void } {
  const asked: number[] = [];
  const waiting: Array<() => void> = [];
  return {
    asked,
    delay: (ms) => {
      asked.push(ms);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    releaseAll: () => waiting.splice(0).forEach((resolve) => resolve()),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Sage X3 simulator capacity: web-service pool and latency', () => {
  let sim: SageX3Simulator;
  const clock = new SimulatorClock({ start: '2025-06-02T08:00:00Z', frozen: true });

  async function start(capacity?: SimulatorCapacity): Promise<void> {
    sim = await startSageX3Simulator({ clock, seed: createDemoSeed(), capacity });
  }

  afterEach(async () => {
    await sim.close();
  });

  const get = (path: string): Promise<Response> =>
    fetch(`${sim.url}/api1/x3/erp/${FOLDER}/${path}`, { headers: { authorization: BASIC } });

  it('is off by default: no latency asked, any concurrency served', async () => {
    await start();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => get("GACCOUNT('601000')?representation=GACCOUNT.$details")),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(sim.stats()).toMatchObject({ poolRejections: 0, reads: 12 });
  });

  it('refuses the call beyond N concurrent ones with HTTP 500 "No Web services accepted", holding each for its latency', async () => {
    const held = heldDelay();
    await start({ poolSize: 2, latencyMs: { read: 40, create: 150 }, delay: held.delay });
    const first = get("GACCOUNT('601000')?representation=GACCOUNT.$details");
    const second = get('GACCOUNT?representation=GACCOUNT.$query');
    await until(() => held.asked.length === 2, 'two calls in the pool');
    const third = await get("GACCOUNT('401000')?representation=GACCOUNT.$details");
    expect(third.status).toBe(500);
    expect(await third.json()).toEqual({
      $diagnoses: [{ $severity: 'error', $message: 'No Web services accepted', $sdataCode: 'ApplicationDiagnosis' }],
    });
    held.releaseAll();
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect(held.asked).toEqual([40, 40]);

    const post = fetch(`${sim.url}/api1/x3/erp/${FOLDER}/GACCENTRY?representation=GACCENTRY.$create`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ ...journalEntryBody(), REF: 'ST-CAP-1' }),
    });
    await until(() => held.asked.length === 3, 'the create in the pool');
    expect(held.asked[2]).toBe(150);
    held.releaseAll();
    expect((await post).status).toBe(201);
    expect(sim.stats()).toMatchObject({
      poolRejections: 1,
      maxConcurrency: 2,
      reads: 2,
      writes: { GACCENTRY: 1 },
      documentsCreated: 1,
    });
  });

  it('the client rides out a small pool: refused calls are retried until every one is served', async () => {
    await start({ poolSize: 2, latencyMs: { read: 15 } });
    const client = basicClient(sim, { retry: { maxAttempts: 20, baseDelayMs: 5, maxDelayMs: 20 } });
    const accounts = await Promise.all(
      ['401000', '512000', '601000', '606000', '706000', '609000'].map((acc) => client.details('account', acc)),
    );
    client.close();
    expect(accounts.map((a) => a['ACC'])).toEqual(['401000', '512000', '601000', '606000', '706000', '609000']);
    const stats = sim.stats();
    expect(stats.maxConcurrency).toBe(2);
    expect(stats.poolRejections).toBeGreaterThan(0);
    expect(stats.reads).toBe(6);
  });

  it('changes capacity and reads stats through the simulator-only admin endpoints', async () => {
    await start();
    const set = await fetch(`${sim.url}/__admin/capacity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ poolSize: 5, latencyMs: { create: 150, read: 20 } }),
    });
    expect(await set.json()).toEqual({ poolSize: 5, latencyMs: { create: 150, read: 20 }, inFlight: 0 });
    expect(sim.getCapacity()).toMatchObject({ poolSize: 5, latencyMs: { create: 150, read: 20 } });
    const bad = await fetch(`${sim.url}/__admin/capacity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ poolSize: -1 }),
    });
    expect(bad.status).toBe(400);
    await get("GACCOUNT('601000')?representation=GACCOUNT.$details");
    const stats = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as { stats: Record<string, unknown> };
    expect(stats.stats).toMatchObject({ reads: 1, poolRejections: 0, maxConcurrency: 1, writes: {} });
  });
});
