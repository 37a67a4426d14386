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
    ).toEqual(
      expect.arrayContaining([
        'state.version must not be less than 0',
        'state.revision must be an integer number',
        'state.seenEventIds must be an array',
        'state.posted.accountingDate must be a string',
        'state.posted.lines.0.amount must be a decimal string like "1234.50"',
      ]),
    );
    expect(validateMapperState({ ...emptyBillState(), lastSeenRevision: 1.5, voidNoted: 'no' })).toEqual([
      'state.lastSeenRevision must be an integer number',
      'state.voidNoted must be a boolean value',
    ]);
    expect(validateMapperState({ kind: 'invoice' })).toEqual(['state.kind must be "job" or "bill"']);
    expect(validateMapperState(undefined)).toEqual(['state.kind must be "job" or "bill"']);
  });
});
