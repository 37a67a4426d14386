import { IsBoolean, IsISO8601, IsOptional, IsString } from 'class-validator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_JOB_RECORD = 'servicetitan.job.record';

/**
 * A ServiceTitan job as the jobs export feed (or a read by id) returned it, on `servicetitan.records.v1`
 * (key `<tenant>:job:<jobId>`). Published when its content changed; `modifiedOn` orders versions of one job.
 */
export class ServiceTitanJobRecordV1 {
  @IsEntityId() jobId!: number;
  @IsOptional() @IsString() jobNumber?: string | null;
  /** Scheduled | Dispatched | InProgress | Hold | Completed | Canceled (as ServiceTitan spells it). */
  @IsString() jobStatus!: string;
  /** false: the job was deleted/deactivated in ServiceTitan (treated like a cancellation). */
  @IsBoolean() active!: boolean;
  @IsOptional() @IsISO8601() completedOn?: string | null;
  @IsOptional() @IsEntityId() businessUnitId?: number | null;
  @IsOptional() @IsEntityId() jobTypeId?: number | null;
  /** The job's invoice: its costs are "present" once this invoice's record has arrived. */
  @IsOptional() @IsEntityId() invoiceId?: number | null;
  /** The source's modifiedOn: a version older than what the mapper already used is ignored. */
  @IsISO8601() modifiedOn!: string;
  /** Content hash without volatile fields (modifiedOn): equal hashes are not republished. */
  @IsString() contentHash!: string;
}
