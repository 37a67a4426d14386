import { TenantConfig, TenantRegistry } from '@connector/config';
import { RecurringJobs } from '@connector/messaging';
import { TenantRuns } from './tenant-runs';

const tenant = (id: string, enabled: boolean) =>
  ({ id, sageX3: { poll: { enabled, intervalSeconds: 20 } } }) as unknown as TenantConfig;
const registry = (tenants: TenantConfig[]) =>
  ({
    list: () => tenants,
    require: (id: string) => {
      const t = tenants.find((x) => x.id === id);
      if (!t) throw new Error(`unknown tenant ${id}`);
      return t;
    },
  }) as unknown as TenantRegistry;

describe('TenantRuns', () => {
  it('one run per tenant at a time: a second caller gets the run in flight', async () => {
    let release!: () => void;
    const calls: Array<[string, boolean]> = [];
    const runs = new TenantRuns('work', registry([tenant('acme', true)]), async (t, full) => {
      calls.push([t.id, full]);
      await new Promise<void>((r) => (release = r));
      return calls.length;
    });
    const a = runs.runOnce('acme', true);
    const b = runs.runOnce('acme', false);
    expect(b).toBe(a);
    release();
    expect(await a).toBe(1);
    const c = runs.runOnce('acme', false);
    expect(c).not.toBe(a);
    release();
    await c;
    expect(calls).toEqual([
      ['acme', true],
      ['acme', false],
    ]);
    expect(() => runs.runOnce('nobody', false)).toThrow('unknown tenant nobody');
  });

  it('schedules tenants whose poll is enabled, every poll interval; a full run when due, again after a failure', async () => {
    const scheduled: Array<{ name: string; everyMs: number; tick: () => Promise<unknown> }> = [];
    const jobs = {
      every: (name: string, timing: { everyMs: number }, tick: () => Promise<unknown>) =>
        void scheduled.push({ name, everyMs: timing.everyMs, tick }),
    } as unknown as RecurringJobs;
    const fulls: boolean[] = [];
    let fail = true;
    const runs = new TenantRuns('x3-work', registry([tenant('acme', true), tenant('off', false)]), async (_t, full) => {
      fulls.push(full);
      if (fail) throw new Error('X3 down');
    });
    runs.schedule(jobs, { firstAfterMs: 0, fullEveryMs: 3_600_000 });
    expect(scheduled.map((s) => [s.name, s.everyMs])).toEqual([['x3-work:acme', 20_000]]);
    await scheduled[0].tick(); // full, fails: the next tick tries a full run again
    fail = false;
    await scheduled[0].tick(); // full, succeeds
    await scheduled[0].tick(); // incremental
    expect(fulls).toEqual([true, true, false]);
  });

  it('stop aborts the signal and waits for the runs in flight', async () => {
    let seen: AbortSignal | undefined;
    const runs = new TenantRuns('work', registry([tenant('acme', true)]), async (_t, _f, signal) => {
      seen = signal;
      await new Promise((r) => setTimeout(r, 20));
      return signal.aborted;
    });
    const run = runs.runOnce('acme', false);
    await runs.stop('stopping');
    expect(seen?.aborted).toBe(true);
    expect(await run).toBe(true);
  });
});
