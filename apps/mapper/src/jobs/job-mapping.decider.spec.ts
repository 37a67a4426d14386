import { sumDecimals } from '@connector/decimal';
import { emptyJobState, JobCheckpointState } from '../state/mapper-checkpoint.state';
import {
  grossPayRecord,
  invoiceRecord,
  JOB_TYPES,
  jobSources,
  TEST_RULES_V2_JSON,
  testCache,
  testRules,
  testRulesV2,
} from '../testing/mapper-fixtures';
import { decideJob, differenceLines, JobDecisionInput, JobPolicy } from './job-mapping.decider';
import { imbalance } from './journal-entry.builder';

const x3 = { site: 'FR011', currency: 'USD', entryType: 'ODSTX', journal: 'ODS' };
const policy: JobPolicy = {
  labor: { grossPayItemTypes: ['TimesheetTime'], activeOnly: true, settleMinutes: 0 },
  lateCosts: 'reverse-and-repost',
  syncFrom: null,
  approved: () => false,
};
const NOW = Date.parse('2026-02-01T00:00:00Z');

function input(o: Partial<JobDecisionInput> = {}): JobDecisionInput {
  return {
    tenant: 'acme',
    jobId: 4242,
    sources: jobSources(),
    messageId: 'msg-1',
    isReplay: false,
    rules: testRules(),
    x3,
    cache: testCache(),
    state: emptyJobState(),
    policy,
    now: NOW,
    ...o,
  };
}
const net = (lines: Array<{ side: string; amount: string; costKind: string }>) =>
  sumDecimals(
    lines.filter((l) => l.costKind !== 'offset').map((l) => (l.side === 'debit' ? l.amount : `-${l.amount}`)),
  );

describe('job mapping decisions (the job joined with its costs)', () => {
  it('a completed job with its invoice becomes revision 1 with a deterministic external reference', () => {
    const d = decideJob(input());
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
      lastOutcome: 'requested',
      version: 1,
      sources: {
        'acme:job:4242': '2026-01-15T15:01:00.000Z',
        'acme:job:4242:invoice:900': '2026-01-15T15:05:00.000Z',
      },
    });
  });

  it('waits for the job record, and for the invoice the job names', () => {
    expect(decideJob(input({ sources: jobSources({ job: null }) }))).toMatchObject({
      outcome: 'waiting',
      nextState: null,
    });
    expect(decideJob(input({ sources: jobSources({ invoices: [] }) }))).toMatchObject({
      outcome: 'waiting',
      nextState: null,
      note: expect.stringContaining('invoice 900'),
    });
    // A job without an invoice needs none (labor only).
    const laborOnly = decideJob(
      input({
        rules: testRules({ labor: { source: 'gross-pay-items' } }),
        sources: jobSources({ job: { invoiceId: null }, invoices: [], grossPayItems: [grossPayRecord(1, '81.25')] }),
      }),
    );
    expect(laborOnly.outcome).toBe('requested');
  });

  it('takes labor from the gross pay items of the labor types', () => {
    const d = decideJob(
      input({
        rules: testRules({ labor: { source: 'gross-pay-items' } }),
        sources: jobSources({
          grossPayItems: [
            grossPayRecord(1, '81.25'),
            grossPayRecord(2, '25'),
            grossPayRecord(3, '40', { grossPayItemType: 'InvoiceRelatedBonus' }),
          ],
        }),
      }),
    );
    expect(d.entries[0].lines.filter((l) => l.costKind === 'labor').map((l) => l.amount)).toEqual(['106.25']);
    expect(imbalance(d.entries[0].lines).isZero()).toBe(true);
  });

  it.each([
    ['an inactive account', { cache: testCache('acme', { inactiveAccounts: ['641000'] }) }, ['ACCOUNT_INACTIVE']],
    ['an unknown business unit', { sources: jobSources({ job: { businessUnitId: 99 } }) }, ['BUSINESS_UNIT_UNMAPPED']],
    ['no rules', { rules: undefined }, ['RULES_MISSING']],
    ['no costs', { sources: jobSources({ job: { invoiceId: null }, invoices: [] }) }, ['NO_COSTS']],
  ])('%s is rejected with its reason code, once', (_n, o, codes) => {
    const d = decideJob(input(o as Partial<JobDecisionInput>));
    expect(d.outcome).toBe('rejected');
    expect(d.publishRejection).toBe(true);
    expect(d.entries).toEqual([]);
    expect(d.rejection!.reasons.map((r) => r.code)).toEqual(codes);
    expect(d.rejection).toMatchObject({
      source: { kind: 'job', id: '4242', revision: 1 },
      sourceTopic: 'servicetitan.records.v1',
      sourceMessageId: 'msg-1',
    });
    // The same inputs again (another record of the job, a redelivery): not published twice; a replay republishes.
    const again = decideJob(input({ ...(o as Partial<JobDecisionInput>), state: d.nextState! }));
    expect(again).toMatchObject({ outcome: 'rejected', publishRejection: false, nextState: null });
    expect(
      decideJob(input({ ...(o as Partial<JobDecisionInput>), state: d.nextState!, isReplay: true })).publishRejection,
    ).toBe(true);
  });

  it('validates accounts, cost centers and dimension types against X3 master data', () => {
    const rules = testRules({
      costCenters: { businessUnits: { '1': 'CC-GONE', '2': { costCenter: 'ADMIN', dimensionType: 'DEP' } } },
      accounts: { material: { debit: '699999', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
    });
    const d = decideJob(input({ rules }));
    expect(d.rejection!.reasons.map((r) => [r.code, r.field])).toEqual([
      ['ACCOUNT_UNKNOWN', 'lines[0].account'],
      ['COST_CENTER_UNKNOWN', 'lines[0].costCenter'],
    ]);
    const d2 = decideJob(input({ rules, sources: jobSources({ job: { businessUnitId: 2 } }) }));
    expect(d2.rejection!.reasons.map((r) => r.code)).toEqual([
      'ACCOUNT_UNKNOWN',
      'COST_CENTER_UNKNOWN',
      'DIMENSION_NOT_ALLOWED',
    ]);
  });

  describe('go-live date', () => {
    const goLive = { ...policy, syncFrom: '2026-02-01' };

    it('a job completed before the go-live date is held (told once), not posted', () => {
      const d = decideJob(input({ policy: goLive }));
      expect(d).toMatchObject({ outcome: 'held', entries: [], publishRejection: true });
      expect(d.rejection).toMatchObject({ hold: true, reasons: [{ code: 'BEFORE_GO_LIVE', field: 'completedOn' }] });
      expect(decideJob(input({ policy: goLive, state: d.nextState! }))).toMatchObject({
        outcome: 'held',
        publishRejection: false,
        nextState: null,
      });
      // A record loaded by a backfill before its marker: held without a word.
      expect(decideJob(input({ policy: goLive, quietHold: true }))).toMatchObject({
        outcome: 'held',
        publishRejection: false,
      });
    });

    it('the go-live date is compared with the completion day in the tenant zone', () => {
      // 2026-02-01T03:00Z is still January 31 in Chicago.
      const sources = jobSources({ job: { completedOn: '2026-02-01T03:00:00.000Z' } });
      expect(decideJob(input({ policy: goLive, sources })).outcome).toBe('requested');
      expect(decideJob(input({ policy: { ...goLive, timeZone: 'America/Chicago' }, sources })).outcome).toBe('held');
    });

    it('a backfill window releases it (remembered), an approved window too; a posted job is corrected whatever its date', () => {
      const held = decideJob(input({ policy: goLive })).nextState!;
      const released = decideJob(
        input({ policy: goLive, state: held, release: { requestId: 'bf-1', from: '2026-01-01', to: '2026-01-31' } }),
      );
      expect(released).toMatchObject({ outcome: 'requested', nextState: { releasedBy: 'bf-1' } });
      const outside = decideJob(
        input({ policy: goLive, release: { requestId: 'bf-2', from: '2026-01-16', to: '2026-01-31' } }),
      );
      expect(outside.outcome).toBe('held');
      expect(decideJob(input({ policy: { ...goLive, approved: (d) => d === '2026-01-15' } })).outcome).toBe(
        'requested',
      );
      const later = decideJob(
        input({
          policy: goLive,
          state: released.nextState!,
          sources: jobSources({
            invoices: [
              invoiceRecord({
                items: [{ id: 1, type: 'Material', quantity: '4', cost: '12.25', totalCost: '49.00' }],
                modifiedOn: '2026-02-02T00:00:00.000Z',
              }),
            ],
          }),
        }),
      );
      expect(later.outcome).toBe('corrected');
    });
  });

  describe('order (issue 10: stale events)', () => {
    it('a completion read after the cancellation it predates never posts the job', () => {
      const canceled = decideJob(
        input({ sources: jobSources({ job: { jobStatus: 'Canceled', modifiedOn: '2026-01-16T09:00:00.000Z' } }) }),
      );
      expect(canceled).toMatchObject({ outcome: 'ignored', entries: [] });
      // The older "completed" version comes back (a late read, or compaction kept it): ignored.
      const stale = decideJob(input({ state: canceled.nextState! }));
      expect(stale).toMatchObject({ outcome: 'stale', entries: [], nextState: null });
      // A newer completion is a real re-completion.
      const newer = decideJob(
        input({ state: canceled.nextState!, sources: jobSources({ job: { modifiedOn: '2026-01-17T09:00:00.000Z' } }) }),
      );
      expect(newer.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1']);
    });

    it('an older version of a cost does not reverse the newer revision nor re-post the stale cost', () => {
      const first = decideJob(input()).nextState!;
      const newer = invoiceRecord({
        modifiedOn: '2026-01-16T10:00:00.000Z',
        items: [{ id: 1, type: 'Material', quantity: '4', cost: '12.25', totalCost: '49.00' }],
      });
      const r2 = decideJob(input({ state: first, sources: jobSources({ invoices: [newer] }) }));
      expect(r2.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1:REV', 'acme:JOB:4242:R2']);
      const stale = decideJob(input({ state: r2.nextState! }));
      expect(stale).toMatchObject({ outcome: 'stale', entries: [], nextState: null });
    });
  });

  describe('late costs', () => {
    const rules = testRules({ labor: { source: 'gross-pay-items' } });
    const before = jobSources({ grossPayItems: [grossPayRecord(1, '81.25')] });
    const after = jobSources({
      grossPayItems: [
        grossPayRecord(1, '81.25'),
        grossPayRecord(2, '20.10', { modifiedOn: '2026-01-20T08:00:00.000Z' }),
      ],
    });

    it('a gross pay item added after posting: one correction (reversal + R2) whose net is the new total', () => {
      const first = decideJob(input({ rules, sources: before }));
      const d = decideJob(input({ rules, sources: after, state: first.nextState! }));
      expect(d.outcome).toBe('corrected');
      expect(d.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1:REV', 'acme:JOB:4242:R2']);
      const x3Net = net([...first.entries, ...d.entries].flatMap((e) => e.lines));
      expect(x3Net.toFixed(2)).toBe('126.17'); // 24.82 material (24.815 rounded) + 81.25 + 20.10 labor
      // The same state again (another record of the job): nothing more.
      expect(decideJob(input({ rules, sources: after, state: d.nextState! })).outcome).toBe('unchanged');
    });

    it('adjustment mode: one entry with the difference only; canceled later: an adjustment to zero', () => {
      const adjust = { ...policy, lateCosts: 'adjustment' as const };
      const first = decideJob(input({ rules, sources: before, policy: adjust }));
      const d = decideJob(input({ rules, sources: after, state: first.nextState!, policy: adjust }));
      expect(d.outcome).toBe('adjusted');
      expect(d.entries).toHaveLength(1);
      expect(d.entries[0]).toMatchObject({ externalRef: 'acme:JOB:4242:R2', reversalOf: null });
      expect(d.entries[0].lines.map((l) => [l.account, l.side, l.amount])).toEqual([
        ['641000', 'debit', '20.10'],
        ['421000', 'credit', '20.10'],
      ]);
      expect(net([...first.entries, ...d.entries].flatMap((e) => e.lines)).toFixed(2)).toBe('126.17');
      const canceled = jobSources({
        job: { jobStatus: 'Canceled', modifiedOn: '2026-01-21T00:00:00.000Z' },
        grossPayItems: after.grossPayItems.size ? [...after.grossPayItems.values()] : [],
      });
      const zero = decideJob(input({ rules, sources: canceled, state: d.nextState!, policy: adjust }));
      expect(zero.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R3']);
      expect(net([...first.entries, ...d.entries, ...zero.entries].flatMap((e) => e.lines)).toFixed(2)).toBe('0.00');
    });

    it('labor.settleMinutes holds a job back until its labor stopped changing', () => {
      const settle = { ...policy, labor: { ...policy.labor, settleMinutes: 30 } };
      const changedAt = Date.parse('2026-01-20T08:00:00.000Z');
      const waiting = decideJob(input({ rules, sources: after, policy: settle, now: changedAt + 10 * 60_000 }));
      expect(waiting).toMatchObject({ outcome: 'settling', entries: [], nextState: { lastOutcome: 'settling' } });
      expect(
        decideJob(
          input({ rules, sources: after, policy: settle, state: waiting.nextState!, now: changedAt + 20 * 60_000 }),
        ),
      ).toMatchObject({ outcome: 'settling', nextState: null });
      const settled = decideJob(
        input({ rules, sources: after, policy: settle, state: waiting.nextState!, now: changedAt + 30 * 60_000 }),
      );
      expect(settled.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1']);
    });
  });

  describe('cancellations and replays', () => {
    it('a job canceled after posting is reversed; completed again later: a fresh revision', () => {
      const posted = decideJob(input()).nextState!;
      const d = decideJob(
        input({
          state: posted,
          sources: jobSources({ job: { jobStatus: 'Canceled', modifiedOn: '2026-01-16T00:00:00.000Z' } }),
        }),
      );
      expect(d.outcome).toBe('reversed');
      expect(d.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1:REV']);
      expect(d.nextState).toMatchObject({ postedRef: null, posted: null, revision: 1, lastOutcome: 'reversed' });
      const again = decideJob(
        input({ state: d.nextState!, sources: jobSources({ job: { modifiedOn: '2026-01-17T00:00:00.000Z' } }) }),
      );
      expect(again.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R2']);
      const inProgress = decideJob(input({ sources: jobSources({ job: { jobStatus: 'InProgress' } }) }));
      expect(inProgress).toMatchObject({ outcome: 'ignored', entries: [] });
      // Remembered once, so a stale completion cannot post it; not written again for the same versions.
      expect(
        decideJob(input({ state: inProgress.nextState!, sources: jobSources({ job: { jobStatus: 'InProgress' } }) }))
          .nextState,
      ).toBeNull();
    });

    it('unchanged content after posting produces nothing, also on a replay', () => {
      const posted = decideJob(input()).nextState!;
      expect(decideJob(input({ state: posted }))).toMatchObject({ outcome: 'unchanged', nextState: null });
      expect(decideJob(input({ state: posted, isReplay: true })).outcome).toBe('unchanged');
    });

    it('a rejection does not use up a revision number', () => {
      const rejected = decideJob(input({ cache: testCache('acme', { inactiveAccounts: ['641000'] }) }));
      expect(decideJob(input({ state: rejected.nextState! })).entries.map((e) => e.externalRef)).toEqual([
        'acme:JOB:4242:R1',
      ]);
    });
  });

  describe('mapping rules version 2', () => {
    const v2 = testRulesV2();
    const jobOf = (jobTypeId: number | null, businessUnitId = 1) =>
      jobSources({ job: { jobTypeId, businessUnitId }, grossPayItems: [grossPayRecord(1, '80')] });
    const lines = (d: ReturnType<typeof decideJob>) =>
      d.entries[0].lines.map((l) => [l.costKind, l.side, l.account, l.amount, l.costCenter ?? null]);

    it('installation labor and service labor land on their own accounts; equipment on its own', () => {
      const install = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.install) }));
      const service = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.service) }));
      expect(lines(install)).toEqual([
        ['material', 'debit', '601000', '24.50', 'CC-HVAC'],
        ['equipment', 'debit', '615000', '0.32', 'CC-HVAC'],
        ['labor', 'debit', '642000', '80.00', 'CC-HVAC'],
        // Offsets per cost kind (material and equipment share the inventory account, each with its own line).
        ['offset', 'credit', '310000', '24.50', null],
        ['offset', 'credit', '310000', '0.32', null],
        ['offset', 'credit', '421000', '80.00', null],
      ]);
      expect(lines(service).find((l) => l[0] === 'labor')).toEqual(['labor', 'debit', '641000', '80.00', 'CC-HVAC']);
      // Plumbing installs: the type + unit rule for material and labor debit, the unit's payroll offset.
      const plumbing = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.install, 2) }));
      expect(lines(plumbing)).toEqual([
        ['material', 'debit', '603000', '24.50', 'CC-PLUMB'],
        ['equipment', 'debit', '615000', '0.32', 'CC-PLUMB'],
        ['labor', 'debit', '642500', '80.00', 'CC-PLUMB'],
        ['offset', 'credit', '310000', '24.50', null],
        ['offset', 'credit', '310000', '0.32', null],
        ['offset', 'credit', '422000', '80.00', null],
      ]);
      expect(plumbing.entries[0].lines[2].description).toBe('Job J-4242 labor');
    });

    it('strict: a job of an unmapped type is rejected with JOB_TYPE_UNMAPPED (once; a replay republishes)', () => {
      const d = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.warranty) }));
      expect(d).toMatchObject({ outcome: 'rejected', publishRejection: true, entries: [] });
      expect(d.rejection!.reasons).toEqual([
        {
          code: 'JOB_TYPE_UNMAPPED',
          message: 'job type 55 has no rule in the mapping rules (jobTypes.strict)',
          field: 'jobTypeId',
        },
      ]);
      expect(d.rejection!.source).toEqual({ kind: 'job', id: '4242', revision: 1 });
      const again = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.warranty), state: d.nextState! }));
      expect(again).toMatchObject({ outcome: 'rejected', publishRejection: false, nextState: null });
      const replayed = decideJob(
        input({ rules: v2, sources: jobOf(JOB_TYPES.warranty), state: d.nextState!, isReplay: true }),
      );
      expect(replayed.publishRejection).toBe(true);
      // A job without a job type is unmapped too.
      expect(decideJob(input({ rules: v2, sources: jobOf(null) })).rejection!.reasons[0].code).toBe(
        'JOB_TYPE_UNMAPPED',
      );
    });

    it('strict: the rule added, the replayed job posts as R1 once (the rejection used no revision)', () => {
      const rejected = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.warranty) }));
      const fixed = testRulesV2({
        accounts: {
          ...TEST_RULES_V2_JSON.accounts,
          rules: [
            ...TEST_RULES_V2_JSON.accounts.rules,
            { name: 'warranty', jobTypes: [JOB_TYPES.warranty], accounts: { labor: { debit: '642000' } } },
          ],
        },
      });
      const replay = (state: typeof rejected.nextState) =>
        decideJob(input({ rules: fixed, sources: jobOf(JOB_TYPES.warranty), state: state!, isReplay: true }));
      const posted = replay(rejected.nextState);
      expect(posted.outcome).toBe('requested');
      expect(posted.entries.map((e) => e.externalRef)).toEqual(['acme:JOB:4242:R1']);
      expect(lines(posted).find((l) => l[0] === 'labor')?.[2]).toBe('642000');
      // Replayed again: nothing new.
      expect(replay(posted.nextState)).toMatchObject({ outcome: 'unchanged', entries: [] });
    });

    it('strict with an unmapped business unit too: both reasons at once', () => {
      const d = decideJob(input({ rules: v2, sources: jobOf(JOB_TYPES.warranty, 99) }));
      expect(d.rejection!.reasons.map((r) => [r.code, r.field])).toEqual([
        ['JOB_TYPE_UNMAPPED', 'jobTypeId'],
        ['BUSINESS_UNIT_UNMAPPED', 'businessUnitId'],
      ]);
    });

    it('not strict: an unmapped type posts on the default accounts', () => {
      const lax = testRulesV2({ jobTypes: { strict: false } });
      const d = decideJob(input({ rules: lax, sources: jobOf(JOB_TYPES.warranty) }));
      expect(d.outcome).toBe('requested');
      expect(lines(d).find((l) => l[0] === 'labor')?.[2]).toBe('641000');
    });
  });

  it('differenceLines: per account and cost center, the signed difference on the side of its sign', () => {
    const l = (account: string, side: 'debit' | 'credit', amount: string, costKind: 'labor' | 'offset') => ({
      account,
      side,
      amount,
      costKind,
      costCenter: null,
    });
    expect(
      differenceLines(
        [l('641000', 'debit', '90.00', 'labor'), l('421000', 'credit', '90.00', 'offset')],
        [l('641000', 'debit', '100.00', 'labor'), l('421000', 'credit', '100.00', 'offset')],
      ).map((x) => [x.account, x.side, x.amount]),
    ).toEqual([
      ['641000', 'credit', '10.00'],
      ['421000', 'debit', '10.00'],
    ]);
  });
});
