import { sleep as utilSleep } from '@connector/util';
import type { ServiceTitanRateLimiterRegistry } from './rate-limiter.registry';

export type ServiceTitanEnvironment = 'production' | 'integration';

/** Documented base URLs per environment. Overridable because the connector must be able to point at a simulator. */
export const SERVICETITAN_ENVIRONMENTS: Readonly<
  Record<ServiceTitanEnvironment, { authUrl: string; apiBaseUrl: string }>
> = {
  production: {
    authUrl: 'https://auth.servicetitan.io',
    apiBaseUrl: 'https://api.servicetitan.io',
  },
  integration: {
    authUrl: 'https://auth-integration.servicetitan.io',
    apiBaseUrl: 'https://api-integration.servicetitan.io',
  },
};

export interface ServiceTitanRetryConfig {
  /**
   * Retries after the first attempt. Reads and PATCHes retry 429, 5xx, network errors and timeouts; POSTs retry
   * only 429 (and one 401 token refresh), answers given before the request was applied. Default 6.
   */
  maxRetries?: number;
  /** First backoff step in ms (doubled per attempt, with jitter). Default 500. */
  baseDelayMs?: number;
  /** Upper bound of one computed backoff in ms. Default 30 000. */
  maxDelayMs?: number;
  /** Upper bound of a server-supplied Retry-After wait in ms; longer waits are clamped. Default 120 000. */
  maxRetryAfterMs?: number;
}

export interface ServiceTitanRetryEvent {
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  /** Path only: no query string, no credentials. */
  path: string;
}

export interface ServiceTitanClientConfig {
  /** Selects the documented base URLs; `authUrl`/`apiBaseUrl` override them. Default `production`. */
  environment?: ServiceTitanEnvironment;
  /** Auth server origin, e.g. `https://auth.servicetitan.io`. */
  authUrl?: string;
  /** Path of the token endpoint on `authUrl`. Default `/connect/token`. */
  tokenPath?: string;
  /** API origin, e.g. `https://api.servicetitan.io`. */
  apiBaseUrl?: string;
  tenantId: number;
  appKey: string;
  clientId: string;
  clientSecret: string;
  /** Per-attempt timeout of one HTTP request in ms. Default 110 000 (the server gives up after 100 s). */
  requestTimeoutMs?: number;
  /**
   * Requests per second for this (app key, tenant) pair, shared by every client of the pair in the process (the
   * API counts its limit per application and tenant). At most the API's 60. Default 60.
   */
  maxRequestsPerSecond?: number;
  /**
   * Token bucket burst size. Default 1: requests are spaced evenly. `burst - 1 + maxRequestsPerSecond` must stay
   * within 60, since that many requests may start in one second.
   */
  burst?: number;
  /**
   * Network jitter (ms) the pacing absorbs: `maxRequestsPerSecond` requests are spread over `1000 + this` ms, so a
   * request that reaches the server this much later than the next one cannot push the server's count over its
   * one-second limit. Default 25 (60 req/s paced as 58.5/s).
   */
  jitterAllowanceMs?: number;
  /**
   * Where the client takes its (app key, tenant) bucket from. Default `ServiceTitanRateLimiterRegistry.shared`,
   * the process-wide registry; tests inject their own (with a virtual clock).
   */
  rateLimiterRegistry?: ServiceTitanRateLimiterRegistry;
  /** Refresh the token this many seconds before `expires_in` runs out. Default 60. */
  tokenRefreshMarginSeconds?: number;
  retry?: ServiceTitanRetryConfig;
  /** Injectable for tests: token expiry and Retry-After dates are judged by it. Epoch milliseconds. */
  clock?: () => number;
  /**
   * Injectable for tests: backoff waits after 5xx/network errors go through it. Rate-limit waits (pacing and a
   * 429's Retry-After, which pauses the whole bucket) go through the registry's sleep.
   */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: jitter source in [0, 1). */
  random?: () => number;
  /** Injectable fetch (defaults to the global one). */
  fetch?: typeof fetch;
  /** Observability hook called before each retry wait. */
  onRetry?: (event: ServiceTitanRetryEvent) => void;
}

export interface ResolvedServiceTitanConfig {
  tokenUrl: string;
  apiBaseUrl: string;
  tenantId: number;
  appKey: string;
  clientId: string;
  clientSecret: string;
  requestTimeoutMs: number;
  maxRequestsPerSecond: number;
  burst: number;
  jitterAllowanceMs: number;
  tokenRefreshMarginMs: number;
  retry: Required<ServiceTitanRetryConfig>;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  fetch: typeof fetch;
  onRetry?: (event: ServiceTitanRetryEvent) => void;
  rateLimiterRegistry?: ServiceTitanRateLimiterRegistry;
}

/** ServiceTitan's documented limit: requests per second per application and tenant. */
export const SERVICETITAN_RATE_LIMIT_PER_SECOND = 60;

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`ServiceTitan config: ${name} is required`);
  return value;
}

function positiveNumber(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`ServiceTitan config: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return v;
}

/** Validates the config and fills defaults. Error messages name the field, never its value (secrets). */
export function resolveServiceTitanConfig(config: ServiceTitanClientConfig): ResolvedServiceTitanConfig {
  const env = SERVICETITAN_ENVIRONMENTS[config.environment ?? 'production'];
  if (!env) throw new RangeError('ServiceTitan config: environment must be production or integration');
  if (!Number.isSafeInteger(config.tenantId) || config.tenantId <= 0) {
    throw new RangeError('ServiceTitan config: tenantId must be a positive integer');
  }
  const maxRequestsPerSecond = positiveNumber(
    'maxRequestsPerSecond',
    config.maxRequestsPerSecond,
    SERVICETITAN_RATE_LIMIT_PER_SECOND,
  );
  if (maxRequestsPerSecond > SERVICETITAN_RATE_LIMIT_PER_SECOND) {
    throw new RangeError(
      `ServiceTitan config: maxRequestsPerSecond must not exceed the API limit of ${SERVICETITAN_RATE_LIMIT_PER_SECOND}`,
    );
  }
  const burst = Math.floor(positiveNumber('burst', config.burst, 1));
  if (burst < 1) throw new RangeError('ServiceTitan config: burst must be at least 1');
  if (burst - 1 + maxRequestsPerSecond > SERVICETITAN_RATE_LIMIT_PER_SECOND) {
    throw new RangeError(
      `ServiceTitan config: burst - 1 + maxRequestsPerSecond must not exceed the API limit of ${SERVICETITAN_RATE_LIMIT_PER_SECOND}`,
    );
  }
  const tokenPath = config.tokenPath ?? '/connect/token';
  return {
    tokenUrl:
      stripTrailingSlash(config.authUrl ?? env.authUrl) + (tokenPath.startsWith('/') ? tokenPath : `/${tokenPath}`),
    apiBaseUrl: stripTrailingSlash(config.apiBaseUrl ?? env.apiBaseUrl),
    tenantId: config.tenantId,
    appKey: requireText('appKey', config.appKey),
    clientId: requireText('clientId', config.clientId),
    clientSecret: requireText('clientSecret', config.clientSecret),
    requestTimeoutMs: positiveNumber('requestTimeoutMs', config.requestTimeoutMs, 110_000),
    maxRequestsPerSecond,
    burst,
    jitterAllowanceMs: positiveNumber('jitterAllowanceMs', config.jitterAllowanceMs, 25, true),
    tokenRefreshMarginMs:
      positiveNumber('tokenRefreshMarginSeconds', config.tokenRefreshMarginSeconds, 60, true) * 1000,
    retry: {
      maxRetries: Math.floor(positiveNumber('retry.maxRetries', config.retry?.maxRetries, 6, true)),
      baseDelayMs: positiveNumber('retry.baseDelayMs', config.retry?.baseDelayMs, 500, true),
      maxDelayMs: positiveNumber('retry.maxDelayMs', config.retry?.maxDelayMs, 30_000, true),
      maxRetryAfterMs: positiveNumber('retry.maxRetryAfterMs', config.retry?.maxRetryAfterMs, 120_000, true),
    },
    clock: config.clock ?? Date.now,
    sleep: config.sleep ?? ((ms: number) => utilSleep(ms)),
    random: config.random ?? Math.random,
    fetch: config.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    onRetry: config.onRetry,
    rateLimiterRegistry: config.rateLimiterRegistry,
  };
}
