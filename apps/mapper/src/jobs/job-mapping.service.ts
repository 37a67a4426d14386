import { TenantRegistry } from '@connector/config';
import {
  createCausedEnvelope,
  Headers as H,
  JOURNAL_ENTRY_REQUESTED,
  MAPPING_REJECTED,
  recordKey,
  ServiceTitanJobEventV1,
  Topics,
} from '@connector/contracts';
import { BusContext, MessagePublisher, PermanentMessageError } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { ServiceTitanLookups } from '../servicetitan/servicetitan-lookups.service';
import { jobStream } from '../state/mapper-checkpoint.state';
import { MapperState } from '../state/mapper-state.service';
import { decideJob } from './job-mapping.decider';

/** servicetitan.job.v1 → connector.journal-entry.requested.v1 (or mapping.rejected), with corrections. */
@Injectable()
export class JobMappingService {
  private readonly logger = new Logger('job-mapping');

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly rules: MappingRulesRegistry,
    private readonly state: MapperState,
    private readonly publisher: MessagePublisher,
    private readonly st: ServiceTitanLookups,
  ) {}

  async handle(ctx: BusContext<ServiceTitanJobEventV1>): Promise<void> {
    const cause = ctx.envelope;
    const tenant = this.tenants.get(cause.tenant);
    if (!tenant) throw new PermanentMessageError(`unknown tenant "${cause.tenant}"`);
    const job = cause.payload;
    const key = recordKey(cause.tenant, 'job', job.jobId);
    if (ctx.key !== null && ctx.key !== key)
      throw new PermanentMessageError(`record key "${ctx.key}" does not match the job (${key})`);
    const rules = this.rules.get(cause.tenant);
    const decision = await decideJob({
      tenant: cause.tenant,
      job,
      messageId: cause.id,
      isReplay: Boolean(ctx.headers[H.ReplayId]),
      rules,
      x3: {
        site: tenant.sageX3.site,
        currency: tenant.sageX3.currency,
        entryType: tenant.sageX3.journal.entryType,
        journal: tenant.sageX3.journal.journal,
      },
      cache: this.state.cache,
      state: this.state.job(cause.tenant, job.jobId),
      laborCosts: () =>
        this.st.grossPayLabor(
          cause.tenant,
          job.jobId,
          job.completedOn ?? job.modifiedOn,
          rules?.labor.grossPayWindowDaysBefore ?? 7,
          rules?.labor.grossPayWindowDaysAfter ?? 14,
        ),
    });
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
    if (decision.rejection) {
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
    if (decision.nextState)
      await this.state.saveCheckpoint(cause, jobStream(job.jobId), decision.nextState, job.modifiedOn);
    const log = {
      msg: `job ${job.jobId}: ${decision.note}`,
      outcome: decision.outcome,
      jobId: job.jobId,
      refs: decision.entries.map((e) => e.externalRef),
    };
    if (decision.outcome === 'rejected') this.logger.warn(log);
    else this.logger.log(log);
  }
}
