import {
  AuthenticationError,
  X3ConfigError,
  X3DiagnosesError,
  X3HttpError,
  X3NetworkError,
  X3NotFoundError,
  X3PoolExhaustedError,
  X3ProtocolError,
  X3TimeoutError,
} from '@connector/sage-x3';
import { classifyPostingError, TenantNotConfiguredError } from './posting-error.classifier';
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
      '5xx with diagnoses',
      new X3DiagnosesError('boom', [{ severity: 'error', message: 'Internal server error' }], {
        transient: true,
        outcomeUnknown: true,
        status: 500,
      }),
      'x3-unavailable',
    ],
    ['malformed answer', new X3ProtocolError('no Location'), 'x3-protocol'],
    ['unknown failure', new Error('socket hang up somewhere'), 'internal-error'],
  ])('%s is transient', (_name, error, code) => {
    const c = classifyPostingError(error);
    expect(c.transient).toBe(true);
    expect(c.code).toBe(code);
  });

  it.each([
    ['rejected credentials', new AuthenticationError('Sage X3 rejected the basic credentials', 401), 'x3-auth'],
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

  it('the X3 wording of a 404 is kept', () => {
    expect(
      classifyPostingError(new X3NotFoundError('x', [{ severity: 'error', message: 'Representation ZGACC not found' }]))
        .message,
    ).toBe('Representation ZGACC not found');
  });
});
