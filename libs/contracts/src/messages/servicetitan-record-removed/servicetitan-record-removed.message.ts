import { IsIn, IsInt, IsISO8601, IsOptional } from 'class-validator';

export const ST_RECORD_REMOVED = 'servicetitan.record.removed';

/**
 * Published under a record's old key on `servicetitan.records.v1` when the record no longer belongs to that job
 * (ServiceTitan moved the invoice or gross pay item to another job): the old job's costs lost it. A value, not a
 * tombstone, so the work consumers see it in order with the job's other records.
 */
export class ServiceTitanRecordRemovedV1 {
  @IsIn(['invoice', 'gross-pay-item']) entity!: 'invoice' | 'gross-pay-item';
  @IsInt() id!: number;
  /** The job the record was removed from (the key's job). */
  @IsInt() jobId!: number;
  @IsOptional() @IsInt() movedToJobId?: number | null;
  @IsISO8601() modifiedOn!: string;
}
