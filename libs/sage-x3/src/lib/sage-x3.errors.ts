/**
 * Typed errors of the Sage X3 client. Every error carries a `kind` — what the caller should do about it (see
 * classifyX3Answer and docs/x3-poster.md, "How Sage X3 answers are classified") — and X3's own diagnoses when the
 * answer had any. Messages never contain secrets (passwords, tokens, client secrets).
 */

export type X3Severity = 'info' | 'warning' | 'transient' | 'error' | 'fatal';

/**
 * - `business`: X3 judged the document and refused it (`error`/`fatal` diagnosis on a write): the document must
 *   change. Never retried blindly, never an auth problem, whatever the HTTP status.
 * - `transient`: not applied and may succeed later (pool exhausted, `transient` diagnosis, 503/429/408, a read's 5xx,
 *   network failure before anything was sent): retry with backoff.
 * - `unknown-outcome`: a write may have been committed although no success answer arrived (timeout or reset after
 *   sending, 5xx without a diagnosis): look the document up before posting again.
 * - `auth`: credentials refused (401 after one renewal, 403, token endpoint refusal).
 * - `config`: the request itself is wrong for this X3 (unknown class, representation, facet or property — including a
 *   `where` on an unknown property, which X3 answers with HTTP 500 —, malformed request, bad client configuration).
 * - `not-found`: the record addressed by key does not exist.
 */
export type X3ErrorKind = 'business' | 'transient' | 'unknown-outcome' | 'auth' | 'config' | 'not-found';

export interface X3Diagnosis {
  severity: X3Severity;
  message: string;
  /** `$sdataCode` (api1) or the GraphQL `extensions.code`. */
  code?: string;
  /** GraphQL diagnoses name the offending property. */
  path?: string[];
}

export interface X3ErrorOptions {
  /** The classification; when absent it is derived from `transient`/`outcomeUnknown` (older call sites). */
  kind?: X3ErrorKind;
  transient?: boolean;
  /** True when a write may have been applied although no success answer arrived. */
  outcomeUnknown?: boolean;
  status?: number;
  diagnoses?: X3Diagnosis[];
  cause?: unknown;
}

function kindOf(options: X3ErrorOptions, fallback: X3ErrorKind): X3ErrorKind {
  if (options.kind) return options.kind;
  if (options.outcomeUnknown) return 'unknown-outcome';
  if (options.transient) return 'transient';
  return fallback;
}

export class X3Error extends Error {
  readonly kind: X3ErrorKind;
  readonly status?: number;
  readonly diagnoses: X3Diagnosis[];

  constructor(message: string, options: X3ErrorOptions, fallbackKind: X3ErrorKind = 'config') {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kindOf(options, fallbackKind);
    this.status = options.status;
    this.diagnoses = options.diagnoses ?? [];
  }

  /** Worth another attempt (after backoff; after a lookup when the outcome is unknown). */
  get transient(): boolean {
    return this.kind === 'transient' || this.kind === 'unknown-outcome';
  }

  /** A write may have been committed: look it up before posting again. */
  get outcomeUnknown(): boolean {
    return this.kind === 'unknown-outcome';
  }
}

/** Invalid configuration: detected by the client before a call, or answered by X3 (unknown property, facet...). */
export class X3ConfigError extends X3Error {
  constructor(message: string, options: Omit<X3ErrorOptions, 'kind' | 'transient' | 'outcomeUnknown'> = {}) {
    super(message, { ...options, kind: 'config' });
  }
}

/** Credentials rejected (HTTP 401 after the one refresh-and-retry, 403, or the token endpoint refused them). */
export class AuthenticationError extends X3Error {
  constructor(message: string, status?: number) {
    super(message, { kind: 'auth', status });
  }
}

/**
 * This process may not refresh the shared OAuth2 credentials and no newer token arrived in time (the tenant's
 * owner is busy, restarting or rebalancing). Nothing was sent to X3: retry later.
 */
export class X3CredentialsUnavailableError extends X3Error {
  constructor(message: string) {
    super(message, { kind: 'transient' });
  }
}

/** The request did not complete within the configured time. A write may or may not have been applied. */
export class X3TimeoutError extends X3Error {
  constructor(message: string, outcomeUnknown: boolean) {
    super(message, { kind: outcomeUnknown ? 'unknown-outcome' : 'transient' });
  }
}

/** Connection refused/reset/DNS failure. `outcomeUnknown` is true when the request had already been sent. */
export class X3NetworkError extends X3Error {
  readonly code?: string;
  constructor(message: string, options: { code?: string; outcomeUnknown: boolean; cause?: unknown }) {
    super(message, { kind: options.outcomeUnknown ? 'unknown-outcome' : 'transient', cause: options.cause });
    this.code = options.code;
  }
}

/** A non-success HTTP answer without X3 diagnoses. */
export class X3HttpError extends X3Error {
  /** First characters of the body, for troubleshooting. */
  readonly bodySnippet: string;
  constructor(message: string, options: X3ErrorOptions & { bodySnippet?: string }) {
    super(message, options, 'config');
    this.bodySnippet = options.bodySnippet ?? '';
  }
}

/**
 * X3 answered with `$diagnoses` (api1) or `extensions.diagnoses` (GraphQL). `kind` says what they mean: `business`
 * for a rejected document, `transient` for a `transient` diagnosis, `config` for a refused query.
 */
export class X3DiagnosesError extends X3Error {
  /** The most severe diagnosis severity. */
  readonly severity: X3Severity;

  constructor(message: string, diagnoses: X3Diagnosis[], options: Omit<X3ErrorOptions, 'diagnoses'> = {}) {
    super(message, { ...options, diagnoses }, 'business');
    this.severity = mostSevere(diagnoses);
  }

  /** Messages of error-or-worse diagnoses (X3's own wording). */
  get errorMessages(): string[] {
    return this.diagnoses.filter((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK.error).map((d) => d.message);
  }
}

/** HTTP 500 "No Web services accepted": no free X3 process in the web-service pool. Not applied; retry later. */
export class X3PoolExhaustedError extends X3DiagnosesError {
  constructor(message: string, diagnoses: X3Diagnosis[], status: number) {
    super(message, diagnoses, { kind: 'transient', status });
  }
}

/** HTTP 404: unknown record (`not-found`), or unknown endpoint, class or representation (`config`). */
export class X3NotFoundError extends X3DiagnosesError {
  constructor(message: string, diagnoses: X3Diagnosis[], kind: 'not-found' | 'config' = 'config') {
    super(message, diagnoses, { kind, status: 404 });
  }
}

export interface X3GraphqlErrorEntry {
  message: string;
  path?: Array<string | number>;
  code?: string;
}

/** GraphQL answered with `errors` (syntax, validation) that carry no X3 diagnoses: the query is wrong. */
export class X3GraphqlError extends X3Error {
  readonly errors: X3GraphqlErrorEntry[];
  constructor(message: string, errors: X3GraphqlErrorEntry[], options: X3ErrorOptions) {
    super(message, options, 'config');
    this.errors = errors;
  }
}

/** The answer did not have the documented shape (missing Location, unparsable JSON, looping cursor...). */
export class X3ProtocolError extends X3Error {
  constructor(message: string, options: X3ErrorOptions = {}) {
    super(message, options, 'config');
  }
}

export const SEVERITY_RANK: Record<X3Severity, number> = { info: 0, warning: 1, transient: 2, error: 3, fatal: 4 };

export function mostSevere(diagnoses: X3Diagnosis[]): X3Severity {
  let worst: X3Severity = 'info';
  for (const d of diagnoses) if (SEVERITY_RANK[d.severity] > SEVERITY_RANK[worst]) worst = d.severity;
  return worst;
}

/**
 * Severity as X3 writes it: api1 uses words, Xtrem GraphQL may use its numeric ValidationSeverity
 * (0 test, 1 info, 2 warn, 3 error, 4 exception). An unknown word counts as `error` (never as retryable).
 */
export function normalizeSeverity(raw: unknown): X3Severity {
  if (typeof raw === 'number') return raw >= 4 ? 'fatal' : raw === 3 ? 'error' : raw === 2 ? 'warning' : 'info';
  const s = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (s === 'warn' || s === 'warning') return 'warning';
  if (s === 'transient') return 'transient';
  if (s === 'fatal' || s === 'exception') return 'fatal';
  if (s === 'info' || s === 'success' || s === 'test') return 'info';
  return 'error';
}

export function isX3Error(error: unknown): error is X3Error {
  return error instanceof X3Error;
}

export function isTransientX3Error(error: unknown): boolean {
  return error instanceof X3Error && error.transient;
}
