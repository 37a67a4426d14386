import { emptyBillState, emptyJobState, validateMapperState } from './mapper-checkpoint.state';

describe('mapper checkpoint state validation', () => {
  it('accepts what the mapper writes', () => {
    expect(validateMapperState({ ...emptyJobState() })).toEqual([]);
    expect(validateMapperState({ ...emptyBillState() })).toEqual([]);
    expect(
      validateMapperState({
        ...emptyJobState(),
        version: 3,
        revision: 2,
        contentHash: 'abc',
        postedRef: 'acme:JOB:1:R2',
        posted: {
          accountingDate: '2026-01-15',
          description: 'Job 1',
          lines: [{ account: '601000', side: 'debit', amount: '10.50', costKind: 'material', costCenter: null }],
        },
        seenEventIds: ['evt-1'],
        lastOutcome: 'requested',
      }),
    ).toEqual([]);
    // Written since issue 14: source versions, a release and the last rejection.
    expect(
      validateMapperState({
        ...emptyJobState(),
        sources: { 'acme:job:1': '2026-11-20T15:00:00.000Z' },
        releasedBy: 'bf-1',
        rejectionHash: 'h',
        lastOutcome: 'held',
      }),
    ).toEqual([]);
  });

  it('names every broken field', () => {
    expect(
      validateMapperState({
        ...emptyJobState(),
        version: -1,
        revision: '2',
        seenEventIds: 'evt-1',
        posted: { lines: [{}] },
      }),
    ).toEqual([
      'state.version must not be less than 0',
      'state.revision must not be less than 0',
      'state.revision must be an integer number',
      'state.posted.accountingDate is required',
      'state.posted.description is required',
      'state.posted.lines[0].account is required',
      'state.posted.lines[0].side is required',
      'state.posted.lines[0].amount is required',
      'state.posted.lines[0].costKind is required',
      'state.seenEventIds must be an array',
    ]);
    expect(validateMapperState({ ...emptyJobState(), lastOutcome: 'posted', extra: 1 })).toEqual([
      'state: unknown field "extra" (typo?)',
      'state.lastOutcome must be one of the following values: requested, rejected, reversed, ignored, held, settling',
    ]);
    expect(validateMapperState({ ...emptyJobState(), sources: { 'acme:job:1': 'yesterday' } })).toEqual([
      'state.sources must map record keys to ISO dates',
    ]);
    expect(validateMapperState({ ...emptyBillState(), lastSeenRevision: 1.5, voidNoted: 'no' })).toEqual([
      'state.lastSeenRevision must be an integer number',
      'state.voidNoted must be a boolean value',
    ]);
    expect(validateMapperState({ kind: 'invoice' })).toEqual(['state.kind must be "job" or "bill"']);
    expect(validateMapperState(undefined)).toEqual(['state.kind must be "job" or "bill"']);
  });
});
