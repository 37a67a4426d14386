import { toDecimal } from '@connector/decimal';
import { emptyJobState, JobCheckpointState } from '../state/mapper-checkpoint.state';
import { completedJob, testCache, testRules } from '../testing/mapper-fixtures';
import { decideJob, JobDecisionInput } from './job-mapping.decider';
import { imbalance } from './journal-entry.builder';

const x3 = { site: 'FR011', currency: 'USD', entryType: 'ODSTX', journal: 'ODS' };

function input(o: Partial<JobDecisionInput> = {}): JobDecisionInput {
  return {
    tenant: 'acme',
    job: completedJob(),
    messageId: 'msg-1',
    isReplay: false,
    rules: testRules(),
    x3,
    cache: testCache(),
    state: emptyJobState(),
    laborCosts: async () => {
      throw new Error('not expected');
    },
    ...o,
  };
}

describe('job mapping decisions', () => {
  it('a completed job becomes revision 1 with a deterministic external reference', async () => {
    const d = await decideJob(input());
    expect(d.outcome).toBe('requested');
    expect(d.entries).toHaveLength(1);
    expect(d.entries[0]).toMatchObject({
      externalRef: 'acme:JOB:4242:R1',
      source: { kind: 'job', id: '4242', revision: 1 },
      site: 'FR011',
      entryType: 'ODSTX',
      journal: 'ODS',
      currency: 'USD',
      accountingDate: '2026-01-15',
      reversalOf: null,
    });
    expect(d.nextState).toMatchObject({
      revision: 1,
      postedRef: 'acme:JOB:4242:R1',
      seenEventIds: ['evt-1'],
      lastOutcome: 'requested',
      version: 1,
    });
  });

  it('takes labor from payroll gross pay items when the rules say so', async () => {
    const d = await decideJob(
      input({
        rules: testRules({ labor: { source: 'gross-pay-items' } }),
        laborCosts: async () => [
          { kind: 'labor', amount: toDecimal(81.25), stAccount: null, sourceRef: 'g:1' },
          { kind: 'labor', amount: toDecimal(25), stAccount: null, sourceRef: 'g:2' },
        ],
      }),
    );
    expect(d.entries[0].lines.filter((l) => l.costKind === 'labor').map((l) => l.amount)).toEqual(['106.25']);
    expect(imbalance(d.entries[0].lines).isZero()).toBe(true);
  });

  it.each([
    ['an inactive account', { cache: testCache('acme', { inactiveAccounts: ['641000'] }) }, ['ACCOUNT_INACTIVE']],
    ['an unknown business unit', { job: completedJob({ businessUnitId: 99 }) }, ['BUSINESS_UNIT_UNMAPPED']],
    ['no rules', { rules: undefined }, ['RULES_MISSING']],
    ['no costs', { job: completedJob({ invoice: null }) }, ['NO_COSTS']],
  ])('%s is rejected with its reason code', async (_n, o, codes) => {
    const d = await decideJob(input(o as Partial<JobDecisionInput>));
    expect(d.outcome).toBe('rejected');
    expect(d.entries).toEqual([]);
    expect(d.rejection!.reasons.map((r) => r.code)).toEqual(codes);
    expect(d.rejection).toMatchObject({
      source: { kind: 'job', id: '4242', revision: 1 },
      sourceTopic: 'servicetitan.job.v1',
      sourceMessageId: 'msg-1',
    });
  });

  it('validates accounts, cost centers and dimension types against X3 master data', async () => {
    const rules = testRules({
      costCenters: { businessUnits: { '1': 'CC-GONE', '2': { costCenter: 'ADMIN', dimensionType: 'DEP' } } },
      accounts: { material: { debit: '699999', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
    });
    const d = await decideJob(input({ rules }));
    expect(d.rejection!.reasons.map((r) => [r.code, r.field])).toEqual([
      ['ACCOUNT_UNKNOWN', 'lines[0].account'],
      ['COST_CENTER_UNKNOWN', 'lines[0].costCenter'],
    ]);
    const d2 = await decideJob(input({ rules, job: completedJob({ businessUnitId: 2 }) }));
    expect(d2.rejection!.reasons.map((r) => r.code)).toEqual([
      'ACCOUNT_UNKNOWN',
      'COST_CENTER_UNKNOWN',
      'DIMENSION_NOT_ALLOWED',
    ]);
  });

  describe('corrections', () => {
    async function posted(): Promise<JobCheckpointState> {
      return (await decideJob(input())).nextState!;
    }

    it('the same event again produces nothing; the same content under a new event id produces nothing either', async () => {
      const state = await posted();
      expect((await decideJob(input({ state }))).outcome).toBe('duplicate-event');
      const pulled = await decideJob(
        input({ state, job: completedJob({ sourceEventId: 'export:4242:2026-01-15T15:01:00Z' }) }),
      );
      expect(pulled.outcome).toBe('unchanged');
      expect(pulled.entries).toEqual([]);
      expect(pulled.nextState!.seenEventIds).toEqual(['evt-1', 'export:4242:2026-01-15T15:01:00Z']);
    });

    it('a replay re-runs the mapping but still produces nothing for unchanged content', async () => {
      const state = await posted();
      const d = await decideJob(input({ state, isReplay: true }));
      expect(d.outcome).toBe('unchanged');
      expect(d.entries).toEqual([]);
    });

    it('changed content after a posting: reversal of R1 (sides swapped), then R2', async () => {
      const state = await posted();
      const changed = completedJob({
        event: 'updated',
        sourceEventId: 'evt-2',
        invoice: { id: 900, items: [{ id: 1, type: 'Material', quantity: '3', cost: '12.25', totalCost: '36.75' }] },
      });
      const d = await decideJob(input({ state, job: changed }));
      expect(d.outcome).toBe('corrected');
      const [rev, next] = d.entries;
      expect(rev).toMatchObject({
        externalRef: 'acme:JOB:4242:R1:REV',
        reversalOf: 'acme:JOB:4242:R1',
        source: { revision: 1 },
        accountingDate: '2026-01-15',
      });
      expect(rev.lines.map((l) => [l.account, l.side, l.amount])).toEqual(
        state.posted!.lines.map((l) => [l.account, l.side === 'debit' ? 'credit' : 'debit', l.amount]),
      );
      expect(next).toMatchObject({ externalRef: 'acme:JOB:4242:R2', reversalOf: null, source: { revision: 2 } });
      expect(next.lines.find((l) => l.costKind === 'material')!.amount).toBe('36.75');
      expect(d.nextState).toMatchObject({ revision: 2, postedRef: 'acme:JOB:4242:R2', version: 2 });
    });

    it('a job canceled after posting is reversed; canceled or unfinished jobs never posted are ignored', async () => {
      const state = await posted();
      const d = await decideJob(
        input({ state, job: completedJob({ event: 'canceled', jobStatus: 'Canceled', sourceEventId: 'evt-c' }) }),
      );
      expect(d.outcome).toBe('reversed');
      expect(d.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1:REV']);
      expect(d.nextState).toMatchObject({ postedRef: null, posted: null, revision: 1, lastOutcome: 'reversed' });
      // Completed again later: a fresh revision, nothing left to reverse.
      const again = await decideJob(input({ state: d.nextState!, job: completedJob({ sourceEventId: 'evt-3' }) }));
      expect(again.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R2']);

      expect(
        (await decideJob(input({ job: completedJob({ event: 'canceled', jobStatus: 'Canceled' }) }))).outcome,
      ).toBe('ignored');
      const inProgress = await decideJob(input({ job: completedJob({ event: 'updated', jobStatus: 'InProgress' }) }));
      expect(inProgress).toMatchObject({ outcome: 'ignored', entries: [], nextState: null });
    });

    it('a rejection does not use up a revision number', async () => {
      const rejected = await decideJob(input({ cache: testCache('acme', { inactiveAccounts: ['641000'] }) }));
      const d = await decideJob(
        input({ state: rejected.nextState!, job: completedJob({ sourceEventId: 'evt-after-fix' }) }),
      );
      expect(d.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1']);
    });
  });
});
