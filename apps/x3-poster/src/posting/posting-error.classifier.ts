import {
  X3CredentialsUnavailableError,
  X3DiagnosesError,
  X3Error,
  X3HttpError,
  X3NetworkError,
  X3NotFoundError,
  X3PoolExhaustedError,
  X3ProtocolError,
  X3TimeoutError,
} from '@connector/sage-x3';
import { InvalidPostingRequestError } from './x3-payload.builder';

/** The request names a tenant this deployment does not serve. */
export class TenantNotConfiguredError extends Error {
  constructor(tenant: string) {
    super(`tenant "${tenant}" is not configured in this deployment's tenants file`);
    this.name = 'TenantNotConfiguredError';
  }
}

/** The tenant's configured X3 fields for this document class do not match its X3 (the start-up field check). */
export class X3FieldsRefusedError extends Error {
  constructor(tenant: string, problems: string) {
    super(`tenant ${tenant} refused by the Sage X3 field check: ${problems}`);
    this.name = 'X3FieldsRefusedError';
  }
}

export interface ClassifiedPostingError {
  /** transient: worth another attempt (nothing was applied, or a lookup settles it); else a business/config result. */
  transient: boolean;
  code: string;
  /** For X3 rejections, X3's own wording (what the operator needs to fix the source or master data). */
  message: string;
}

const MAX_MESSAGE = 2000;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/**
 * Maps a posting failure to the result the operator sees, by the client's `X3Error.kind` (HTTP status and
 * `$diagnoses[].$severity`, see docs/x3-poster.md "How Sage X3 answers are classified"):
 * - `business` → failed `x3-rejected` at once, with X3's own messages (the document must change);
 * - `auth` → failed `x3-auth` (never retried; never used for a business rejection);
 * - `config` / `not-found` → failed `x3-config` / `x3-not-found`, the message naming the field or representation;
 * - `transient` → retried (`x3-pool-exhausted`, `x3-unavailable`, `x3-timeout`, `x3-network`, `x3-http-<status>`…);
 * - `unknown-outcome` → retried, and the next attempt looks the document up before anything else
 *   (`x3-outcome-unknown`, or the transport's own code); never published as failed while the document may exist.
 */
export function classifyPostingError(error: unknown): ClassifiedPostingError {
  if (error instanceof InvalidPostingRequestError)
    return { transient: false, code: 'invalid-request', message: clip(error.message) };
  if (error instanceof TenantNotConfiguredError)
    return { transient: false, code: 'tenant-not-configured', message: clip(error.message) };
  if (error instanceof X3FieldsRefusedError)
    return { transient: false, code: 'x3-config', message: clip(error.message) };
  if (!(error instanceof X3Error)) {
    // Unknown failures (bugs, Kafka hiccups inside the X3 step) get the bounded retries, then a visible 'failed'.
    return {
      transient: true,
      code: 'internal-error',
      message: clip(error instanceof Error ? error.message : String(error)),
    };
  }
  const message = clip(error instanceof X3DiagnosesError ? x3Wording(error) : error.message);
  switch (error.kind) {
    case 'business':
      return { transient: false, code: 'x3-rejected', message };
    case 'auth':
      return { transient: false, code: 'x3-auth', message };
    case 'not-found':
      return { transient: false, code: 'x3-not-found', message };
    case 'config':
      return {
        transient: false,
        code:
          error instanceof X3NotFoundError
            ? 'x3-not-found'
            : error instanceof X3HttpError && error.status
              ? `x3-http-${error.status}`
              : 'x3-config',
        message,
      };
    case 'transient':
    case 'unknown-outcome':
      return { transient: true, code: transientCode(error), message };
  }
}

function transientCode(error: X3Error): string {
  if (error instanceof X3PoolExhaustedError) return 'x3-pool-exhausted';
  if (error instanceof X3CredentialsUnavailableError) return 'x3-credentials-unavailable';
  if (error instanceof X3TimeoutError) return 'x3-timeout';
  if (error instanceof X3NetworkError) return 'x3-network';
  // A malformed answer (e.g. 201 without the resource) may hide a committed document: the lookup settles it.
  if (error instanceof X3ProtocolError) return 'x3-protocol';
  if (error instanceof X3DiagnosesError)
    return error.kind === 'unknown-outcome' ? 'x3-outcome-unknown' : 'x3-unavailable';
  if (error instanceof X3HttpError) return `x3-http-${error.status ?? 'error'}`;
  return error.kind === 'unknown-outcome' ? 'x3-outcome-unknown' : 'x3-unavailable';
}

/** X3's own error messages (error severity and worse), falling back to every diagnosis, then the error text. */
function x3Wording(error: X3DiagnosesError): string {
  const errors = error.errorMessages.filter(Boolean);
  if (errors.length) return errors.join('; ');
  const all = error.diagnoses.map((d) => d.message).filter(Boolean);
  return all.length ? all.join('; ') : error.message;
}
