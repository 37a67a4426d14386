import {
  AuthenticationError,
  X3ConfigError,
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

export interface ClassifiedPostingError {
  /** transient: worth another attempt (nothing was applied, or a lookup by reference settles it); else a business/config result. */
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
 * Maps a posting failure to the result the operator sees. Permanent: X3 business-rule diagnoses (unbalanced,
 * inactive account, closed period, unknown supplier…), rejected credentials, unpublished class/representation,
 * invalid requests. Transient: pool exhaustion, 5xx, 429, timeouts, connection failures, malformed answers.
 */
export function classifyPostingError(error: unknown): ClassifiedPostingError {
  if (error instanceof InvalidPostingRequestError)
    return { transient: false, code: 'invalid-request', message: clip(error.message) };
  if (error instanceof TenantNotConfiguredError)
    return { transient: false, code: 'tenant-not-configured', message: clip(error.message) };
  if (error instanceof X3PoolExhaustedError)
    return { transient: true, code: 'x3-pool-exhausted', message: clip(error.message) };
  if (error instanceof X3NotFoundError)
    return { transient: false, code: 'x3-not-found', message: clip(x3Wording(error)) };
  if (error instanceof X3DiagnosesError) {
    return {
      transient: error.transient,
      code: error.transient ? 'x3-unavailable' : 'x3-rejected',
      message: clip(x3Wording(error)),
    };
  }
  if (error instanceof AuthenticationError) return { transient: false, code: 'x3-auth', message: clip(error.message) };
  if (error instanceof X3ConfigError) return { transient: false, code: 'x3-config', message: clip(error.message) };
  if (error instanceof X3TimeoutError) return { transient: true, code: 'x3-timeout', message: clip(error.message) };
  if (error instanceof X3NetworkError) return { transient: true, code: 'x3-network', message: clip(error.message) };
  // A malformed answer (e.g. 201 without the resource) may hide a committed document: retry, the lookup settles it.
  if (error instanceof X3ProtocolError) return { transient: true, code: 'x3-protocol', message: clip(error.message) };
  if (error instanceof X3HttpError) {
    return { transient: error.transient, code: `x3-http-${error.status ?? 'error'}`, message: clip(error.message) };
  }
  if (error instanceof X3Error) return { transient: error.transient, code: 'x3-error', message: clip(error.message) };
  // Unknown failures (bugs, Kafka hiccups inside the X3 step) get the bounded retries, then a visible 'failed'.
  return {
    transient: true,
    code: 'internal-error',
    message: clip(error instanceof Error ? error.message : String(error)),
  };
}

/** X3's own error messages (error severity and worse), falling back to every diagnosis, then the error text. */
function x3Wording(error: X3DiagnosesError): string {
  const errors = error.errorMessages.filter(Boolean);
  if (errors.length) return errors.join('; ');
  const all = error.diagnoses.map((d) => d.message).filter(Boolean);
  return all.length ? all.join('; ') : error.message;
}
