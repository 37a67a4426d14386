import { JournalEntryLineDto, JournalEntryRequestedV1, MappingRejectedV1, Topics } from '@connector/contracts';
import { Decimal, toDecimal } from '@connector/decimal';
import { contentHash } from '@connector/util';
import { jobBusinessDate } from '../common/business-date';
import { externalRef } from '../common/external-ref';
import { Reason, ReasonCodes } from '../common/rejection-reasons';
import { unmappedJobType } from '../rules/account-resolution';
import { MappingRules } from '../rules/mapping-rules';
import { JobCheckpointState } from '../state/mapper-checkpoint.state';
import { MasterDataCache } from '../state/master-data.cache';
import { JobSources, sourceVersions } from '../state/source-records.state';
import { jobCosts, lastLaborChange, LaborRule } from './job-costs';
import { buildJournalDraft, imbalance, resolveCostCenter, swapSides } from './journal-entry.builder';
import { validateJournalLines } from './journal-entry.validator';

export interface X3PostingSettings {
  site: string;
  currency: string;
  entryType: string;
  journal: string;
  /** The tenant's IANA time zone (accounting dates). Default UTC. */
  timeZone?: string;
}

/** The tenant's ServiceTitan options that shape a job's decision (tenants file, servicetitan section). */
export interface JobPolicy {
  labor: LaborRule & { settleMinutes: number };
  lateCosts: 'reverse-and-repost' | 'adjustment';
  /** Go-live date: jobs completed before it are held, unless released by a backfill. null = no go-live rule. */
  syncFrom: string | null;
  timeZone?: string;
  /** Whether a business date lies in an approved backfill window. */
  approved: (date: string) => boolean;
}

/** A backfill deciding this job: the window (business dates, inclusive) it releases. */
export interface BackfillRelease {
  requestId: string;
  from: string;
  to: string;
}

export interface JobDecisionInput {
  tenant: string;
  jobId: number;
  /** The job joined with its invoices and gross pay items (state rebuilt from Kafka). */
  sources: JobSources;
  /** Id of the consumed message (rejections' sourceMessageId). */
  messageId: string;
  /** A replayed message re-publishes a rejection that did not change. */
  isReplay: boolean;
  rules: MappingRules | undefined;
  x3: X3PostingSettings;
  cache: MasterDataCache;
  state: JobCheckpointState;
  policy: JobPolicy;
  now: number;
  release?: BackfillRelease | null;
  /** A record a backfill loaded before its marker: holding it is silent (the marker decides and reports). */
  quietHold?: boolean;
}

export type JobOutcomeKind =
  | 'waiting'
  | 'stale'
  | 'ignored'
  | 'held'
  | 'settling'
  | 'unchanged'
  | 'rejected'
  | 'requested'
  | 'corrected'
  | 'adjusted'
  | 'reversed';

export interface JobDecision {
  outcome: JobOutcomeKind;
  /** In publish order: a reversal always precedes the new revision. */
  entries: JournalEntryRequestedV1[];
  rejection: MappingRejectedV1 | null;
  /** false: the same rejection (or hold) was published before; it is reported, not published again. */
  publishRejection: boolean;
  /** null: nothing to remember (no checkpoint write). */
  nextState: JobCheckpointState | null;
  note: string;
}

const sameVersions = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  contentHash(a ?? {}) === contentHash(b);

/**
 * Decides what a job's records produce, from the job joined with its costs, the mapping rules, the X3 master data and
 * what was requested before for this job. Pure: the correction, ordering and go-live rules are unit-testable.
 * - nothing before the job's record and, when the job names an invoice, that invoice's record are there;
 * - an input older than the version the last decision used is ignored (so a completion read after a cancellation
 *   never posts, unless its version is newer);
 * - a job completed before the go-live date is held (BEFORE_GO_LIVE, told once), unless a backfill releases it;
 * - with `labor.settleMinutes`, a job whose labor changed recently waits;
 * - changed costs after a request: reversal + next revision, or one adjustment entry with the difference.
 */
export function decideJob(input: JobDecisionInput): JobDecision {
  const { tenant, jobId, sources, state, x3, policy } = input;
  const none = (outcome: JobOutcomeKind, note: string, nextState: JobCheckpointState | null = null): JobDecision => ({
    outcome,
    entries: [],
    rejection: null,
    publishRejection: false,
    nextState,
    note,
  });
  const job = sources.job;
  if (!job) return none('waiting', 'the job record has not arrived yet');

  const inputs = sourceVersions(tenant, jobId, sources);
  const used = state.sources ?? {};
  const older = Object.keys(inputs).find((k) => used[k] !== undefined && inputs[k] < used[k]);
  if (older)
    return none('stale', `${older} (${inputs[older]}) is older than the version already used (${used[older]})`);
  const remember = (patch: Partial<JobCheckpointState>): JobCheckpointState => ({
    ...state,
    version: state.version + 1,
    sources: inputs,
    ...patch,
  });
  const posted = state.postedRef && state.posted ? { ref: state.postedRef, entry: state.posted } : null;
  const adjusting = policy.lateCosts === 'adjustment';

  const reversal = (): JournalEntryRequestedV1 | null =>
    posted && {
      externalRef: externalRef(tenant, 'JOB', jobId, state.revision, true),
      source: { kind: 'job', id: String(jobId), revision: state.revision },
      site: x3.site,
      entryType: posted.entry.entryType ?? x3.entryType,
      journal: posted.entry.journal ?? x3.journal,
      // Reversed on the date it was posted, so the period totals of that date come back to what they were.
      accountingDate: posted.entry.accountingDate,
      currency: x3.currency,
      description: `Reversal of ${posted.ref}`.slice(0, 120),
      lines: swapSides(posted.entry.lines),
      reversalOf: posted.ref,
    };

  if (!(job.active && job.jobStatus === 'Completed')) {
    const why = `job is ${job.active ? job.jobStatus : 'deleted'}`;
    if (!posted) {
      // Remembered, so that an older completion read later cannot post it.
      const known = state.lastOutcome === 'ignored' && sameVersions(state.sources, inputs);
      return none(
        'ignored',
        `${why} and nothing was posted for it`,
        known ? null : remember({ lastOutcome: 'ignored' }),
      );
    }
    if (adjusting) {
      const revision = state.revision + 1;
      const entry: JournalEntryRequestedV1 = {
        ...(reversal() as JournalEntryRequestedV1),
        externalRef: externalRef(tenant, 'JOB', jobId, revision),
        source: { kind: 'job', id: String(jobId), revision },
        description: `Adjustment to zero of ${posted.ref} (${why})`.slice(0, 120),
        reversalOf: null,
      };
      return {
        ...none('reversed', `${why} after ${posted.ref}: adjusted to zero by ${entry.externalRef}`),
        entries: [entry],
        nextState: remember({ revision, contentHash: null, postedRef: null, posted: null, lastOutcome: 'reversed' }),
      };
    }
    const rev = reversal() as JournalEntryRequestedV1;
    return {
      ...none('reversed', `${why} after ${posted.ref}: reversed`),
      entries: [rev],
      nextState: remember({ contentHash: null, postedRef: null, posted: null, lastOutcome: 'reversed' }),
    };
  }

  if (job.invoiceId && ![...sources.invoices.values()].some((i) => i.invoiceId === job.invoiceId))
    return none('waiting', `completed; its invoice ${job.invoiceId} has not arrived yet`);

  const rules = input.rules;
  const day = jobBusinessDate(job, policy.timeZone ?? 'UTC');
  const release = input.release && input.release.from <= day && day <= input.release.to ? input.release : null;
  const releasedBy = release?.requestId ?? state.releasedBy ?? null;
  const attemptRevision = state.revision + 1;
  const rejection = (reasons: Reason[], hold = false): MappingRejectedV1 => ({
    source: { kind: 'job', id: String(jobId), revision: attemptRevision },
    sourceTopic: Topics.StRecords,
    sourceMessageId: input.messageId,
    reasons,
    ...(hold ? { hold: true } : {}),
  });

  if (policy.syncFrom && day < policy.syncFrom && !posted && !releasedBy && !policy.approved(day)) {
    const note = `completed on ${day}, before the go-live date ${policy.syncFrom}: held`;
    const told = state.lastOutcome === 'held';
    if (input.quietHold || told) return { ...none('held', note), rejection: rejection(goLiveReason(day, policy)) };
    return {
      ...none('held', note),
      rejection: rejection(goLiveReason(day, policy), true),
      publishRejection: true,
      nextState: remember({ lastOutcome: 'held' }),
    };
  }

  if (policy.labor.settleMinutes > 0 && rules?.labor.source === 'gross-pay-items') {
    const changed = lastLaborChange(sources) ?? job.modifiedOn;
    const until = Date.parse(changed) + policy.labor.settleMinutes * 60_000;
    if (input.now < until) {
      const note = `labor changed at ${changed}: waits until ${new Date(until).toISOString()} (labor.settleMinutes)`;
      return none('settling', note, state.lastOutcome === 'settling' ? null : remember({ lastOutcome: 'settling' }));
    }
  }

  const reject = (reasons: Reason[]): JobDecision => {
    const rejectionHash = contentHash({ reasons, inputs });
    const repeated = !input.isReplay && state.lastOutcome === 'rejected' && state.rejectionHash === rejectionHash;
    return {
      ...none('rejected', `rejected: ${reasons.map((r) => r.code).join(', ')}`),
      rejection: rejection(reasons),
      publishRejection: !repeated,
      nextState: repeated ? null : remember({ lastOutcome: 'rejected', rejectionHash, releasedBy }),
    };
  };

  if (!rules)
    return reject([
      { code: ReasonCodes.RulesMissing, message: `tenant ${tenant} has no mapping rules (mappingRulesFile)` },
    ]);
  // Both told at once: the controller fixes the rules file in one go.
  const unmapped: Reason[] = [];
  const jobType = unmappedJobType(rules, job);
  if (jobType) unmapped.push({ code: ReasonCodes.JobTypeUnmapped, message: jobType, field: 'jobTypeId' });
  const costCenter = resolveCostCenter(job.businessUnitId, rules);
  if (!costCenter)
    unmapped.push({
      code: ReasonCodes.BusinessUnitUnmapped,
      message: `business unit ${job.businessUnitId ?? '(none)'} has no X3 cost center in the mapping rules`,
      field: 'businessUnitId',
    });
  if (unmapped.length || !costCenter) return reject(unmapped);
  const built = buildJournalDraft({
    job,
    costs: jobCosts(sources, rules, policy.labor),
    rules,
    costCenter,
    accountTakesDimension: (account, die) =>
      input.cache.account(tenant, account)?.allowedDimensionTypes.includes(die) ?? false,
    timeZone: x3.timeZone,
  });
  if (!built.draft) return reject(built.reasons);
  const draft = built.draft;
  if (!imbalance(draft.lines).isZero()) throw new Error(`internal error: unbalanced entry for job ${jobId}`);
  const invalid = validateJournalLines(tenant, draft.lines, input.cache);
  if (invalid.length) return reject(invalid);

  const hash = contentHash({
    accountingDate: draft.accountingDate,
    currency: x3.currency,
    site: x3.site,
    lines: draft.lines,
  });
  if (posted && state.contentHash === hash) {
    const known =
      state.lastOutcome === 'requested' && sameVersions(state.sources, inputs) && state.releasedBy === releasedBy;
    return none(
      'unchanged',
      `same content as ${posted.ref}: nothing new to post`,
      known ? null : remember({ lastOutcome: 'requested', releasedBy }),
    );
  }
  const ref = externalRef(tenant, 'JOB', jobId, attemptRevision);
  const entry: JournalEntryRequestedV1 = {
    externalRef: ref,
    source: { kind: 'job', id: String(jobId), revision: attemptRevision },
    site: x3.site,
    entryType: rules.journal.entryType ?? x3.entryType,
    journal: rules.journal.journal ?? x3.journal,
    accountingDate: draft.accountingDate,
    currency: x3.currency,
    description: draft.description,
    lines: draft.lines,
    reversalOf: null,
  };
  const inEffect = {
    accountingDate: draft.accountingDate,
    description: draft.description,
    entryType: entry.entryType,
    journal: entry.journal,
    lines: draft.lines,
  };
  const requested = remember({
    revision: attemptRevision,
    contentHash: hash,
    postedRef: ref,
    posted: inEffect,
    lastOutcome: 'requested',
    rejectionHash: null,
    releasedBy,
  });
  if (!posted) return { ...none('requested', `requested ${ref}`), entries: [entry], nextState: requested };
  if (adjusting) {
    const delta = differenceLines(draft.lines, posted.entry.lines);
    if (delta.length === 0)
      return none('unchanged', `costs of ${posted.ref} unchanged`, remember({ contentHash: hash, releasedBy }));
    const adjustment = {
      ...entry,
      description: `Adjustment of job ${job.jobNumber ?? jobId} (${posted.ref})`.slice(0, 120),
      lines: delta,
    };
    return {
      ...none('adjusted', `costs changed after ${posted.ref}: adjustment ${ref} with the difference`),
      entries: [adjustment],
      nextState: requested,
    };
  }
  const rev = reversal() as JournalEntryRequestedV1;
  return {
    ...none('corrected', `content changed after ${posted.ref}: reversal ${rev.externalRef} then ${ref}`),
    entries: [rev, entry],
    nextState: requested,
  };
}

function goLiveReason(day: string, policy: JobPolicy): Reason[] {
  return [
    {
      code: ReasonCodes.BeforeGoLive,
      message: `completed on ${day}, before the go-live date ${policy.syncFrom}: not posted (a backfill can post it)`,
      field: 'completedOn',
    },
  ];
}

/**
 * The lines that take an entry in effect (`before`) to the new one (`after`): per account, cost center and cost kind
 * the signed difference, on the side of its sign. Both are balanced, so the difference is too.
 */
export function differenceLines(after: JournalEntryLineDto[], before: JournalEntryLineDto[]): JournalEntryLineDto[] {
  const groups = new Map<string, { line: JournalEntryLineDto; amount: Decimal }>();
  const add = (lines: JournalEntryLineDto[], sign: 1 | -1) => {
    for (const l of lines) {
      const key = [l.account, l.costCenter ?? '', l.dimensionType ?? '', l.costKind].join('|');
      const signed = toDecimal(l.amount).times(l.side === 'debit' ? sign : -sign);
      const g = groups.get(key);
      if (g) g.amount = g.amount.plus(signed);
      else groups.set(key, { line: l, amount: signed });
    }
  };
  add(after, 1);
  add(before, -1);
  const scale = Math.max(0, ...[...after, ...before].map((l) => (l.amount.split('.')[1] ?? '').length));
  return [...groups.values()]
    .filter((g) => !g.amount.isZero())
    .map((g) => ({
      ...g.line,
      side: g.amount.isNegative() ? ('credit' as const) : ('debit' as const),
      amount: g.amount.abs().toFixed(scale),
    }));
}
