import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, ValidateNested } from 'class-validator';
import { SourceRecordRefDto } from '../journal-entry-requested/journal-entry-requested.message';

export const MAPPING_REJECTED = 'connector.mapping.rejected';

export class RejectionReasonDto {
  /** Stable machine code, e.g. ACCOUNT_INACTIVE, COST_CENTER_UNKNOWN, SUPPLIER_UNMAPPED. */
  @IsString() code!: string;
  @IsString() message!: string;
  @IsOptional() @IsString() field?: string | null;
}

export class MappingRejectedV1 {
  @ValidateNested() @Type(() => SourceRecordRefDto) source!: SourceRecordRefDto;
  @IsString() sourceTopic!: string;
  @IsString() sourceMessageId!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => RejectionReasonDto)
  reasons!: RejectionReasonDto[];
  /**
   * true: a hold, not an error: the record is outside what the tenant posts for now (e.g. BEFORE_GO_LIVE) and is
   * mapped when that changes (a backfill). Absent = a rejection to fix.
   */
  @IsOptional() @IsBoolean() hold?: boolean | null;
}
