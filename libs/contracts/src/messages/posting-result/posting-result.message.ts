import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { SourceRecordRefDto } from '../journal-entry-requested/journal-entry-requested.message';

export const POSTING_RESULT = 'x3.posting.result';
export const POSTING_STATUSES = ['posted', 'failed', 'duplicate-skipped'] as const;
export type PostingStatus = (typeof POSTING_STATUSES)[number];

export class PostingErrorDto {
  @IsString() code!: string;
  @IsString() message!: string;
  @IsBoolean() transient!: boolean;
}

export class PostingResultV1 {
  @IsString() externalRef!: string;
  @IsIn(['journal-entry', 'supplier-invoice']) documentKind!: 'journal-entry' | 'supplier-invoice';
  @IsIn(POSTING_STATUSES as unknown as string[]) status!: PostingStatus;
  @ValidateNested() @Type(() => SourceRecordRefDto) source!: SourceRecordRefDto;
  @IsOptional() @IsString() x3DocumentNumber?: string | null;
  /** Total debits (journal entries) or control total (invoices) as posted. */
  @IsOptional() @IsDecimalString() amount?: string | null;
  @IsOptional() @IsString() currency?: string | null;
  @IsInt() @Min(1) attempt!: number;
  /** The request message this result answers (also the envelope causationId). */
  @IsString() requestMessageId!: string;
  @IsOptional() @ValidateNested() @Type(() => PostingErrorDto) error?: PostingErrorDto | null;
}
