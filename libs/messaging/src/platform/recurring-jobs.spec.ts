import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RecurringJobs } from './recurring-jobs';

describe('RecurringJobs', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs first after the initial delay, then every interval, never twice at once, and survives failures', async () => {
    const jobs = new RecurringJobs(new SchedulerRegistry());
    const starts: number[] = [];
    let finish: () => void = () => undefined;
    let runs = 0;
    jobs.every('pull:acme', { firstAfterMs: 5000, everyMs: 1000 }, () => {
      starts.push(Date.now());
      runs++;
      if (runs === 2) return Promise.reject(new Error('ServiceTitan down'));
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const t0 = Date.now();
    await jest.advanceTimersByTimeAsync(4999);
    expect(starts).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([t0 + 5000]);
    // Still running: the next two ticks are skipped.
    await jest.advanceTimersByTimeAsync(2000);
    expect(starts).toHaveLength(1);
    finish();
    await jest.advanceTimersByTimeAsync(1000);
    expect(starts).toEqual([t0 + 5000, t0 + 8000]);
    // The failed run is logged; the next tick runs again.
    await jest.advanceTimersByTimeAsync(1000);
    expect(starts).toEqual([t0 + 5000, t0 + 8000, t0 + 9000]);
    expect(() => jobs.every('pull:acme', { firstAfterMs: 0, everyMs: 1 }, async () => undefined)).toThrow(
      'scheduled twice',
    );
  });

  it('at shutdown starts nothing new and waits for the run in flight', async () => {
    const registry = new SchedulerRegistry();
    const jobs = new RecurringJobs(registry);
    let finish: () => void = () => undefined;
    let runs = 0;
    jobs.every('poll:acme', { firstAfterMs: 0, everyMs: 1000 }, () => {
      runs++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = jobs.onModuleDestroy().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    expect(runs).toBe(1);
    finish();
    await stopping;
    expect(registry.getIntervals()).toEqual([]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(1);
  });
});
