import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { IsDateOnly } from '../../validation/date-only.decorator';

export const ST_RECORDS_MARKER = 'servicetitan.records.marker';

export class BackfillWindowDto {
  @IsString() requestId!: string;
  /** Business dates, inclusive. */
  @IsDateOnly() from!: string;
  @IsDateOnly() to!: string;
  @IsBoolean() dryRun!: boolean;
}

/**
 * Written by the tenant's owner to EVERY partition of `servicetitan.records.v1` (key
 * `<tenant>:marker:<kind>[:<requestId>]:p<partition>`), so that a consumer handles it after every record published
 * before it on that partition:
 * - `watermark`: the owner read the job feeds at `at` (held jobs whose labor settled are decided again);
 * - `backfill`: the window's records are loaded; decide the window's jobs and bills of this partition and report.
 */
export class ServiceTitanRecordsMarkerV1 {
  @IsIn(['watermark', 'backfill']) kind!: 'watermark' | 'backfill';
  @IsInt() @Min(0) partition!: number;
  /** Owner's clock when the marker was written. */
  @IsISO8601() at!: string;
  @IsOptional() @ValidateNested() @Type(() => BackfillWindowDto) backfill?: BackfillWindowDto | null;
}
