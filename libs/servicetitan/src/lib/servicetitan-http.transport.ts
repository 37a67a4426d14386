import type { ResolvedServiceTitanConfig } from './servicetitan.config';
import { ServiceTitanApiError, ServiceTitanNetworkError, ServiceTitanProtocolError } from './servicetitan.errors';
import { computeBackoffMs, isRetryableStatus, isTimeout, parseRetryAfter } from './retry.policy';
import { AccessTokenProvider } from './access-token.provider';
import { TokenBucketRateLimiter } from './token-bucket.limiter';
import type { ServiceTitanModule } from './servicetitan.types';

/** Query values the client sends; arrays become repeated parameters, `undefined` is skipped. */
export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | undefined;
export type QueryParams = Record<string, QueryValue>;

type AttemptOutcome =
  | { kind: 'ok'; body: unknown }
  | {
      kind: 'http';
      status: number;
      body: Record<string, unknown> | undefined;
      retryAfterMs?: number;
      retryAfterSeconds?: number;
    }
  | { kind: 'network'; cause: unknown; timedOut: boolean };

/**
 * Sends authenticated GET requests for one tenant: rate limit, bearer token + app key, retry with backoff for
 * 429/5xx/network errors/timeouts, and one token refresh + retry on a 401.
 */
export class ServiceTitanHttpTransport {
  readonly tokens: AccessTokenProvider;
  readonly limiter: TokenBucketRateLimiter;

  constructor(
    private readonly config: ResolvedServiceTitanConfig,
    limiter?: TokenBucketRateLimiter,
  ) {
    this.tokens = new AccessTokenProvider(config);
    // The limiter paces real requests, so it runs on real time even when tests inject a clock/sleep for retries.
    this.limiter =
      limiter ??
      new TokenBucketRateLimiter({
        ratePerSecond: config.maxRequestsPerSecond,
        burst: config.burst,
      });
  }

  /** `GET {apiBaseUrl}/{module}/v2/tenant/{tenantId}/{resource}?query` returning the parsed JSON body. */
  async get<T>(module: ServiceTitanModule, resource: string, query: QueryParams = {}): Promise<T> {
    const path = `/${module}/v2/tenant/${this.config.tenantId}/${resource.replace(/^\/+/, '')}`;
    const url = this.config.apiBaseUrl + path + buildQueryString(query);
    const { retry } = this.config;
    let refreshedAfter401 = false;
    let attempts = 0;
    let retries = 0;
    for (;;) {
      const token = await this.tokens.getToken();
      await this.limiter.acquire();
      attempts++;
      const outcome = await this.attempt(url, token);
      if (outcome.kind === 'ok') return outcome.body as T;

      if (outcome.kind === 'http' && outcome.status === 401 && !refreshedAfter401) {
        // The token may have expired server-side before our clock said so: refresh once (single flight), retry once.
        refreshedAfter401 = true;
        await this.tokens.refreshAfterRejection(token);
        continue;
      }
      const retryable = outcome.kind === 'network' || isRetryableStatus(outcome.status);
      if (!retryable || retries >= retry.maxRetries) throw this.toError(outcome, path, attempts);
      retries++;
      const delayMs =
        outcome.kind === 'http' && outcome.retryAfterMs !== undefined
          ? Math.min(outcome.retryAfterMs, retry.maxRetryAfterMs)
          : computeBackoffMs(retries, retry.baseDelayMs, retry.maxDelayMs, this.config.random);
      this.config.onRetry?.({
        attempt: retries,
        delayMs,
        reason: describeOutcome(outcome),
        method: 'GET',
        path,
      });
      await this.config.sleep(delayMs);
    }
  }

  private async attempt(url: string, token: string): Promise<AttemptOutcome> {
    let response: Response;
    let text: string;
    try {
      response = await this.config.fetch(url, {
        method: 'GET',
        headers: {
          'ST-App-Key': this.config.appKey,
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
      // Reading the body is inside the try: a connection dropped mid-body is a network error too.
      text = await response.text();
    } catch (cause) {
      return { kind: 'network', cause, timedOut: isTimeout(cause) };
    }
    if (response.ok) {
      try {
        return { kind: 'ok', body: JSON.parse(text) as unknown };
      } catch (cause) {
        throw new ServiceTitanProtocolError(
          `ServiceTitan answered HTTP ${response.status} with a body that is not JSON`,
          { cause },
        );
      }
    }
    const retryAfterHeader = response.headers.get('retry-after');
    const retryAfterMs = parseRetryAfter(retryAfterHeader, this.config.clock());
    return {
      kind: 'http',
      status: response.status,
      body: parseObject(text),
      retryAfterMs,
      retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
    };
  }

  private toError(outcome: Exclude<AttemptOutcome, { kind: 'ok' }>, path: string, attempts: number): Error {
    if (outcome.kind === 'network') {
      return new ServiceTitanNetworkError({
        method: 'GET',
        path,
        tenantId: this.config.tenantId,
        attempts,
        timedOut: outcome.timedOut,
        cause: outcome.cause,
      });
    }
    const body = outcome.body ?? {};
    return new ServiceTitanApiError({
      status: outcome.status,
      method: 'GET',
      path,
      tenantId: this.config.tenantId,
      title: typeof body['title'] === 'string' ? body['title'] : undefined,
      type: typeof body['type'] === 'string' ? body['type'] : undefined,
      traceId: typeof body['traceId'] === 'string' ? body['traceId'] : undefined,
      errors: asFieldErrors(body['errors']),
      data: isRecord(body['data']) ? body['data'] : undefined,
      attempts,
      retryAfterSeconds: outcome.retryAfterSeconds,
    });
  }
}

export function buildQueryString(query: QueryParams): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(key, String(item));
    } else if (value instanceof Date) {
      params.append(key, value.toISOString());
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function describeOutcome(outcome: Exclude<AttemptOutcome, { kind: 'ok' }>): string {
  if (outcome.kind === 'network') return outcome.timedOut ? 'timeout' : 'network error';
  return `HTTP ${outcome.status}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function asFieldErrors(value: unknown): Record<string, string[]> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(value)) {
    if (Array.isArray(messages)) out[field] = messages.map((m) => String(m));
  }
  return out;
}
