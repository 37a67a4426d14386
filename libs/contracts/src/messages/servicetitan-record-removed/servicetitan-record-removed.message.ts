import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_RECORD_REMOVED = 'servicetitan.record.removed';

/**
 * Published under a record's old key on `servicetitan.records.v1` when the record no longer belongs to that job
 * (ServiceTitan moved the invoice or gross pay item to another job): the old job's costs lost it. A value, not a
 * tombstone, so the work consumers see it in order with the job's other records.
 */
export class ServiceTitanRecordRemovedV1 {
  @IsIn(['invoice', 'gross-pay-item']) entity!: 'invoice' | 'gross-pay-item';
  @IsEntityId() id!: number;
  /** The job the record was removed from (the key's job). */
  @IsEntityId() jobId!: number;
  @IsOptional() @IsEntityId() movedToJobId?: number | null;
  @IsISO8601() modifiedOn!: string;
}
