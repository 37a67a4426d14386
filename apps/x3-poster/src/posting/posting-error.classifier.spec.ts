import {
  AuthenticationError,
  X3ConfigError,
  X3CredentialsUnavailableError,
  X3Error,
  X3DiagnosesError,
  X3HttpError,
  X3NetworkError,
  X3NotFoundError,
  X3PoolExhaustedError,
  X3ProtocolError,
  X3TimeoutError,
} from '@connector/sage-x3';
import { classifyPostingError, TenantNotConfiguredError, X3FieldsRefusedError } from './posting-error.classifier';
import { InvalidPostingRequestError } from './x3-payload.builder';

describe('classifyPostingError', () => {
  it("an X3 business-rule rejection is permanent and carries X3's own message", () => {
    const e = new X3DiagnosesError(
      'Sage X3 POST GACCENTRY (HTTP 400): …',
      [
        { severity: 'warning', message: 'Check the journal' },
        { severity: 'error', message: 'Entry is not balanced in currency USD: debit 100.00, credit 90.00' },
        { severity: 'error', message: 'Line 2: account 609000 is inactive' },
      ],
      { transient: false, status: 400 },
    );
    expect(classifyPostingError(e)).toEqual({
      transient: false,
      code: 'x3-rejected',
      message: 'Entry is not balanced in currency USD: debit 100.00, credit 90.00; Line 2: account 609000 is inactive',
    });
  });

  it.each([
    [
      'pool exhausted',
      new X3PoolExhaustedError('pool', [{ severity: 'error', message: 'No Web services accepted' }], 500),
      'x3-pool-exhausted',
    ],
    ['timeout (unknown outcome)', new X3TimeoutError('timed out', true), 'x3-timeout'],
    ['connection reset', new X3NetworkError('reset', { code: 'ECONNRESET', outcomeUnknown: true }), 'x3-network'],
    ['HTTP 503', new X3HttpError('unavailable', { transient: true, status: 503 }), 'x3-http-503'],
    [
      'a transient diagnosis (HTTP 500)',
      new X3DiagnosesError('busy', [{ severity: 'transient', message: 'Record locked, try again' }], {
        kind: 'transient',
        status: 500,
      }),
      'x3-unavailable',
    ],
    [
      'a write whose outcome is unknown (bare 5xx)',
      new X3HttpError('bare 500', { kind: 'unknown-outcome', status: 500 }),
      'x3-http-500',
    ],
    [
      'an unknown outcome whose settling lookup failed',
      new X3Error('lookup failed after a lost answer', { kind: 'unknown-outcome' }),
      'x3-outcome-unknown',
    ],
    ['no valid shared token in time', new X3CredentialsUnavailableError('owner busy'), 'x3-credentials-unavailable'],
    ['malformed create answer', new X3ProtocolError('no Location', { kind: 'unknown-outcome' }), 'x3-protocol'],
    ['unknown failure', new Error('socket hang up somewhere'), 'internal-error'],
  ])('%s is transient', (_name, error, code) => {
    const c = classifyPostingError(error);
    expect(c.transient).toBe(true);
    expect(c.code).toBe(code);
  });

  it.each([
    [
      'a business rejection answered with HTTP 500 (error diagnosis)',
      new X3DiagnosesError('x', [{ severity: 'error', message: 'Period closed' }], { kind: 'business', status: 500 }),
      'x3-rejected',
    ],
    ['rejected credentials', new AuthenticationError('Sage X3 rejected the basic credentials', 401), 'x3-auth'],
    [
      'a lookup on a field the representation lacks (HTTP 500 + error diagnosis on a read)',
      new X3ConfigError("Sage X3 GET PINVOICE (HTTP 500): Property 'REF' does not exist in representation PINVOICE", {
        status: 500,
      }),
      'x3-config',
    ],
    ['a field refused by the start-up check', new X3FieldsRefusedError('acme', 'no field BPRVCR'), 'x3-config'],
    ['bad configuration', new X3ConfigError('folder must be…'), 'x3-config'],
    [
      'unpublished class',
      new X3NotFoundError('404', [{ severity: 'error', message: 'Representation ZGACC not found' }]),
      'x3-not-found',
    ],
    ['HTTP 403', new X3HttpError('forbidden', { transient: false, status: 403 }), 'x3-http-403'],
    ['invalid request', new InvalidPostingRequestError('line 1 amount must be positive'), 'invalid-request'],
    ['unknown tenant', new TenantNotConfiguredError('nobody'), 'tenant-not-configured'],
  ])('%s is permanent', (_name, error, code) => {
    const c = classifyPostingError(error);
    expect(c).toMatchObject({ transient: false, code });
  });

  it('a config error keeps the message naming the field', () => {
    const c = classifyPostingError(
      new X3ConfigError("Sage X3 GET PINVOICE (HTTP 500): Property 'REF' does not exist in representation PINVOICE"),
    );
    expect(c.message).toMatch(/Property 'REF' does not exist/);
  });

  it('the X3 wording of a 404 is kept', () => {
    expect(
      classifyPostingError(new X3NotFoundError('x', [{ severity: 'error', message: 'Representation ZGACC not found' }]))
        .message,
    ).toBe('Representation ZGACC not found');
  });
});
