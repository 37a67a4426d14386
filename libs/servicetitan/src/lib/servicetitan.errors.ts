/**
 * Typed errors of the ServiceTitan client. Messages carry the method, path (never the query string, which may hold
 * ids only, nor headers or credentials), status and the API's RFC 7807 title.
 */
export class ServiceTitanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ServiceTitanApiErrorDetails {
  status: number;
  method: string;
  path: string;
  tenantId: number;
  title?: string;
  type?: string;
  traceId?: string;
  errors?: Record<string, string[]>;
  data?: Record<string, unknown>;
  /** Attempts made, including the first. */
  attempts: number;
  /** Seconds from Retry-After when the API sent one (429/503). */
  retryAfterSeconds?: number;
  /** See ServiceTitanApiError.writeOutcomeUnknown. */
  writeOutcomeUnknown?: boolean;
}

/** A non-2xx answer of the ServiceTitan API (after retries were exhausted, or for a non-retryable status). */
export class ServiceTitanApiError extends ServiceTitanError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly tenantId: number;
  readonly title?: string;
  readonly type?: string;
  readonly traceId?: string;
  readonly errors: Record<string, string[]>;
  readonly data: Record<string, unknown>;
  readonly attempts: number;
  readonly retryAfterSeconds?: number;
  /**
   * True when a POST (not retried automatically) failed in a way that may come after the server applied it (a 5xx):
   * the caller must check (e.g. list by externalData) before sending it again.
   */
  readonly writeOutcomeUnknown: boolean;

  constructor(details: ServiceTitanApiErrorDetails) {
    const title = details.title ? `: ${details.title}` : '';
    const fieldErrors = details.errors ? Object.entries(details.errors) : [];
    const fields = fieldErrors.length
      ? ` (${fieldErrors.map(([field, messages]) => `${field}: ${messages.join('; ')}`).join(', ')})`
      : '';
    const trace = details.traceId ? ` [traceId ${details.traceId}]` : '';
    super(
      `ServiceTitan ${details.method} ${details.path} (tenant ${details.tenantId}) failed with HTTP ${details.status}${title}${fields}${trace} after ${details.attempts} attempt(s)`,
    );
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.tenantId = details.tenantId;
    this.title = details.title;
    this.type = details.type;
    this.traceId = details.traceId;
    this.errors = details.errors ?? {};
    this.data = details.data ?? {};
    this.attempts = details.attempts;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.writeOutcomeUnknown = details.writeOutcomeUnknown ?? false;
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

/** The token endpoint refused the client credentials or answered unexpectedly. */
export class ServiceTitanAuthError extends ServiceTitanError {
  readonly status?: number;
  /** OAuth error code, e.g. `invalid_client`. */
  readonly oauthError?: string;
  readonly tenantId: number;

  constructor(args: {
    tenantId: number;
    status?: number;
    oauthError?: string;
    description?: string;
    reason?: string;
    cause?: unknown;
  }) {
    const parts = [
      `ServiceTitan token request for tenant ${args.tenantId} failed`,
      args.status !== undefined ? ` with HTTP ${args.status}` : '',
      args.oauthError ? `: ${args.oauthError}` : '',
      args.description ? ` (${args.description})` : '',
      args.reason ? `: ${args.reason}` : '',
      args.oauthError === 'invalid_client' ? ' - check the client id and client secret of this tenant' : '',
    ];
    super(parts.join(''), { cause: args.cause });
    this.status = args.status;
    this.oauthError = args.oauthError;
    this.tenantId = args.tenantId;
  }
}

/** Network failure or timeout that persisted through every retry. */
export class ServiceTitanNetworkError extends ServiceTitanError {
  readonly method: string;
  readonly path: string;
  readonly tenantId: number;
  readonly attempts: number;
  readonly timedOut: boolean;
  /** True for a POST that timed out or lost its connection: it may have been applied (not retried blindly). */
  readonly writeOutcomeUnknown: boolean;

  constructor(args: {
    method: string;
    path: string;
    tenantId: number;
    attempts: number;
    timedOut: boolean;
    cause?: unknown;
    writeOutcomeUnknown?: boolean;
  }) {
    const what = args.timedOut ? 'timed out' : `network error${describeCause(args.cause)}`;
    super(
      `ServiceTitan ${args.method} ${args.path} (tenant ${args.tenantId}) ${what} after ${args.attempts} attempt(s)`,
      {
        cause: args.cause,
      },
    );
    this.method = args.method;
    this.path = args.path;
    this.tenantId = args.tenantId;
    this.attempts = args.attempts;
    this.timedOut = args.timedOut;
    this.writeOutcomeUnknown = args.writeOutcomeUnknown ?? false;
  }
}

/** The API answered 2xx with a body that is not the documented JSON. */
export class ServiceTitanProtocolError extends ServiceTitanError {}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const inner = (cause as Error & { cause?: unknown }).cause;
  const code = inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : '';
  return `: ${cause.message}${code ? ` (${code})` : ''}`;
}
