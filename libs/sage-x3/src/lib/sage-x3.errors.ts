/**
 * Typed errors of the Sage X3 client. Every error says whether it is transient (worth retrying) and whether
 * the outcome of a write is unknown (the request may have been committed although no answer came back).
 * Messages never contain secrets (passwords, tokens, client secrets).
 */

export type X3Severity = 'info' | 'warning' | 'transient' | 'error' | 'fatal';

export interface X3Diagnosis {
  severity: X3Severity;
  message: string;
  /** `$sdataCode` (api1) or the GraphQL `extensions.code`. */
  code?: string;
  /** GraphQL diagnoses name the offending property. */
  path?: string[];
}

export interface X3ErrorOptions {
  transient: boolean;
  /** True when a write may have been applied although no success answer arrived. */
  outcomeUnknown?: boolean;
  status?: number;
  cause?: unknown;
}

export class X3Error extends Error {
  readonly transient: boolean;
  readonly outcomeUnknown: boolean;
  readonly status?: number;

  constructor(message: string, options: X3ErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.transient = options.transient;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.status = options.status;
  }
}

/** Invalid client configuration, detected before any call. */
export class X3ConfigError extends X3Error {
  constructor(message: string) {
    super(message, { transient: false });
  }
}

/** Credentials rejected (HTTP 401 after the one refresh-and-retry, or the token endpoint refused them). */
export class AuthenticationError extends X3Error {
  constructor(message: string, status?: number) {
    super(message, { transient: false, status });
  }
}

/** The request did not complete within the configured time. A write may or may not have been applied. */
export class X3TimeoutError extends X3Error {
  constructor(message: string, outcomeUnknown: boolean) {
    super(message, { transient: true, outcomeUnknown });
  }
}

/** Connection refused/reset/DNS failure. `outcomeUnknown` is true when the request had already been sent. */
export class X3NetworkError extends X3Error {
  readonly code?: string;
  constructor(message: string, options: { code?: string; outcomeUnknown: boolean; cause?: unknown }) {
    super(message, { transient: true, outcomeUnknown: options.outcomeUnknown, cause: options.cause });
    this.code = options.code;
  }
}

/** A non-success HTTP answer without X3 diagnoses. */
export class X3HttpError extends X3Error {
  /** First characters of the body, for troubleshooting. */
  readonly bodySnippet: string;
  constructor(message: string, options: X3ErrorOptions & { bodySnippet?: string }) {
    super(message, options);
    this.bodySnippet = options.bodySnippet ?? '';
  }
}

/** X3 answered with `$diagnoses` (api1) or `extensions.diagnoses` (GraphQL): business rules rejected the request. */
export class X3DiagnosesError extends X3Error {
  readonly diagnoses: X3Diagnosis[];
  /** The most severe diagnosis severity. */
  readonly severity: X3Severity;

  constructor(message: string, diagnoses: X3Diagnosis[], options: X3ErrorOptions) {
    super(message, options);
    this.diagnoses = diagnoses;
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
    super(message, diagnoses, { transient: true, outcomeUnknown: false, status });
  }
}

/** Unknown class, representation or key (HTTP 404). */
export class X3NotFoundError extends X3DiagnosesError {
  constructor(message: string, diagnoses: X3Diagnosis[]) {
    super(message, diagnoses, { transient: false, status: 404 });
  }
}

export interface X3GraphqlErrorEntry {
  message: string;
  path?: Array<string | number>;
  code?: string;
}

/** GraphQL answered with `errors` (syntax, validation) that carry no X3 diagnoses. */
export class X3GraphqlError extends X3Error {
  readonly errors: X3GraphqlErrorEntry[];
  constructor(message: string, errors: X3GraphqlErrorEntry[], options: X3ErrorOptions) {
    super(message, options);
    this.errors = errors;
  }
}

/** The answer did not have the documented shape (missing Location, unparsable JSON, looping cursor...). */
export class X3ProtocolError extends X3Error {
  constructor(message: string, options: Partial<X3ErrorOptions> = {}) {
    super(message, {
      transient: options.transient ?? false,
      outcomeUnknown: options.outcomeUnknown,
      status: options.status,
    });
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
 * (0 test, 1 info, 2 warn, 3 error, 4 exception).
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
