import { X3Diagnosis, X3Severity } from './sage-x3.errors';
import { classifyX3Answer, X3Answer } from './x3-answer.classifier';

const diag = (severity: X3Severity, message = `a ${severity} diagnosis`): X3Diagnosis => ({ severity, message });

function kind(answer: Partial<X3Answer> & Pick<X3Answer, 'status'>): string {
  return classifyX3Answer({ surface: 'api1', operation: 'write', diagnoses: [], ...answer }).kind;
}

describe('classifyX3Answer: the table "How Sage X3 answers are classified"', () => {
  it.each<[string, Partial<X3Answer> & Pick<X3Answer, 'status'>, string]>([
    ['201 without diagnoses', { status: 201 }, 'ok'],
    ['201 with a warning', { status: 201, diagnoses: [diag('warning')] }, 'ok'],
    ['200 with a transient diagnosis', { status: 200, operation: 'read', diagnoses: [diag('transient')] }, 'transient'],
    ['201 with an error diagnosis on a write (not saved)', { status: 201, diagnoses: [diag('error')] }, 'business'],
    [
      '200 with an error diagnosis on a details read',
      {
        status: 200,
        operation: 'read',
        addressesRecord: true,
        diagnoses: [diag('error', '721 : Record does not exist')],
      },
      'not-found',
    ],
    [
      '200 with an error diagnosis on a query',
      { status: 200, operation: 'read', diagnoses: [diag('error')] },
      'config',
    ],
    ['401', { status: 401, diagnoses: [diag('error', 'Unauthorized')] }, 'auth'],
    ['403', { status: 403, diagnoses: [diag('error', 'Access denied')] }, 'auth'],
    [
      '500 "No Web services accepted" on a write',
      { status: 500, diagnoses: [diag('error', 'No Web services accepted')] },
      'transient',
    ],
    [
      '500 "No Web services accepted" on a read',
      { status: 500, operation: 'read', diagnoses: [diag('error', 'No Web services accepted')] },
      'transient',
    ],
    ['500 + transient diagnosis on a write', { status: 500, diagnoses: [diag('transient')] }, 'transient'],
    ['503 + transient diagnosis', { status: 503, diagnoses: [diag('transient'), diag('warning')] }, 'transient'],
    ['400 + error diagnosis on a write (business rule)', { status: 400, diagnoses: [diag('error')] }, 'business'],
    [
      '500 + error diagnosis on a write (business rule answered as 500)',
      { status: 500, diagnoses: [diag('error')] },
      'business',
    ],
    ['500 + fatal diagnosis on a write', { status: 500, diagnoses: [diag('fatal')] }, 'business'],
    [
      '500 + error and transient diagnoses on a write: the error wins',
      { status: 500, diagnoses: [diag('transient'), diag('error')] },
      'business',
    ],
    [
      '500 + error diagnosis on a read: a where on an unknown property',
      { status: 500, operation: 'read', diagnoses: [diag('error', "Property 'REF' does not exist")] },
      'config',
    ],
    [
      '400 + error diagnosis on a read (bad filter)',
      { status: 400, operation: 'read', diagnoses: [diag('error')] },
      'config',
    ],
    [
      '404 + error diagnosis on a details read',
      { status: 404, operation: 'read', addressesRecord: true, diagnoses: [diag('error')] },
      'not-found',
    ],
    [
      '404 + error diagnosis on a query (class/representation)',
      { status: 404, operation: 'read', diagnoses: [diag('error')] },
      'config',
    ],
    ['404 on a write without diagnoses', { status: 404 }, 'config'],
    ['408', { status: 408 }, 'transient'],
    ['429', { status: 429 }, 'transient'],
    ['503 without diagnoses', { status: 503 }, 'transient'],
    ['500 without diagnoses on a write: outcome unknown', { status: 500 }, 'unknown-outcome'],
    [
      '502 with only a warning on a write: outcome unknown',
      { status: 502, diagnoses: [diag('warning')] },
      'unknown-outcome',
    ],
    ['500 without diagnoses on a read', { status: 500, operation: 'read' }, 'transient'],
    [
      '500 without diagnoses on a read whose text names an unknown property',
      { status: 500, operation: 'read', message: 'Error: Unknown property REF in where clause' },
      'config',
    ],
    ['409 on a write without diagnoses', { status: 409 }, 'business'],
    ['400 without diagnoses (malformed request)', { status: 400 }, 'config'],
    ['405 (facet not allowed)', { status: 405 }, 'config'],
  ])('%s → %s', (_name, answer, expected) => {
    expect(kind(answer)).toBe(expected);
  });

  it('classifies GraphQL the same way from extensions.diagnoses; a gateway 500 is not a business rejection', () => {
    const gql = (a: Partial<X3Answer> & Pick<X3Answer, 'status'>): string =>
      classifyX3Answer({ surface: 'graphql', operation: 'write', diagnoses: [], ...a }).kind;
    expect(gql({ status: 200, diagnoses: [diag('error')] })).toBe('business');
    expect(gql({ status: 200, diagnoses: [diag('transient')] })).toBe('transient');
    expect(gql({ status: 200, operation: 'read', diagnoses: [diag('error')] })).toBe('config');
    // { $severity: 'error', $dataCode: 'InternalServerError', $message: '', $source: 'Gateway' }: no diagnoses list.
    expect(gql({ status: 500, message: '' })).toBe('unknown-outcome');
    expect(gql({ status: 500, operation: 'read', message: '' })).toBe('transient');
    expect(gql({ status: 500, message: 'No Web services accepted' })).toBe('transient');
    expect(gql({ status: 401 })).toBe('auth');
  });

  it('takes extra configuration-error patterns for reads', () => {
    const answer: X3Answer = {
      surface: 'api1',
      operation: 'read',
      status: 500,
      diagnoses: [],
      message: 'SQL error: column ZZREF invalid',
    };
    expect(classifyX3Answer(answer).kind).toBe('transient');
    expect(classifyX3Answer({ ...answer, configErrorPatterns: [/column \w+ invalid/] }).kind).toBe('config');
  });
});
