import { TenantConfig } from '@connector/config';
import {
  BACKFILL_REPORT,
  createCausedEnvelope,
  jobKey,
  MessageEnvelope,
  recordKey,
  ServiceTitanRecordsMarkerV1,
  Topics,
} from '@connector/contracts';
import { ConsumerGroupAdmin, MessagePublisher, partitionForKey } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { BillMappingService } from '../bills/bill-mapping.service';
import { billBusinessDate, jobBusinessDate } from '../common/business-date';
import { JobMappingService } from '../jobs/job-mapping.service';
import { MapperState } from '../state/mapper-state.service';
import { SourceRecordsState } from '../state/source-records.state';
import { BackfillTally } from './backfill-report';

/**
 * Markers on `servicetitan.records.v1`, each handled on its partition after everything published there before it:
 * - backfill: decide the window's jobs and bills of this partition (a dry run computes only), then publish this
 *   partition's report on `connector.backfill.v1` (the CLI sums the partitions);
 * - watermark: decide again the jobs of this partition that wait for their labor to settle.
 */
@Injectable()
export class RecordMarkersService {
  private readonly logger = new Logger('backfill');
  private partitions: number | null = null;

  constructor(
    private readonly records: SourceRecordsState,
    private readonly state: MapperState,
    private readonly jobs: JobMappingService,
    private readonly bills: BillMappingService,
    private readonly publisher: MessagePublisher,
    private readonly admin: ConsumerGroupAdmin,
  ) {}

  async handle(tenant: TenantConfig, cause: MessageEnvelope<ServiceTitanRecordsMarkerV1>): Promise<void> {
    const marker = cause.payload;
    const count = (this.partitions ??= await this.admin.partitionCount(Topics.StRecords));
    const here = (key: string) => partitionForKey(key, count) === marker.partition;
    if (marker.kind === 'watermark') {
      for (const jobId of this.state.settlingJobs(tenant.id))
        if (here(jobKey(tenant.id, jobId))) await this.jobs.decide(tenant, jobId, { cause, isReplay: false });
      return;
    }
    const window = marker.backfill;
    if (!window) return;
    const zone = tenant.timeZone;
    const inWindow = (day: string) => window.from <= day && day <= window.to;
    const tally = new BackfillTally();
    const trigger = { cause, isReplay: false, release: window, dryRun: window.dryRun };
    for (const jobId of this.records.jobIds(tenant.id).sort((a, b) => a - b)) {
      const job = this.records.job(tenant.id, jobId).job;
      if (!job || !here(jobKey(tenant.id, jobId))) continue;
      if (!inWindow(jobBusinessDate(job, zone))) continue;
      tally.job(await this.jobs.decide(tenant, jobId, trigger));
    }
    for (const billId of this.records.billIds(tenant.id).sort((a, b) => a - b)) {
      const bill = this.records.bill(tenant.id, billId);
      if (!bill || !here(recordKey(tenant.id, 'bill', billId))) continue;
      const day = billBusinessDate(bill, zone);
      if (!day || !inWindow(day)) continue;
      tally.bill(await this.bills.decide(tenant, bill, trigger));
    }
    const report = tally.report(window.requestId, marker.partition, window.dryRun);
    await this.publisher.publish(
      Topics.Backfill,
      createCausedEnvelope(cause, { type: BACKFILL_REPORT, source: 'mapper', payload: report }),
      { key: `${tenant.id}:${window.requestId}:p${marker.partition}` },
    );
    this.logger.log({
      msg: 'backfill partition reported',
      requestId: window.requestId,
      partition: marker.partition,
      jobs: report.jobs,
      bills: report.bills,
    });
  }
}
