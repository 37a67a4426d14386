import { backoffDelayMs } from '@connector/util';
import type { ResolvedServiceTitanConfig } from './servicetitan.config';
import { ServiceTitanApiError, ServiceTitanNetworkError, ServiceTitanProtocolError } from './servicetitan.errors';
import { isRetryableStatus, isTimeout, parseRetryAfter } from './retry.policy';
import { AccessTokenProvider } from './access-token.provider';
import { ServiceTitanRateLimiterRegistry } from './rate-limiter.registry';
import type { TokenBucketRateLimiter } from './token-bucket.limiter';
import type { ServiceTitanModule } from './servicetitan.types';
import { serializeJsonBody } from './json-body.serializer';

/** Query values the client sends; arrays become repeated parameters, `undefined` is skipped. */
export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | undefined;
export type QueryParams = Record<string, QueryValue>;

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

/**
 * What a failed request may be retried on.
 * - `idempotent`: 429, 5xx, 408, network errors and timeouts (reads; PATCHes, which set the same state again);
 * - `rejected-only`: only answers given before the request was applied, i.e. 429 (and the 401 token refresh that
 *   every request gets). For POSTs: a timeout or a 5xx may come after the server applied the request, so they are
 *   surfaced with `writeOutcomeUnknown` instead of being sent again blindly.
 */
export type RetryMode = 'idempotent' | 'rejected-only';

export interface RequestOptions {
  query?: QueryParams;
  /** JSON body; `Decimal` values are written as exact JSON numbers (see serializeJsonBody). */
  body?: unknown;
  retry: RetryMode;
}

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
 * Sends authenticated requests for one tenant: the (app key, tenant) token bucket shared by every client of the
 * process, bearer token + app key, retries per RetryMode with backoff, and one token refresh + retry on a 401.
 * A 429 pauses the whole bucket for its Retry-After (or the backoff), so every client of the pair slows down.
 */
export class ServiceTitanHttpTransport {
  readonly tokens: AccessTokenProvider;
  readonly limiter: TokenBucketRateLimiter;

  constructor(private readonly config: ResolvedServiceTitanConfig) {
    this.tokens = new AccessTokenProvider(config);
    this.limiter = (config.rateLimiterRegistry ?? ServiceTitanRateLimiterRegistry.shared).limiterFor(
      config.appKey,
      config.tenantId,
      {
        ratePerSecond: config.maxRequestsPerSecond,
        burst: config.burst,
        jitterAllowanceMs: config.jitterAllowanceMs,
      },
    );
  }

  /** `GET {apiBaseUrl}/{module}/v2/tenant/{tenantId}/{resource}?query` returning the parsed JSON body. */
  get<T>(module: ServiceTitanModule, resource: string, query: QueryParams = {}): Promise<T> {
    return this.request<T>('GET', module, resource, { query, retry: 'idempotent' });
  }

  async request<T>(
    method: HttpMethod,
    module: ServiceTitanModule,
    resource: string,
    options: RequestOptions,
  ): Promise<T> {
    const path = `/${module}/v2/tenant/${this.config.tenantId}/${resource.replace(/^\/+/, '')}`;
    const url = this.config.apiBaseUrl + path + buildQueryString(options.query ?? {});
    const bodyText = options.body === undefined ? undefined : serializeJsonBody(options.body);
    const { retry } = this.config;
    let refreshedAfter401 = false;
    let attempts = 0;
    let retries = 0;
    for (;;) {
      const token = await this.tokens.getToken();
      await this.limiter.acquire();
      attempts++;
      const outcome = await this.attempt(method, url, token, bodyText);
      if (outcome.kind === 'ok') return outcome.body as T;

      if (outcome.kind === 'http' && outcome.status === 401 && !refreshedAfter401) {
        // The token may have expired server-side before our clock said so: refresh once (single flight), retry once.
        // A 401 is answered before the request is applied, so this is safe for writes too.
        refreshedAfter401 = true;
        await this.tokens.refreshAfterRejection(token);
        continue;
      }
      const rateLimited = outcome.kind === 'http' && outcome.status === 429;
      const backoff = backoffDelayMs(
        retries + 1,
        { initialMs: retry.baseDelayMs, maxMs: retry.maxDelayMs, jitter: 'equal' },
        this.config.random,
      );
      const delayMs =
        outcome.kind === 'http' && outcome.retryAfterMs !== undefined
          ? Math.min(outcome.retryAfterMs, retry.maxRetryAfterMs)
          : backoff;
      // The limit is per (app key, tenant): a 429 holds back every client of the pair (even when this request gives
      // up), and a retry waits in the bucket like everybody else. Other failures only delay this request.
      if (rateLimited) this.limiter.pauseFor(delayMs);
      const retryable =
        rateLimited ||
        (options.retry === 'idempotent' && (outcome.kind === 'network' || isRetryableStatus(outcome.status)));
      if (!retryable || retries >= retry.maxRetries) throw this.toError(method, outcome, path, attempts, options.retry);
      retries++;
      this.config.onRetry?.({ attempt: retries, delayMs, reason: describeOutcome(outcome), method, path });
      if (!rateLimited) await this.config.sleep(delayMs);
    }
  }

  private async attempt(
    method: HttpMethod,
    url: string,
    token: string,
    bodyText: string | undefined,
  ): Promise<AttemptOutcome> {
    let response: Response;
    let text: string;
    const headers: Record<string, string> = {
      'ST-App-Key': this.config.appKey,
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
    };
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json';
    try {
      response = await this.config.fetch(url, {
        method,
        headers,
        body: bodyText,
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
      // Reading the body is inside the try: a connection dropped mid-body is a network error too.
      text = await response.text();
    } catch (cause) {
      return { kind: 'network', cause, timedOut: isTimeout(cause) };
    }
    if (response.ok) {
      if (text.trim() === '') return { kind: 'ok', body: undefined };
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

  private toError(
    method: HttpMethod,
    outcome: Exclude<AttemptOutcome, { kind: 'ok' }>,
    path: string,
    attempts: number,
    mode: RetryMode,
  ): Error {
    // Only a non-idempotent write can leave the caller not knowing whether it took effect.
    const writeOutcomeUnknown = mode === 'rejected-only' && (outcome.kind === 'network' || outcome.status >= 500);
    if (outcome.kind === 'network') {
      return new ServiceTitanNetworkError({
        method,
        path,
        tenantId: this.config.tenantId,
        attempts,
        timedOut: outcome.timedOut,
        cause: outcome.cause,
        writeOutcomeUnknown,
      });
    }
    const body = outcome.body ?? {};
    return new ServiceTitanApiError({
      status: outcome.status,
      method,
      path,
      tenantId: this.config.tenantId,
      title: typeof body['title'] === 'string' ? body['title'] : undefined,
      type: typeof body['type'] === 'string' ? body['type'] : undefined,
      traceId: typeof body['traceId'] === 'string' ? body['traceId'] : undefined,
      errors: asFieldErrors(body['errors']),
      data: isRecord(body['data']) ? body['data'] : undefined,
      attempts,
      retryAfterSeconds: outcome.retryAfterSeconds,
      writeOutcomeUnknown,
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
