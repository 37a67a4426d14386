import { sleep } from '@connector/util';

/** Milliseconds since the epoch. Injected so token expiry can be tested without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => sleep(Math.max(0, ms));
