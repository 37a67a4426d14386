/** How a retry waits: exponential steps from initialMs, capped at maxMs, optionally jittered. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /**
   * 'none': the exact step (the consumer loop: predictable, tested to the millisecond).
   * 'equal': half the step fixed, half random, so many callers' retries spread out yet each waits at least half
   * (the API clients, where many processes retry the same server).
   */
  jitter?: 'none' | 'equal';
}

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  if ((policy.jitter ?? 'none') === 'none') return step;
  return Math.round(step / 2 + random() * (step / 2));
}

/** Resolves after ms, or early (rejecting with the signal's reason) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions extends BackoffPolicy {
  /** Total tries including the first. */
  attempts: number;
  /** Whether this failure is worth another try (default: every error). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** A server-given wait (e.g. Retry-After) that overrides the computed delay when present. */
  delayOverrideMs?: (error: unknown) => number | undefined;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Runs fn until it succeeds, the failure is not retryable, or the attempts are spent (the last error is thrown).
 * One retry loop for the project: API clients, admin calls during leader elections, pull and poll cycles.
 */
export async function retryAsync<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !(options.shouldRetry?.(error, attempt) ?? true)) throw error;
      const delayMs = options.delayOverrideMs?.(error) ?? backoffDelayMs(attempt, options, options.random);
      options.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs);
    }
  }
}
