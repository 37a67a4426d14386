import { TenantRegistry } from '@connector/config';
import {
  Headers as H,
  MessageEnvelope,
  PostingResultV1,
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanRecordsMarkerV1,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVENTORY_BILL_REVISION,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  ST_RECORD_REMOVED,
  ST_RECORDS_MARKER,
  Topics,
} from '@connector/contracts';
import { BusContext, PermanentMessageError } from '@connector/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { RecordMarkersService } from '../backfill/backfill-partition.service';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';
import { SourceRecordsState } from '../state/source-records.state';
import { ExportMarksService } from '../write-back/export-marks.service';
import { MapperEnv } from './mapper.env';

/** The mapper's work consumer group (scaled by partitions). */
export const MAPPER_GROUP = 'mapper';

/**
 * Each record of `servicetitan.records.v1` makes the mapper decide its job (or bill) again, from the state view
 * once that view has read the record: every record before it on its partition — the job's other records — is in the
 * decision (a stream-table join). A job's records share a partition, so one consumer decides a job at a time.
 */
@Controller()
export class MapperConsumer {
  constructor(
    private readonly tenants: TenantRegistry,
    private readonly records: SourceRecordsState,
    private readonly jobs: JobMappingService,
    private readonly bills: BillMappingService,
    private readonly markers: RecordMarkersService,
    private readonly marks: ExportMarksService,
    private readonly env: MapperEnv,
  ) {}

  @EventPattern(Topics.StRecords, { group: MAPPER_GROUP })
  async onRecord(@Ctx() ctx: BusContext<unknown>): Promise<void> {
    const cause = ctx.envelope;
    const tenant = this.tenants.get(cause.tenant);
    if (!tenant) throw new PermanentMessageError(`unknown tenant "${cause.tenant}"`);
    await ctx.keepAlive(() =>
      this.records.view.caughtUpTo(
        ctx.partition,
        ctx.offset,
        AbortSignal.timeout(this.env.MAPPER_STATE_WAIT_TIMEOUT_MS),
      ),
    );
    const trigger = {
      cause,
      isReplay: Boolean(ctx.headers[H.ReplayId]),
      quietHold: Boolean(ctx.headers[H.BackfillRequest]),
    };
    switch (cause.type) {
      case ST_JOB_RECORD:
      case ST_INVOICE_RECORD:
      case ST_GROSS_PAY_ITEM_RECORD:
      case ST_RECORD_REMOVED:
        await this.jobs.decide(tenant, (cause.payload as { jobId: number }).jobId, trigger);
        return;
      case ST_INVENTORY_BILL_REVISION: {
        const sent = cause.payload as ServiceTitanInventoryBillRevisionV1;
        // The newest revision the view holds: an older message arriving late decides the current bill.
        const latest = this.records.bill(tenant.id, sent.billId);
        await this.bills.decide(tenant, latest && latest.revision >= sent.revision ? latest : sent, trigger);
        return;
      }
      case ST_RECORDS_MARKER:
        await ctx.keepAlive(() =>
          this.markers.handle(tenant, ctx.envelope as typeof cause & { payload: ServiceTitanRecordsMarkerV1 }),
        );
        return;
      default:
      // Purchase orders and vendors are state only (read by the bill mapping).
    }
  }

  @EventPattern(Topics.PostingResult, { group: MAPPER_GROUP })
  onPostingResult(@Ctx() ctx: BusContext<PostingResultV1>): Promise<void> {
    return this.marks.onResult(ctx.envelope);
  }
}
