import { collectSdataDiagnoses } from './sage-x3.client';
import {
  AuthenticationError,
  isTransientX3Error,
  normalizeSeverity,
  X3ConfigError,
  X3DiagnosesError,
  X3HttpError,
  X3NetworkError,
  X3PoolExhaustedError,
  X3TimeoutError,
} from './sage-x3.errors';

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

  it('derives transient and outcomeUnknown from the kind, and the kind from older options', () => {
    const cases: Array<[Error & { kind: string; transient: boolean; outcomeUnknown: boolean }, string]> = [
      [new X3DiagnosesError('rule', [{ severity: 'error', message: 'e' }], { status: 500 }), 'business'],
      [
        new X3DiagnosesError('t', [{ severity: 'transient', message: 't' }], { kind: 'transient', status: 503 }),
        'transient',
      ],
      [new X3HttpError('legacy', { transient: true, outcomeUnknown: true, status: 500 }), 'unknown-outcome'],
      [new X3HttpError('legacy', { transient: true, status: 503 }), 'transient'],
      [new X3HttpError('legacy', { transient: false, status: 400 }), 'config'],
      [new X3TimeoutError('sent', true), 'unknown-outcome'],
      [new X3NetworkError('refused', { outcomeUnknown: false }), 'transient'],
      [new AuthenticationError('no', 401), 'auth'],
      [
        new X3ConfigError('bad', { status: 500, diagnoses: [{ severity: 'error', message: 'Unknown property' }] }),
        'config',
      ],
    ];
    expect(cases.map(([e]) => e.kind)).toEqual(cases.map(([, k]) => k));
    expect(cases.map(([e]) => [e.transient, e.outcomeUnknown])).toEqual([
      [false, false],
      [true, false],
      [true, true],
      [true, false],
      [false, false],
      [true, true],
      [true, false],
      [false, false],
      [false, false],
    ]);
  });
});
