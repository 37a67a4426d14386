import { JournalEntryRequestedV1, MappingRejectedV1, ServiceTitanJobEventV1, Topics } from '@connector/contracts';
import { contentHash } from '@connector/util';
import { externalRef } from '../common/external-ref';
import { Reason, ReasonCodes } from '../common/rejection-reasons';
import { MappingRules } from '../rules/mapping-rules';
import { JobCheckpointState, rememberEventId } from '../state/mapper-checkpoint.state';
import { MasterDataCache } from '../state/master-data.cache';
import {
  buildJournalDraft,
  imbalance,
  invoiceItemCosts,
  JobCost,
  resolveCostCenter,
  swapSides,
} from './journal-entry.builder';
import { validateJournalLines } from './journal-entry.validator';

export interface X3PostingSettings {
  site: string;
  currency: string;
  entryType: string;
  journal: string;
}

export interface JobDecisionInput {
  tenant: string;
  job: ServiceTitanJobEventV1;
  /** Id of the consumed message (for rejections' sourceMessageId). */
  messageId: string;
  /** A replay of the source message deliberately re-runs the mapping (content dedupe still applies). */
  isReplay: boolean;
  rules: MappingRules | undefined;
  x3: X3PostingSettings;
  cache: MasterDataCache;
  state: JobCheckpointState;
  /** Labor costs from payroll; only called for a completed job whose rules take labor from gross pay items. */
  laborCosts: () => Promise<JobCost[]>;
}

export type JobOutcomeKind =
  | 'duplicate-event'
  | 'ignored'
  | 'unchanged'
  | 'rejected'
  | 'requested'
  | 'corrected'
  | 'reversed';

export interface JobDecision {
  outcome: JobOutcomeKind;
  /** In publish order: a reversal always precedes the new revision. */
  entries: JournalEntryRequestedV1[];
  rejection: MappingRejectedV1 | null;
  /** null: nothing to remember (no checkpoint write). */
  nextState: JobCheckpointState | null;
  note: string;
}

function isCompleted(job: ServiceTitanJobEventV1): boolean {
  return job.jobStatus === 'Completed' && (job.event === 'completed' || job.event === 'updated');
}

/**
 * Decides what one job event produces, from the event, the mapping rules, the X3 master data and what was
 * requested before for this job. Pure apart from the labor look-up, so the correction logic is unit-testable.
 */
export async function decideJob(input: JobDecisionInput): Promise<JobDecision> {
  const { tenant, job, state, x3 } = input;
  const none = (outcome: JobOutcomeKind, note: string): JobDecision => ({
    outcome,
    entries: [],
    rejection: null,
    nextState: null,
    note,
  });

  if (!input.isReplay && state.seenEventIds.includes(job.sourceEventId))
    return none('duplicate-event', `event ${job.sourceEventId} was already mapped`);

  const reversal = (): JournalEntryRequestedV1 | null => {
    if (!state.postedRef || !state.posted) return null;
    return {
      externalRef: externalRef(tenant, 'JOB', job.jobId, state.revision, true),
      source: { kind: 'job', id: String(job.jobId), revision: state.revision },
      site: x3.site,
      entryType: state.posted.entryType ?? x3.entryType,
      journal: state.posted.journal ?? x3.journal,
      // Reversed on the date it was posted, so the period totals of that date come back to what they were.
      accountingDate: state.posted.accountingDate,
      currency: x3.currency,
      description: `Reversal of ${state.postedRef}`.slice(0, 120),
      lines: swapSides(state.posted.lines),
      reversalOf: state.postedRef,
    };
  };

  if (!isCompleted(job)) {
    const rev = reversal();
    if (!rev) return none('ignored', `job is ${job.jobStatus} (event ${job.event}) and nothing was posted for it`);
    return {
      outcome: 'reversed',
      entries: [rev],
      rejection: null,
      nextState: {
        ...state,
        version: state.version + 1,
        contentHash: null,
        postedRef: null,
        posted: null,
        seenEventIds: rememberEventId(state.seenEventIds, job.sourceEventId),
        lastOutcome: 'reversed',
      },
      note: `job is ${job.jobStatus} after posting ${state.postedRef}: reversed`,
    };
  }

  const attemptRevision = state.revision + 1;
  const reject = (reasons: Reason[]): JobDecision => ({
    outcome: 'rejected',
    entries: [],
    rejection: {
      source: { kind: 'job', id: String(job.jobId), revision: attemptRevision },
      sourceTopic: Topics.StJob,
      sourceMessageId: input.messageId,
      reasons,
    },
    nextState: {
      ...state,
      version: state.version + 1,
      seenEventIds: rememberEventId(state.seenEventIds, job.sourceEventId),
      lastOutcome: 'rejected',
    },
    note: `rejected: ${reasons.map((r) => r.code).join(', ')}`,
  });

  const rules = input.rules;
  if (!rules)
    return reject([
      { code: ReasonCodes.RulesMissing, message: `tenant ${tenant} has no mapping rules (mappingRulesFile)` },
    ]);
  const costCenter = resolveCostCenter(job.businessUnitId, rules);
  if (!costCenter) {
    return reject([
      {
        code: ReasonCodes.BusinessUnitUnmapped,
        message: `business unit ${job.businessUnitId ?? '(none)'} has no X3 cost center in the mapping rules`,
        field: 'businessUnitId',
      },
    ]);
  }
  if (!job.completedOn && rules.labor.source === 'gross-pay-items') {
    return reject([
      {
        code: ReasonCodes.CompletedOnMissing,
        message: 'a completed job without completedOn: the payroll window cannot be placed',
        field: 'completedOn',
      },
    ]);
  }
  const costs = [
    ...invoiceItemCosts(job, rules),
    ...(rules.labor.source === 'gross-pay-items' ? await input.laborCosts() : []),
  ];
  const built = buildJournalDraft({
    job,
    costs,
    rules,
    costCenter,
    accountTakesDimension: (account, die) =>
      input.cache.account(tenant, account)?.allowedDimensionTypes.includes(die) ?? false,
  });
  if (!built.draft) return reject(built.reasons);
  const draft = built.draft;
  if (!imbalance(draft.lines).isZero()) throw new Error(`internal error: unbalanced entry for job ${job.jobId}`);
  const invalid = validateJournalLines(tenant, draft.lines, input.cache);
  if (invalid.length) return reject(invalid);

  const hash = contentHash({
    accountingDate: draft.accountingDate,
    currency: x3.currency,
    site: x3.site,
    lines: draft.lines,
  });
  if (state.postedRef && state.contentHash === hash) {
    return {
      ...none('unchanged', `same content as ${state.postedRef}: nothing new to post`),
      nextState: state.seenEventIds.includes(job.sourceEventId)
        ? null
        : {
            ...state,
            version: state.version + 1,
            seenEventIds: rememberEventId(state.seenEventIds, job.sourceEventId),
          },
    };
  }
  const ref = externalRef(tenant, 'JOB', job.jobId, attemptRevision);
  const entry: JournalEntryRequestedV1 = {
    externalRef: ref,
    source: { kind: 'job', id: String(job.jobId), revision: attemptRevision },
    site: x3.site,
    entryType: rules.journal.entryType ?? x3.entryType,
    journal: rules.journal.journal ?? x3.journal,
    accountingDate: draft.accountingDate,
    currency: x3.currency,
    description: draft.description,
    lines: draft.lines,
    reversalOf: null,
  };
  const rev = reversal();
  return {
    outcome: rev ? 'corrected' : 'requested',
    entries: rev ? [rev, entry] : [entry],
    rejection: null,
    nextState: {
      kind: 'job',
      version: state.version + 1,
      revision: attemptRevision,
      contentHash: hash,
      postedRef: ref,
      posted: {
        accountingDate: draft.accountingDate,
        description: draft.description,
        entryType: entry.entryType,
        journal: entry.journal,
        lines: draft.lines,
      },
      seenEventIds: rememberEventId(state.seenEventIds, job.sourceEventId),
      lastOutcome: 'requested',
    },
    note: rev
      ? `content changed after ${state.postedRef}: reversal ${rev.externalRef} then ${ref}`
      : `requested ${ref}`,
  };
}
