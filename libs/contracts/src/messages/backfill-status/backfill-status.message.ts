import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { IsDateOnly } from '../../validation/date-only.decorator';

export const BACKFILL_STATUS = 'connector.backfill.status';

export class BackfillLoadedCountsDto {
  @IsInt() @Min(0) jobs!: number;
  @IsInt() @Min(0) invoices!: number;
  @IsInt() @Min(0) grossPayItems!: number;
  @IsInt() @Min(0) inventoryBills!: number;
  @IsInt() @Min(0) purchaseOrders!: number;
}

/**
 * A backfill request's progress, written by the tenant's owner on the compacted `connector.backfill.v1` (key
 * `<tenant>:<requestId>`). `loaded`: the window's records are on `servicetitan.records.v1` and a backfill marker on
 * each of its `partitions` partitions; one report per partition follows. A non-dry-run `loaded` window is approved:
 * the mapper posts records of it that arrive later too.
 */
export class BackfillStatusV1 {
  @IsString() requestId!: string;
  @IsDateOnly() from!: string;
  @IsDateOnly() to!: string;
  @IsBoolean() dryRun!: boolean;
  @IsIn(['started', 'loaded', 'failed']) phase!: 'started' | 'loaded' | 'failed';
  @IsOptional() @IsString() error?: string | null;
  @IsOptional() @IsInt() @Min(1) partitions?: number | null;
  @IsOptional() @ValidateNested() @Type(() => BackfillLoadedCountsDto) loaded?: BackfillLoadedCountsDto | null;
  @IsISO8601() updatedAt!: string;
}
