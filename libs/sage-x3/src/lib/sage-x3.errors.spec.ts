import { collectSdataDiagnoses } from './sage-x3.client';
import { isTransientX3Error, normalizeSeverity, X3DiagnosesError, X3PoolExhaustedError } from './sage-x3.errors';

describe('X3 errors', () => {
  it('normalizes api1 words and Xtrem numeric severities', () => {
    expect(
      ['info', 'warning', 'warn', 'transient', 'error', 'fatal', 'exception', 3, 4, 2, 1].map(normalizeSeverity),
    ).toEqual([
      'info',
      'warning',
      'warning',
      'transient',
      'error',
      'fatal',
      'fatal',
      'error',
      'fatal',
      'warning',
      'info',
    ]);
  });

  it('collects $diagnoses from the root and from lines', () => {
    const body = {
      $diagnoses: [{ $severity: 'error', $message: 'Header problem', $sdataCode: 'X' }],
      GACCENTRYD: [{ ACC: '1', $diagnoses: [{ $severity: 'warning', $message: 'Line warning' }] }],
    };
    expect(collectSdataDiagnoses(body)).toEqual([
      { severity: 'error', message: 'Header problem', code: 'X' },
      { severity: 'warning', message: 'Line warning', code: undefined },
    ]);
  });

  it('knows which errors are transient and keeps the worst severity', () => {
    const pool = new X3PoolExhaustedError('pool', [{ severity: 'error', message: 'No Web services accepted' }], 500);
    const rule = new X3DiagnosesError(
      'rule',
      [
        { severity: 'warning', message: 'w' },
        { severity: 'error', message: 'e' },
      ],
      { transient: false, status: 400 },
    );
    expect(isTransientX3Error(pool)).toBe(true);
    expect(pool.outcomeUnknown).toBe(false);
    expect(isTransientX3Error(rule)).toBe(false);
    expect(rule.severity).toBe('error');
    expect(rule.errorMessages).toEqual(['e']);
    expect(isTransientX3Error(new Error('x'))).toBe(false);
  });
});
