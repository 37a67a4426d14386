import type { ResolvedServiceTitanConfig } from './servicetitan.config';
import { ServiceTitanAuthError } from './servicetitan.errors';
import { retryAsync } from '@connector/util';
import { isRetryableStatus, isTimeout, parseRetryAfter } from './retry.policy';

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token is treated as stale (expires_in minus the refresh margin). */
  refreshAtMs: number;
}

/**
 * OAuth2 client-credentials token cache of one tenant. One refresh at a time (single flight): concurrent callers
 * that find the token stale, or that got a 401 with the same token, all wait for the same token request.
 */
export class AccessTokenProvider {
  private current?: CachedToken;
  private inflight?: Promise<string>;
  private requests = 0;

  constructor(private readonly config: ResolvedServiceTitanConfig) {}

  /** Number of token requests sent so far (observability and tests). */
  get tokenRequestCount(): number {
    return this.requests;
  }

  async getToken(): Promise<string> {
    const cached = this.current;
    if (cached && this.config.clock() < cached.refreshAtMs) return cached.accessToken;
    return this.refresh();
  }

  /**
   * Called after a 401 with `rejectedToken`. Refreshes only if that token is still the cached one; if another call
   * already replaced it, the newer token is returned without a new request.
   */
  async refreshAfterRejection(rejectedToken: string): Promise<string> {
    if (this.current && this.current.accessToken !== rejectedToken && this.config.clock() < this.current.refreshAtMs) {
      return this.current.accessToken;
    }
    if (this.current?.accessToken === rejectedToken) this.current = undefined;
    return this.refresh();
  }

  /** Drops the cached token (e.g. after rotating the client secret). */
  invalidate(): void {
    this.current = undefined;
  }

  private refresh(): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.requestToken().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async requestToken(): Promise<string> {
    const { retry } = this.config;
    try {
      return await retryAsync(
        async () => {
          const outcome = await this.attemptTokenRequest();
          if (outcome.kind === 'token') return outcome.token;
          throw new TokenAttemptFailure(outcome.error, outcome.retryable, outcome.retryAfterMs);
        },
        {
          attempts: retry.maxRetries + 1,
          initialMs: retry.baseDelayMs,
          maxMs: retry.maxDelayMs,
          jitter: 'equal',
          shouldRetry: (error) => error instanceof TokenAttemptFailure && error.retryable,
          delayOverrideMs: (error) =>
            error instanceof TokenAttemptFailure && error.retryAfterMs !== undefined
              ? Math.min(error.retryAfterMs, retry.maxRetryAfterMs)
              : undefined,
          onRetry: ({ attempt, delayMs, error }) =>
            this.config.onRetry?.({
              attempt,
              delayMs,
              reason: error instanceof TokenAttemptFailure ? error.authError.message : String(error),
              method: 'POST',
              path: new URL(this.config.tokenUrl).pathname,
            }),
          sleep: this.config.sleep,
          random: this.config.random,
        },
      );
    } catch (error) {
      throw error instanceof TokenAttemptFailure ? error.authError : error;
    }
  }

  private async attemptTokenRequest(): Promise<
    | { kind: 'token'; token: string }
    | {
        kind: 'error';
        error: ServiceTitanAuthError;
        retryable: boolean;
        retryAfterMs?: number;
      }
  > {
    const { clientId, clientSecret, tenantId } = this.config;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    const requestedAt = this.config.clock();
    this.requests++;
    let response: Response;
    try {
      response = await this.config.fetch(this.config.tokenUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: body.toString(),
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
    } catch (cause) {
      return {
        kind: 'error',
        retryable: true,
        error: new ServiceTitanAuthError({
          tenantId,
          reason: isTimeout(cause) ? 'timed out' : 'network error',
          cause,
        }),
      };
    }
    const text = await response.text().catch(() => '');
    const json = safeJson(text);
    if (!response.ok) {
      const oauthError = typeof json?.['error'] === 'string' ? json['error'] : undefined;
      const description = typeof json?.['error_description'] === 'string' ? json['error_description'] : undefined;
      return {
        kind: 'error',
        retryable: isRetryableStatus(response.status),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.config.clock()),
        error: new ServiceTitanAuthError({
          tenantId,
          status: response.status,
          oauthError,
          description,
        }),
      };
    }
    const accessToken = json?.['access_token'];
    const expiresIn = json?.['expires_in'];
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      return {
        kind: 'error',
        retryable: false,
        error: new ServiceTitanAuthError({
          tenantId,
          status: response.status,
          reason: 'response has no access_token/expires_in',
        }),
      };
    }
    const lifetimeMs = expiresIn * 1000;
    // A margin larger than half the lifetime would make every token stale on arrival (short-lived test tokens).
    const marginMs = Math.min(this.config.tokenRefreshMarginMs, lifetimeMs / 2);
    this.current = {
      accessToken,
      refreshAtMs: requestedAt + lifetimeMs - marginMs,
    };
    return { kind: 'token', token: accessToken };
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** One failed token attempt inside the retry loop; unwrapped to its ServiceTitanAuthError when retries end. */
class TokenAttemptFailure extends Error {
  constructor(
    readonly authError: ServiceTitanAuthError,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(authError.message);
  }
}
