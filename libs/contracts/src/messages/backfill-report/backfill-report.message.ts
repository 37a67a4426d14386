import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

export const BACKFILL_REPORT = 'connector.backfill.report';

export class BackfillCountsDto {
  /** Records of the window found on this partition. */
  @IsInt() @Min(0) considered!: number;
  /** Documents requested (or, in a dry run, that would be). */
  @IsInt() @Min(0) toPost!: number;
  /** Already posted with the same content (by the live flow or an earlier backfill): nothing new. */
  @IsInt() @Min(0) alreadyPosted!: number;
  @IsInt() @Min(0) rejected!: number;
  /** Not decidable yet (e.g. a completed job whose invoice has not arrived). */
  @IsInt() @Min(0) waiting!: number;
}

export class BackfillReasonCountDto {
  @IsString() code!: string;
  @IsInt() @Min(1) count!: number;
}

/** Journal lines of the window, summed per cost center and account. */
export class BackfillLineTotalDto {
  @IsOptional() @IsString() costCenter?: string | null;
  @IsString() account!: string;
  @IsDecimalString() debit!: string;
  @IsDecimalString() credit!: string;
}

export class BackfillSupplierTotalDto {
  @IsString() supplier!: string;
  @IsInt() @Min(1) count!: number;
  @IsDecimalString() amount!: string;
}

/**
 * What a backfill posts (or would post) from one partition of `servicetitan.records.v1`, written by the mapper
 * instance that handled the partition's backfill marker, on `connector.backfill.v1` (key
 * `<tenant>:<requestId>:p<partition>`). The CLI sums the partitions' reports.
 */
export class BackfillReportV1 {
  @IsString() requestId!: string;
  @IsInt() @Min(0) partition!: number;
  @IsBoolean() dryRun!: boolean;
  @ValidateNested() @Type(() => BackfillCountsDto) jobs!: BackfillCountsDto;
  @ValidateNested() @Type(() => BackfillCountsDto) bills!: BackfillCountsDto;
  @IsArray() @ValidateNested({ each: true }) @Type(() => BackfillReasonCountDto) rejections!: BackfillReasonCountDto[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => BackfillLineTotalDto) lines!: BackfillLineTotalDto[];
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BackfillSupplierTotalDto)
  suppliers!: BackfillSupplierTotalDto[];
}
