/**
 * The simulator's time source, shared by token expiry and record stamps. Pass the same instance to the
 * client under test (`clock: sim.clock`) and move time with advance().
 */
export class SimulatorClock {
  private offsetMs = 0;
  private frozenAt?: number;

  /** `frozen: true` keeps time still until advance()/set(); otherwise it follows wall time plus the offset. */
  constructor(options: { start?: number | Date | string; frozen?: boolean } = {}) {
    const start = options.start === undefined ? Date.now() : new Date(options.start).getTime();
    if (!Number.isFinite(start)) throw new RangeError('invalid simulator clock start');
    if (options.frozen) this.frozenAt = start;
    else this.offsetMs = start - Date.now();
  }

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the simulator clock only moves forward');
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }

  set(time: number | Date | string): void {
    const ms = new Date(time).getTime();
    if (!Number.isFinite(ms)) throw new RangeError('invalid time');
    if (this.frozenAt !== undefined) this.frozenAt = ms;
    else this.offsetMs = ms - Date.now();
  }
}

/**
 * Issues audit stamps that strictly increase even when the clock stands still, so two writes never share
 * a stamp. Resolution 1000 mimics X3's second-precision date-times.
 */
export class StampIssuer {
  private last = -Infinity;

  constructor(
    private readonly clock: SimulatorClock,
    private readonly resolutionMs = 1,
  ) {}

  next(): string {
    const now = Math.floor(this.clock.now() / this.resolutionMs) * this.resolutionMs;
    this.last = Math.max(now, this.last + this.resolutionMs);
    return this.format(this.last);
  }

  /** Records an explicit stamp (tests forcing two records onto the same stamp) without going backwards. */
  observe(iso: string): void {
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) this.last = Math.max(this.last, ms);
  }

  format(ms: number): string {
    const iso = new Date(ms).toISOString();
    return this.resolutionMs % 1000 === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso;
  }
}
