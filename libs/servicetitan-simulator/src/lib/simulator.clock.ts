/** Time source of the simulator (token expiry, modifiedOn stamps). Epoch milliseconds. */
export interface SimulatorClock {
  now(): number;
}

export const systemClock: SimulatorClock = { now: () => Date.now() };

/** A clock that only moves when told to: token expiry and modifiedOn become deterministic in tests. */
export class ManualClock implements SimulatorClock {
  private current: number;

  constructor(start: number | Date | string = Date.UTC(2025, 0, 1)) {
    this.current = typeof start === 'number' ? start : new Date(start).getTime();
    if (!Number.isFinite(this.current)) throw new RangeError('ManualClock: invalid start time');
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError('ManualClock.advance: ms must be >= 0');
    this.current += ms;
    return this.current;
  }

  set(at: number | Date | string): void {
    const next = typeof at === 'number' ? at : new Date(at).getTime();
    if (!Number.isFinite(next)) throw new RangeError('ManualClock.set: invalid time');
    this.current = next;
  }
}
