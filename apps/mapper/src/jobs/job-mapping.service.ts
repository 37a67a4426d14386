import { TenantConfig, TenantRegistry } from '@connector/config';
import {
  createCausedEnvelope,
  JOURNAL_ENTRY_REQUESTED,
  MAPPING_REJECTED,
  MessageEnvelope,
  recordKey,
  Topics,
} from '@connector/contracts';
import { MessagePublisher } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { BackfillWindowsState } from '../state/backfill-windows.state';
import { jobStream } from '../state/mapper-checkpoint.state';
import { MapperState } from '../state/mapper-state.service';
import { SourceRecordsState } from '../state/source-records.state';
import { BackfillRelease, decideJob, JobDecision, JobPolicy } from './job-mapping.decider';

/** What made the mapper look at a job. */
export interface JobTrigger {
  /** The consumed message (the cause of everything published). */
  cause: MessageEnvelope<unknown>;
  isReplay: boolean;
  /** A backfill releasing its window (null: the live flow). */
  release?: BackfillRelease | null;
  /** Compute only: publish and remember nothing (a dry-run backfill). */
  dryRun?: boolean;
  /** A record loaded by a backfill, before its marker. */
  quietHold?: boolean;
}

/**
 * A job's records (`servicetitan.records.v1`) → `connector.journal-entry.requested.v1` (or mapping.rejected), with
 * corrections. Called on the job's partition only (the mapper group's handler, or a marker on that partition), so
 * one job is decided by one consumer at a time.
 */
@Injectable()
export class JobMappingService {
  private readonly logger = new Logger('job-mapping');

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly rules: MappingRulesRegistry,
    private readonly state: MapperState,
    private readonly records: SourceRecordsState,
    private readonly windows: BackfillWindowsState,
    private readonly publisher: MessagePublisher,
  ) {}

  policy(tenant: TenantConfig): JobPolicy {
    const st = tenant.servicetitan;
    return {
      labor: st.labor,
      lateCosts: st.lateCosts,
      syncFrom: st.syncFrom ?? null,
      timeZone: tenant.timeZone,
      approved: (day) => this.windows.approved(tenant.id, day),
    };
  }

  async decide(tenant: TenantConfig, jobId: number, trigger: JobTrigger): Promise<JobDecision> {
    const cause = trigger.cause;
    const decision = decideJob({
      tenant: tenant.id,
      jobId,
      sources: this.records.job(tenant.id, jobId),
      messageId: cause.id,
      isReplay: trigger.isReplay,
      rules: this.rules.get(tenant.id),
      x3: {
        site: tenant.sageX3.site,
        currency: tenant.sageX3.currency,
        entryType: tenant.sageX3.journal.entryType,
        journal: tenant.sageX3.journal.journal,
        timeZone: tenant.timeZone,
      },
      cache: this.state.cache,
      state: this.state.job(tenant.id, jobId),
      policy: this.policy(tenant),
      now: Date.now(),
      release: trigger.release,
      quietHold: trigger.quietHold,
    });
    if (trigger.dryRun) return decision;
    const key = recordKey(tenant.id, 'job', jobId);
    // Publish order matters and each publish is acknowledged before the next: reversal, new revision, then the
    // checkpoint. A crash in between re-runs the same decision (same external references) on redelivery.
    for (const entry of decision.entries) {
      await this.publisher.publish(
        Topics.JournalEntryRequested,
        createCausedEnvelope(cause, {
          type: JOURNAL_ENTRY_REQUESTED,
          source: 'mapper',
          payload: entry,
          occurredAt: cause.occurredAt,
        }),
        { key },
      );
    }
    if (decision.rejection && decision.publishRejection) {
      await this.publisher.publish(
        Topics.MappingRejected,
        createCausedEnvelope(cause, {
          type: MAPPING_REJECTED,
          source: 'mapper',
          payload: decision.rejection,
          occurredAt: cause.occurredAt,
        }),
        { key },
      );
    }
    if (decision.nextState) {
      const position = this.records.job(tenant.id, jobId).job?.modifiedOn ?? cause.occurredAt;
      await this.state.saveCheckpoint(cause, jobStream(jobId), decision.nextState, position);
    }
    const log = {
      msg: `job ${jobId}: ${decision.note}`,
      outcome: decision.outcome,
      jobId,
      refs: decision.entries.map((e) => e.externalRef),
    };
    if (decision.outcome === 'rejected') this.logger.warn(log);
    else if (decision.outcome === 'waiting' || decision.outcome === 'stale') this.logger.debug(log);
    else this.logger.log(log);
    return decision;
  }
}
